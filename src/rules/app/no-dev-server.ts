// APP009: development servers and debug switches don't belong in the production image.
import { defineRule, type ProjectRuleContext } from '../../lint/rule.js';
import type { Dockerfile, Instruction, Stage } from '../../dockerfile/model.js';
import { keyValues } from '../../dockerfile/arguments.js';
import { chainInstructions, finalStage, runTarget, serverOf, startCommand, type Server } from '../../dockerfile/query.js';
import { startScripts } from '../../dockerfile/scripts.js';
import { parseShell, type ShCommand } from '../../dockerfile/shell.js';
import { expandWord } from '../../dockerfile/words.js';
import { isProjectImage, k8sContainers, procfileEntries, productionServices } from '../../project/runtime.js';
import type { Span } from '../../dockerfile/model.js';

const TRUE = /^(1|true|yes|on)$/i;
/** Debug switches: variable → predicate on its value. */
const SWITCHES: Record<string, (v: string) => boolean> = {
  FLASK_DEBUG: (v) => TRUE.test(v),
  FLASK_ENV: (v) => v.toLowerCase() === 'development',
  DJANGO_DEBUG: (v) => TRUE.test(v),
  DEBUG: (v) => TRUE.test(v),
};
/** Stage names and Dockerfile names that say "this image is for development". */
const DEV = /(^|[._-])(dev|devel|develop|development|local|debug|test|tests|testing)([._-]|$)/i;

/** What makes the command a development server, or undefined. */
function devServer(start: ShCommand): string | undefined {
  const cmd = runTarget(start);
  if (!cmd) return undefined;
  const server: Server | undefined = serverOf(cmd);
  const has = (f: string) => cmd.argv.some((w) => w.value === f || w.value.startsWith(f + '='));
  switch (server) {
    case 'flask-run': return '`flask run`';
    case 'runserver': return '`runserver`';
    case 'fastapi-run': return cmd.argv.some((w) => w.value === 'dev') ? '`fastapi dev`' : undefined;
    case 'uvicorn': case 'hypercorn': case 'gunicorn': case 'granian': case 'daphne':
      if (has('--reload')) return `\`${server} --reload\` (restarts the app on file changes)`;
      return undefined;
    default:
      return undefined;
  }
}

/** An exec-form list (`["flask", "run"]`) as shell text, with where each element starts in it. */
function listText(parts: { words: string[]; span: Span }[]): { text: string; owner: (offset: number) => Span } {
  let text = '';
  const starts: { at: number; span: Span }[] = [];
  for (const p of parts) {
    for (const w of p.words) {
      if (text) text += ' ';
      starts.push({ at: text.length, span: p.span });
      text += `'${w.replace(/'/g, `'\\''`)}'`;
    }
  }
  return { text, owner: (o) => [...starts].reverse().find((s) => s.at <= o)?.span ?? parts[0]!.span };
}

/** The first development server a command (string or exec-form list parts) starts: what it is and the span to report. */
function devServerIn(parts: { value: string | string[]; span: Span }[]): { what: string; span: Span } | undefined {
  if (parts.length === 0) return undefined;
  if (parts.length === 1 && typeof parts[0]!.value === 'string') {
    for (const cmd of parseShell(parts[0]!.value).commands) {
      const what = devServer(cmd);
      if (what) return { what, span: parts[0]!.span };
    }
    return undefined;
  }
  const { text, owner } = listText(parts.map((p) => ({ words: typeof p.value === 'string' ? [p.value] : p.value, span: p.span })));
  for (const cmd of parseShell(text).commands) {
    const what = devServer(cmd);
    // a `sh -c '…'` string's commands have offsets inside the quoted word: still owned by that word
    if (what) return { what, span: owner(cmd.span.start) };
  }
  return undefined;
}

const FIX = 'serve with gunicorn or uvicorn workers, without reloading';

/** The ENV instructions of the chain that leave a debug switch on in the final image (the last assignment wins). */
function debugEnv(df: Dockerfile, stage: Stage): { instr: Instruction; key: string; value: string; span: { start: number; end: number } }[] {
  const last = new Map<string, { instr: Instruction; key: string; value: string | undefined; span: { start: number; end: number } }>();
  for (const instr of chainInstructions(df, stage)) {
    if (instr.keyword !== 'ENV') continue;
    const lookup = (n: string) => instr.state.env.get(n) ?? instr.state.args.get(n) ?? undefined;
    for (const kv of keyValues(instr, df.escape)) {
      if (!(kv.key in SWITCHES)) continue;
      const e = kv.rawValue === undefined ? { value: '', unresolved: [] } : expandWord(kv.rawValue, lookup, df.escape);
      last.set(kv.key, { instr, key: kv.key, value: e.unresolved.length > 0 ? undefined : e.value, span: kv.span });
    }
  }
  const out = [];
  for (const x of last.values()) if (x.value !== undefined && SWITCHES[x.key]!(x.value.trim())) out.push({ ...x, value: x.value });
  return out;
}

export default defineRule({
  code: 'APP009',
  name: 'no-dev-server',
  title: 'No development servers in production',
  area: 'app',
  severity: 'warning',
  scope: ['D', 'P'],
  sources: [],
  why: `\`flask run\` and \`manage.py runserver\` are development servers: single-process, unhardened, documented as
not for production, and they serve static files and tracebacks. \`--reload\` watches the file system and restarts
the app on changes, and \`fastapi dev\` turns it on. Debug switches in the image's ENV (\`FLASK_DEBUG=1\`,
\`FLASK_ENV=development\`, \`DJANGO_DEBUG=1\`, \`DEBUG=true\`) show stack traces and settings to anyone who triggers an
error, and Werkzeug's debugger even runs code.

Serve with gunicorn (Flask, Django) or uvicorn/gunicorn with uvicorn workers (FastAPI), and set debug switches at run
time for local development only. pyship checks the final stage's start command (including \`sh -c\` strings and start
scripts it can read) and its ENV. An image that declares itself a development image — a final stage named \`dev\`,
\`local\`, \`test\`…, or a Dockerfile named \`Dockerfile.dev\`, \`local.Dockerfile\` — is not flagged. In a project,
pyship also checks the commands that override the image's: the \`Procfile\` \`web:\` process, \`command:\` /
\`entrypoint:\` of compose services that run the project's image (compose files for development or tests, such as
\`docker-compose.dev.yml\` or \`compose.override.yaml\`, and services that bind-mount the project's code over the
image, such as \`volumes: [".:/app"]\`, which run the working tree for development, are left alone), and \`command\` / \`args\` of Kubernetes and
Knative containers running the project's image. No peer linter checks this.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\nCMD ["flask", "run", "--host", "0.0.0.0"]\n',
      good: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\nCMD ["uvicorn", "app:app", "--host", "0.0.0.0", "--reload"]\n',
      good: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\nCMD ["uvicorn", "app:app", "--host", "0.0.0.0"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nENV DJANGO_DEBUG=True\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "site.wsgi"]\n',
      good: 'FROM python:3.13-slim-trixie\nENV DJANGO_DEBUG=False\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "site.wsgi"]\n',
    },
    {
      // a development target that isn't the final stage is not what gets shipped
      bad: 'FROM python:3.13-slim-trixie AS base\nCOPY . /app\nFROM base AS prod\nCMD ["python", "manage.py", "runserver", "0.0.0.0:8000"]\n',
      good: 'FROM python:3.13-slim-trixie AS base\nCOPY . /app\nFROM base AS dev\nCMD ["python", "manage.py", "runserver", "0.0.0.0:8000"]\nFROM base AS prod\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "site.wsgi"]\n',
    },
  ],
  projectExamples: [
    {
      bad: { Procfile: 'web: flask --app app run --host 0.0.0.0 --port $PORT\nworker: celery -A app worker\n' },
      good: { Procfile: 'web: gunicorn --bind 0.0.0.0:$PORT app:app\nworker: celery -A app worker\n' },
    },
    {
      bad: { 'compose.yaml': 'services:\n  web:\n    build: .\n    command: uvicorn app:app --host 0.0.0.0 --reload\n  db:\n    image: postgres:17\n' },
      // a development compose file may reload
      good: {
        'compose.yaml': 'services:\n  web:\n    build: .\n    command: ["uvicorn", "app:app", "--host", "0.0.0.0"]\n',
        'compose.dev.yaml': 'services:\n  web:\n    build: .\n    command: uvicorn app:app --host 0.0.0.0 --reload\n',
      },
    },
    {
      // a service that mounts the working tree over the image is a development setup, whatever the file is called
      bad: { 'docker-compose.yml': 'services:\n  web:\n    build: .\n    command: python manage.py runserver 0.0.0.0:8000\n    volumes:\n      - media:/app/media\n', 'manage.py': 'import django\n' },
      good: { 'docker-compose.yml': 'services:\n  web:\n    build: .\n    command: python manage.py runserver 0.0.0.0:8000\n    volumes:\n      - .:/app\n', 'manage.py': 'import django\n' },
    },
    {
      bad: {
        'k8s/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: example\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: ghcr.io/acme/example:1.0\n          command: ["python"]\n          args: ["manage.py", "runserver", "0.0.0.0:8000"]\n',
      },
      good: {
        'k8s/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: example\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: ghcr.io/acme/example:1.0\n          args: ["gunicorn", "--bind", "0.0.0.0:8000", "site.wsgi"]\n',
      },
    },
  ],
  checkProject({ project, report }: ProjectRuleContext) {
    // the platform's web process
    for (const e of procfileEntries(project)) {
      if (e.type !== 'web') continue;
      for (const cmd of parseShell(e.command, (i) => e.commandSpan.start + i).commands) {
        const what = devServer(cmd);
        if (what) {
          report({ file: e.file, span: cmd.nested ? e.commandSpan : cmd.span, message: `${what} in the Procfile \`web\` process is development-only: ${FIX}` });
          break;
        }
      }
    }
    // production compose services that run the project's image
    for (const { file: c, service: s } of productionServices(project)) {
      // `command:` alone (an entrypoint script usually execs it), else `entrypoint:` alone
      const found = (s.command && devServerIn([s.command])) ?? (s.entrypoint && devServerIn([s.entrypoint]));
      if (found) report({ file: c.path, span: found.span, message: `compose service \`${s.name}\` runs ${found.what}, which is development-only: ${FIX}` });
    }
    // Kubernetes / Knative containers that run the project's image: `command` (+ `args`), else `args` alone
    for (const k of k8sContainers(project)) {
      if (k.initContainer || !k.image || !isProjectImage(project, k.image.value)) continue;
      const found = (k.command && devServerIn(k.args ? [k.command, k.args] : [k.command])) ?? (k.args && devServerIn([k.args]));
      if (found) report({ file: k.file, span: found.span, message: `container \`${k.name || k.image.value}\` of ${k.kind} \`${k.workload}\` runs ${found.what}, which is development-only: ${FIX}` });
    }
  },
  check({ dockerfile: df, mode, project, report }) {
    const final = finalStage(df);
    if (!final) return;
    if (final.name && DEV.test(final.name)) return;
    // the file's name and its two nearest directories (compose/local/django/Dockerfile)
    const parts = df.path.split(/[\\/]/);
    const file = (parts.pop() ?? '').replace(/^(Docker|Container)file/i, '-').replace(/\.?(Docker|Container)file$/i, '-');
    if ([file, ...parts.slice(-2)].some((p) => DEV.test(p))) return;
    for (const { instr, cmd } of startCommand(df, final).commands) {
      const what = devServer(cmd);
      if (what) report({ span: cmd.span, message: `${what} in ${instr.keyword} is development-only: serve with gunicorn or uvicorn workers, without reloading` });
    }
    for (const s of startScripts(df, final, mode === 'project' ? project : undefined)) {
      for (const cmd of s.script?.commands ?? []) {
        const what = devServer(cmd);
        if (what) report({ span: s.spanOf(cmd.span), message: `${what} in ${s.describe(cmd.span)} is development-only: serve with gunicorn or uvicorn workers, without reloading` });
      }
    }
    for (const d of debugEnv(df, final)) {
      report({ span: d.span, message: `\`${d.key}=${d.value}\` stays on in the final image: debug mode shows tracebacks and settings to anyone; set it at run time for development only` });
    }
  },
});
