// APP004: a server that handles one request at a time lets one slow client starve the health check.
import { defineRule } from '../../lint/rule.js';
import {
  finalStage, serverOf, startCommand,
} from '../../dockerfile/query.js';
import { startScripts } from '../../dockerfile/scripts.js';
import { gunicornSettings, startedServers, uwsgiSettings, type ServerSettings } from '../../dockerfile/servers.js';
import type { ScopeChecks } from '../../lint/rule.js';
import { NOT_HTTP_ROW, seconds } from '../../runtime/record.js';

/** Sync-style gunicorn worker classes: one request per thread. */
const SYNC_CLASSES = new Set(['sync', 'gthread', 'gunicorn.workers.sync.SyncWorker', 'gunicorn.workers.gthread.ThreadWorker', 'egg:gunicorn#sync', 'egg:gunicorn#gthread']);

/** A setting as a whole number, 'default' when absent, undefined when it can't be known. */
function count(s: ServerSettings, key: string): number | 'default' | undefined {
  if (s.expressions.has(key)) return undefined;
  const v = s.values.get(key);
  if (v === undefined) return 'default';
  return /^\s*\d+\s*$/.test(v) ? Number(v) : undefined;
}

/** Why a gunicorn setup serves one request at a time, or undefined when it doesn't (or can't be known). */
function gunicornSingle(s: ServerSettings): string | undefined {
  if (s.unknown) return undefined;
  const workers = count(s, 'workers');
  const threads = count(s, 'threads');
  if (workers === undefined || threads === undefined || s.expressions.has('worker_class')) return undefined;
  const cls = s.values.get('worker_class') ?? 'sync';
  if (!SYNC_CLASSES.has(cls)) return undefined;
  if (workers !== 'default' && workers > 1) return undefined;
  if (threads !== 'default' && threads > 1) return undefined;
  const what = cls === 'sync' ? 'one sync worker and no threads' : `one \`${cls}\` worker with one thread`;
  return workers === 'default' && threads === 'default' && cls === 'sync' ? `${what} (its default)` : what;
}

function uwsgiSingle(s: ServerSettings): string | undefined {
  if (s.unknown) return undefined;
  for (const key of ['processes', 'workers', 'threads', 'async', 'gevent', 'cheaper', 'cheaper-initial', 'greenlet', 'ugreen', 'asyncio', 'tornado', 'http-workers']) {
    if (key === 'processes' || key === 'workers' || key === 'threads') {
      const n = count(s, key);
      if (n === undefined || (n !== 'default' && n > 1)) return undefined;
    } else if (s.values.has(key)) return undefined;
  }
  return 'one process and no threads';
}

/** In a running container (`pyship smoke`): the health path asked while another client holds a half-sent request. */
const runtime: ScopeChecks = {
  checkRuntime({ record: r, settings, report, note }) {
    if (r.exited || !r.http) return;
    const held = r.heldRequest;
    if (!held) {
      const where = r.reachablePort === undefined && r.sockets.length > 0 ? ` (listening on ${r.listening.join(', ')})` : '';
      note(`APP004 skipped: the health path is not reachable from the host${where}`);
    } else if (held.status === 0 || held.seconds > 2) {
      report(`while one client held a half-sent request open, GET ${settings.healthPath} ${held.status ? `took ${held.seconds.toFixed(1)} s` : `got no answer within 2 s (${held.error ?? 'timeout'})`}`);
    }
  },
  runtimeRows: ({ figures: f }) => [
    f.http
      ? {
        label: 'health while a request is held',
        value: f.heldRequestSeconds === undefined ? '-' : `${seconds(f.heldRequestSeconds)}${f.heldRequestStatus ? ` (HTTP ${f.heldRequestStatus})` : ' (no answer)'}`,
        judged: f.heldRequestSeconds !== undefined,
      }
      : NOT_HTTP_ROW,
  ],
  runtimeExamples: [
    {
      bad: { http: true, heldRequest: { status: 0, seconds: 2.01, error: 'timeout' }, heldRequestSeconds: 2.01, heldRequestStatus: 0 },
      good: { http: true, heldRequest: { status: 200, seconds: 0.012 }, heldRequestSeconds: 0.01, heldRequestStatus: 200 },
    },
  ],
};

export default defineRule({
  code: 'APP004',
  name: 'concurrent-server',
  title: 'Health checks vs slow requests',
  area: 'app',
  severity: 'warning',
  scope: ['D', 'P', 'R'],
  sources: [],
  why: `gunicorn's default is one synchronous worker with no threads, and uWSGI's is one process with no threads:
the server handles exactly one request at a time. One slow request — a slow database query, a client on a bad network
sending its body slowly — and every other request waits, including the orchestrator's health check, which then fails
and gets a healthy container restarted.

Give the server concurrency: \`gunicorn --workers 2 --threads 4 --worker-class gthread\` (or an async worker class
such as \`uvicorn.workers.UvicornWorker\`), \`uwsgi --processes 2 --threads 4\`. pyship reads the command line,
\`WEB_CONCURRENCY\`, \`GUNICORN_CMD_ARGS\` and \`UWSGI_*\` in the image's ENV, and the config file: gunicorn loads
\`./gunicorn.conf.py\` by itself, so in Dockerfile-only mode a COPY that could bring one into the working directory
(\`COPY . .\`, a directory, the file itself) means no finding; project mode reads the copied file. No peer linter
checks this. \`pyship smoke\` measures it: the health endpoint must answer while another request is held open.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY app.py requirements.txt ./\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n',
      good: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY app.py requirements.txt ./\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "2", "--threads", "4", "--worker-class", "gthread", "app:app"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\nCMD ["gunicorn", "app:app"]\n',
      good: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\nCMD ["gunicorn", "-c", "deploy/gunicorn.py", "app:app"]\n',
      files: {
        'gunicorn.conf.py': 'bind = "0.0.0.0:8000"\n',
        'deploy/gunicorn.py': 'import multiprocessing\nbind = "0.0.0.0:8000"\nworkers = multiprocessing.cpu_count() * 2 + 1\n',
        'app.py': 'app = None\n',
      },
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nCMD ["uwsgi", "--http", ":8000", "--module", "app:app", "--master"]\n',
      good: 'FROM python:3.13-slim-trixie\nENV UWSGI_PROCESSES=2 UWSGI_THREADS=4\nCMD ["uwsgi", "--http", ":8000", "--module", "app:app", "--master"]\n',
    },
    {
      // an async worker class serves many requests per worker
      bad: 'FROM python:3.13-slim-trixie\nENV WEB_CONCURRENCY=1\nCMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]\n',
      good: 'FROM python:3.13-slim-trixie\nENV WEB_CONCURRENCY=1\nCMD ["gunicorn", "-b", "0.0.0.0:8000", "-k", "uvicorn.workers.UvicornWorker", "app:app"]\n',
    },
  ],
  ...runtime,
  check({ dockerfile: df, mode, project, report }) {
    const final = finalStage(df);
    if (!final) return;
    const files = mode === 'project' ? project : undefined;
    // an ENTRYPOINT script that can't be read may export WEB_CONCURRENCY / GUNICORN_CMD_ARGS / UWSGI_* before `exec "$@"`
    const start = startCommand(df, final);
    const scripts = startScripts(df, final, files);
    const opaque = start.entrypoint !== undefined && start.commands.some((c) => c.instr === start.entrypoint && c.cmd.name !== '' &&
      !serverOf(c.cmd) && !scripts.some((sc) => sc.runBy === start.entrypoint));
    for (const s of startedServers(df, final, files)) {
      if (opaque && s.instr !== start.entrypoint) continue;
      if (s.server === 'gunicorn') {
        const why = gunicornSingle(gunicornSettings(df, final, s.cmd, s.ctx));
        if (why) report({ span: s.span, message: `\`gunicorn\` (${s.where}) runs ${why}: one slow request blocks every other, health checks included. Add \`--workers 2 --threads 4 --worker-class gthread\`` });
      } else if (s.server === 'uwsgi') {
        const why = uwsgiSingle(uwsgiSettings(df, final, s.cmd, s.ctx));
        if (why) report({ span: s.span, message: `\`uwsgi\` (${s.where}) runs ${why}: one slow request blocks every other, health checks included. Add \`--processes 2 --threads 4\`` });
      }
    }
  },
});
