// The pyship command line: wiring of flags to commands, and the one place that maps errors to exit codes.
// Commands other than check/explain/rules are imported when run: `pyship check` starts without loading the engine.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { runCheck } from './commands/check.js';
import { runExplain } from './commands/explain.js';
import { runRules } from './commands/rules.js';
import { processIo, UsageError, type Io } from './commands/io.js';
import { ConfigError, SEVERITIES } from './lint/config.js';
import { FORMATS } from './report/index.js';
import { InputError } from './io/read.js';
import { VERSION } from './meta.js';
import { EngineUnavailableError } from './engine/types.js';
import { redact } from './redact.js';
import { everyRule } from './rules/index.js';
import { isImageRule, type AnyRule } from './lint/rule.js';

// for the pre-commit entry (bin/pyship-pre-commit.js), which loads this bundle only
export { discoverDockerfiles, isDockerfileName } from './io/discover.js';

const list = (v: string, prev: string[] = []): string[] => prev.concat(v.split(',').map((s) => s.trim()).filter(Boolean));
/** A flag given again adds a value (`--tag a --tag b` → [a, b]). */
const repeatable = (v: string, prev: string[] = []): string[] => prev.concat(v);
/** `--force A,B --force C` → [A, B, C]; a bare `--force` is `true` (everything). */
const collectForce = (v: string, prev: boolean | string[] | undefined): string[] => list(v, Array.isArray(prev) ? prev : []);

/** The flags several commands take, declared once: each command reads and documents them alike. */
/** The off-by-default codes a command's rules include, for its --extend-select help: the registry says which. */
const offByDefault = (runsHere: (rule: AnyRule) => boolean): string =>
  everyRule.filter((r) => r.optIn && runsHere(r)).map((r) => r.code).join(', ');

const flag = {
  format: (choices: readonly string[] = FORMATS) => new Option('-f, --format <format>', 'output format').choices(choices).default('text'),
  select: () => new Option('--select <codes>', 'only these codes or prefixes (comma-separated, repeatable)').argParser(list),
  ignore: () => new Option('--ignore <codes>', 'skip these codes or prefixes').argParser(list),
  extendSelect: (example: string) => new Option('--extend-select <codes>', `also run these (e.g. off-by-default ${example})`).argParser(list),
  failOn: () => new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(SEVERITIES),
  config: () => new Option('--config <file>', 'use this pyproject.toml / pyship.toml instead of the nearest one'),
  context: () => new Option('--context <dir>', "build context for the Dockerfiles (default: each Dockerfile's directory)"),
  engine: (what = 'container engine (default: PYSHIP_DOCKER, else docker, else podman)') => new Option('--engine <engine>', what).choices(['docker', 'podman']),
  noColor: () => new Option('--no-color', 'no colours in text output'),
};
/** commander's --no-color is `color: true` unless given: a command then takes the terminal's own setting. */
const withColor = <F extends { color?: boolean }>(flags: F): F => ({ ...flags, color: flags.color === false ? false : undefined });

const isDirectory = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('pyship')
    .description('Production Docker packaging for Python: check Dockerfiles and the project around them, plan the next steps, build the image, audit its layers and smoke-test it.')
    .version(VERSION, '-V, --version')
    .option('--debug', 'print stack traces for errors')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('check')
    .description('check Dockerfiles (and, in project mode, the files they use) against the production-packaging practices')
    .argument('[paths...]', 'files or directories (searched for Dockerfile, *.Dockerfile, Dockerfile.*, Containerfile); "-" reads stdin', [])
    .addOption(flag.format())
    .addOption(flag.select())
    .addOption(flag.ignore())
    .addOption(flag.extendSelect(offByDefault((r) => !isImageRule(r))))
    .addOption(flag.failOn())
    .addOption(flag.config())
    .addOption(flag.context())
    .option('--no-project', 'Dockerfile-only mode: judge only what the Dockerfile shows')
    .option('--fix', 'apply safe fixes (atomically; only when the result re-parses)')
    .option('--unsafe-fixes', 'apply unsafe fixes too')
    .option('--diff', 'print the fixes as a unified diff instead of writing them')
    .option('--force-write', 'with --fix: fix read-only files too (their mode is kept)')
    .option('--stdin-filename <name>', 'name to report for stdin ("-")')
    .addOption(flag.noColor())
    .addHelpText('after', `
Exit codes: 0 nothing at or above --fail-on (default: warning), 1 findings at or above it, 2 usage, config or I/O error.
Inline: "# pyship: ignore=CODE[,CODE] -- reason" above an instruction; ignore-file=…, ignore-stage=….
Fixes keep each file's line endings (CRLF stays CRLF), byte order mark, mode and owner. A symlinked Dockerfile is
fixed at its target when that is inside the project (else: not fixed, with the reason). A read-only file is not fixed
(a note says so; its findings stay) unless --force-write is given.
Examples:
  pyship check                       every Dockerfile below the current directory
  pyship check Dockerfile --fix      fix what can be fixed safely
  pyship check - < Dockerfile        Dockerfile-only mode from stdin
  pyship check --format sarif > pyship.sarif`)
    .action((paths: string[], flags) => setExit(runCheck(paths, withColor(flags), io)));

  program
    .command('plan')
    .description("show the guide's eight phases with this project's checks passed/failed, and the next steps")
    .argument('[path]', 'project directory or Dockerfile (default: the current directory)')
    .addOption(flag.format(['text', 'json']))
    .addOption(flag.config())
    .addOption(flag.context())
    .addOption(flag.noColor())
    .addHelpText('after', `
Always project mode. Informational: exit 0 (2 on usage, config or I/O error).
Phases are complete when none of their checks fails; codes only an image or a running container shows are listed as not checked yet.`)
    .action(async (path: string | undefined, flags) => {
      const { runPlan } = await import('./commands/plan.js');
      setExit(runPlan(path, withColor(flags), io));
    });

  program
    .command('build')
    .description("build the image the guide's way: branch and commit tags, OCI labels, warm cache, then check its size (and audit/smoke)")
    .argument('[context]', 'build context directory', '.')
    .option('--image <name>', 'image name (default: [tool.pyship] image); a :tag on it is added to the tags')
    .option('-t, --tag <tag>', 'extra tag (repeatable)', repeatable)
    .option('-f, --file <dockerfile>', 'Dockerfile (default: CONTEXT/Dockerfile; with --base: Dockerfile.base)')
    .option('--label <key=value>', 'extra image label (repeatable)', repeatable)
    .option('--build-arg <key=value>', 'build argument (repeatable)', repeatable)
    .option('--secret <spec>', 'BuildKit secret, e.g. id=pip,src=pip.conf (repeatable)', repeatable)
    .option('--ssh <spec>', 'BuildKit SSH agent forwarding, e.g. default (repeatable)', repeatable)
    .option('--fresh', 'pull the base and rebuild without cache (--pull --no-cache: the weekly rebuild)')
    .option('--push', 'push every tag (refused when the only tag would be latest)')
    .option('--dry-run', 'print the exact engine commands and run nothing')
    .option('--no-verify', 'skip the size budget, audit and smoke of the new image')
    .option('--smoke-env <KEY=VALUE>', "smoke the new image with this variable (repeatable), e.g. a worker's broker URL", repeatable)
    .option('--smoke-network <name>', 'smoke the new image on this network (where its broker or database runs)')
    .option('--base', 'build the custom base image (Dockerfile.base or [tool.pyship] base-dockerfile) tagged BASE:<date> and BASE:latest-base')
    .option('--base-image <name>', 'base image name for --base (default: IMAGE-base)')
    .addOption(flag.engine())
    .addOption(flag.config())
    .addHelpText('after', `
Exit codes: 0 built (and within budget), 1 build failed or findings at or above fail-on, 2 usage, config or engine error.
Examples:
  pyship build --image registry.example.com/app          tags :<branch> and :<short-sha>
  pyship build --dry-run                                 show the docker commands
  pyship build --fresh --push                            the weekly rebuild
  pyship build --base --image app                        app-base:<YYYY-MM-DD> and app-base:latest-base`)
    .action(async (context: string, flags) => {
      const { runBuild } = await import('./commands/build.js');
      setExit(await runBuild(context, flags, io, { live: true }));
    });

  program
    .command('smoke')
    .description('run an image like production (no capabilities, its own user, loopback ports) and measure the runtime practices')
    .argument('<image>', 'image reference, e.g. app:main')
    .addOption(flag.format())
    .option('--health-path <path>', 'path the HTTP checks request (default: [tool.pyship] health-path, else /)')
    .option('--stop-timeout <seconds>', 'longest acceptable docker stop (default: [tool.pyship] stop-timeout, else 5)')
    .option('--start-timeout <seconds>', 'how long the app may take to answer (default 30)')
    .option('--read-only', 'run with --read-only and a tmpfs /tmp')
    .option('--cmd <command>', 'smoke this command instead of the image\'s CMD (JSON array, or words split on spaces)')
    .option('--env <KEY=VALUE>', 'set this variable in every container smoke starts (repeatable; the $PORT probe keeps its own PORT)', repeatable)
    .option('--network <name>', 'run the containers on this network, e.g. where the broker or database a worker needs runs (not host)')
    .addOption(flag.select())
    .addOption(flag.ignore())
    .addOption(flag.failOn())
    .addOption(flag.engine())
    .addOption(flag.config())
    .addOption(flag.noColor())
    .addHelpText('after', `
Checks (each with its measured figure): SEC001 uid, SEC003 ports < 1024, SEC004 serves with --cap-drop=ALL, DBG001 logs at start,
OPS001 not loopback-only, OPS005 docker stop time, OPS006 orphans reaped, OPS008 healthy, OPS009 seconds to healthy,
APP004 health while a request is held, APP005 other commands run, APP008 listens on $PORT. Images with no EXPOSE and nothing
listening (workers) skip the HTTP checks; their HEALTHCHECK, if any, still decides OPS008 (awaited in the start window, then
run once; not with --cmd). Exit codes: 0 nothing at or above --fail-on (default: warning), 1 findings at or above it
(or the container would not run at all: the reason, no report), 2 usage, config or engine error.`)
    .action(async (image: string, flags) => {
      const { runSmoke } = await import('./commands/smoke.js');
      setExit(runSmoke(image, withColor(flags), io));
    });

  program
    .command('audit')
    .description('read an image without running it (docker save stream, tar file or OCI layout): config, history, every layer entry')
    .argument('<image>', 'image reference (needs the engine), a tar file (docker save / OCI), or an OCI layout directory')
    .addOption(flag.format())
    .option('--project <dir>', "compare the installed Python distributions with this project's lock file or pinned requirements")
    .addOption(flag.select())
    .addOption(flag.ignore())
    .addOption(flag.extendSelect(offByDefault((r) => r.checkImage !== undefined)))
    .addOption(flag.failOn())
    .option('--stale-days <days>', 'SEC006: image age that counts as stale (default: [tool.pyship] stale-days, else 7)')
    .option('--min-efficiency <ratio>', 'SIZE001: lowest acceptable layer efficiency (default: [tool.pyship] min-efficiency, else 0.95)')
    .option('--max-wasted-bytes <size>', 'SIZE001: most acceptable wasted bytes, e.g. 20MB (default: [tool.pyship] max-wasted-bytes)')
    .option('--max-image-size <size>', 'CI002: size budget, e.g. 450MB (default: [tool.pyship] max-image-size)')
    .addOption(flag.engine())
    .addOption(flag.config())
    .addOption(flag.noColor())
    .addHelpText('after', `
Checks: SEC001 SEC003 SEC004 SEC006 SEC009 CI002 DBG002 DBG003 OPS006 OPS008 OPS009 SIZE001-SIZE006 MS001 (DBG004 opt-in).
Text output adds the layer table (size, wasted bytes, instruction), the base boundary, the bytecode share and the installed
Python distributions. Exit codes: 0 nothing at or above --fail-on (default: warning), 1 findings at or above it, 2 usage,
config, engine or unreadable-image error.`)
    .action(async (image: string, flags) => {
      const { runAudit } = await import('./commands/audit.js');
      setExit(await runAudit(image, withColor(flags), io));
    });

  program
    .command('init')
    .description('detect the Python project and write a production Dockerfile and everything around it, checked by pyship itself')
    .argument('[dir]', 'the project directory (default: the current directory)')
    .option('--package-manager <name>', 'pip, pip-tools, poetry, pipenv, uv, pdm or conda (default: detected from the lock file)')
    .option('--python <version>', 'Python version, e.g. 3.13 (default: .python-version, runtime.txt, Pipfile; else the newest requires-python, the pins\' wheels and the lock\'s date allow)')
    .option('--debian <codename>', 'Debian release of the python image: trixie (default; else the newest release that has the version), bookworm, bullseye, buster or stretch')
    .option('--base-image <ref>', 'use this base image instead of python:<version>-slim-<codename> (e.g. a mirror)')
    .option('--pin-digest', 'pin the base image by digest (the engine must be able to pull it)')
    .option('--entry <target>', 'the app: MODULE:ATTR (WSGI/ASGI app or Celery app) or a [project.scripts] name')
    .option('--server <name>', 'gunicorn, uvicorn, uwsgi, hypercorn, daphne, granian, waitress or aiohttp (default: what the project starts, else from the dependencies)')
    .option('--port <port>', 'port the app listens on (default: the project\'s Dockerfile, server config, compose or Procfile, else 8000; with a [project.scripts] entry: it serves HTTP)')
    .option('--health-path <path>', 'path the HEALTHCHECK requests (default: a health route in the code at its full path; else a route whose view returns a constant; else any answer below 500 from /)')
    .option('--requirements <file>', 'pip: the requirements file production installs')
    .option('--ci <system>', 'CI files to write: github (default), gitlab or none')
    .option('--k8s', 'also write k8s/ manifests (Deployment, Service; a Job for the migrations)')
    .option('--no-compose', 'do not write compose.yaml')
    .option('--no-syntax', 'leave out the # syntax= directive (for engines that cannot pull the frontend)')
    .option('--no-compile', 'do not precompile bytecode (smaller image, slower first start)')
    .option('--debug-tools', 'install procps (ps, top) in the image')
    .option('--image <name>', 'image name for compose, k8s and pyship.toml (default: the project name)')
    .option('--force [files]', 'replace files that exist (and write beside a kept Dockerfile or CI); with FILE[,FILE…] (or repeated) only those', collectForce)
    .option('--dry-run', 'print the files as a unified diff and write nothing')
    .addOption(new Option('--format <format>', 'text: a summary on stderr (and diffs with --dry-run); json: every decision with its evidence, and each file written, kept or skipped, on stdout').choices(['text', 'json']).default('text'))
    .option('--no-input', 'never ask: fail with the flag to pass when the project is ambiguous')
    .addOption(flag.engine('container engine for --pin-digest'))
    .addHelpText('after', `
Run at a repository root, it finds the Python project below it. A project nothing locks is locked first (its own
locker, else pip in the base image, with hashes). Every choice is printed with its evidence (file:line or the default);
--dry-run --format json prints them as JSON and writes nothing.
Writes each file only if it is absent (or with --force): Dockerfile, .dockerignore, the server's config
(gunicorn.conf.py, serve.py for uvicorn/daphne, uwsgi.ini, hypercorn.conf.py), compose.yaml, CI
(.github/workflows/docker.yml + dependabot.yml, or .gitlab-ci.yml + renovate.json, at the repository root), pyship.toml,
and k8s/ with --k8s. Nothing the project has is changed or shadowed: an existing docker-compose.yml is the compose file,
a kept production Dockerfile gets no server config or compose file (one that is no production image gets
Dockerfile.pyship beside it), CI that builds the image and dependabot.yml are kept; the summary says why, and what to
merge. --force replaces all; --force FILE[,FILE…] only those. A symlink is replaced at its target when that is in the
repository (the link stays), never when it dangles or leaves it; a read-only file --force replaces keeps its mode.
Then runs pyship check on the result. Exit codes: 0 written (or diffed), 2 ambiguous project, usage or I/O error.
Examples:
  pyship init                                   detect and write
  pyship init --dry-run                         show what it would write
  pyship init --dry-run --format json           every decision and its evidence, as JSON
  pyship init --entry app.main:app --k8s        name the app, add Kubernetes manifests
  pyship init --package-manager pip --python 3.12`)
    .action(async (dir: string | undefined, flags) => {
      const { runInit, ttyPrompt } = await import('./commands/init.js');
      // `pyship init --force DIR`: the option's optional value took the directory
      const last = Array.isArray(flags.force) ? flags.force[flags.force.length - 1] : undefined;
      if (dir === undefined && last !== undefined && isDirectory(resolve(io.cwd, last))) {
        dir = last;
        flags.force = flags.force.length === 1 ? true : flags.force.slice(0, -1);
      }
      setExit(await runInit(dir, flags, io, { prompt: ttyPrompt() }));
    });

  program
    .command('explain')
    .description("print a rule's documentation")
    .argument('<code>', 'rule code, e.g. SEC001')
    .action((code: string) => setExit(runExplain(code, io)));

  program
    .command('rules')
    .description('list every rule')
    .addOption(flag.format(['text', 'json']))
    .action((flags) => setExit(runRules(flags, io)));

  program
    .command('completion')
    .description('print a shell completion script for bash, zsh or fish')
    .argument('<shell>', 'bash, zsh or fish')
    .addHelpText('after', `
Examples:
  source <(pyship completion bash)                                   bash, this session
  pyship completion zsh > "\${fpath[1]}/_pyship"                     zsh, for good
  pyship completion fish > ~/.config/fish/completions/pyship.fish    fish, for good`)
    .action(async (shell: string) => {
      const { runCompletion } = await import('./commands/completion.js');
      setExit(runCompletion(shell, program, io));
    });

  return program;
}

/** Run the CLI; resolves to the exit code. Errors become messages and exit 2, never stack traces (unless --debug). */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => (code = c));
  const debug = argv.includes('--debug');
  try {
    // async: the audit streams images (also inside `pyship build`'s verification)
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    if (e instanceof UsageError || e instanceof ConfigError || e instanceof InputError || e instanceof EngineUnavailableError) {
      // a config or input error may quote the offending line
      io.err(`pyship: ${redact(e.message)}\n`);
      if (debug) io.err(`${e.stack}\n`);
      return 2;
    }
    io.err(`pyship: internal error: ${(e as Error).message}\n${debug ? `${(e as Error).stack}\n` : 'Run again with --debug for details, and please report it.\n'}`);
    return 2;
  }
}
