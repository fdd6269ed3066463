// APP008: on platforms that assign the port ($PORT: Heroku, Cloud Run, Railway, Fly), the server must not hard-code one.
import { defineProjectRule, type ProjectRuleContext } from '../../lint/rule.js';
import type { Span } from '../../dockerfile/model.js';
import { parseShell, type ShCommand, type ShWord } from '../../dockerfile/shell.js';
import { finalStage, serverOf, type Server } from '../../dockerfile/query.js';
import { gunicornSettings, startedServers } from '../../dockerfile/servers.js';
import type { Project, ProjectFiles } from '../../project/model.js';
import { paasTargetsOf } from '../../project/runtime.js';
import type { PaasTarget } from '../../project/runtime-model.js';
import type { ScopeChecks } from '../../lint/rule.js';
import { NOT_HTTP_ROW, secs } from '../../runtime/record.js';

interface PortUse {
  server: Server;
  /** Set when the port comes from a gunicorn config file. */
  config?: boolean;
  port: string;
  /** Offsets into the command text (or the Dockerfile). */
  span: Span;
  how: string;
}

/** `--flag VALUE`, `--flag=VALUE`, `-fVALUE` words of a command. */
function flagValue(cmd: ShCommand, names: string[]): { value: string; dynamic: boolean; span: Span } | undefined {
  const a = cmd.argv;
  let found: { value: string; dynamic: boolean; span: Span } | undefined;
  for (let i = 1; i < a.length; i++) {
    const v = a[i]!.value;
    if (v === '--') break;
    for (const n of names) {
      let word: ShWord | undefined;
      let value: string | undefined;
      if (v === n) {
        word = a[i + 1];
        value = word?.value;
      } else if (n.startsWith('--') && v.startsWith(n + '=')) {
        word = a[i];
        value = v.slice(n.length + 1);
      } else if (/^-[A-Za-z]$/.test(n) && v.startsWith(n) && v.length > 2) {
        word = a[i];
        value = v.slice(2).replace(/^=/, '');
      }
      if (word && value !== undefined) found = { value, dynamic: word.dynamic || value.includes('$'), span: word.span };
    }
  }
  return found;
}

const BIND_FLAGS: Partial<Record<Server, string[]>> = {
  gunicorn: ['-b', '--bind'],
  hypercorn: ['-b', '--bind'],
  waitress: ['--listen'],
  uwsgi: ['--http', '--http-socket', '--socket', '-s'],
};
const PORT_FLAGS: Partial<Record<Server, string[]>> = {
  uvicorn: ['--port'],
  granian: ['--port'],
  daphne: ['-p', '--port'],
  waitress: ['--port'],
  'flask-run': ['-p', '--port'],
  'fastapi-run': ['--port'],
  streamlit: ['--server.port'],
};

/** A port the command fixes in its arguments (literal, not from `$PORT`). */
function hardCodedPort(cmd: ShCommand, env: ReadonlyMap<string, string> = new Map()): PortUse | undefined {
  const server = serverOf(cmd);
  if (!server) return undefined;
  const bind = BIND_FLAGS[server] && flagValue(cmd, BIND_FLAGS[server]!);
  if (bind && !bind.dynamic) {
    const m = /^(?!unix:)[^\s]*:(\d+)$/.exec(bind.value);
    if (m) return { server, port: m[1]!, span: bind.span, how: `\`${bind.value}\`` };
  }
  const port = PORT_FLAGS[server] && flagValue(cmd, PORT_FLAGS[server]!);
  if (port && !port.dynamic && /^\d+$/.test(port.value)) return { server, port: port.value, span: port.span, how: `port \`${port.value}\`` };
  if (server === 'runserver' || server === 'http.server') {
    const pos = cmd.argv.slice(1).find((w) => /^(?:[\w.[\]:]*:)?\d{2,5}$/.test(w.value) && !w.dynamic);
    if (pos) return { server, port: pos.value.replace(/^.*:/, ''), span: pos.span, how: `\`${pos.value}\`` };
  }
  // uvicorn ignores $PORT: without --port (or --fd/--uds, or UVICORN_PORT) it listens on 8000
  if (server === 'uvicorn' && !port && !flagValue(cmd, ['--fd', '--uds']) && !cmd.assignments.some((a) => a.name === 'UVICORN_PORT') && !env.has('UVICORN_PORT')) {
    return { server, port: '8000', span: cmd.argv[0]!.span, how: 'its default port 8000 (uvicorn does not read `$PORT`)' };
  }
  return undefined;
}

const PLATFORM: Record<PaasTarget['kind'], string> = {
  heroku: 'Heroku', procfile: 'Heroku', 'cloud-run': 'Cloud Run / Knative', railway: 'Railway', fly: 'Fly.io',
};

const GUNICORN_BIND = /^bind[ \t]*=[ \t]*\[?[ \t]*(['"])([^'"\n]*:(\d+))\1/m;

/** A gunicorn config file in the project that binds a literal port and never mentions PORT. */
function confBind(project: Project, path: string): { file: string; span: Span; port: string; value: string } | undefined {
  const f = project.file(path);
  if (!f || /\bPORT\b/.test(f.text)) return undefined;
  const m = GUNICORN_BIND.exec(f.text);
  if (!m) return undefined;
  return { file: f.path, span: { start: m.index, end: m.index + m[0].length }, port: m[3]!, value: m[2]! };
}

/** In a running container (`pyship smoke` starts a second one with PORT set): whether the app listens on that port. */
const runtime: ScopeChecks = {
  checkRuntime({ record: r, report }) {
    const p = r.portEnv;
    if (r.exited || !p || p.listening) return;
    report(`with PORT=${p.port} the app ${p.sockets.length > 0 ? `listens on ${p.sockets.join(', ')} instead` : 'listened on nothing'} within ${secs(r.portProbeMs ?? 0)} s`);
  },
  runtimeRows: ({ figures: f }) => [
    f.http
      ? {
        label: f.portEnv ? `PORT=${f.portEnv.port}` : 'PORT',
        value: f.portEnv ? (f.portEnv.listening ? 'listens there' : `listens on ${f.portEnv.sockets.join(', ') || 'nothing'}`) : '-',
        judged: f.portEnv !== undefined,
      }
      : NOT_HTTP_ROW,
  ],
  runtimeExamples: [
    {
      bad: { http: true, portEnv: { port: 23456, listening: false, sockets: ['0.0.0.0:8000'] }, portProbeMs: 5200 },
      good: { http: true, portEnv: { port: 23456, listening: true, sockets: ['0.0.0.0:23456'] }, portProbeMs: 900 },
    },
  ],
};

export default defineProjectRule({
  level: 'project',
  code: 'APP008',
  name: 'respect-port',
  title: 'Respect `$PORT`',
  area: 'app',
  severity: 'warning',
  scope: ['P', 'R'],
  sources: [],
  why: `Heroku, Cloud Run, Railway and similar platforms choose the port the container must listen on and pass it in
\`$PORT\`; a server that listens on a hard-coded port is never reached, and the deploy fails its health check (Heroku's
"Web process failed to bind to $PORT within 60 seconds"). gunicorn without \`--bind\` uses \`$PORT\` by itself;
uvicorn, granian, daphne, waitress and \`manage.py runserver\` do not.

pyship looks at projects that target such a platform (\`Procfile\`, \`heroku.yml\`, \`app.json\`, a Knative / Cloud
Run \`service.yaml\`, \`fly.toml\`, \`railway.json\`/\`railway.toml\`) and flags a literal port in the web command
(\`Procfile\` \`web:\`, \`heroku.yml\` \`run.web\`, Railway's \`startCommand\`), in a project \`gunicorn.conf.py\` the
command loads, and — when the platform builds the Dockerfile — in the image's start command. Fly.io routes to the
\`internal_port\` of \`fly.toml\`, so a port matching it is fine. Write \`--bind 0.0.0.0:\${PORT:-8000}\` (through
\`sh -c 'exec …'\` in an exec-form CMD) or read \`os.environ["PORT"]\` in \`gunicorn.conf.py\`.`,
  examples: [
    {
      bad: { Procfile: 'web: gunicorn -b 0.0.0.0:8000 app:app\nworker: celery -A app worker\n' },
      good: { Procfile: 'web: gunicorn -b 0.0.0.0:$PORT app:app\nworker: celery -A app worker\n' },
    },
    {
      bad: { Procfile: 'web: uvicorn app:app --host 0.0.0.0\n' },
      good: { Procfile: 'web: uvicorn app:app --host 0.0.0.0 --port ${PORT:-8000}\n' },
    },
    {
      bad: {
        'railway.json': '{"build": {"builder": "DOCKERFILE"}}\n',
        Dockerfile: 'FROM python:3.13-slim-trixie\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n',
      },
      good: {
        'railway.json': '{"build": {"builder": "DOCKERFILE"}}\n',
        Dockerfile: 'FROM python:3.13-slim-trixie\nCMD ["sh", "-c", "exec gunicorn --bind 0.0.0.0:${PORT:-8000} app:app"]\n',
      },
    },
    {
      // Fly routes to internal_port: a port that matches it is fine
      bad: {
        'fly.toml': 'app = "example"\n[http_service]\n  internal_port = 8080\n',
        Dockerfile: 'FROM python:3.13-slim-trixie\nCMD ["uvicorn", "app:app", "--host", "0.0.0.0", "--port", "8000"]\n',
      },
      good: {
        'fly.toml': 'app = "example"\n[http_service]\n  internal_port = 8000\n',
        Dockerfile: 'FROM python:3.13-slim-trixie\nCMD ["uvicorn", "app:app", "--host", "0.0.0.0", "--port", "8000"]\n',
      },
    },
  ],
  ...runtime,
  check({ project, dockerfiles, report }: ProjectRuleContext) {
    const targets = paasTargetsOf(project);
    if (targets.length === 0) return;
    const fly = targets.find((t) => t.kind === 'fly');
    const flyPorts = new Set(fly?.internalPorts.map((p) => String(p.value)) ?? []);
    const onlyFly = targets.every((t) => t.kind === 'fly');
    const fine = (port: string): boolean => onlyFly && flyPorts.has(port);
    const platforms = (ts: PaasTarget[]): string => `the platform (${[...new Set(ts.map((t) => PLATFORM[t.kind]))].join(' / ')}) sets`;
    const advice = (u: PortUse): string => u.config
      ? 'in the config file use `bind = f"0.0.0.0:{os.environ.get(\'PORT\', \'8000\')}"`'
      : u.server === 'gunicorn'
      ? 'bind `0.0.0.0:${PORT:-8000}` (or leave `--bind` out: gunicorn uses `$PORT`)'
      : 'listen on `${PORT:-8000}`';
    const reportConf = (path: string, label: string, ts: PaasTarget[]) => {
      const c = confBind(project, path);
      if (!c || fine(c.port)) return;
      report({ file: c.file, span: c.span, message: `\`bind = "${c.value}"\` (loaded by ${label}) hard-codes port ${c.port}, but ${platforms(ts)} the port in \`$PORT\`: use \`bind = f"0.0.0.0:{os.environ.get('PORT', '${c.port}')}"\`` });
    };
    // web commands the platform runs
    for (const t of targets) {
      const file = project.file(t.file);
      for (const c of t.commands) {
        if (t.kind === 'procfile' && !/^Procfile `web`$/.test(c.label)) continue;
        if (t.kind === 'heroku' && !/`run\.web`$/.test(c.label)) continue;
        if (t.kind === 'fly' && !/`(web|app)`$/.test(c.label)) continue;
        const exact = file && file.text.slice(c.span.start, c.span.end) === c.command;
        const script = parseShell(c.command);
        for (const cmd of script.commands) {
          const use = hardCodedPort(cmd);
          if (serverOf(cmd) === 'gunicorn' && !flagValue(cmd, ['-b', '--bind'])) {
            const conf = flagValue(cmd, ['-c', '--config']);
            if (!conf?.dynamic) reportConf(conf?.value ?? 'gunicorn.conf.py', c.label, [t]);
          }
          if (!use || (t.kind === 'fly' && flyPorts.has(use.port))) continue;
          const span = exact && use.span.end <= c.command.length ? { start: c.span.start + use.span.start, end: c.span.start + use.span.end } : c.span;
          report({ file: t.file, span, message: `${c.label} runs \`${use.server}\` on ${use.how}, but ${platforms([t])} the port in \`$PORT\`: ${advice(use)}` });
        }
      }
    }
    // the image's own start command, when the platform builds the Dockerfile and doesn't override the command
    const docker = targets.filter((t) => t.usesDockerfile && t.commands.length === 0);
    if (docker.length === 0) return;
    const main = dockerfiles.find((d) => d.path === 'Dockerfile') ?? (dockerfiles.length === 1 ? dockerfiles[0] : undefined);
    if (!main) return;
    const final = finalStage(main.dockerfile);
    if (!final) return;
    const dockerFine = (port: string): boolean => docker.every((t) => t.kind === 'fly') && flyPorts.has(port);
    for (const s of startedServers(main.dockerfile, final, (main as { context?: ProjectFiles }).context)) {
      let use = hardCodedPort(s.cmd, s.ctx.env);
      if (!use && s.server === 'gunicorn' && !flagValue(s.cmd, ['-b', '--bind'])) {
        const set = gunicornSettings(main.dockerfile, final, s.cmd, s.ctx);
        const bind = set.values.get('bind');
        const m = bind !== undefined && !set.expressions.has('bind') && !bind.includes('$') ? /^(?!unix:)\S*:(\d+)$/.exec(bind) : null;
        if (m) use = { server: 'gunicorn', config: set.files.length > 0, port: m[1]!, span: s.span, how: `\`${bind}\`${set.files.length > 0 ? ` (from \`${set.files[0]}\`)` : ''}` };
      }
      if (!use || dockerFine(use.port)) continue;
      const span = s.script ? s.span : use.span;
      const flyNote = docker.some((t) => t.kind === 'fly') && flyPorts.size > 0 ? ` (fly.toml \`internal_port\` is ${[...flyPorts].join(', ')})` : '';
      report({
        file: main.path,
        span,
        message: `\`${use.server}\` (${s.where}) listens on ${use.how}, but ${platforms(docker)} the port in \`$PORT\`${flyNote}: ${advice(use)}`,
      });
    }
  },
});
