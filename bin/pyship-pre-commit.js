#!/usr/bin/env node
// The pre-commit hooks' entry (.pre-commit-hooks.yaml): `pyship-pre-commit check|fix [pyship check flags] FILE...`.
// pre-commit passes the changed files that match the hook's `files` pattern, after the hook's `args`. A changed
// Dockerfile is checked as it is; any other changed file (requirements.txt, .dockerignore, compose, a workflow…)
// checks the Dockerfiles of its project: those in the nearest directory at or above the file (up to the current
// directory, where pre-commit runs) that holds any, else every Dockerfile below the file's project root (its nearest
// pyproject.toml, else the current directory). Each Dockerfile is checked once, whatever number of its files changed.
// `fix` applies the safe fixes to the Dockerfiles pre-commit passed (the changed ones) and only checks the others.
import { readdirSync, statSync } from 'node:fs';
import module from 'node:module';
import path from 'node:path';

module.enableCompileCache?.(); // Node.js >= 22.1: cache the compiled code on disk (see bin/pyship.js)
const { buildProgram, main, discoverDockerfiles, isDockerfileName } = await import('../dist/bundle/cli.js');

const USAGE = 'usage: pyship-pre-commit check|fix [pyship check flags] FILE...\n';

/** Split argv into `pyship check` flags (with their values) and file names, using check's own option definitions. */
function splitArgs(args) {
  const quiet = { out() {}, err() {}, cwd: process.cwd(), color: false };
  const check = buildProgram(quiet, () => {}).commands.find((c) => c.name() === 'check');
  const takesValue = new Set(check.options.filter((o) => o.required || o.optional).flatMap((o) => [o.short, o.long]).filter(Boolean));
  const flags = [];
  const files = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      files.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('-') && a !== '-') {
      flags.push(a);
      if (!a.includes('=') && takesValue.has(a) && i + 1 < args.length) flags.push(args[++i]);
    } else files.push(a);
  }
  return { flags, files };
}

const listings = new Map();
function dockerfilesIn(dir) {
  if (!listings.has(dir)) {
    let names = [];
    try {
      names = readdirSync(dir, { withFileTypes: true }).filter((e) => (e.isFile() || e.isSymbolicLink()) && isDockerfileName(e.name)).map((e) => path.join(dir, e.name));
    } catch {
      // a directory that vanished or cannot be read holds no Dockerfile we can check
    }
    listings.set(dir, names.sort());
  }
  return listings.get(dir);
}

const inside = (dir, root) => dir === root || dir.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

/**
 * The Dockerfiles to check: `changed`, the Dockerfiles among the files; `derived`, the other Dockerfiles of the
 * projects whose other files changed (found near them, else below their project root, as `pyship check DIR` finds them).
 */
function targetsFor(files, cwd) {
  const changed = new Set();
  const derived = new Set();
  for (const f of files) {
    const abs = path.resolve(cwd, f);
    let isDir = false;
    try {
      isDir = statSync(abs).isDirectory();
    } catch {
      // a deleted file: its directory still says which project it belonged to
    }
    if (isDir) {
      discoverDockerfiles(abs).forEach((d) => derived.add(d));
      continue;
    }
    if (isDockerfileName(path.basename(abs))) {
      changed.add(abs);
      continue;
    }
    const top = inside(path.dirname(abs), cwd) ? cwd : path.parse(abs).root;
    let found = false;
    let projectRoot;
    for (let dir = path.dirname(abs); ; dir = path.dirname(dir)) {
      const here = dockerfilesIn(dir);
      if (here.length > 0) {
        here.forEach((d) => derived.add(d));
        found = true;
        break;
      }
      if (projectRoot === undefined && exists(path.join(dir, 'pyproject.toml'))) projectRoot = dir;
      if (dir === top || path.dirname(dir) === dir) break;
    }
    if (!found) discoverDockerfiles(projectRoot ?? top).forEach((d) => derived.add(d));
  }
  const rel = (p) => path.relative(cwd, p);
  return { changed: [...changed].sort().map(rel), derived: [...derived].filter((d) => !changed.has(d)).sort().map(rel) };
}

function exists(p) {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === '--help' || mode === '-h') {
  process.stdout.write(`${USAGE}\nThe entry of pyship's pre-commit hooks (.pre-commit-hooks.yaml): checks (fix: fixes, then checks) the changed
Dockerfiles and the Dockerfiles of the projects whose files changed. The flags are those of \`pyship check --help\`.\n`);
} else if (mode !== 'check' && mode !== 'fix') {
  process.stderr.write(USAGE);
  process.exitCode = 2;
} else {
  const { flags, files } = splitArgs(rest);
  const { changed, derived } = targetsFor(files, process.cwd());
  const check = (fix, targets) => main(['check', ...(fix ? ['--fix'] : []), ...flags, '--', ...targets]);
  let code = 0;
  if (mode === 'check') {
    // nothing pyship reads leads to a Dockerfile: succeed quietly, like a linter given no files
    if (changed.length + derived.length > 0) code = await check(false, [...changed, ...derived]);
  } else {
    // fixes go only to the Dockerfiles pre-commit passed; the others of their projects are checked, never rewritten
    if (changed.length > 0) code = await check(true, changed);
    if (derived.length > 0 && code !== 2) code = Math.max(code, await check(false, derived));
  }
  process.exitCode = code;
}
