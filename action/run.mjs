// The GitHub Action's check step (action.yml runs it after building pyship from the action's own commit).
// Inputs come as INPUT_* variables (action.yml maps them, never interpolating them into the script):
//   INPUT_PATH        files or directories, separated by spaces or new lines (default ".")
//   INPUT_FORMAT      the job log's format: github (annotations), text, json, junit, sarif
//                     (default: github, or text when INPUT_SARIF_FILE is set, since code scanning shows the findings)
//   INPUT_FAIL_ON     error | warning | info | never (default: fail-on from [tool.pyship], else warning)
//   INPUT_SARIF_FILE  also write SARIF 2.1.0 here, for github/codeql-action/upload-sarif
// Outputs (GITHUB_OUTPUT): exit-code, sarif-file. Exit code: pyship's (0 clean, 1 findings at or above fail-on,
// 2 usage, configuration or I/O error); with fail-on "never" findings never fail the step, errors still do.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const FORMATS = ['github', 'text', 'json', 'junit', 'sarif'];
const FAIL_ON = ['error', 'warning', 'info', 'never'];

const input = (name) => (process.env[`INPUT_${name}`] ?? '').trim();

function fail(message) {
  process.stdout.write(`::error title=pyship::${message}\n`);
  process.exit(2);
}

const major = Number(process.versions.node.split('.')[0]);
if (major < 20) fail(`pyship needs Node.js 20 or newer on the runner (found ${process.version}): add actions/setup-node before this step`);

const paths = input('PATH').split(/\s+/).filter(Boolean);
const sarifFile = input('SARIF_FILE');
const format = input('FORMAT') || (sarifFile ? 'text' : 'github');
const failOn = input('FAIL_ON');
if (!FORMATS.includes(format)) fail(`format must be one of ${FORMATS.join(', ')} (got "${format}")`);
if (failOn && !FAIL_ON.includes(failOn)) fail(`fail-on must be one of ${FAIL_ON.join(', ')} (got "${failOn}")`);

const { main } = await import('../dist/bundle/cli.js');
const args = (fmt) => ['check', '--format', fmt, ...(failOn && failOn !== 'never' ? ['--fail-on', failOn] : []), '--', ...(paths.length ? paths : ['.'])];
const cwd = process.cwd();
const toLog = { out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t), cwd, color: false };

let code;
if (sarifFile) {
  let sarif = '';
  const quiet = format === 'sarif' ? toLog : { ...toLog, err: () => {} }; // the log run prints the notes once
  code = await main(args('sarif'), { ...quiet, out: (t) => void (sarif += t) });
  if (code !== 2) {
    mkdirSync(path.dirname(path.resolve(cwd, sarifFile)), { recursive: true });
    writeFileSync(path.resolve(cwd, sarifFile), sarif);
    process.stdout.write(`pyship: SARIF written to ${sarifFile}\n`);
  }
}
if (format !== 'sarif' || !sarifFile) {
  const logCode = await main(args(format), toLog);
  code = code === 2 || logCode === 2 ? 2 : logCode;
}

if (process.env.GITHUB_OUTPUT) {
  appendFileSync(process.env.GITHUB_OUTPUT, `exit-code=${code}\n${sarifFile && code !== 2 ? `sarif-file=${sarifFile}\n` : ''}`);
}
if (code === 2) process.stdout.write('::error title=pyship::pyship check could not run (exit 2): see the message above\n');
process.exitCode = failOn === 'never' && code === 1 ? 0 : code;
