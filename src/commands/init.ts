// `pyship init`: flags → spec (asking on a TTY when the project is ambiguous) → files → write or diff → our own check
// of the result → summary and next commands. Detection lives in src/project/, templates in src/templates/.
import { DEBIAN_RELEASES, type Codename } from '../project/python-releases.js';
import { statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { loadProject } from '../project/project.js';
import { AmbiguousProjectError, locateProject } from '../project/locate.js';
import type { PackageManager } from '../project/python.js';
import { buildSpec } from '../init/spec.js';
import { InitError, MANAGERS, SERVERS, type InitOptions } from '../init/types.js';
import type { Server } from '../templates/spec.js';
import { generateFiles, writesDiff, writeFiles } from '../init/init.js';
import { ForceError, decideWrites, repositoryRoot, type FileWrite } from '../init/existing.js';
import { placeImage } from '../init/own-image.js';
import { checkFiles } from '../lint/files.js';
import { registry } from '../rules/index.js';
import type { Engine } from '../engine/types.js';
import type { LockRunner } from '../init/lock.js';
import { VERSION } from '../meta.js';
import { UsageError, type Io } from './io.js';
import { withSignalsHeld } from '../io/signals.js';

export interface InitFlags {
  packageManager?: string;
  python?: string;
  debian?: string;
  baseImage?: string;
  pinDigest?: boolean;
  entry?: string;
  server?: string;
  port?: string;
  healthPath?: string;
  requirements?: string;
  syntax?: boolean;
  compile?: boolean;
  debugTools?: boolean;
  ci?: string;
  k8s?: boolean;
  compose?: boolean;
  image?: string;
  /** true: replace every file that exists; a list: replace these (commander collects `--force A,B --force C`). */
  force?: boolean | string[];
  dryRun?: boolean;
  /** commander's --no-input */
  input?: boolean;
  engine?: string;
  format?: 'text' | 'json';
}

/** Ask the user to pick one of `values` (undefined: no answer / not interactive). */
export type Prompt = (question: string, values: string[]) => Promise<string | undefined>;

export interface InitDeps {
  prompt?: Prompt;
  engine?: Engine;
  /** Runs the lockers and the engine when an unlocked project is locked (tests substitute it). */
  lockRunner?: LockRunner;
}

function options(flags: InitFlags): InitOptions {
  if (flags.packageManager !== undefined && !MANAGERS.includes(flags.packageManager as PackageManager)) {
    throw new UsageError(`--package-manager must be one of ${MANAGERS.join(', ')} (got "${flags.packageManager}")`);
  }
  if (flags.server !== undefined && !SERVERS.includes(flags.server as Server)) throw new UsageError(`--server must be one of ${SERVERS.join(', ')} (got "${flags.server}")`);
  if (flags.debian !== undefined && !DEBIAN_RELEASES.some((r) => r.codename === flags.debian)) throw new UsageError(`--debian must be one of ${DEBIAN_RELEASES.map((r) => r.codename).join(', ')} (got "${flags.debian}")`);
  if (flags.ci !== undefined && !['github', 'gitlab', 'none'].includes(flags.ci)) throw new UsageError(`--ci must be github, gitlab or none (got "${flags.ci}")`);
  let port: number | undefined;
  if (flags.port !== undefined) {
    port = Number(flags.port);
    if (!/^\d+$/.test(flags.port) || port < 1 || port > 65535) throw new UsageError(`--port must be a port number (got "${flags.port}")`);
  }
  if (flags.python !== undefined && !/^3(\.\d+)?/.test(flags.python)) throw new UsageError(`--python must be a version like 3.13 (got "${flags.python}")`);
  return {
    packageManager: flags.packageManager as PackageManager | undefined,
    python: flags.python,
    debian: flags.debian as Codename | undefined,
    baseImage: flags.baseImage,
    entry: flags.entry,
    server: flags.server as Server | undefined,
    port,
    healthPath: flags.healthPath,
    requirements: flags.requirements,
    syntax: flags.syntax !== false,
    compile: flags.compile !== false,
    debugTools: flags.debugTools === true,
    ci: flags.ci as InitOptions['ci'],
    k8s: flags.k8s === true,
    compose: flags.compose !== false,
    image: flags.image,
    pyshipVersion: VERSION,
  };
}

const FLAG_KEYS: Record<string, keyof InitOptions> = { '--package-manager': 'packageManager', '--entry': 'entry', '--requirements': 'requirements' };

/** The digest of the base image as the engine knows it (pulled from a registry), or a usage error saying why not. */
function resolveDigest(engine: Engine, image: string): string {
  const digestOf = (): string | undefined => {
    const info = engine.inspect(image) as { RepoDigests?: string[] }[] | { RepoDigests?: string[] } | undefined;
    const first = Array.isArray(info) ? info[0] : info;
    const d = first?.RepoDigests?.map((r) => /@(sha256:[0-9a-f]{64})$/.exec(r)?.[1]).find(Boolean);
    return d;
  };
  let d = digestOf();
  if (!d) {
    const pulled = engine.raw(['pull', image], { timeoutMs: 300_000 });
    if (pulled.code === 0) d = digestOf();
  }
  if (!d) throw new UsageError(`--pin-digest: the engine knows no registry digest for ${image} (built locally or not pullable); pin it later with \`docker buildx imagetools inspect ${image}\``);
  return d;
}

const FILE_ACTION = { create: 'write', overwrite: 'replace', exists: 'keep', unchanged: 'unchanged', skip: 'skip' } as const;

/** The `file:<path>` decision of a generated file: what init does with it, and why. */
function fileDecision(p: FileWrite): { field: string; value: string; evidence: string[] } {
  const value = { create: 'write', overwrite: 'replace (--force)', exists: 'keep (exists)', unchanged: 'unchanged', skip: 'skip' }[p.status];
  return { field: `file:${p.shown}`, value, evidence: [...(p.reason ? [p.reason] : []), ...(p.merge ?? []).map((m) => `to merge: ${m}`)] };
}

export async function runInit(path: string | undefined, flags: InitFlags, io: Io, deps: InitDeps = {}): Promise<number> {
  const given = resolve(io.cwd, path ?? '.');
  let st;
  try {
    st = statSync(given);
  } catch {
    throw new UsageError(`${path}: no such directory`);
  }
  if (!st.isDirectory()) throw new UsageError(`${path}: not a directory (pyship init writes into the project directory)`);
  // run at a repository root that holds the project in a subfolder: package that subfolder, and write there
  let located;
  try {
    located = locateProject(given);
  } catch (e) {
    if (!(e instanceof AmbiguousProjectError)) throw e;
    const hint = `run pyship init on the one to package: ${e.candidates.map((c) => `pyship init ${relative(io.cwd, join(given, c)) || '.'}`).join(', or ')}`;
    if (flags.format === 'json') io.out(`${JSON.stringify({ error: e.message, hint, choices: { flag: 'DIR', values: e.candidates } }, null, 2)}\n`);
    io.err(`pyship init: ${e.message}\n  ${hint}\n`);
    return 2;
  }
  const dir = located.projectDir;
  let project = loadProject(dir, dir);
  const opts: InitOptions = { ...options(flags), repoRoot: located.repoRoot, projectDirEvidence: dir === given ? undefined : located.evidence };
  // a manifest that is a link out of the project (or a device) was not read: say so, or "no requirements file" misleads
  const sayNotRead = (): void => {
    for (const [abs, reason] of project.skipped) io.err(`note: ${relative(dir, abs) || abs}: ${reason}: not read\n`);
  };
  let spec;
  for (let attempt = 0; ; attempt++) {
    try {
      spec = buildSpec(project, opts);
      break;
    } catch (e) {
      if (!(e instanceof InitError)) throw e;
      const key = e.choices ? FLAG_KEYS[e.choices.flag] : undefined;
      if (e.choices && key && deps.prompt && flags.input !== false && attempt < 3) {
        const answer = await deps.prompt(`${e.message}. Which one?`, e.choices.values);
        if (answer !== undefined && e.choices.values.includes(answer)) {
          (opts as unknown as Record<string, unknown>)[key] = answer;
          continue;
        }
      }
      if (flags.format === 'json') io.out(`${JSON.stringify({ error: e.message, hint: e.hint, choices: e.choices }, null, 2)}\n`);
      sayNotRead();
      io.err(`pyship init: ${e.message}\n${e.hint ? `  ${e.hint}\n` : ''}`);
      return 2;
    }
  }
  // nothing locks the dependencies: lock them (a dry run only says what it would lock)
  if (spec.lock && !flags.dryRun) {
    const { runLock, defaultLockRunner } = await import('../init/lock.js');
    const { createEngine } = await import('../engine/engine.js');
    const runner = deps.lockRunner ?? defaultLockRunner(() => deps.engine ?? createEngine({ engine: flags.engine as 'docker' | 'podman' | undefined }));
    const outcome = runLock(spec.lock, dir, runner);
    // a project's own locker wrote its lock file: read the project again, and it is locked like any other
    project = outcome.ok && outcome.text === undefined ? loadProject(dir, dir) : project;
    opts.lockOutcome = outcome.ok && outcome.text === undefined ? undefined : outcome;
    spec = buildSpec(project, opts);
  } else if (spec.lock) {
    spec.notes.push(`dry run: nothing locked. pyship init would lock ${spec.lock.evidence[0]?.split(' ')[0]} ${spec.lock.own ? `with \`${spec.lock.own} lock\` when ${spec.lock.own} is on PATH, else ` : ''}with pip in ${spec.lock.image} (exact versions, sha256 hashes) into ${spec.lock.output}`);
  }
  if (flags.pinDigest) {
    const { createEngine } = await import('../engine/engine.js');
    const engine = deps.engine ?? createEngine({ engine: flags.engine as 'docker' | 'podman' | undefined });
    spec = buildSpec(project, { ...opts, digest: resolveDigest(engine, spec.python.image) });
  }

  const root = repositoryRoot(dir, io.cwd);
  const sub = relative(root, dir).split(sep).join('/');
  let writes: FileWrite[];
  placeImage(spec, project, flags.force ?? false);
  try {
    writes = decideWrites(generateFiles(spec, project, sub), { dir, root, cwd: io.cwd, force: flags.force ?? false, spec });
  } catch (e) {
    if (e instanceof ForceError) throw new UsageError(e.message);
    throw e;
  }
  spec.decisions.push(...writes.map(fileDecision));
  // the project's Dockerfile is kept: what the notes say of the generated one does not apply
  if (writes.some((p) => p.shown.split('/').pop() === 'Dockerfile' && p.status === 'exists')) spec.notes = spec.notes.filter((n) => !spec.imageNotes.includes(n));
  const where = relative(io.cwd, dir) || '.';
  const json = flags.format === 'json';
  const report = (extra: Record<string, unknown> = {}): void => io.out(`${JSON.stringify({
    dir: where, decisions: spec.decisions,
    files: writes.map((p) => ({ path: p.shown, action: FILE_ACTION[p.status], what: p.what, ...(p.reason ? { reason: p.reason } : {}), ...(p.how ? { how: p.how } : {}), ...(p.merge ? { merge: p.merge } : {}) })),
    notes: spec.notes, ...extra,
  }, null, 2)}\n`);
  if (!json) sayNotRead();
  if (!json) io.err(`Decided for ${where}:\n${spec.decisions.map((d) => `  ${d.field}: ${d.value}${d.evidence.length > 0 ? `  (${d.evidence.join('; ')})` : ''}\n`).join('')}`);
  if (flags.dryRun && json) {
    report({ dryRun: true });
    return 0;
  }
  if (flags.dryRun) {
    io.out(writesDiff(writes));
    for (const p of writes) {
      if (p.status === 'exists') io.err(`  would keep ${p.shown} (exists; --force ${p.shown.split('/').pop()} to replace)\n`);
      if (p.status === 'skip') io.err(`  would skip ${p.shown}: ${p.reason}\n`);
      for (const m of p.merge ?? []) io.err(`    to merge: ${m}\n`);
    }
    return 0;
  }
  // killed between a temp file and its rename, init would leave the temp file: the writes finish first
  await withSignalsHeld(() => writeFiles(writes, root));
  const check = checkFiles({ ruleSet: registry, paths: [dir], cwd: io.cwd, cli: {} });
  const findings = check.results.flatMap((r) => r.findings.map((f) => ({ file: f.file ?? r.file, f })));
  if (json) {
    report({ check: findings.map(({ file, f }) => ({ file, code: f.code, message: f.message })) });
    return 0;
  }
  io.err('\n');
  for (const p of writes) {
    const verb = { create: 'wrote    ', overwrite: 'replaced ', unchanged: 'unchanged', exists: 'kept     ', skip: 'skipped  ' }[p.status];
    const why = p.status === 'exists' ? ` (exists; --force ${p.shown.split('/').pop()} to replace)` : p.status === 'skip' ? `: ${p.reason}` : `  ${p.what}${p.how ? ` (${p.how})` : ''}`;
    io.err(`  ${verb} ${p.shown}${why}\n`);
    for (const m of p.merge ?? []) io.err(`            to merge: ${m}\n`);
  }
  for (const n of spec.notes) io.err(`\nnote: ${n}\n`);

  // our own check of the result (above), in project mode, as `pyship check` in that directory would run it
  if (findings.length === 0) io.err(`\npyship check ${where}: no findings.\n`);
  else {
    io.err(`\npyship check ${where}: ${findings.length} finding${findings.length === 1 ? '' : 's'}${writes.some((p) => p.status === 'exists') ? ' (some files were kept as they were)' : ''}:\n`);
    for (const { file, f } of findings.slice(0, 20)) io.err(`  ${file}  ${f.code}  ${f.message}\n`);
    if (findings.length > 20) io.err(`  … and ${findings.length - 20} more: run pyship check ${where}\n`);
  }
  const cd = where === '.' ? '' : `cd ${where} && `;
  io.err(`\nNext:\n  ${cd}pyship build${spec.beside ? ` --file ${spec.dockerfile}  ` : '             '} build, then audit and smoke-test the image\n`);
  // only pyship's compose file runs the image hardened; the project's own builds and runs what it always did
  const composeWritten = writes.some((p) => /(^|\/)(docker-)?compose\.ya?ml$/.test(p.shown) && p.status !== 'exists' && p.status !== 'skip');
  if (spec.compose && composeWritten) io.err(`  ${cd}docker compose up --build run it locally, hardened\n`);
  io.err(`  git add ${writes.filter((p) => p.status === 'create' || p.status === 'overwrite' || p.status === 'unchanged').map((p) => p.shown).join(' ')}\n`);
  return 0;
}

/** A numbered-choice prompt on the terminal; undefined when stdin or stderr is not a TTY. */
export function ttyPrompt(): Prompt | undefined {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  return async (question, values) => {
    const { createInterface } = await import('node:readline/promises');
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      const list = values.map((v, i) => `  ${i + 1}) ${v}`).join('\n');
      const answer = (await rl.question(`${question}\n${list}\nChoice [1-${values.length}]: `)).trim();
      const n = Number(answer);
      return Number.isInteger(n) && n >= 1 && n <= values.length ? values[n - 1] : values.includes(answer) ? answer : undefined;
    } finally {
      rl.close();
    }
  };
}
