// DF022: the file must parse the way BuildKit parses it: syntax errors and unknown instructions are findings, never crashes.
import { KEYWORDS, type Instruction } from '../../dockerfile/model.js';
import { defineRule } from '../../lint/rule.js';
import { editDistance } from './_util.js';

/** "did you mean FROM?" for an unknown keyword one or two edits from a real one. */
function suggestion(word: string): string {
  const w = word.toUpperCase();
  let best: string | undefined;
  let bestD = 3;
  for (const k of KEYWORDS) {
    const d = editDistance(w, k);
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best && bestD <= (w.length >= 5 ? 2 : 1) ? ` (did you mean \`${best}\`?)` : '';
}

/** BuildKit's argument counts (frontend/dockerfile/instructions/parse.go): a wrong count fails the build. */
const EXACTLY_ONE = new Set(['MAINTAINER', 'WORKDIR', 'USER', 'STOPSIGNAL']);
const AT_LEAST_ONE = new Set(['ENV', 'LABEL', 'ONBUILD', 'HEALTHCHECK', 'EXPOSE', 'VOLUME', 'ARG', 'SHELL']);

/** Why BuildKit refuses this instruction's arguments, or undefined when their count is right. */
function badArgumentCount(instr: Instruction): string | undefined {
  const kw = instr.keyword;
  // the count splits the arguments into words: only for the keywords whose count BuildKit checks
  if (!EXACTLY_ONE.has(kw) && !AT_LEAST_ONE.has(kw) && kw !== 'COPY' && kw !== 'ADD' && kw !== 'FROM') return undefined;
  const count = instr.json ? instr.json.length : instr.args.trim() === '' ? 0 : instr.words.length;
  if (EXACTLY_ONE.has(kw) && count === 0) return `\`${kw}\` needs exactly one argument`;
  if (AT_LEAST_ONE.has(kw) && count === 0) return `\`${kw}\` needs at least one argument`;
  if ((kw === 'COPY' || kw === 'ADD') && count < 2) return `\`${kw}\` needs at least a source and a destination`;
  if (kw === 'FROM') {
    const w = instr.words.map((x) => x.value);
    if (count === 0) return '`FROM` needs an image: write `FROM <image>` (or `FROM <image> AS <name>`)';
    if (!(count === 1 || (count === 3 && w[1]!.toUpperCase() === 'AS'))) return '`FROM` takes an image and an optional `AS <name>`, nothing else';
  }
  return undefined;
}

const EXEC_FORM = new Set(['CMD', 'ENTRYPOINT', 'RUN', 'SHELL', 'HEALTHCHECK', 'COPY', 'ADD', 'VOLUME']);

/**
 * An attempted exec form: a list of quoted strings separated by commas, possibly with single quotes or a missing `]`.
 * A shell `[ "$a" = b ]` test is not one (no commas, unquoted words); for RUN a comma or a missing `]` is required.
 */
function looksLikeJsonArray(args: string, run: boolean): boolean {
  const t = args.trim();
  const m = /^\[\s*((?:(?:"(?:[^"\\]|\\.)*"|'[^']*')\s*,\s*)*(?:"(?:[^"\\]|\\.)*"|'[^']*'))\s*,?\s*(\]?)$/.exec(t);
  if (!m) return false;
  if (run) return m[1]!.includes(',') || m[2] === '';
  return true;
}

function hint(args: string): string {
  if (/^\s*\[\s*'/.test(args) || /,\s*'/.test(args)) return 'JSON needs double quotes';
  if (/\\(?!["\\/bfnrtu])/.test(args)) return 'backslashes must be doubled in JSON strings';
  return 'check the brackets and commas';
}

/** The last instruction that ends at or before `offset` (they are in file order): a search, not a scan per problem. */
function lastEndingBy(instrs: readonly Instruction[], offset: number): Instruction | undefined {
  let lo = 0;
  let hi = instrs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (instrs[mid]!.span.end <= offset) lo = mid + 1;
    else hi = mid;
  }
  return instrs[lo - 1];
}

export default defineRule({
  code: 'DF022',
  name: 'parse-error',
  title: 'The Dockerfile must parse',
  area: 'df',
  severity: 'error',
  scope: ['D'],
  sources: ['hadolint:DL1000'],
  why: `A Dockerfile BuildKit cannot parse does not build: an unknown instruction (\`FORM\`, \`RUN\` misspelt, a shell
line that lost its \`\\\` continuation), \`ENV NAME\` without a value, nested JSON in an exec-form argument, a heredoc
that is never closed, an instruction with the wrong number of arguments (\`FROM\` with no image, \`COPY\` with
no destination, an empty \`WORKDIR\`), or a file with no instructions at all. pyship parses like BuildKit and reports
each problem at its position instead of failing, so the other rules still check the rest of the file.

An exec-form argument that is not valid JSON (\`CMD ['python', 'app.py']\` with single quotes, a missing \`]\`) is not a
parse error for BuildKit: it silently falls back to the shell form and runs \`/bin/sh -c "['python', 'app.py']"\`,
which fails when the container starts. pyship reports it here too.

The most common cause in real files is a missing \`\\\` at the end of a continued \`RUN\` line: the next line then
starts a new "instruction" named after a shell command.

A file pyship will not read is reported here as "not checked", and the other files are still checked: a symbolic link
that leaves the project (a committed \`Dockerfile.ci -> ~/.aws/credentials\` is never read or printed), a file over
2 MiB (real Dockerfiles are kilobytes), one pyship may not read (permissions), a dangling link, or a FIFO, device or
socket named on the command line (one found in a directory is skipped with a note). The last three also make \`check\`
exit 2.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN apt-get update &&\n    apt-get install -y --no-install-recommends curl\n',
      good: 'FROM python:3.13-slim-trixie\nRUN apt-get update && \\\n    apt-get install -y --no-install-recommends curl\n',
    },
    { bad: 'FORM python:3.13-slim-trixie\nCMD ["python"]\n', good: 'FROM python:3.13-slim-trixie\nCMD ["python"]\n' },
    {
      bad: "FROM python:3.13-slim-trixie\nENV PYTHONUNBUFFERED\nCMD ['python', 'app.py']\n",
      good: 'FROM python:3.13-slim-trixie\nENV PYTHONUNBUFFERED=1\nCMD ["python", "app.py"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nCOPY <<EOF /app/start.sh\nexec python app.py\n',
      good: 'FROM python:3.13-slim-trixie\nCOPY <<EOF /app/start.sh\nexec python app.py\nEOF\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nWORKDIR\nCOPY requirements.txt\n',
      good: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY requirements.txt .\n',
    },
  ],
  check({ dockerfile: df, report }) {
    for (const p of df.problems) {
      if (p.level !== 'error') continue;
      let message = p.message;
      if (p.kind === 'unknown-instruction') {
        const word = df.text.slice(p.span.start, p.span.end);
        const hint = suggestion(word);
        message = `unknown instruction \`${word}\`${hint}`;
        const prev = lastEndingBy(df.instructions, p.span.start);
        if (/^\{[{%#]/.test(word)) {
          message += ': this looks like template syntax (Jinja, cookiecutter); lint the rendered Dockerfile';
        } else if (!hint && prev && (prev.keyword === 'RUN' || prev.onbuild?.keyword === 'RUN') && /^[A-Za-z0-9_./-]+$/.test(word)) {
          message += ': is a `\\` missing at the end of the line before?';
        }
      } else if (/^(ENV|LABEL) must have two arguments$/.test(p.message)) {
        const text = df.text.slice(p.span.start, p.span.end).split('\n', 1)[0]!.trim();
        const kw = p.message.split(' ', 1)[0]!;
        message = `\`${text}\` has no value: write \`${kw} NAME=value\``;
      }
      // a problem span is never inverted, whatever the input
      report({ span: { start: p.span.start, end: Math.max(p.span.start, p.span.end) }, message });
    }
    for (const top of df.instructions) {
      const instr = top.onbuild ?? top;
      const why = instr.known ? badArgumentCount(instr) : undefined;
      if (!why) continue;
      const template = /\{[{%#]/.test(instr.args) ? ': this looks like template syntax (Jinja, cookiecutter); lint the rendered Dockerfile' : ': BuildKit stops the build here';
      report({ span: instr.keywordSpan, message: why + template });
    }
    // Only ARGs, or instructions with no FROM ever: BuildKit stops with "no build stage" (docker 20.10's crashes)
    if (df.stages.length === 0 && df.instructions.length > 0) {
      const add = df.instructions.every((i) => i.keyword === 'ARG') ? 'add `FROM <image>` after the `ARG`s' : 'add a `FROM <image>` line';
      report({ span: df.instructions[0]!.keywordSpan, message: `no \`FROM\`: the file has no build stage, so there is nothing to build; ${add}` });
    }
    // `CMD ["python", "app.py"` or `CMD ['python', 'app.py']`: not JSON, so BuildKit silently runs it as a shell command
    for (const top of df.instructions) {
      const instr = top.onbuild ?? top;
      if (!EXEC_FORM.has(instr.keyword) || instr.json) continue;
      let args = instr.args;
      let off = 0;
      if (instr.keyword === 'HEALTHCHECK') {
        const m = /^(?:--\S+\s+)*cmd\s+/i.exec(args);
        if (!m) continue;
        off = m[0].length;
        args = args.slice(off);
      }
      if (!looksLikeJsonArray(args, instr.keyword === 'RUN')) continue;
      const start = instr.argOffset(off);
      report({
        span: { start, end: Math.max(start, instr.argsSpan.end) },
        message: `\`${instr.keyword} ${args.length > 40 ? args.slice(0, 40) + '…' : args}\` is not a valid JSON array (${hint(args)}): it runs as a shell command`,
      });
    }
  },
  // a file not read (permissions, a link out of the project, past the cap) or not valid UTF-8: where and why
  checkUnread({ facts: problem, report }) {
    report({ span: { start: problem.offset, end: problem.offset }, message: problem.message });
  },
});
