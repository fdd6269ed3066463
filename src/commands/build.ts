// `pyship build [CONTEXT]`: flags + config + git facts → build script → engine → size budget / verification → exit code.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { createEngine } from '../engine/engine.js';
import { EngineUnavailableError, type Engine, type ProcessResult, type RunOptions } from '../engine/types.js';
import { gitFacts, runGit, type GitRunner } from '../build/git.js';
import { BuildInputError, buildkitOnly, displayCommand, scriptForBase, scriptForImage, type BuildScript } from '../build/script.js';
import { auditAndSmoke, formatBytes, imageSize } from '../build/verify.js';
import { atOrAbove, effectiveSeverity, findConfig, loadConfig, parseSize, resolveEnabled, type Config } from '../lint/config.js';
import type { Finding } from '../lint/rule.js';
import { everyRule, rulesByCode } from '../rules/index.js';
import { formatReport } from '../report/index.js';
import { findProjectRoot } from '../project/project.js';
import { VERSION } from '../meta.js';
import { readText } from '../io/read.js';
import { projectBounds, readRegularText } from '../io/regular.js';
import { ruleMetas } from './shared.js';
import { UsageError, type Io } from './io.js';
import { parseEnv, parseNetwork } from './smoke.js';

export interface BuildFlags {
  image?: string;
  tag?: string[];
  file?: string;
  label?: string[];
  buildArg?: string[];
  secret?: string[];
  ssh?: string[];
  fresh?: boolean;
  push?: boolean;
  dryRun?: boolean;
  /** commander's --no-verify */
  verify?: boolean;
  base?: boolean;
  baseImage?: string;
  engine?: string;
  config?: string;
  smokeEnv?: string[];
  smokeNetwork?: string;
}

/** What tests (and other callers) inject instead of the real engine, git and clock. */
export interface BuildDeps {
  engine?: Engine;
  git?: GitRunner;
  now?: () => Date;
  env?: NodeJS.ProcessEnv;
  /** Let the engine draw its own progress on stderr (the real CLI); otherwise output goes through io.err. */
  live?: boolean;
  /** Audit + smoke of the new image (default: auditAndSmoke). */
  verify?: typeof auditAndSmoke;
}

/** Repeated `KEY=VALUE` flags (`--label`, `--build-arg`) as a record: the last value of a key wins. */
function flagPairs(list: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} expects KEY=VALUE (got "${item}")`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** `[project] version` or `[tool.poetry] version` of the project around the context. */
function projectVersion(contextDir: string): string | undefined {
  for (const dir of new Set([contextDir, findProjectRoot(contextDir)])) {
    const file = path.join(dir, 'pyproject.toml');
    if (!existsSync(file)) continue;
    const text = readRegularText(file, { within: projectBounds(dir) });
    if (text === undefined) return undefined;
    try {
      const doc = parseToml(text) as { project?: { version?: unknown }; tool?: { poetry?: { version?: unknown } } };
      const v = doc.project?.version ?? doc.tool?.poetry?.version;
      return typeof v === 'string' && v !== '' ? v : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** A path for the engine's argv, as the user would write it from the working directory. */
function displayPath(cwd: string, abs: string): string {
  const rel = path.relative(cwd, abs);
  return rel === '' ? '.' : rel;
}

function configFor(flags: BuildFlags, cwd: string, contextDir: string): Config {
  const file = flags.config !== undefined ? path.resolve(cwd, flags.config) : findConfig(contextDir);
  return loadConfig(file, new Set(rulesByCode.keys()));
}

/** The legacy builder rejects BuildKit syntax with a terse parse error: say which line needs it and how to get it. */
function refuseBuildKitSyntax(engine: Engine, io: Io, dockerfileAbs: string, text: string): void {
  if (engine.kind !== 'docker' || engine.buildkit()) return;
  const use = buildkitOnly(text);
  if (use) {
    throw new UsageError(`${displayPath(io.cwd, dockerfileAbs)}:${use.line} uses ${use.what}, which needs BuildKit, and ${engine.binary} would build with the legacy builder: install the buildx plugin (Debian/Ubuntu: docker-buildx), or set DOCKER_BUILDKIT=1 with a client that has BuildKit built in`);
  }
}

function script(context: string, flags: BuildFlags, io: Io, engine: Engine, config: Config, deps: BuildDeps): BuildScript {
  const contextDir = path.resolve(io.cwd, context);
  if (!existsSync(contextDir)) throw new UsageError(`build context ${context} does not exist`);
  const git = gitFacts(contextDir, deps.git ?? runGit, deps.env ?? process.env);
  const now = (deps.now ?? (() => new Date()))();
  const buildx = engine.buildx?.() ?? false;
  const common = {
    context,
    git,
    now,
    buildx,
    extraLabels: flagPairs(flags.label, '--label'),
    buildArgs: flagPairs(flags.buildArg, '--build-arg'),
    secrets: flags.secret ?? [],
    ssh: flags.ssh ?? [],
    fresh: flags.fresh === true,
    push: flags.push === true,
  };
  const configuredImage = typeof config.extra.image === 'string' ? config.extra.image : undefined;
  const image = flags.image ?? configuredImage;

  if (flags.base) {
    const base = flags.baseImage ?? (image ? `${image.replace(/:[^/:]*$/, '')}-base` : undefined);
    if (!base) throw new UsageError('no base image name: pass --base-image NAME, or --image / [tool.pyship] image (the base is IMAGE-base)');
    let dockerfileAbs: string;
    if (flags.file !== undefined) dockerfileAbs = path.resolve(io.cwd, flags.file);
    else if (typeof config.extra['base-dockerfile'] === 'string') dockerfileAbs = path.resolve(config.baseDir, config.extra['base-dockerfile']);
    else dockerfileAbs = path.join(contextDir, 'Dockerfile.base');
    if (!existsSync(dockerfileAbs)) throw new UsageError(`no base Dockerfile: ${displayPath(io.cwd, dockerfileAbs)} does not exist (set [tool.pyship] base-dockerfile or pass -f)`);
    refuseBuildKitSyntax(engine, io, dockerfileAbs, readText(dockerfileAbs).text);
    return scriptForBase({
      ...common,
      dockerfile: displayPath(io.cwd, dockerfileAbs),
      base,
      exists: (ref) => {
        try {
          return engine.inspect(ref) !== undefined;
        } catch (e) {
          if (e instanceof EngineUnavailableError && flags.dryRun) return false;
          throw e;
        }
      },
    });
  }

  if (!image) throw new UsageError('no image name: pass --image NAME or set `image` in [tool.pyship]');
  let dockerfileAbs: string;
  if (flags.file !== undefined) dockerfileAbs = path.resolve(io.cwd, flags.file);
  else dockerfileAbs = ['Dockerfile', 'Containerfile'].map((n) => path.join(contextDir, n)).find((p) => existsSync(p)) ?? path.join(contextDir, 'Dockerfile');
  if (!existsSync(dockerfileAbs)) throw new UsageError(`no Dockerfile: ${displayPath(io.cwd, dockerfileAbs)} does not exist (pass -f FILE)`);
  const defaultFile = path.dirname(dockerfileAbs) === contextDir && path.basename(dockerfileAbs) === 'Dockerfile';
  const productionTag = typeof config.extra['production-tag'] === 'string' ? config.extra['production-tag'] : undefined;
  const dockerfileText = readText(dockerfileAbs).text;
  refuseBuildKitSyntax(engine, io, dockerfileAbs, dockerfileText);
  return scriptForImage({
    ...common,
    dockerfile: defaultFile && flags.file === undefined ? undefined : displayPath(io.cwd, dockerfileAbs),
    dockerfileText,
    image,
    version: projectVersion(contextDir),
    extraTags: flags.tag ?? [],
    productionTag,
  });
}

/** Output as lines through io.err (tests, and callers without a terminal of their own). */
function lineWriter(io: Io): { opts: RunOptions; flush(): void } {
  const pending = { stdout: '', stderr: '' };
  return {
    opts: {
      onOutput: (chunk, stream) => {
        const text = pending[stream] + chunk;
        const lines = text.split(/\r?\n/);
        pending[stream] = lines.pop() ?? '';
        for (const l of lines) io.err(`${l}\n`);
      },
    },
    flush() {
      for (const s of ['stdout', 'stderr'] as const) if (pending[s]) io.err(`${pending[s]}\n`);
      pending.stdout = pending.stderr = '';
    },
  };
}

export async function runBuild(context: string | undefined, flags: BuildFlags, io: Io, deps: BuildDeps = {}): Promise<number> {
  if (flags.engine !== undefined && flags.engine !== 'docker' && flags.engine !== 'podman') {
    throw new UsageError(`--engine must be docker or podman (got "${flags.engine}")`);
  }
  // smoke's flags are checked before a long build, not after it
  const smokeEnv = parseEnv(flags.smokeEnv);
  const smokeNetwork = parseNetwork(flags.smokeNetwork);
  const ctx = context ?? '.';
  const contextDir = path.resolve(io.cwd, ctx);
  const config = configFor(flags, io.cwd, contextDir);
  const engine = deps.engine ?? createEngine({ engine: flags.engine as 'docker' | 'podman' | undefined, env: deps.env });
  try {
    if (!flags.dryRun) engine.version();
    let p: BuildScript;
    try {
      p = script(ctx, flags, io, engine, config, deps);
    } catch (e) {
      if (e instanceof BuildInputError) throw new UsageError(e.message);
      throw e;
    }
    for (const n of p.notes) io.err(`${n}\n`);
    if (flags.dryRun) {
      for (const step of p.steps) {
        io.out(`${displayCommand(step.kind === 'build' ? engine.buildArgv(step.request) : [engine.binary, 'push', step.tag])}\n`);
      }
      return 0;
    }

    for (const step of p.steps) {
      io.err(`==> ${step.what}\n`);
      const writer = lineWriter(io);
      const base: RunOptions = { cwd: io.cwd, ...(deps.live ? {} : writer.opts) };
      let r: ProcessResult;
      if (step.kind === 'build') r = deps.live && engine.buildLive ? engine.buildLive(step.request, base) : engine.build(step.request, base);
      else r = engine.push(step.tag, base);
      writer.flush();
      if (r.code !== 0) {
        io.err(`pyship: ${step.what} failed (exit ${r.code})${r.timedOut ? ': timed out' : ''}\n`);
        return 1;
      }
    }
    io.err(`Built ${p.tags.join(', ')}\n`);
    if (flags.verify === false || flags.base) return 0;

    const severity = (code: string) => effectiveSeverity(config, code, rulesByCode.get(code)?.severity ?? 'warning');
    const findings: Finding[] = [];
    const maxSize = config.extra['max-image-size'] !== undefined ? parseSize(config.extra['max-image-size']) : undefined;
    const size = imageSize(engine, p.primary);
    if (size !== undefined) {
      io.err(`Size of ${p.primary}: ${formatBytes(size)}${maxSize !== undefined ? ` (budget ${formatBytes(maxSize)})` : ''}\n`);
    }
    // the audit judges the size budget (CI002) with the image's layers
    const verified = await (deps.verify ?? auditAndSmoke)(engine, p.primary, {
      severity, maxSize, projectDir: contextDir,
      healthPath: typeof config.extra['health-path'] === 'string' ? config.extra['health-path'] : undefined,
      stopTimeout: config.extra['stop-timeout'],
      onProgress: (line) => io.err(`${line}\n`),
      env: smokeEnv,
      network: smokeNetwork,
    });
    for (const n of verified.notes) io.err(`${n}\n`);
    for (const pr of verified.problems) io.err(`pyship: ${pr}\n`);
    findings.push(...verified.findings);
    // config selection and severities apply to image/runtime findings as to Dockerfile ones
    const enabled = resolveEnabled(config, everyRule);
    const shown = findings.filter((f) => enabled.has(f.code)).map((f) => ({ ...f, severity: effectiveSeverity(config, f.code, f.severity) }));
    // a smoke that could not run says why above: never "No problems found" after it
    if (shown.length > 0 || verified.problems.length === 0) {
      io.out(formatReport('text', { results: [{ file: p.primary, text: '', findings: shown }], rules: ruleMetas(), toolVersion: VERSION }, { color: io.color }));
    }
    if (verified.problems.length > 0) return 1;
    return shown.some((f) => atOrAbove(f.severity, config.failOn)) ? 1 : 0;
  } catch (e) {
    if (e instanceof EngineUnavailableError) {
      io.err(`pyship: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
