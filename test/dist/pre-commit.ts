// What pre-commit does with a `language: node` hook of .pre-commit-hooks.yaml, step for step (pre_commit/languages/
// node.py, lang_base.py, xargs.py), since pre-commit itself cannot be installed here (no PyPI):
//   install: `npm install --include=dev --include=prod --ignore-prepublish --no-progress --no-save` in the clone,
//            `npm pack` (its whole stdout, stripped, is taken as the tarball's file name), `npm install -g TARBALL`
//            with NPM_CONFIG_PREFIX set to the hook environment;
//   run:     the staged files matching `files` (re.search) and not `exclude`, `entry` split like a shell plus `args`,
//            the file names appended in batches (xargs partition), stderr merged into stdout, exit code the maximum.
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { must, npm } from './stage.js';

export interface Hook {
  id: string;
  name: string;
  entry: string;
  language: string;
  files?: string;
  exclude?: string;
  args?: string[];
  pass_filenames?: boolean;
  require_serial?: boolean;
  minimum_pre_commit_version?: string;
}

export function loadHooks(repo: string): Hook[] {
  return parseYaml(readFileSync(join(repo, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];
}

/** A Python `re` pattern as a JS RegExp: leading global flags (?i) and (?x) (verbose: whitespace and comments dropped). */
export function pythonRegex(pattern: string): RegExp {
  let flags = '';
  let body = pattern;
  const m = /^\(\?([aiLmsux]+)\)/.exec(body);
  if (m) {
    body = body.slice(m[0].length);
    for (const f of m[1]!) {
      if (f === 'i') flags += 'i';
      else if (f === 'x') body = unverbose(body);
      else if (f === 'm' || f === 's') flags += f;
      else throw new Error(`flag (?${f}) is not emulated`);
    }
  }
  return new RegExp(body, flags);
}

function unverbose(body: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\\') {
      out += c + (body[i + 1] ?? '');
      i++;
    } else if (inClass) {
      out += c;
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
      out += c;
    } else if (c === '#') {
      while (i < body.length && body[i] !== '\n') i++;
    } else if (!/\s/.test(c)) out += c;
  }
  return out;
}

/** The staged files pre-commit would pass to the hook (default `types: [file]`: regular files only). */
export function filesFor(hook: Hook, staged: string[], cwd: string): string[] {
  const include = pythonRegex(hook.files ?? '');
  const exclude = pythonRegex(hook.exclude ?? '^$');
  return staged.filter((f) => include.test(f) && !exclude.test(f) && statSync(join(cwd, f)).isFile());
}

/** shlex.split for the entries pyship uses (words, single and double quotes). */
function shlexSplit(s: string): string[] {
  return [...s.matchAll(/'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => m[1] ?? m[2]?.replace(/\\(.)/g, '$1') ?? m[3]!);
}

/** xargs.partition: at most max(4, ceil(n / jobs)) files per command, and within the command-line length. */
export function partition(cmd: string[], files: string[], jobs: number, maxLength = 131_072): string[][] {
  const maxArgs = Math.max(4, Math.ceil(files.length / jobs));
  const len = (...xs: string[]) => Buffer.byteLength(xs.join(' '));
  const out: string[][] = [];
  let batch: string[] = [];
  let total = len(...cmd) + 1;
  for (const f of files) {
    const l = len(f) + 1;
    if (batch.length > 0 && (total + l > maxLength || batch.length >= maxArgs)) {
      out.push([...cmd, ...batch]);
      batch = [];
      total = len(...cmd) + 1;
    }
    batch.push(f);
    total += l;
  }
  out.push([...cmd, ...batch]);
  return out;
}

export interface HookRun {
  code: number;
  output: string;
  batches: string[][];
}

/**
 * Run a hook as pre-commit does, in the hook environment `envDir` (its bin/ first on PATH). `jobs` > 1 emulates a hook
 * without require_serial on a machine with that many CPUs: the batches run at once.
 */
export async function runHook(hook: Hook, files: string[], cwd: string, envDir: string, jobs = 1): Promise<HookRun> {
  const cmd = [...shlexSplit(hook.entry), ...(hook.args ?? [])];
  const serial = hook.require_serial === true;
  const batches = hook.pass_filenames === false ? [cmd] : partition(cmd, serial ? files : [...files].reverse(), serial ? 1 : jobs);
  const env = {
    ...process.env,
    NODE_VIRTUAL_ENV: envDir,
    NPM_CONFIG_PREFIX: envDir,
    npm_config_prefix: envDir,
    PATH: `${join(envDir, 'bin')}:${process.env.PATH}`,
    NO_COLOR: '1',
  };
  const runOne = (argv: string[]) =>
    new Promise<{ code: number; output: string }>((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? 1, output }));
    });
  const results = serial ? [] : await Promise.all(batches.map(runOne));
  if (serial) for (const b of batches) results.push(await runOne(b));
  return { code: Math.max(...results.map((r) => r.code)), output: results.map((r) => r.output).join(''), batches };
}

/** pre-commit's install_environment for a node hook repository cloned at `repo`; returns the tarball's file name. */
export function installHookRepo(repo: string, envDir: string): { packStdout: string; tarball: string } {
  const env = { NODE_VIRTUAL_ENV: envDir, NPM_CONFIG_PREFIX: envDir, npm_config_prefix: envDir, PATH: `${join(envDir, 'bin')}:${process.env.PATH}` };
  must(npm(['install', '--include=dev', '--include=prod', '--ignore-prepublish', '--no-progress', '--no-save'], repo, env), 'npm install (pre-commit install step 1)');
  const pack = must(npm(['pack'], repo, env), 'npm pack (pre-commit install step 2)');
  const tarball = join(repo, pack.stdout.trim());
  must(npm(['install', '-g', tarball], repo, env), 'npm install -g TARBALL (pre-commit install step 3)');
  return { packStdout: pack.stdout, tarball };
}
