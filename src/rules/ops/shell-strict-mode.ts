// OPS002: shell scripts run in strict mode (`set -euo pipefail`), and a RUN with a pipe has `pipefail`.
import { defineRule } from '../../lint/rule.js';
import type { Dockerfile, Instruction, Span, Stage } from '../../dockerfile/model.js';
import { runScript, type ShCommand, type ShellScript } from '../../dockerfile/shell.js';
import { SHELLS, shebang, shellOptionsOf, shellStartScripts, type ShellStartScript } from '../../dockerfile/scripts.js';
import { lineOf } from '../../dockerfile/lines.js';
import { copyOperands, finalEnv } from '../../dockerfile/query.js';
import { scriptNeeds } from './_script-needs.js';
import type { Project } from '../../project/model.js';
import type { ShellCheckComment } from '../../project/shellcheck-json.js';
import type { Report, Severity } from '../../lint/rule.js';
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

/** The `set` line a start script should begin with: only the options it needs (pipefail where its shell has it). */
function startSetLine(e: boolean, u: boolean, pipefailWanted: boolean, pf: boolean | undefined): string {
  const flags = (e ? 'e' : '') + (u ? 'u' : '');
  const withPf = pipefailWanted && pf === true;
  return withPf ? `set -${flags}o pipefail` : `set -${flags}`;
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

/** The first line of a text (the shebang when there is one), without its line break. */
function firstLine(text: string): Span {
  const nl = text.indexOf('\n');
  const end = nl < 0 ? text.length : nl;
  return { start: 0, end: end > 0 && text[end - 1] === '\r' ? end - 1 : end };
}

const SC_SEVERITY: Record<ShellCheckComment['level'], Severity> = { error: 'error', warning: 'warning', info: 'info', style: 'info' };

/** A script ShellCheck looks at: its text, the shell that runs it, and where its findings go. */
interface CheckedScript {
  text: string;
  shell: string;
  /** Root-relative path of a context file; undefined for a heredoc in the Dockerfile. */
  file?: string;
  /** Offset of the text in the Dockerfile when a heredoc's spans map exactly; else findings go to `anchor`. */
  base?: number;
  anchor: Span;
  name: string;
}

const GLOB = /[*?[]/;

/** The `*.sh` files COPY/ADD bring from the build context (named or matched by a glob in the file name), and `COPY <<EOF x.sh`. */
function copiedShellFiles(df: Dockerfile, project: Project): CheckedScript[] {
  const out: CheckedScript[] = [];
  for (const instr of df.instructions) {
    const ops = copyOperands(df, instr);
    if (!ops || ops.from !== undefined) continue;
    if (ops.heredoc && instr.heredocs.length === 1 && ops.sources.length === 0 && ops.destPath?.endsWith('.sh') && !(ops.dest ?? '').endsWith('/')) {
      const h = instr.heredocs[0]!;
      const exact = df.text.slice(h.contentSpan.start, h.contentSpan.start + h.content.length) === h.content && (h.quoted || !/\\[\\$`]/.test(h.content));
      const bang = shebang(h.content);
      const shell = bang ? bang.shell : 'sh';
      out.push({ text: h.content, shell, base: exact ? h.contentSpan.start : undefined, anchor: h.markerSpan, name: ops.destPath });
      continue;
    }
    for (const src of ops.sources) {
      const v = src.value;
      if (v === undefined || !v.endsWith('.sh') || /^[a-z][a-z0-9+.-]*:\/\//i.test(v) || /^git@/.test(v)) continue;
      const rel = v.split('/').filter((x) => x !== '' && x !== '.').join('/');
      let paths: string[] = [];
      if (!GLOB.test(rel)) paths = [rel];
      else if (!GLOB.test(rel.slice(0, rel.lastIndexOf('/') + 1))) {
        const dir = rel.slice(0, rel.lastIndexOf('/') + 1);
        const re = new RegExp('^' + rel.slice(dir.length).replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') + '$');
        const rootDir = project.fromContext(dir.replace(/\/+$/, '') || '.');
        const prefix = rootDir === '' || rootDir === '.' ? '' : rootDir + '/';
        paths = project.find((f) => f.startsWith(prefix) && !f.slice(prefix.length).includes('/') && re.test(f.slice(prefix.length)))
          .slice(0, 50).map((f) => dir + f.slice(prefix.length));
      }
      for (const cp of paths) {
        const text = project.read(cp);
        if (text === undefined) continue;
        const bang = shebang(text);
        out.push({ text, shell: bang ? bang.shell : 'sh', file: project.fromContext(cp), anchor: src.span, name: cp });
      }
    }
  }
  return out;
}

/** ShellCheck's comments on one script (the project's results) as reports: in the script file, at the heredoc's line, or at the COPY. */
function shellcheckReports(s: CheckedScript, project: Project): Report[] {
  const out: Report[] = [];
  for (const c of project.shellcheck(s.text, s.shell)) {
    const wiki = `https://www.shellcheck.net/wiki/${c.code}`;
    const severity = SC_SEVERITY[c.level];
    if (s.file !== undefined) {
      out.push({ code: c.code, severity, file: s.file, span: c.span, message: `${c.message} (ShellCheck, ${wiki})` });
    } else if (s.base !== undefined) {
      out.push({ code: c.code, severity, span: { start: s.base + c.span.start, end: s.base + c.span.end }, message: `${c.message} (ShellCheck, ${wiki})` });
    } else {
      out.push({ code: c.code, severity, span: s.anchor, message: `\`${s.name}\` line ${c.line}: ${c.message} (ShellCheck, ${wiki})` });
    }
  }
  return out;
}

/** A start script as ShellCheck input. */
function startScriptInput(s: ShellStartScript, project: Project): CheckedScript | undefined {
  if (s.kind === 'file' && s.contextPath !== undefined) {
    return { text: s.text, shell: s.shell, file: project.fromContext(s.contextPath), anchor: s.anchor, name: s.contextPath };
  }
  if (s.kind === 'heredoc' && s.heredoc) {
    return { text: s.text, shell: s.shell, base: s.exact ? s.heredoc.contentSpan.start : undefined, anchor: s.anchor, name: s.path ?? 'script' };
  }
  return undefined;
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
(\`set -eu\` for \`/bin/sh\` scripts); a one-command script is left alone. For start scripts pyship advises only
what the script needs and can take: \`-e\` when a command's failure would go unnoticed (not one tested by
\`if\`/\`while\`/\`until\`, \`||\`/\`&&\` or \`!\`), and never in a script that tests \`$?\` itself (a retry loop
such as \`flask deploy; if [ "$?" = "0" ]; then break; fi\`, which \`set -e\` would end at the first failure);
\`-u\` when it expands a variable, naming the variables its conditions test bare (\`[ "$DATABASE" = postgres ]\`)
that the image does not set, which need \`\${DATABASE:-}\` first.

Like hadolint DL4006, a \`RUN\` with a pipe needs \`pipefail\`, either from \`SHELL ["/bin/bash", "-o", "pipefail",
"-c"]\` or \`set -o pipefail\` in that RUN (hadolint accepts only the first). Unlike it, pyship never tells you to
\`set -o pipefail\` in a shell that lacks it: \`/bin/sh\` is dash on Debian and Ubuntu images (python slim included),
where the fix is a \`SHELL\` with bash; on Alpine busybox \`sh\` has \`pipefail\`. Pipes fed by \`echo\`/\`printf\`/\`yes\`
are not flagged: nothing on their left can fail (and \`yes\` would make pipefail fail the build).

In project mode, a finding about a script COPY'd from the project points at the script itself (its first line for
missing strict mode), and when [ShellCheck](https://www.shellcheck.net) is installed pyship runs it on the scripts the
image runs (ENTRYPOINT/CMD scripts, \`COPY <<EOF\` scripts and every \`*.sh\` file a COPY names) and reports its
findings under their own codes (\`SC2086\`…; \`ignore = ["SC"]\` turns them all off): ShellCheck errors as errors,
warnings as warnings, info and style as info. Unlike hadolint it does not run ShellCheck on every \`RUN\`: a process per
RUN is too slow for big repositories, and RUN lines are already checked by pyship's own rules. Without ShellCheck on
PATH (or in Dockerfile-only mode) this part is skipped; \`# shellcheck disable=SC2086\` in a script works as usual.`,
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
    {
      bad: 'FROM python:3.13-slim-trixie\nCOPY docker/entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n',
      good: 'FROM python:3.13-slim-trixie\nCOPY docker/start.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n',
      files: {
        'docker/entrypoint.sh': '#!/bin/sh\npython manage.py check\nexec "$@"\n',
        'docker/start.sh': '#!/bin/sh\nset -eu\npython manage.py check\nexec "$@"\n',
      },
    },
    {
      // a deliberate `$?` retry loop: `set -e` would end the script at the first failed try
      bad: 'FROM python:3.13-slim-trixie\nCOPY boot.sh /boot.sh\nENTRYPOINT ["/boot.sh"]\n',
      good: 'FROM python:3.13-slim-trixie\nCOPY retry.sh /boot.sh\nENTRYPOINT ["/boot.sh"]\n',
      files: {
        'boot.sh': '#!/bin/sh\nflask deploy\nexec gunicorn -b :5000 app:app\n',
        'retry.sh': '#!/bin/sh\nwhile true; do\n  flask deploy\n  if [ "$?" = "0" ]; then break; fi\n  sleep 5\ndone\nflask translate compile || echo "no translations"\nexec gunicorn -b :5000 app:app\n',
      },
    },
    {
      // nothing in a wait-then-exec script can fail unnoticed and it reads no variable: no `set` needed
      bad: 'FROM python:3.13-slim-trixie\nCOPY entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n',
      good: 'FROM python:3.13-slim-trixie\nCOPY wait.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n',
      files: {
        'entrypoint.sh': '#!/bin/sh\nwhile ! nc -z "$DB_HOST" 5432; do sleep 0.1; done\nexec "$@"\n',
        'wait.sh': '#!/bin/sh\necho "Waiting for postgres..."\nuntil nc -z db 5432; do\n  sleep 0.1\ndone\nexec "$@"\n',
      },
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
    const known = new Set(finalEnv(df, final).keys());
    for (const s of shellStartScripts(df, final, project)) {
      const pipeSpan = riskyPipe(s.script, s.kind === 'file' ? s.text : s.exact ? df.text : undefined);
      const pipe = pipeSpan !== undefined;
      if (s.script.statements <= 1 && !pipe) continue;
      const opts = strictOptions(s);
      const pf = supportsPipefail(s.shell, sh);
      const needs = scriptNeeds(s.script, s.text, known);
      // advise only what the script needs and can take: no `-e` where nothing can fail unnoticed or where it tests
      // `$?` itself (a retry loop `set -e` would end), no `-u` where no variable is expanded
      const wantE = opts.has('e') || (needs.unhandled && !needs.testsStatus);
      const wantU = opts.has('u') || needs.expands;
      const miss = missing(opts, pipe, pf).filter((m) => (m === 'e' ? wantE : m === 'u' ? wantU : true));
      const name = s.contextPath ?? s.path ?? 'script';
      const what = s.kind === 'heredoc' ? `heredoc script \`${s.path}\`` : `\`${name}\` (run by ${s.runBy.keyword})`;
      // a COPY'd context file: the finding goes into the script itself (project mode)
      const file = s.kind === 'file' && s.contextPath !== undefined && project ? project.fromContext(s.contextPath) : undefined;
      if (miss.length > 0) {
        const line = startSetLine(wantE, wantU, pipe || s.shell === 'bash', pf);
        const optional = miss.includes('u') && needs.optional.length > 0
          ? ` (and write ${needs.optional.slice(0, 3).map((v) => `\`\${${v}:-}\``).join(', ')} where ${needs.optional.length === 1 ? 'it' : 'they'} may be unset)`
          : '';
        const keepStatus = needs.testsStatus && !opts.has('e') ? '; it tests `$?` itself, which `set -e` would cut short, so leave `-e` off' : '';
        const message = `${what} has no ${describe(miss)}: ${consequence(miss, 'start')}; start it with \`${line}\`${optional}${keepStatus}`;
        if (file !== undefined) report({ file, span: firstLine(s.text), message });
        else report({ span: s.anchor, message });
      } else if (pipe && pf !== true && !opts.has('pipefail')) {
        const fix = pf === false ? `\`${s.shell === 'sh' ? '/bin/sh' : s.shell}\` has no \`pipefail\` here: use \`#!/bin/bash\` and \`set -euo pipefail\`` : 'use `#!/bin/bash` and `set -euo pipefail`';
        if (file !== undefined) report({ file, span: pipeSpan, message: `${what} pipes without \`pipefail\`: ${fix}` });
        else {
          const line = s.exact ? '' : ` (line ${lineOf(s.text, pipeSpan.start)})`;
          report({ span: s.anchor, message: `${what} pipes without \`pipefail\`${line}: ${fix}` });
        }
      }
    }

    // ShellCheck (project mode only: a subprocess, and Dockerfile-only results must not depend on what is installed) on
    // the scripts the image runs and the `*.sh` files it copies, each once
    if (!project) return;
    const inputs: CheckedScript[] = [];
    for (const s of shellStartScripts(df, final, project)) {
      const input = startScriptInput(s, project);
      if (input) inputs.push(input);
    }
    inputs.push(...copiedShellFiles(df, project));
    const seen = new Set<string>();
    for (const input of inputs) {
      const key = input.file ?? `${input.anchor.start}:${input.anchor.end}`;
      if (seen.has(key)) continue;
      seen.add(key);
      for (const r of shellcheckReports(input, project)) report(r);
    }
  },
});
