// Locking a project whose dependencies nothing locks: with the project's own locker (uv/poetry/pdm/pipenv lock) when
// it is on PATH, else with pip alone inside the chosen base image (`pip install --dry-run --report`), written as a
// hashed requirements file. Deciding is pure (buildSpec); running goes through an injected runner so tests substitute it.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Engine, ProcessResult } from '../engine/types.js';
import type { DeclaredDep } from '../project/pyproject.js';

export type Locker = 'uv' | 'poetry' | 'pdm' | 'pipenv' | 'pip';

/** What buildSpec found unlocked and how it would be locked. */
export interface LockJob {
  /** pip in the base image, unless the project's own locker (`own`) is on PATH. */
  tool: Locker;
  /** The locker the project declares (poetry for [tool.poetry]…), run instead of pip when it is on PATH. */
  own: Exclude<Locker, 'pip'> | undefined;
  /** The file the lock is written to (project-relative). */
  output: string;
  /** pip: the PEP 508 requirements to resolve. */
  requirements: string[];
  /** pip: the image pip resolves in (the one the Dockerfile builds from: same Python, same platform). */
  image: string;
  /** The command shown to the user (and run, for a project's own locker). */
  command: string;
  /** What is unlocked, `path:line what` evidence. */
  evidence: string[];
}

/** The result of running a job: the lock text (pip) or the file the tool wrote, or why it failed. */
export type LockOutcome =
  | { ok: true; tool: Locker; output: string; text?: string; detail: string }
  | { ok: false; tool: Locker; reason: string };

/** How processes are run: the engine module for containers, a plain spawn for a locker on PATH. Tests replace both. */
export interface LockRunner {
  /** Whether an executable is on PATH. */
  which(tool: string): boolean;
  /** Run a local tool in `cwd`. */
  exec(argv: string[], cwd: string, timeoutMs: number): ProcessResult;
  /** The container engine, or undefined (with the reason) when none answers. */
  engine(): Engine | string;
}

// ---------------------------------------------------------------------------------------------------------------
// Declared dependencies → PEP 508 strings

const parts = (v: string): number[] => v.split('.').map((x) => Number.parseInt(x, 10) || 0);

/** Poetry's `^`/`~`/bare/`*` constraints as PEP 440 (`^1.2` → `>=1.2,<2.0`); undefined for what has no equivalent (`||`). */
export function poetryConstraint(c: string): string | undefined {
  const s = c.trim();
  if (s === '' || s === '*') return '';
  if (s.includes('||')) return undefined;
  return s.split(/\s*,\s*|\s+(?=[<>=!~^])/).map((one) => {
    const m = /^(\^|~(?!=))\s*(\d+(?:\.\d+)*)$/.exec(one);
    if (m) {
      const v = parts(m[2]!);
      let upper: number[];
      if (m[1] === '^') {
        const i = v.findIndex((x, k) => x !== 0 || k === v.length - 1);
        upper = [...v.slice(0, i), v[i]! + 1];
      } else upper = v.length === 1 ? [v[0]! + 1] : [v[0]!, v[1]! + 1];
      return `>=${m[2]},<${upper.join('.')}`;
    }
    if (/^\d/.test(one)) return one.includes('*') ? `==${one}` : `==${one}`;
    return one.replace(/\s+/g, '');
  }).join(',');
}

/** A declared dependency as a pip requirement (undefined: a local path, or a constraint pip cannot express). */
export function pep508(d: DeclaredDep, style: 'pep621' | 'poetry' | 'pipfile'): string | undefined {
  if (style === 'pep621') return d.spec.trim();
  if (d.path || !d.name) return undefined;
  const extras = d.extras.length > 0 ? `[${d.extras.join(',')}]` : '';
  if (d.url) return `${d.name}${extras} @ ${/^(git|hg|svn|bzr)\+/.test(d.url) ? d.url : d.url.startsWith('http') && !/\.(whl|tar\.gz|zip)$/.test(d.url) ? `git+${d.url}` : d.url}`;
  const spec = style === 'poetry' ? poetryConstraint(d.specifier) : d.specifier.trim() === '*' ? '' : d.specifier.trim();
  if (spec === undefined) return undefined;
  const markers = d.markers ? ` ; ${d.markers}` : '';
  return `${d.name}${extras}${spec}${markers}`;
}

// ---------------------------------------------------------------------------------------------------------------
// pip's report → a hashed requirements file

interface PipReport {
  pip_version?: string;
  install?: { metadata?: { name?: string; version?: string }; download_info?: { url?: string; archive_info?: { hashes?: Record<string, string>; hash?: string } }; is_direct?: boolean }[];
}

/** The lock text from `pip install --dry-run --report -` output, or the reason it cannot be one. */
export function requirementsFromReport(json: string, header: string[]): { text: string; count: number } | { error: string } {
  let report: PipReport;
  try {
    report = JSON.parse(json) as PipReport;
  } catch {
    return { error: 'pip printed no installation report' };
  }
  const lines: string[] = header.map((h) => `# ${h}`);
  const items = (report.install ?? []).map((i) => {
    const name = i.metadata?.name;
    const version = i.metadata?.version;
    const ai = i.download_info?.archive_info;
    const sha = ai?.hashes?.sha256 ?? (ai?.hash?.startsWith('sha256=') ? ai.hash.slice(7) : undefined);
    return { name, version, sha, url: i.download_info?.url, direct: i.is_direct };
  }).sort((a, b) => (a.name ?? '').toLowerCase().localeCompare((b.name ?? '').toLowerCase()));
  for (const it of items) {
    if (!it.name || !it.version) return { error: 'pip reported a package without a name or version' };
    if (it.direct && it.url && !it.sha) return { error: `${it.name} comes from ${it.url}, which has no hash to lock` };
    if (!it.sha) return { error: `pip reported no sha256 for ${it.name} ${it.version}` };
    lines.push(`${it.name.toLowerCase().replace(/[-_.]+/g, '-')}==${it.version} \\`, `    --hash=sha256:${it.sha}`);
  }
  if (items.length === 0) return { error: 'pip resolved nothing to install' };
  return { text: `${lines.join('\n')}\n`, count: items.length };
}

/** The last meaningful line of a failed process's output (pip's "ERROR: …", a tool's message). */
function why(r: ProcessResult): string {
  if (r.timedOut) return 'it timed out';
  const lines = `${r.stderr}\n${r.stdout}`.split('\n').map((l) => l.trim()).filter(Boolean);
  const err = lines.filter((l) => /^(ERROR|error)\b/.test(l));
  return (err.length > 0 ? err.slice(0, 2).join(' ') : lines.slice(-2).join(' ')).slice(0, 400) || `exit code ${r.code}`;
}

/** Run a lock job. Never throws: a failure is an outcome with its reason (the caller falls back to the ranges). */
export function runLock(job: LockJob, projectDir: string, runner: LockRunner): LockOutcome {
  if (job.own && runner.which(job.own)) {
    const r = runner.exec([job.own, 'lock'], projectDir, 600_000);
    const file = { uv: 'uv.lock', poetry: 'poetry.lock', pdm: 'pdm.lock', pipenv: 'Pipfile.lock' }[job.own];
    return r.code === 0 ? { ok: true, tool: job.own, output: file, detail: `\`${job.own} lock\` wrote ${file}` } : { ok: false, tool: job.own, reason: `\`${job.own} lock\` failed: ${why(r)}` };
  }
  const engine = runner.engine();
  if (typeof engine === 'string') return { ok: false, tool: 'pip', reason: engine };
  const argv = ['run', '--rm', '--entrypoint', 'python', job.image, '-m', 'pip', 'install', '--dry-run', '--ignore-installed', '--quiet', '--disable-pip-version-check', '--report', '-', ...job.requirements];
  let r: ProcessResult;
  try {
    r = engine.raw(argv, { timeoutMs: 600_000 });
  } catch (e) {
    return { ok: false, tool: 'pip', reason: `the container engine failed: ${(e as Error).message}` };
  }
  if (r.code !== 0) {
    // the image itself is missing (not pulled, no registry in reach): say that, not the daemon's words
    const noImage = /Unable to find image|pull access denied|manifest unknown|registry-1\.docker\.io|no such host|not found: manifest/i.test(r.stderr);
    return { ok: false, tool: 'pip', reason: noImage ? `the engine has no ${job.image} and could not pull it (${why(r).replace(/\s*Run 'docker run --help'.*$/, '').slice(0, 160)})` : `pip could not resolve the dependencies in ${job.image}: ${why(r)}` };
  }
  let pipVersion = '';
  try {
    pipVersion = (JSON.parse(r.stdout) as PipReport).pip_version ?? '';
  } catch { /* reported below */ }
  const header = [
    `Locked by pyship init with pip${pipVersion ? ` ${pipVersion}` : ''} in ${job.image}: exact versions, sha256 hashes.`,
    `Resolved for that image's Python and platform from: ${job.evidence.map((e) => e.split(' ')[0]).join(', ')}.`,
    `Update: ${job.command}`,
  ];
  const out = requirementsFromReport(r.stdout, header);
  if ('error' in out) return { ok: false, tool: 'pip', reason: out.error };
  return { ok: true, tool: 'pip', output: job.output, text: out.text, detail: `pip in ${job.image} pinned ${out.count} packages with sha256 hashes` };
}

/** The command a user runs to lock the project themselves: its own tool, else pip-compile with hashes. */
export function lockCommand(tool: Locker | 'poetry-project' | 'pipenv-project', source: string, output: string): string {
  if (tool === 'poetry-project' || tool === 'poetry') return 'poetry lock';
  if (tool === 'pipenv-project' || tool === 'pipenv') return 'pipenv lock';
  if (tool === 'uv' || tool === 'pdm') return `${tool} lock`;
  return `pip-compile --generate-hashes --output-file=${output} ${source}`;
}

// ---------------------------------------------------------------------------------------------------------------
// The default runner: the engine module for containers, spawnSync for a locker on PATH

export function defaultLockRunner(engine: () => Engine): LockRunner {
  return {
    which(tool) {
      for (const d of (process.env.PATH ?? '').split(delimiter)) {
        try {
          accessSync(join(d, tool), constants.X_OK);
          return true;
        } catch { /* next */ }
      }
      return false;
    },
    exec(argv, cwd, timeoutMs) {
      const r = spawnSync(argv[0]!, argv.slice(1), { cwd, timeout: timeoutMs, encoding: 'utf8' });
      return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? (r.error ? String(r.error.message) : ''), timedOut: r.error !== undefined && /ETIMEDOUT/.test(String(r.error)) };
    },
    engine() {
      try {
        const e = engine();
        e.version();
        return e;
      } catch (e) {
        return (e as Error).message.split('\n')[0]!;
      }
    },
  };
}
