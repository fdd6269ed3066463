// OPS002: shell scripts run in strict mode (`set -euo pipefail`), and a RUN with a pipe has `pipefail`.
import { defineRule } from '../../lint/rule.js';
import type { Dockerfile, Instruction, Span, Stage } from '../../dockerfile/model.js';
import { runScript, type ShCommand, type ShellScript } from '../../dockerfile/shell.js';
import { lineOf, SHELLS, shebang, shellOptionsOf, shellStartScripts } from '../../dockerfile/scripts.js';
import { binSh, strictOptions, supportsPipefail } from './_scripts.js';

/** Left sides of a pipe that cannot fail in a way pipefail would catch (`yes` even dies of SIGPIPE under pipefail). */
const SAFE_LEFT = new Set(['echo', 'printf', 'yes', 'true', ':']);

/**
 * The first pipeline whose failure on the left would be hidden without pipefail. `text` is what the script's spans
 * index (the Dockerfile, or a COPY'd file's text): a pipeline followed by `||` tolerates failure on purpose and one
 * tested by `if`/`while`/`!` is a condition, so neither is flagged.
 */
function riskyPipe(script: ShellScript, text?: string): Span | undefined {
  const cmds = script.commands;
  for (let i = 0; i < cmds.length; i++) {
    const c = cmds[i]!;
    if (c.pipeLength < 2 || c.pipeIndex !== c.pipeLength - 1 || c.substitution || c.nested) continue;
    const left: ShCommand[] = [];
    for (let k = i - 1; k >= 0 && left.length < c.pipeLength - 1; k--) {
      const p = cmds[k]!;
      if (p.statement !== c.statement) break;
      if (p.pipeLength === c.pipeLength && p.pipeIndex < c.pipeIndex && !p.substitution) left.unshift(p);
    }
    const complete = left.length === c.pipeLength - 1 && left.every((p, j) => p.pipeIndex === j);
    if (complete && left.every((p) => SAFE_LEFT.has(p.name))) continue;
    const start = left[0]?.span.start ?? c.span.start;
    if (text !== undefined) {
      const after = text.slice(c.span.end, c.span.end + 400).replace(/\\\r?\n/g, ' ');
      if (/^[^;\n]*?\|\|/.test(after)) continue;
      const before = text.slice(Math.max(0, start - 40), start).replace(/\\\r?\n/g, ' ');
      if (/(^|[\s;&|(])(if|while|until|!)\s*$/.test(before)) continue;
    }
    return { start: Math.min(start, c.span.start), end: Math.max(c.span.end, start) };
  }
  return undefined;
}

/** The shell a SHELL argv runs (basename) and its options: `["/bin/bash", "-o", "pipefail", "-c"]` → bash, {pipefail}. */
function shellOf(argv: readonly string[]): { shell: string; options: Set<string> } | undefined {
  const i = argv.findIndex((a) => SHELLS.has(a.slice(a.lastIndexOf('/') + 1)));
  if (i < 0) return undefined;
  const shell = argv[i]!.slice(argv[i]!.lastIndexOf('/') + 1);
  const rest = argv.slice(i + 1);
  const ci = rest.findIndex((a) => /^-[a-z]*c[a-z]*$/i.test(a));
  const opts = (ci >= 0 ? rest.slice(0, ci) : rest).slice();
  if (ci >= 0) {
    const bundled = rest[ci]!.replace(/c/g, '');
    if (bundled.length > 1) opts.push(bundled);
  }
  return { shell: shell === 'busybox' ? 'ash' : shell, options: shellOptionsOf(opts) };
}

const SHELL_BASH = '`SHELL ["/bin/bash", "-o", "pipefail", "-c"]`';

/** How to get pipefail for a RUN whose shell lacks it, worded for the shell there really is. */
function pipefailAdvice(shell: string, sh: 'dash' | 'ash' | 'bash' | undefined): string {
  if (shell === 'sh') {
    if (sh === 'dash') return `\`/bin/sh\` is dash here, which has no \`pipefail\`: add ${SHELL_BASH} before this RUN`;
    if (sh === 'ash') return 'start the RUN with `set -o pipefail &&` (busybox `sh` supports it) or add `SHELL ["/bin/ash", "-eo", "pipefail", "-c"]`';
    if (sh === 'bash') return `start the RUN with \`set -o pipefail &&\` or add ${SHELL_BASH}`;
    return `add ${SHELL_BASH} before this RUN (\`/bin/sh\` may be dash, which has no \`pipefail\`)`;
  }
  if (shell === 'dash') return `dash has no \`pipefail\`: add ${SHELL_BASH} before this RUN`;
  return `add \`-o pipefail\` to the \`SHELL\` or start the RUN with \`set -o pipefail &&\``;
}

function stageOf(df: Dockerfile, instr: Instruction): Stage | undefined {
  return instr.stage >= 0 ? df.stages[instr.stage] : undefined;
}

/** What a script lacks of strict mode: `-e`, `-u`, and `-o pipefail` when it pipes and its shell has pipefail. */
function missing(opts: Set<string>, pipe: boolean, pipefail: boolean | undefined): string[] {
  const out: string[] = [];
  if (!opts.has('e')) out.push('e');
  if (!opts.has('u')) out.push('u');
  if (pipe && pipefail === true && !opts.has('pipefail')) out.push('pipefail');
  return out;
}

function setLine(shell: string, pipefail: boolean | undefined): string {
  return pipefail === false ? 'set -eu' : shell === 'sh' && pipefail === undefined ? 'set -eu' : 'set -euo pipefail';
}

/** What goes wrong without the missing options. */
function consequence(miss: string[], when: 'build' | 'start'): string {
  if (miss.includes('e')) return when === 'build' ? 'a failing command does not fail the build' : 'a failing step does not stop it';
  if (miss.includes('pipefail')) return 'a failure left of a `|` is ignored';
  return 'an unset variable silently expands to nothing';
}

function describe(miss: string[]): string {
  const flags = miss.filter((m) => m !== 'pipefail');
  const parts: string[] = [];
  if (flags.length > 0) parts.push(`\`set -${flags.join('')}\``);
  if (miss.includes('pipefail')) parts.push('`-o pipefail`');
  return parts.join(' or ');
}

export default defineRule({
  code: 'OPS002',
  name: 'shell-strict-mode',
  title: 'Shell scripts: strict mode',
  area: 'ops',
  severity: 'warning',
  scope: ['D', 'P'],
  sources: ['hadolint:DL4006'],
  why: `A shell keeps going after a failed command unless told otherwise: without \`set -e\` a failed download or
install in a multi-line script is ignored and the build (or the container start) carries on with a broken result;
without \`set -u\` a misspelt variable silently expands to nothing; and without \`pipefail\` only the last command of a
pipe counts, so \`curl … | sh\` succeeds when the download fails. Heredoc scripts (\`RUN <<EOF\`, \`COPY <<EOF
/entrypoint.sh\`) and, in project mode, the shell scripts ENTRYPOINT/CMD run should start with \`set -euo pipefail\`
(\`set -eu\` for \`/bin/sh\` scripts); a one-command script is left alone.

Like hadolint DL4006, a \`RUN\` with a pipe needs \`pipefail\`, either from \`SHELL ["/bin/bash", "-o", "pipefail",
"-c"]\` or \`set -o pipefail\` in that RUN (hadolint accepts only the first). Unlike it, pyship never tells you to
\`set -o pipefail\` in a shell that lacks it: \`/bin/sh\` is dash on Debian and Ubuntu images (python slim included),
where the fix is a \`SHELL\` with bash; on Alpine busybox \`sh\` has \`pipefail\`. Pipes fed by \`echo\`/\`printf\`/\`yes\`
are not flagged: nothing on their left can fail (and \`yes\` would make pipefail fail the build).`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN curl -fsSL https://example.com/install.sh | sh\n',
      good: 'FROM python:3.13-slim-trixie\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN curl -fsSL https://example.com/install.sh | sh\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN <<EOF\napt-get update\napt-get install -y --no-install-recommends curl\nEOF\n',
      good: 'FROM python:3.13-slim-trixie\nRUN <<EOF\nset -eu\napt-get update\napt-get install -y --no-install-recommends curl\nEOF\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nCOPY --chmod=755 <<EOF /entrypoint.sh\n#!/bin/bash\npython manage.py check\nexec "$@"\nEOF\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["gunicorn", "app:app"]\n',
      good: 'FROM python:3.13-slim-trixie\nCOPY --chmod=755 <<EOF /entrypoint.sh\n#!/bin/bash\nset -euo pipefail\npython manage.py check\nexec "$@"\nEOF\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["gunicorn", "app:app"]\n',
    },
    {
      bad: 'FROM python:3.13-alpine3.22\nRUN wget -qO- https://example.com/x.tar.gz | tar xz\n',
      good: 'FROM python:3.13-alpine3.22\nRUN set -o pipefail && wget -qO- https://example.com/x.tar.gz | tar xz\nRUN echo "deb http://deb.example.com stable main" | tee /etc/apt/sources.list.d/x.list\n',
    },
  ],
  check({ dockerfile: df, project, report }) {
    for (const instr of df.instructions) {
      if (instr.keyword !== 'RUN' || instr.json) continue;
      const stage = stageOf(df, instr);
      if (!stage) continue;
      const script = runScript(instr);
      if (!script) continue;
      const sh = binSh(df, stage);
      const heredocOnly = instr.heredocs.length > 0 && instr.words.every((w) => /^\d*<<-?/.test(w.raw));
      if (heredocOnly) {
        const h = instr.heredocs[0]!;
        const bang = shebang(h.content);
        const shellInfo = bang ? { shell: bang.shell, options: bang.options } : shellOf(instr.state.shell);
        if (!shellInfo || !SHELLS.has(shellInfo.shell)) continue;
        const pipe = riskyPipe(script, df.text) !== undefined;
        if (script.statements <= 1 && !pipe) continue;
        const opts = strictOptions({ script, shellOptions: shellInfo.options });
        const pf = supportsPipefail(shellInfo.shell, sh);
        const miss = missing(opts, pipe, pf);
        if (miss.length > 0) {
          report({
            span: h.markerSpan,
            message: `\`RUN <<${h.name}\` script without ${describe(miss)}: ${consequence(miss, 'build')}; start it with \`${setLine(shellInfo.shell, pf)}\``,
          });
        } else if (pipe && pf !== true && !opts.has('pipefail')) {
          report({ span: h.markerSpan, message: `\`RUN <<${h.name}\` script pipes without \`pipefail\`: ${pipefailAdvice(shellInfo.shell, sh)}` });
        }
        continue;
      }
      const pipeSpan = riskyPipe(script, df.text);
      if (!pipeSpan) continue;
      const shellInfo = shellOf(instr.state.shell);
      if (!shellInfo) continue;
      if (shellInfo.options.has('pipefail') || script.setOptions.has('pipefail')) continue;
      report({
        span: pipeSpan,
        message: `\`RUN\` with a pipe and no \`pipefail\`: a failure left of the \`|\` is ignored; ${pipefailAdvice(shellInfo.shell, sh)}`,
      });
    }

    // scripts the image runs on start: COPY <<EOF heredocs, and COPY'd files in project mode
    const final = df.stages[df.stages.length - 1];
    if (!final) return;
    const sh = binSh(df, final);
    for (const s of shellStartScripts(df, final, project)) {
      const pipeSpan = riskyPipe(s.script, s.kind === 'file' ? s.text : s.exact ? df.text : undefined);
      const pipe = pipeSpan !== undefined;
      if (s.script.statements <= 1 && !pipe) continue;
      const opts = strictOptions(s);
      const pf = supportsPipefail(s.shell, sh);
      const miss = missing(opts, pipe, pf);
      const name = s.contextPath ?? s.path ?? 'script';
      const what = s.kind === 'heredoc' ? `heredoc script \`${s.path}\`` : `\`${name}\` (run by ${s.runBy.keyword})`;
      if (miss.length > 0) {
        report({ span: s.anchor, message: `${what} has no ${describe(miss)}: ${consequence(miss, 'start')}; start it with \`${setLine(s.shell, pf)}\`` });
      } else if (pipe && pf !== true && !opts.has('pipefail')) {
        const line = s.exact ? '' : ` (line ${lineOf(s.text, pipeSpan.start)})`;
        const fix = pf === false ? `\`${s.shell === 'sh' ? '/bin/sh' : s.shell}\` has no \`pipefail\` here: use \`#!/bin/bash\` and \`set -euo pipefail\`` : 'use `#!/bin/bash` and `set -euo pipefail`';
        report({ span: s.anchor, message: `${what} pipes without \`pipefail\`${line}: ${fix}` });
      }
    }
  },
});
