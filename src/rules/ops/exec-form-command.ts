// OPS003: ENTRYPOINT/CMD in exec (JSON) form, so the app is PID 1 and gets SIGTERM.
import { defineRule } from '../../lint/rule.js';
import type { Instruction } from '../../dockerfile/model.js';
import { isPosixShell, runScript } from '../../dockerfile/shell.js';
import { finalStage, instructionEdit, startCommand } from '../../dockerfile/query.js';

/** Shell builtins and keywords: they cannot be exec'd as a program. */
const BUILTINS = new Set([
  'exec', 'cd', 'export', 'set', 'source', '.', 'eval', 'if', 'for', 'while', 'until', 'case', 'trap', 'ulimit', 'umask',
  'wait', 'command', 'builtin', 'alias', 'read', 'unset', 'shift', 'exit', 'return', 'declare', 'local', 'typeset',
  'readonly', 'let', '{', '(', '[[', '!', 'function', 'select', 'time', 'coproc', ':',
]);

/** The words of a shell-form command when it is a plain list of words (no expansion, no operators); else undefined. */
export function plainWords(args: string): string[] | undefined {
  const words: string[] = [];
  let i = 0;
  const n = args.length;
  while (i < n) {
    while (i < n && /\s/.test(args[i]!)) i++;
    if (i >= n) break;
    let w = '';
    let quoted = false;
    while (i < n && !/\s/.test(args[i]!)) {
      const ch = args[i]!;
      if (ch === "'") {
        const end = args.indexOf("'", i + 1);
        if (end < 0) return undefined;
        w += args.slice(i + 1, end);
        quoted = true;
        i = end + 1;
      } else if (ch === '"') {
        const end = args.indexOf('"', i + 1);
        if (end < 0) return undefined;
        const inner = args.slice(i + 1, end);
        if (/[$`\\!]/.test(inner)) return undefined;
        w += inner;
        quoted = true;
        i = end + 1;
      } else if (/[$`\\|&;<>*?~(){}[\]#!=]/.test(ch)) {
        // `=` only matters in a leading assignment; allow it inside later words (`--bind=0.0.0.0:8000`)
        if (ch === '=' && words.length > 0) {
          w += ch;
          i++;
          continue;
        }
        return undefined;
      } else {
        w += ch;
        i++;
      }
    }
    if (w === '' && !quoted) continue;
    words.push(w);
  }
  if (words.length === 0 || BUILTINS.has(words[0]!)) return undefined;
  return words;
}

/** The default shell: a converted command loses nothing else the SHELL instruction added. */
function defaultShell(instr: Instruction): boolean {
  const sh = instr.state.shell;
  return sh.length === 2 && sh[0] === '/bin/sh' && sh[1] === '-c';
}

export default defineRule({
  code: 'OPS003',
  name: 'exec-form-command',
  title: 'Exec form for ENTRYPOINT/CMD',
  area: 'ops',
  severity: 'error',
  scope: ['D'],
  fix: 'unsafe',
  sources: ['buildkit:JSONArgsRecommended', 'hadolint:DL3025'],
  why: `The shell form (\`CMD gunicorn app:app\`) runs \`/bin/sh -c "gunicorn app:app"\`: the shell is PID 1, and
\`docker stop\`'s SIGTERM goes to the shell, which does not pass it on. The app never shuts down gracefully; after
10 seconds it is killed, mid-request. (Some shells replace themselves with a lone simple command, but not all, and not
once the command has an \`&&\`, a redirect or a variable.) The exec form (\`CMD ["gunicorn", "app:app"]\`) runs the
program directly. A shell-form \`ENTRYPOINT\` also makes Docker ignore \`CMD\` and any \`docker run IMAGE args\`.

\`CMD exec gunicorn …\` is accepted: the shell replaces itself with the app. Unlike BuildKit's JSONArgsRecommended,
an explicit \`SHELL\` does not silence this (a bash PID 1 drops SIGTERM just the same); Windows shells are skipped.

The fix rewrites a command that is a plain list of words as a JSON array. It is unsafe because the shell no longer
expands anything at start, and a converted \`ENTRYPOINT\` starts receiving \`CMD\` as arguments.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nCMD gunicorn --bind 0.0.0.0:8000 app:app\n',
      good: 'FROM python:3.13-slim-trixie\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nENTRYPOINT python -m app\n',
      good: 'FROM python:3.13-slim-trixie\nENTRYPOINT ["python", "-m", "app"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nCMD python manage.py migrate && gunicorn app.wsgi\n',
      good: 'FROM python:3.13-slim-trixie\nCMD exec gunicorn --bind 0.0.0.0:$PORT app.wsgi\n',
    },
  ],
  check({ dockerfile: df, report }) {
    const final = finalStage(df);
    if (!final) return;
    const start = startCommand(df, final);
    for (const instr of [start.entrypoint, start.cmd]) {
      if (!instr || instr.json || instr.onbuild || !isPosixShell(instr)) continue;
      if (instr.args.trim() === '') continue;
      const script = runScript(instr);
      if (!script) continue;
      // `CMD exec app …` (or `… && exec app`): the shell replaces itself with the app
      const top = script.commands.filter((c) => !c.nested && c.depth === 0 && !c.substitution);
      const lastStmt = top.filter((c) => c.statement === script.statements - 1);
      const lastCmd = lastStmt[lastStmt.length - 1];
      if (lastCmd && lastCmd.wrappers[0] === 'exec' && lastCmd.pipeLength === 1 && !lastCmd.background) continue;
      const isEntrypoint = instr.keyword === 'ENTRYPOINT';
      const ignoredCmd = isEntrypoint && start.cmd ? ' (and makes Docker ignore `CMD`)' : '';
      const badJson = /^\[\s*(['"]|\])/.test(instr.args.trim()) && instr.args.trim().endsWith(']');
      const message = badJson
        ? `\`${instr.keyword}\` is not a valid JSON array (strings need double quotes), so Docker runs it as shell form under \`/bin/sh -c\`${ignoredCmd}: fix the JSON`
        : `shell-form \`${instr.keyword}\` runs under \`/bin/sh -c\`${ignoredCmd}: the app does not get SIGTERM on \`docker stop\`; use the exec form \`${instr.keyword} ["…"]\``;
      let fix: { description: string; edits: { start: number; end: number; text: string }[] } | undefined;
      const raw = df.text.slice(instr.argsSpan.start, instr.argsSpan.end);
      const words = instr.heredocs.length === 0 && !/^\s*#/m.test(raw) ? plainWords(instr.args) : undefined;
      // converting ENTRYPOINT while a CMD is in effect would start passing CMD as arguments
      if (words && !(isEntrypoint && start.cmd) && defaultShell(instr)) {
        fix = {
          description: `rewrite as \`${instr.keyword} ${JSON.stringify(words).replace(/","/g, '", "')}\``,
          edits: [instructionEdit(df, instr, [{ start: instr.argsSpan.start, end: instr.argsSpan.end, text: '[' + words.map((w) => JSON.stringify(w)).join(', ') + ']' }])],
        };
      }
      report({ span: instr.argsSpan, message, fix });
    }
  },
});
