#!/usr/bin/env node
// The hostile probe (issue 13): runs each case of probe-hostile-cases.mjs against the built CLI (bin/pyship.js) in a
// temp dir, under a timeout and a memory cap, and sorts it into ok / crash / hang / data lost / secret printed /
// unclear error. Slow (minutes), so not part of npm test. Usage, after `npm run build`:
//   node scripts/probe-hostile.mjs [--json] [--no-engine] [--only <text>] [--verbose]
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cases, DF_FIX, S } from './probe-hostile-cases.mjs';

const BIN = resolve(import.meta.dirname, '..', 'bin', 'pyship.js');
const ADDRESS_SPACE = 3 * 1024 ** 3; // prlimit --as: a runaway read or heap fails fast instead of eating the machine
const HEAP_MB = 1536;
const SIGNAL_GRACE_MS = 2000; // SIGINT/SIGTERM must end a command within this
export const CLASSES = ['ok', 'crash', 'hang', 'data lost', 'secret printed', 'unclear error'];

const CRASH = [/internal error/i, /please report it/i, /^\s+at .+:\d+:\d+\)?$/m, /heap out of memory|FATAL ERROR|Allocation failed|Cannot allocate memory|ENOMEM|Maximum call stack|Invalid string length|Invalid array length/];
const TEMP = /\.pyship-\d+-\d+\.tmp$/;
const PATHISH = /[\w.-]*\/[\w.-]+|Dockerfile|\.toml\b|\.ya?ml\b|\.txt\b|\.lock\b|\.py\b|\.dockerignore/;

/** Every entry under `dir`, not following links: type, mode, and content hash or link target. */
/** The compiled-code cache bin/pyship.js keeps in the user's cache directory ($HOME/.cache/pyship/compiled): not data. */
const CODE_CACHE = /^home\/\.cache(\/pyship(\/compiled(\/[^/]+\.v8)?)?)?$/;

function snapshot(dir, base = dir, out = new Map()) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = lstatSync(p);
    const key = p.slice(base.length + 1);
    if (st.isSymbolicLink()) out.set(key, { type: 'link', target: readlinkSync(p) });
    else if (st.isDirectory()) {
      out.set(key, { type: 'dir', mode: st.mode & 0o7777 });
      if (st.mode & 0o100) snapshot(p, base, out);
    } else if (st.isFile()) {
      const bytes = st.mode & 0o400 ? readFileSync(p) : Buffer.alloc(0);
      out.set(key, { type: 'file', mode: st.mode & 0o7777, hash: createHash('sha1').update(bytes).digest('hex'), bytes: bytes.length < 1 << 20 ? bytes : undefined });
    } else out.set(key, { type: st.isFIFO() ? 'fifo' : st.isSocket() ? 'socket' : 'other' });
  }
  return out;
}

function writeFiles(dir, files) {
  for (const [p, v] of Object.entries(files)) {
    if (v === undefined) continue;
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), typeof v === 'function' ? v() : v);
  }
}

/** Build the case's project (and the `outside` dir beside it) in a fresh temp root. */
async function prepare(c) {
  const root = mkdtempSync(join(tmpdir(), 'pyship-probe-'));
  chmodSync(root, 0o755);
  const dir = join(root, 'project');
  const outside = join(root, 'outside');
  mkdirSync(dir);
  mkdirSync(outside);
  writeFileSync(join(outside, 'credentials'), `[default]\naws_secret_access_key = ${S.cred}\n`);
  writeFileSync(join(outside, 'Dockerfile.out'), `${DF_FIX}# token ${S.cred}\n`);
  mkdirSync(join(root, 'home'));
  const servers = [];
  const ctx = {
    dir, outside, root,
    server: (path) => new Promise((ok) => { const s = createServer().listen(path, () => ok()); servers.push(s); }),
  };
  writeFiles(dir, c.files);
  if (c.user === 'nobody') execFileSync('chown', ['-R', '-h', '65534:65534', root]);
  await c.setup?.(ctx);
  return { ...ctx, close: () => { for (const s of servers) s.close(); } };
}

/** Run pyship with the case's arguments; returns exit code, signal, output, time, and whether we had to kill it. */
function spawnPyship(c, cwd, root, { signal } = {}) {
  const limits = ['prlimit', `--as=${ADDRESS_SPACE}`, process.execPath, `--max-old-space-size=${HEAP_MB}`, BIN, ...c.args];
  const argv = c.user === 'nobody' ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', ...limits] : limits;
  const env = { ...process.env, NO_COLOR: '1', HOME: join(root, 'home'), ...(c.env ?? {}) };
  if (!c.env?.DOCKER_HOST) delete env.DOCKER_HOST;
  return new Promise((done) => {
    const t0 = Date.now();
    const child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const cap = (s, d) => (s.length < 4 << 20 ? s + d : s);
    child.stdout.on('data', (d) => (out = cap(out, d)));
    child.stderr.on('data', (d) => (err = cap(err, d)));
    child.stdin.on('error', () => {});
    child.stdin.end(c.stdin ?? '');
    let hung = '';
    const kill = (why) => { hung = why; child.kill('SIGKILL'); };
    const timer = setTimeout(() => kill(`no exit after ${c.timeout ?? 20_000} ms`), c.timeout ?? 20_000);
    let sigTimer;
    if (signal) {
      sigTimer = setTimeout(() => {
        child.kill(signal.sig);
        if (signal.sig !== 'SIGKILL') sigTimer = setTimeout(() => kill(`still running ${SIGNAL_GRACE_MS} ms after ${signal.sig}`), SIGNAL_GRACE_MS);
      }, signal.after);
    }
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      clearTimeout(sigTimer);
      done({ code, sig, out, err, ms: Date.now() - t0, hung });
    });
  });
}

/** What went wrong with the tree: links replaced, files changed or lost, temp files left, endings or BOM dropped. */
function dataProblems(c, before, after, reference) {
  const problems = [];
  const fixing = c.args.includes('--fix') || c.args.includes('--unsafe-fixes');
  const forced = c.args.includes('--force');
  for (const [p, b] of before) {
    const a = after.get(p);
    const inOutside = p.startsWith('outside/');
    if (!a) problems.push(`${p} removed`);
    else if (a.type !== b.type) problems.push(`${p}: ${b.type} replaced by a ${a.type}`);
    else if (b.type === 'link' && a.target !== b.target) problems.push(`${p}: link retargeted`);
    else if (b.type === 'file' && a.mode !== b.mode && !(c.user === 'nobody' && b.mode === 0)) problems.push(`${p}: mode ${b.mode.toString(8)} -> ${a.mode.toString(8)}`);
    else if (b.type === 'file' && a.hash !== b.hash) {
      const rel = p.replace(/^project\//, '');
      const allowed = !inOutside && ((fixing && (c.mayChange ?? ['Dockerfile']).includes(rel)) || (c.init && forced) || (c.mayChange ?? []).includes(rel));
      if (!allowed) problems.push(`${p} changed`);
      else if (c.keepForm && b.bytes && a.bytes) problems.push(...formProblems(p, b.bytes.toString('utf8'), a.bytes.toString('utf8')));
      if (c.oldOrNew === rel && reference !== undefined && a.hash !== reference) problems.push(`${p} is neither the old nor the fixed file (half written?)`);
    }
  }
  for (const [p, a] of after) {
    if (before.has(p)) continue;
    if (TEMP.test(p)) { if (c.signal?.sig !== 'SIGKILL') problems.push(`temp file left: ${p}`); }
    else if (CODE_CACHE.test(p)) continue;
    else if (!c.init || p.startsWith('outside/')) problems.push(`new ${a.type}: ${p}`);
  }
  return problems;
}

function formProblems(p, old, now) {
  const out = [];
  if (old.startsWith('\ufeff') && !now.startsWith('\ufeff')) out.push(`${p}: BOM dropped`);
  const bareLf = (t) => /(^|[^\r])\n/.test(t);
  if (old.includes('\r\n') && !bareLf(old) && bareLf(now)) out.push(`${p}: CRLF file now has LF lines`);
  if (old.includes('\r\n') && bareLf(old)) {
    // a mixed file: each line the fixes left alone keeps its own ending
    const ending = (t) => new Map(t.split(/(?<=\n)/).map((l) => [l.replace(/\r?\n$/, ''), l.endsWith('\r\n') ? 'CRLF' : 'LF']));
    const was = ending(old);
    const lost = [...ending(now)].filter(([l, e]) => l.trim() && was.has(l) && was.get(l) !== e);
    if (lost.length) out.push(`${p}: untouched lines changed endings (${lost[0][0].slice(0, 30)}…)`);
  }
  if (!old.includes('\r') && now.includes('\r')) out.push(`${p}: CR added to an LF file`);
  return out;
}

const secretForms = (s) => [s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s), s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;'), s.replace(/\//g, '\\/')];

/** Sort one finished run into a class; all reasons are kept for the report. */
export function classify(c, res, data) {
  const out = res.out + res.err;
  const reasons = [];
  const sent = c.signal?.sig;
  for (const re of CRASH) if (re.test(out)) reasons.push(['crash', `output matches ${re}`]);
  if (!res.hung && res.sig && res.sig !== sent) reasons.push(['crash', `killed by ${res.sig}`]);
  if (!res.hung && res.code !== null && ![0, 1, 2].includes(res.code) && !(sent && [130, 143].includes(res.code))) reasons.push(['crash', `exit ${res.code}`]);
  if (res.hung) reasons.push(['hang', res.hung]);
  for (const p of data) reasons.push(['data lost', p]);
  for (const s of c.secrets ?? []) if (secretForms(s).some((f) => out.includes(f))) reasons.push(['secret printed', `prints ${s.slice(0, 12)}…`]);
  const about = c.about ?? PATHISH;
  if (res.code === 2 && !(typeof about === 'string' ? out.includes(about) : about.test(out))) reasons.push(['unclear error', `exit 2 without naming ${about}`]);
  if (c.expect && !res.hung && !c.expect.test(out)) reasons.push(['unclear error', `silent: nothing matches ${c.expect}`]);
  const repeated = c.engine && res.err.split('\n').filter((l) => l.trim().length > 20).find((l, i, all) => all.indexOf(l) !== i);
  if (repeated) reasons.push(['unclear error', `repeats: ${repeated.slice(0, 60)}`]);
  const first = CLASSES.slice(1).find((k) => reasons.some(([r]) => r === k));
  return { class: first ?? 'ok', reasons: reasons.map(([k, r]) => `${k}: ${r}`) };
}

/** Run one case end to end; never throws (a setup failure is reported as the case's class "setup failed"). */
export async function runCase(c) {
  let ctx;
  try {
    let reference;
    if (c.oldOrNew) {
      // what the file is once the command finishes: the "new" the SIGKILLed run may leave instead of the old
      const ref = await prepare({ ...c, signal: undefined });
      await spawnPyship({ ...c, timeout: 120_000 }, ref.dir, ref.root);
      reference = snapshot(ref.root).get(`project/${c.oldOrNew}`)?.hash;
      ref.close();
      rmSync(ref.root, { recursive: true, force: true });
    }
    ctx = await prepare(c);
    const before = snapshot(ctx.root);
    const res = await spawnPyship(c, ctx.dir, ctx.root, { signal: c.signal });
    const after = snapshot(ctx.root);
    const verdict = classify(c, res, dataProblems(c, before, after, reference));
    return { name: c.name, ...verdict, exit: res.code, signal: res.sig, ms: res.ms, stderr: res.err.slice(0, 400) };
  } catch (e) {
    return { name: c.name, class: 'setup failed', reasons: [String(e?.stack ?? e)], ms: 0 };
  } finally {
    ctx?.close();
    if (ctx) {
      try { execFileSync('chmod', ['-R', 'u+rwx', ctx.root]); } catch { /* a socket or FIFO: rm copes */ }
      rmSync(ctx.root, { recursive: true, force: true });
    }
  }
}

export function table(results) {
  const count = (k) => results.filter((r) => r.class === k).length;
  const cols = [['cases', results.length], ...CLASSES.map((k) => [k, count(k)])];
  const skipped = results.filter((r) => r.class === 'setup failed');
  if (skipped.length) cols.push(['setup failed', skipped.length]);
  const lines = [cols.map(([k]) => k.padStart(Math.max(k.length, 5))).join('  '), cols.map(([k, n]) => String(n).padStart(Math.max(k.length, 5))).join('  '), ''];
  for (const k of [...CLASSES.slice(1), 'setup failed']) {
    const bad = results.filter((r) => r.class === k);
    if (bad.length) lines.push(`${k}:`, ...bad.map((r) => `  - ${r.name}  (${r.reasons.find((x) => x.startsWith(k)) ?? r.reasons[0]})`));
  }
  return lines.join('\n');
}

async function main(argv) {
  const flag = (f) => argv.includes(f);
  const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
  let list = cases.filter((c) => !only || c.name.includes(only));
  const notes = [];
  if (flag('--no-engine')) {
    notes.push(`note: --no-engine: ${list.filter((c) => c.engine).length} engine cases skipped`);
    list = list.filter((c) => !c.engine);
  }
  const results = [];
  const t0 = Date.now();
  for (const c of list) {
    const r = await runCase(c);
    results.push(r);
    if (flag('--verbose')) process.stderr.write(`${r.class.padEnd(14)} ${String(r.ms).padStart(6)} ms  ${r.name}${r.class === 'ok' ? '' : `\n    ${r.reasons.join('\n    ')}`}\n`);
  }
  const summary = Object.fromEntries([['cases', results.length], ...CLASSES.map((k) => [k, results.filter((r) => r.class === k).length])]);
  if (flag('--json')) process.stdout.write(JSON.stringify({ summary, seconds: Math.round((Date.now() - t0) / 1000), notes, results }, null, 2) + '\n');
  else process.stdout.write(`${notes.map((n) => n + '\n').join('')}${table(results)}\n(${Math.round((Date.now() - t0) / 1000)} s)\n`);
  return results.some((r) => r.class !== 'ok') ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = await main(process.argv.slice(2));
