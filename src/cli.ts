// The pyship command line: wiring of flags to commands, and the one place that maps errors to exit codes.
import { Command, CommanderError, Option } from 'commander';
import { runCheck } from './commands/check.js';
import { runExplain } from './commands/explain.js';
import { runPlan } from './commands/plan.js';
import { runRules } from './commands/rules.js';
import { processIo, UsageError, type Io } from './commands/io.js';
import { ConfigError } from './lint/config.js';
import { InputError } from './io/read.js';
import { VERSION } from './meta.js';

const list = (v: string, prev: string[] = []): string[] => prev.concat(v.split(',').map((s) => s.trim()).filter(Boolean));

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('pyship')
    .description('Production Docker packaging for Python: lint Dockerfiles and the project around them.')
    .version(VERSION, '-V, --version')
    .option('--debug', 'print stack traces for errors')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('check')
    .description('check Dockerfiles (and, in project mode, the files they use) against the production-packaging practices')
    .argument('[paths...]', 'files or directories (searched for Dockerfile, *.Dockerfile, Dockerfile.*, Containerfile); "-" reads stdin', [])
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'sarif', 'github', 'junit']).default('text'))
    .option('--select <codes>', 'only these codes or prefixes (comma-separated, repeatable)', list)
    .option('--ignore <codes>', 'skip these codes or prefixes', list)
    .option('--extend-select <codes>', 'also run these (e.g. off-by-default REP003, REP007)', list)
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(['error', 'warning', 'info']))
    .option('--config <file>', 'use this pyproject.toml / pyship.toml instead of the nearest one')
    .option('--context <dir>', "build context for the Dockerfiles (default: each Dockerfile's directory)")
    .option('--no-project', 'Dockerfile-only mode: judge only what the Dockerfile shows')
    .option('--fix', 'apply safe fixes (atomically; only when the result re-parses)')
    .option('--unsafe-fixes', 'apply unsafe fixes too')
    .option('--diff', 'print the fixes as a unified diff instead of writing them')
    .option('--stdin-filename <name>', 'name to report for stdin ("-")')
    .option('--no-color', 'no colours in text output')
    .addHelpText('after', `
Exit codes: 0 nothing at or above --fail-on (default: warning), 1 findings at or above it, 2 usage, config or I/O error.
Inline: "# pyship: ignore=CODE[,CODE] -- reason" above an instruction; ignore-file=…, ignore-stage=….
Examples:
  pyship check                       every Dockerfile below the current directory
  pyship check Dockerfile --fix      fix what can be fixed safely
  pyship check - < Dockerfile        Dockerfile-only mode from stdin
  pyship check --format sarif > pyship.sarif`)
    .action((paths: string[], flags) => setExit(runCheck(paths, { ...flags, color: flags.color === false ? false : undefined }, io)));

  program
    .command('plan')
    .description("show the guide's eight phases with this project's checks passed/failed, and the next steps")
    .argument('[path]', 'project directory or Dockerfile (default: the current directory)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--config <file>', 'use this pyproject.toml / pyship.toml instead of the nearest one')
    .option('--context <dir>', "build context for the Dockerfiles (default: each Dockerfile's directory)")
    .option('--no-color', 'no colours in text output')
    .addHelpText('after', `
Always project mode. Informational: exit 0 (2 on usage, config or I/O error).
Phases are complete when none of their checks fails; codes only an image or a running container shows are listed as not checked yet.`)
    .action((path: string | undefined, flags) => setExit(runPlan(path, { ...flags, color: flags.color === false ? false : undefined }, io)));

  program
    .command('explain')
    .description("print a rule's documentation")
    .argument('<code>', 'rule code, e.g. SEC001')
    .action((code: string) => setExit(runExplain(code, io)));

  program
    .command('rules')
    .description('list every rule')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((flags) => setExit(runRules(flags, io)));

  return program;
}

/** Run the CLI; returns the exit code. Errors become messages and exit 2, never stack traces (unless --debug). */
export function main(argv: string[], io: Io = processIo()): number {
  let code = 0;
  const program = buildProgram(io, (c) => (code = c));
  const debug = argv.includes('--debug');
  try {
    program.parse(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    if (e instanceof UsageError || e instanceof ConfigError || e instanceof InputError) {
      io.err(`pyship: ${e.message}\n`);
      if (debug) io.err(`${e.stack}\n`);
      return 2;
    }
    io.err(`pyship: internal error: ${(e as Error).message}\n${debug ? `${(e as Error).stack}\n` : 'Run again with --debug for details, and please report it.\n'}`);
    return 2;
  }
}
