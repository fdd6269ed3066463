#!/usr/bin/env node
// pyship's executable: runs the compiled CLI and exits with its code once output is flushed.
// Parsing the CLI's code is most of a cold start, and Node.js 20 caches no compiled ES modules. So the commands that
// start eagerly run from one classic script (dist/bundle/chunks/cli-script.js) compiled here with a V8 code cache kept
// in the user's cache directory: a later start deserializes the compiled code instead of parsing it. A cache that is
// absent, stale, damaged, unreadable, unwritable or not the user's own only means compiling from source.
// NODE_DISABLE_COMPILE_CACHE=1 turns the cache off (as for Node's own). The lazily loaded commands (the script's
// first line names them) run from the ES module bundle, where Node.js >= 22.1 caches the compiled code on disk
// (module.enableCompileCache).
import { createHash } from 'node:crypto';
import module from 'node:module';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const EAGER = new Set(['check', 'explain', 'rules']); // a cache file each; the rest (--help, --version…) share one
const KEEP = 12; // cache files kept: for other pyship versions and Node.js versions too

/** The user's cache directory (`base`) and the one for compiled code in it (`dir`); undefined when there is none. */
function cacheDir() {
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  const own = process.env.PYSHIP_CACHE_DIR; // pyship's cache root, as for the audit's layer cache
  if (own && isAbsolute(own)) return { base: own, dir: join(own, 'compiled') };
  const xdg = process.env.XDG_CACHE_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : process.platform === 'win32' ? process.env.LOCALAPPDATA : join(homedir(), '.cache');
  return base ? { base, dir: join(base, 'pyship', 'compiled') } : undefined;
}

/** Only the user's own, unshared directory: compiled code read from elsewhere would run as the user. */
function ours(dir) {
  const s = statSync(dir);
  return s.isDirectory() && (process.getuid === undefined || (s.uid === process.getuid() && (s.mode & 0o022) === 0));
}

const digest = (data) => createHash('sha256').update(data).digest();

/** The compiled code in `file` when its digest holds: V8 checks versions and lengths, and crashes on damaged data. */
function read(file) {
  const buf = readFileSync(file);
  const data = buf.subarray(32);
  return data.length > 0 && digest(data).equals(buf.subarray(0, 32)) ? data : undefined;
}

/** Creates the cache directory one level at a time: a recursive mkdirSync never returns below /proc. */
function makeDir({ base, dir }) {
  for (const d of [base, dirname(dir), dir]) {
    try {
      mkdirSync(d, { mode: 0o700 });
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
  }
}

function save(cache, file, data) {
  makeDir(cache);
  const { dir } = cache;
  if (!ours(dir)) return;
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, Buffer.concat([digest(data), data]), { mode: 0o600 });
    renameSync(tmp, file); // whole or absent for a concurrent reader
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  const old = readdirSync(dir).filter((f) => f.endsWith('.v8')).map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs })).sort((a, b) => b.t - a.t);
  for (const { f } of old.slice(KEEP)) rmSync(join(dir, f), { force: true });
}

/**
 * The CLI's exports from the classic script, compiled with the code cache, and `saveCache`, which records what the
 * run compiled when the cache was absent or stale (after the run: the cache then holds the functions `command`
 * needed, not only the top level). Undefined when the script is absent or `command` is not in it.
 */
function loadScript(command) {
  const file = fileURLToPath(new URL('../dist/bundle/chunks/cli-script.js', import.meta.url));
  let source;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const [, key, lazy = ''] = /^\/\/ pyship-script (\w+) ([\w,]*)\n/.exec(source) ?? [];
  if (key === undefined || lazy.split(',').includes(command)) return undefined;
  let cache;
  try {
    cache = cacheDir();
  } catch {
    // no home directory
  }
  const cacheFile = cache && join(cache.dir, `${key}-${process.version}-${process.arch}-${EAGER.has(command) ? command : 'cli'}.v8`);
  let cachedData;
  try {
    if (cacheFile && ours(cache.dir)) cachedData = read(cacheFile);
  } catch {
    // no cache yet
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  const m = { exports: {} };
  script.runInThisContext()(m.exports, module.createRequire(file), m, file, dirname(file));
  const saveCache = () => {
    if (!cacheFile || (cachedData !== undefined && !script.cachedDataRejected)) return;
    try {
      save(cache, cacheFile, script.createCachedData());
    } catch {
      // a read-only or missing home: the next start compiles again
    }
  };
  return { ...m.exports, saveCache };
}

const argv = process.argv.slice(2);
// the global flags take no value: the first word is the command
const command = argv.find((a) => !a.startsWith('-'));
module.enableCompileCache?.();
const cli = loadScript(command) ?? (await import('../dist/bundle/cli.js'));
process.exitCode = await cli.main(argv);
cli.saveCache?.();
