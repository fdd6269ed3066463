// `pyship check`: flags → checkFiles → report → exit code. No logic of its own beyond wiring.
import { registry } from '../rules/index.js';
import { checkFiles } from '../lint/files.js';
import { shellcheckAvailable } from '../project/shellcheck.js';
import { atOrAbove } from '../lint/config.js';
import { formatReport } from '../report/index.js';
import { VERSION } from '../meta.js';
import type { Io } from './io.js';
import { failOnFlag, reportFormat, ruleMetas } from './shared.js';
import { redact } from '../redact.js';

export interface CheckFlags {
  format?: string;
  select?: string[];
  ignore?: string[];
  extendSelect?: string[];
  failOn?: string;
  config?: string;
  context?: string;
  project?: boolean; // commander's --no-project
  fix?: boolean;
  unsafeFixes?: boolean;
  diff?: boolean;
  forceWrite?: boolean;
  stdinFilename?: string;
  color?: boolean;
}

export function runCheck(paths: string[], flags: CheckFlags, io: Io): number {
  const format = reportFormat(flags.format);
  const failOn = failOnFlag(flags.failOn);
  const fix = flags.unsafeFixes ? 'unsafe' : flags.fix || flags.diff ? 'safe' : undefined;
  const result = checkFiles({
    ruleSet: registry,
    paths,
    cwd: io.cwd,
    stdinFilename: flags.stdinFilename,
    context: flags.context,
    configFile: flags.config,
    noProject: flags.project === false,
    cli: { select: flags.select, ignore: flags.ignore, extendSelect: flags.extendSelect, failOn },
    fix: flags.fix || flags.unsafeFixes ? fix : undefined,
    diff: flags.diff ? true : undefined,
    forceWrite: flags.forceWrite,
  });
  const stdinFix = (flags.fix || flags.unsafeFixes) && paths.includes('-') && !flags.diff;
  // a diff is for reading (CI logs): secret values masked; a fixed stdin is the file itself and goes out whole
  if (flags.diff || stdinFix) for (const d of result.diffs) io.out(flags.diff ? redact(d, { source: true }) : d);
  for (const n of result.notes) io.err(n + '\n');
  if (format === 'text' && flags.project !== false && !paths.includes('-') && result.results.length > 0 && !shellcheckAvailable()) {
    io.err('note: shellcheck is not on PATH: ShellCheck findings (SCxxxx) on the scripts the image runs are skipped (apt-get install shellcheck)\n');
  }
  if (result.fixedFiles.length > 0 && format === 'text') io.err(`Fixed ${result.fixedFiles.join(', ')}\n`);
  if (result.results.length === 0) io.err('No Dockerfiles found.\n');
  const report = formatReport(format, { results: result.results, rules: ruleMetas(), toolVersion: VERSION }, { color: flags.color ?? io.color });
  // with --diff or a fixed stdin, stdout carries the patch/text: the report goes to stderr
  if (flags.diff || stdinFix) io.err(report);
  else io.out(report);
  const failing = result.results.some((r) => r.findings.some((f) => atOrAbove(f.severity, result.failOn)));
  if (result.unread.length > 0) {
    // the others were checked and reported; the run still did not check everything it was asked to
    io.err(`pyship: not checked: ${result.unread.join(', ')} (see the DF022 finding on each)\n`);
    return 2;
  }
  if (result.unwritten.length > 0) {
    io.err(`pyship: not fixed: ${result.unwritten.join(', ')} (the fixes could not be written; see above)\n`);
    return 2;
  }
  return failing ? 1 : 0;
}
