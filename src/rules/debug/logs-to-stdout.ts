// DBG001: the app logs to stdout/stderr, not to files inside the container.
import { defineRule } from '../../lint/rule.js';
import { lineOf } from '../../dockerfile/lines.js';
import type { Instruction, Span } from '../../dockerfile/model.js';
import type { ShCommand, ShWord } from '../../dockerfile/shell.js';
import { isPython } from '../../dockerfile/commands.js';
import { expandWord } from '../../dockerfile/words.js';
import { finalStage, serverOf, startCommand, type Server } from '../../dockerfile/query.js';
import { imageFile } from '../../dockerfile/image-files.js';
import { startScripts } from '../../dockerfile/scripts.js';
import type { ProjectRuleContext } from '../../lint/rule.js';
import { fileLogging } from '../../project/file-logging.js';
import type { ScopeChecks } from '../../lint/rule.js';
import { secs } from '../../runtime/record.js';

/** Targets that are the container's own output streams (or deliberately nothing). */
const STREAM = /^(-|\/dev\/(stdout|stderr|null|tty|console)|\/dev\/fd\/[12]|\/proc\/(1|self)\/fd\/[12])$/;

/** Log-file flags per program. */
const LOG_FLAGS: Partial<Record<Server | 'celery', string[]>> = {
  gunicorn: ['--log-file', '--access-logfile', '--error-logfile'],
  hypercorn: ['--log-file', '--access-logfile', '--error-logfile'],
  uwsgi: ['--logto', '--logto2', '--daemonize', '--daemonize2'],
  celery: ['--logfile', '-f'],
  daphne: ['--access-log'],
};

/** Programs that only write files when redirected: their redirections are not the app's logs. */
const FILE_WRITERS = new Set([
  '', 'echo', 'printf', 'cat', 'envsubst', 'sed', 'awk', 'tee', 'jq', 'yq', 'sort', 'uniq', 'grep', 'cut', 'tr', 'head', 'tail',
  'date', 'openssl', 'base64', 'export', 'set', 'true', ':', 'printenv', 'hostname', 'id', 'whoami', 'ls', 'find', 'python-config',
]);

/** A word's value at run time: shell expansions resolved from the image's ENV; undefined when unknown. */
function runtimeValue(instr: Instruction | undefined, w: ShWord): string | undefined {
  if (!w.dynamic) return w.value;
  if (!instr || w.raw.includes('$(') || w.raw.includes('`')) return undefined;
  const e = expandWord(w.raw, (n) => instr.state.env.get(n));
  return e.unresolved.length > 0 ? undefined : e.value;
}

/** `--flag PATH` / `--flag=PATH` values that write logs to a file. */
function logFlags(cmd: ShCommand, instr: Instruction | undefined): { word: ShWord; flag: string; path: string }[] {
  const server = serverOf(cmd);
  const flags = server ? LOG_FLAGS[server] : undefined;
  if (!flags) return [];
  const out: { word: ShWord; flag: string; path: string }[] = [];
  const a = cmd.argv;
  for (let i = 1; i < a.length; i++) {
    const v = a[i]!.value;
    if (v === '--') break;
    for (const f of flags) {
      let word: ShWord | undefined;
      let prefix = '';
      if (v === f) word = a[++i];
      else if (f.startsWith('--') && v.startsWith(f + '=')) {
        word = a[i];
        prefix = f + '=';
      } else if (/^-[a-z]$/.test(f) && v.startsWith(f) && v.length > 2 && !v.startsWith('--')) {
        word = a[i];
        prefix = f;
      }
      if (!word) continue;
      const full = runtimeValue(instr, word);
      if (full === undefined || !full.startsWith(prefix)) break;
      const path = full.slice(prefix.length);
      if (path !== '' && !STREAM.test(path)) out.push({ word, flag: f, path });
      break;
    }
  }
  return out;
}

/** Output redirections of the app's command to a file. */
function logRedirects(cmd: ShCommand, isMain: boolean): { span: Span; target: string }[] {
  if (FILE_WRITERS.has(cmd.name)) return [];
  const app = isMain || serverOf(cmd) !== undefined || isPython(cmd) || cmd.name === 'celery' || cmd.wrappers.includes('exec') || cmd.background;
  if (!app) return [];
  const out: { span: Span; target: string }[] = [];
  for (const r of cmd.redirects) {
    if (!['>', '>>', '&>', '&>>', '>|'].includes(r.op)) continue;
    const t = r.target;
    if (!t || /^\d+$/.test(t) || t.includes('$') || t.includes('`') || STREAM.test(t)) continue;
    out.push({ span: r.span, target: t });
  }
  return out;
}

const GUNICORN_LOG = /^[ \t]*(accesslog|errorlog)[ \t]*=[ \t]*(['"])([^'"\n]*)\2/gm;

/** In a running container (`pyship smoke`): whether it printed anything while starting. */
const runtime: ScopeChecks = {
  checkRuntime({ record: r, report }) {
    if (!r.exited && r.logBytes === 0) report(`printed nothing to stdout/stderr in the first ${secs(r.windowMs)} s`);
  },
  runtimeRows: ({ figures: f }) => [{ label: 'printed at start', value: `${f.logBytes ?? 0} bytes`, afterExit: true }],
  runtimeExamples: [{ bad: { logBytes: 0, windowMs: 5000 }, good: { logBytes: 420, windowMs: 800 } }],
};

export default defineRule({
  code: 'DBG001',
  name: 'logs-to-stdout',
  title: 'Log to stdout/stderr',
  area: 'debug',
  severity: 'warning',
  scope: ['D', 'P', 'R'],
  sources: [],
  why: `A container's logs are what it writes to stdout and stderr: \`docker logs\`, Kubernetes, and every log shipper
read them there. A log file inside the container is invisible to all of them, grows until the disk fills, and
disappears with the container — exactly when you need it.

pyship flags, in the final image's ENTRYPOINT/CMD (also \`sh -c\` strings and entrypoint scripts written with
\`COPY <<EOF\`; in project mode the copied script the start command runs and a copied \`gunicorn.conf.py\`):
gunicorn/hypercorn \`--log-file\`/\`--access-logfile\`/\`--error-logfile\` with a path, uWSGI \`--logto\`/\`--daemonize\`,
celery \`--logfile\`/\`-f\`, daphne \`--access-log PATH\`, and \`>\`/\`>>\` redirections of the app's output to a file.
\`-\`, \`/dev/stdout\`, \`/dev/stderr\` and \`/proc/1/fd/1\` are fine; redirections of helper commands (\`echo … >
config.json\`) are not logs. In project mode the app's own code is read too: \`logging.basicConfig(filename=…)\` and
\`FileHandler\`/\`RotatingFileHandler\`/\`WatchedFileHandler\` in \`*.py\` files (tests and virtualenvs excepted) are
flagged where they are written. No peer linter checks this.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "--access-logfile", "/var/log/access.log", "app:app"]\n',
      good: 'FROM python:3.13-slim-trixie\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--error-logfile", "-", "app:app"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nCMD ["sh", "-c", "exec python app.py >> /app/app.log 2>&1"]\n',
      good: 'FROM python:3.13-slim-trixie\nCMD ["sh", "-c", "echo \\"$CONFIG\\" > /app/config.json && exec python app.py 2>&1"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nCOPY <<EOF /start.sh\n#!/bin/sh\nset -eu\nexec celery -A app worker --logfile=/var/log/celery.log\nEOF\nENTRYPOINT ["sh", "/start.sh"]\n',
      good: 'FROM python:3.13-slim-trixie\nCOPY <<EOF /start.sh\n#!/bin/sh\nset -eu\nexec celery -A app worker --logfile=/proc/1/fd/1\nEOF\nENTRYPOINT ["sh", "/start.sh"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY gunicorn.conf.py ./\nCMD ["gunicorn", "app:app"]\n',
      good: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY gunicorn.conf.py ./\nCMD ["gunicorn", "-c", "/etc/gunicorn.py", "app:app"]\n',
      files: { 'gunicorn.conf.py': 'bind = "0.0.0.0:8000"\naccesslog = "/var/log/gunicorn/access.log"\n' },
    },
  ],
  projectExamples: [
    {
      bad: { 'app/__init__.py': 'import logging\n\nlogging.basicConfig(level=logging.INFO, filename="/var/log/app.log")\n' },
      good: { 'app/__init__.py': 'import logging\nimport sys\n\nlogging.basicConfig(level=logging.INFO, stream=sys.stdout)\n' },
    },
    {
      bad: { 'app/logs.py': 'import logging.handlers\n\nhandler = logging.handlers.RotatingFileHandler("app.log", maxBytes=10_000_000)\n' },
      good: {
        'app/logs.py': 'import logging\n\nhandler = logging.StreamHandler()  # not logging.FileHandler("app.log")\n',
        'tests/test_logs.py': 'import logging\n\nlogging.FileHandler("test.log")\n',
      },
    },
  ],
  checkProject({ project, report }: ProjectRuleContext) {
    for (const f of fileLogging(project)) {
      report({
        file: f.file,
        span: f.span,
        // with a stream handler beside it the logs do reach `docker logs`: the file is only a copy filling the container
        message: f.alsoStream
          ? `\`${f.what}\` also writes the app's logs to a file inside the container: they already reach \`docker logs\` through the stream handler, so the file only fills the container's writable layer and is lost with it; drop the file handler (or write it to a mounted volume)`
          : `\`${f.what}\` writes the app's logs to a file in the container, invisible to \`docker logs\` and lost with it; log to stdout/stderr (\`logging.StreamHandler()\`, \`basicConfig(stream=sys.stdout)\`)`,
      });
    }
  },
  ...runtime,
  check({ dockerfile: df, mode, project, report }) {
    const final = finalStage(df);
    if (!final || final.base.scratch) return;
    const files = mode === 'project' ? project : undefined;
    const start = startCommand(df, final);
    const flagMsg = (flag: string, path: string, cmd: ShCommand): string => {
      const server = serverOf(cmd);
      const instead = server === 'gunicorn' || server === 'hypercorn' || server === 'daphne' ? `\`${flag} -\`` : `no \`${flag}\` (it logs to stderr by default)`;
      return `\`${server} ${flag} ${path}\` writes logs to a file in the container, invisible to \`docker logs\`; log to stdout/stderr with ${instead}`;
    };
    const redirMsg = (cmd: ShCommand, target: string): string =>
      `\`${cmd.name}\` output redirected to \`${target}\`: logs in a file are invisible to \`docker logs\` and lost with the container; log to stdout/stderr`;
    // the main command of each instruction: its last top-level command
    const lastOf = new Map<Instruction, ShCommand>();
    for (const { instr, cmd } of start.commands) if (!cmd.substitution) lastOf.set(instr, cmd);
    const gunicorns: { instr: Instruction; cmd: ShCommand }[] = [];
    for (const { instr, cmd } of start.commands) {
      for (const f of logFlags(cmd, instr)) report({ span: f.word.span, message: flagMsg(f.flag, f.path, cmd) });
      for (const r of logRedirects(cmd, lastOf.get(instr) === cmd)) report({ span: r.span, message: redirMsg(cmd, r.target) });
      if (serverOf(cmd) === 'gunicorn') gunicorns.push({ instr, cmd });
    }
    for (const s of startScripts(df, final, files)) {
      for (const cmd of s.script?.commands ?? []) {
        if (serverOf(cmd) === 'gunicorn') gunicorns.push({ instr: s.runBy, cmd });
        for (const f of logFlags(cmd, undefined)) report({ span: s.spanOf(f.word.span), message: `${flagMsg(f.flag, f.path, cmd)} (${s.describe(f.word.span)})` });
        for (const r of logRedirects(cmd, false)) report({ span: s.spanOf(r.span), message: `${redirMsg(cmd, r.target)} (${s.describe(r.span)})` });
      }
    }
    // gunicorn's config file: -c PATH, or ./gunicorn.conf.py in the working directory
    const seen = new Set<string>();
    for (const { instr, cmd } of gunicorns) {
      const a = cmd.argv;
      let conf: string | undefined;
      for (let i = 1; i < a.length; i++) {
        const v = a[i]!.value;
        if (v === '-c' || v === '--config') conf = a[i + 1]?.value;
        else if (v.startsWith('--config=')) conf = v.slice('--config='.length);
        else if (v.startsWith('-c') && v.length > 2 && !v.startsWith('--')) conf = v.slice(2);
      }
      if (conf?.startsWith('python:') || conf?.includes('$')) continue;
      const workdir = instr.state.workdir ?? '/';
      const rel = conf ?? 'gunicorn.conf.py';
      const path = rel.startsWith('/') ? rel : workdir + '/' + rel;
      if (seen.has(path)) continue;
      seen.add(path);
      const file = imageFile(df, final, path, files);
      if (!file) continue;
      for (const m of file.text.matchAll(GUNICORN_LOG)) {
        const value = m[3]!;
        if (value === '' || STREAM.test(value)) continue;
        const line = lineOf(file.text, m.index);
        const span = file.heredoc
          ? { start: file.heredoc.contentSpan.start + m.index!, end: file.heredoc.contentSpan.start + m.index! + m[0].length }
          : file.word!.span;
        report({ span, message: `\`${m[1]} = "${value}"\` in \`${file.contextPath ?? file.path}\` line ${line} writes gunicorn's logs to a file; use \`"-"\` (stdout/stderr)` });
      }
    }
  },
});
