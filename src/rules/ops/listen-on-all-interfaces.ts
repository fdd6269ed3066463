// OPS001: the server must listen on 0.0.0.0 — a loopback bind (explicit or a server's default) is unreachable from outside.
import { defineRule } from '../../lint/rule.js';
import type { Dockerfile, Span, Stage } from '../../dockerfile/model.js';
import type { ProjectFiles } from '../../project/model.js';
import type { ShCommand, ShWord } from '../../dockerfile/shell.js';
import { chainInstructions, finalStage, serverOf, type Server } from '../../dockerfile/query.js';
import { pythonModule } from '../../dockerfile/commands.js';
import { endState } from '../../dockerfile/stages.js';
import { expandWord } from '../../dockerfile/words.js';
import { providerOf } from '../../dockerfile/image-files.js';
import { gunicornSettings } from '../../dockerfile/servers.js';
import { startSites, type StartSite } from './_scripts.js';
import type { ScopeChecks } from '../../lint/rule.js';

const LOOPBACK = /^(127(\.\d{1,3}){3}|localhost|ip6-localhost|::1|\[::1\])$/i;
/** Reverse proxies and process managers: a loopback bind behind them is deliberate. */
const PROXY = /\b(nginx|openresty|caddy|haproxy|apache2|httpd|envoy|traefik|varnish|supervisord?|honcho|circusd?|s6-overlay|runit|lambda-adapter)\b/i;


/** argv starting at the server's own name: `python -m gunicorn -b x` → `gunicorn -b x`. */
function serverArgv(cmd: ShCommand): ShWord[] {
  const mod = pythonModule(cmd);
  if (!mod) return cmd.argv;
  const i = cmd.argv.findIndex((w, k) => k > 0 && (w.value === mod || w.value === '-m' + mod));
  return i >= 0 ? cmd.argv.slice(i) : cmd.argv;
}

/** Every value of a flag: `-b x`, `--bind x`, `--bind=x`, `-bx`. */
function values(argv: ShWord[], from: number, ...names: string[]): { value: string; word: ShWord; dynamic: boolean }[] {
  const out: { value: string; word: ShWord; dynamic: boolean }[] = [];
  for (let i = from; i < argv.length; i++) {
    const w = argv[i]!;
    const v = w.value;
    if (v === '--') break;
    for (const n of names) {
      if (v === n) {
        const next = argv[i + 1];
        if (next) out.push({ value: next.value, word: next, dynamic: next.dynamic });
        i++;
        break;
      }
      if (n.startsWith('--') && v.startsWith(n + '=')) {
        out.push({ value: v.slice(n.length + 1), word: w, dynamic: w.dynamic });
        break;
      }
      if (/^-[A-Za-z]$/.test(n) && v.startsWith(n) && v.length > 2 && !v.startsWith('--')) {
        out.push({ value: v.slice(2), word: w, dynamic: w.dynamic });
        break;
      }
    }
  }
  return out;
}

function has(argv: ShWord[], from: number, ...names: string[]): boolean {
  for (let i = from; i < argv.length; i++) {
    const v = argv[i]!.value;
    if (v === '--') return false;
    for (const n of names) if (v === n || (n.startsWith('--') && v.startsWith(n + '=')) || (/^-[A-Za-z]$/.test(n) && v.startsWith(n) && !v.startsWith('--'))) return true;
  }
  return false;
}

/** The host part of `host:port`, `[v6]:port`, `host`; '' for `:8000`; undefined for unix sockets / fds. */
function hostOf(bind: string): string | undefined {
  if (/^(unix|fd|tcp6?|ssl):/i.test(bind) && !/^tcp/i.test(bind)) return undefined;
  const b = bind.replace(/^tcp6?:/i, '');
  if (b.startsWith('[')) {
    const end = b.indexOf(']');
    return end > 0 ? b.slice(0, end + 1) : b;
  }
  if ((b.match(/:/g) ?? []).length > 1) return b; // bare IPv6
  const i = b.indexOf(':');
  return i >= 0 ? b.slice(0, i) : b;
}

/** Expand $VARS with the run-time ENV; undefined when something is unset. */
function resolve(value: string, dynamic: boolean, env: ReadonlyMap<string, string>): string | undefined {
  if (!dynamic && !value.includes('$')) return value;
  const e = expandWord(value, (n) => env.get(n));
  return e.unresolved.length > 0 ? undefined : e.value;
}

function proxyInImage(df: Dockerfile, stage: Stage, sites: StartSite[]): boolean {
  for (const s of sites) if (PROXY.test(s.cmd.name)) return true;
  for (const s of [stage, ...chainStages(df, stage)]) if (PROXY.test(s.base.raw)) return true;
  for (const i of chainInstructions(df, stage)) {
    if ((i.keyword === 'RUN' || i.keyword === 'COPY' || i.keyword === 'ADD') && PROXY.test(i.args)) return true;
  }
  return false;
}

function chainStages(df: Dockerfile, stage: Stage): Stage[] {
  const out: Stage[] = [];
  let s: Stage | undefined = stage;
  const seen = new Set<number>();
  while (s && !seen.has(s.index)) {
    out.push(s);
    seen.add(s.index);
    s = s.base.stage !== undefined ? df.stages[s.base.stage] : undefined;
  }
  return out;
}

function gunicornConfigNearby(df: Dockerfile, stage: Stage, workdir: string | undefined, project: ProjectFiles | undefined): boolean {
  const target = (workdir && workdir !== '/' ? workdir : '') + '/gunicorn.conf.py';
  const prov = providerOf(df, stage, target, project);
  if (!prov) return false;
  // project mode: a file we can read (or a COPY we cannot follow) may set `bind`; Dockerfile mode: any COPY that may bring it
  return true;
}

/** In a running container (`pyship smoke`): whether anything listens beyond loopback. */
const runtime: ScopeChecks = {
  checkRuntime({ record: r, report }) {
    if (r.exited || r.sockets.length === 0 || !r.sockets.every((s) => s.loopback)) return;
    report(`listens on ${r.sockets.map((s) => s.endpoint).join(', ')} only: loopback, unreachable from outside the container`);
  },
  runtimeRows: ({ figures: f }) => [{
    label: 'reachable from outside',
    value: f.listening.length ? (f.listening.some((a) => !/^(127\.|\[::1\]|::ffff:127\.)/.test(a)) ? 'yes' : 'no (loopback only)') : 'nothing listens',
    judged: f.listening.length > 0,
  }],
  runtimeExamples: [
    {
      bad: { sockets: [{ endpoint: '127.0.0.1:8000', port: 8000, loopback: true }] },
      good: { sockets: [{ endpoint: '0.0.0.0:8000', port: 8000, loopback: false }, { endpoint: '127.0.0.1:9191', port: 9191, loopback: true }] },
    },
  ],
};

export default defineRule({
  code: 'OPS001',
  name: 'listen-on-all-interfaces',
  title: 'Listen on 0.0.0.0',
  area: 'ops',
  severity: 'error',
  scope: ['D', 'R'],
  sources: [],
  why: `Inside a container, \`127.0.0.1\` is the container's own loopback: a server bound there cannot be reached
through \`docker run -p\`, a compose network or a Kubernetes Service. The image starts, the health check inside it may
even pass, and every request from outside is refused.

Several servers bind loopback **by default**: \`flask run\`, \`uvicorn\`, \`granian\`, \`hypercorn\`, \`daphne\`,
\`fastapi dev\`, \`manage.py runserver\`, and gunicorn unless \`-b\`/\`--bind\`, a config file (\`-c\` or
\`gunicorn.conf.py\` in the working directory), \`GUNICORN_CMD_ARGS\` or \`$PORT\` says otherwise. pyship flags those
defaults as well as explicit \`--bind 127.0.0.1:…\` / \`--host localhost\`.

A loopback bind is left alone when the image also runs a reverse proxy or process manager (nginx, caddy, supervisord…),
where it is deliberate, and unix sockets are never flagged. No peer linter checks this.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nCMD ["gunicorn", "--bind", "127.0.0.1:8000", "app:app"]\n',
      good: 'FROM python:3.13-slim-trixie\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n',
    },
    {
      // the config an entrypoint script passes with `--config` (or `-c python:config.gunicorn`) is read for `bind`
      bad: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\nENTRYPOINT ["/app/start.sh"]\n',
      good: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\nENV PYTHONPATH=.\nCMD ["gunicorn", "-c", "python:config.gunicorn", "app:app"]\n',
      files: {
        'start.sh': '#!/bin/sh\nset -eu\npython manage.py check\nexec gunicorn --config gunicorn.conf.py app:app\n',
        'gunicorn.conf.py': 'bind = "127.0.0.1:8000"\nworkers = 2\n',
        'config/gunicorn.py': 'bind = "0.0.0.0:8000"\nworkers = 2\n',
      },
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nCMD ["uvicorn", "app.main:app", "--port", "8000"]\n',
      good: 'FROM python:3.13-slim-trixie\nCMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY requirements.txt .\nCMD ["gunicorn", "app:app"]\n',
      good: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\nCMD ["gunicorn", "app:app"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nCMD python manage.py migrate && python manage.py runserver 8000\n',
      good: 'FROM python:3.13-slim-trixie\nENV FLASK_RUN_HOST=0.0.0.0\nCMD ["flask", "run", "--port", "8000"]\n',
    },
  ],
  ...runtime,
  check({ dockerfile: df, project, report }) {
    const final = finalStage(df);
    if (!final || final.base.scratch) return;
    const last = final.instructions[final.instructions.length - 1]!;
    const end = endState(last, df);
    const sites = startSites(df, project);
    if (sites.length === 0 || proxyInImage(df, final, sites)) return;

    for (const site of sites) {
      const server = serverOf(site.cmd);
      if (!server) continue;
      const argv = serverArgv(site.cmd);
      const cmdEnv = site.env;
      const at = (w: ShWord | undefined): Span => site.anchor ?? (w ?? argv[0] ?? site.cmd.argv[0]!).span;
      const inWhere = site.where ? ` (in ${site.where})` : '';
      const explicit = (vals: { value: string; word: ShWord; dynamic: boolean }[], label: string): boolean => {
        // flag when every bind is loopback (a loopback bind next to 0.0.0.0 is fine)
        const hosts = vals.map((v) => {
          const r = resolve(v.value, v.dynamic, cmdEnv);
          return { ...v, host: r === undefined ? undefined : label === 'host' ? r : hostOf(r), resolved: r };
        });
        if (hosts.length === 0 || hosts.some((h) => h.host === undefined || !LOOPBACK.test(h.host))) return false;
        const bad = hosts.find((h) => LOOPBACK.test(h.host!))!;
        report({
          span: at(bad.word),
          message: `\`${name(server)}\` listens on \`${bad.resolved}\`${inWhere}: only the container itself can connect; listen on \`0.0.0.0\``,
        });
        return true;
      };
      switch (server) {
        case 'gunicorn': {
          const binds = values(argv, 1, '-b', '--bind');
          if (binds.length > 0) {
            explicit(binds, 'bind');
            break;
          }
          // the config file gunicorn loads (`-c FILE`, `-c python:module`, `./gunicorn.conf.py`) may set `bind`
          const conf = gunicornSettings(df, final, site.cmd, { env: cmdEnv, cwd: site.cd ? undefined : end.workdir ?? '/', project });
          const confBind = conf.values.get('bind');
          if (confBind !== undefined && !conf.expressions.has('bind') && conf.files.length > 0) {
            const host = hostOf(confBind);
            if (host !== undefined && LOOPBACK.test(host)) {
              report({ span: at(argv[0]), message: `\`gunicorn\` listens on \`${confBind}\` (\`bind\` in \`${conf.files[0]}\`)${inWhere}: only the container itself can connect; bind \`0.0.0.0\`` });
            }
            break;
          }
          if (!conf.unknown && conf.files.length > 0 && !conf.values.has('bind') && !conf.expressions.has('bind') && !cmdEnv.has('GUNICORN_CMD_ARGS') && !cmdEnv.has('PORT')) {
            report({
              span: at(argv[0]),
              message: `\`gunicorn\` without \`--bind\`${inWhere} listens on 127.0.0.1:8000 only (\`${conf.files[0]}\` sets no \`bind\`, nor do \`GUNICORN_CMD_ARGS\` or \`PORT\`): add \`--bind 0.0.0.0:8000\` or \`bind = "0.0.0.0:8000"\``,
            });
            break;
          }
          if (has(argv, 1, '-c', '--config', '--paste', '--paster', '--chdir')) break;
          const cmdArgs = cmdEnv.get('GUNICORN_CMD_ARGS');
          if (cmdArgs !== undefined || cmdEnv.has('PORT')) break;
          if (site.cd || gunicornConfigNearby(df, final, end.workdir, project)) break;
          report({
            span: at(argv[0]),
            message: `\`gunicorn\` without \`--bind\`${inWhere} listens on 127.0.0.1:8000 only (no config file, \`GUNICORN_CMD_ARGS\` or \`PORT\` sets it): add \`--bind 0.0.0.0:8000\``,
          });
          break;
        }
        case 'uvicorn': case 'granian': {
          const hosts = values(argv, 1, '--host');
          if (hosts.length > 0) {
            explicit(hosts, 'host');
            break;
          }
          if (has(argv, 1, '--uds', '--fd')) break;
          const envName = server === 'uvicorn' ? 'UVICORN_HOST' : 'GRANIAN_HOST';
          const envHost = cmdEnv.get(envName);
          if (envHost !== undefined) {
            if (LOOPBACK.test(envHost)) report({ span: at(argv[0]), message: `\`${server}\` listens on \`${envHost}\` (\`${envName}\`)${inWhere}: listen on \`0.0.0.0\`` });
            break;
          }
          report({ span: at(argv[0]), message: `\`${server}\` without \`--host\`${inWhere} listens on 127.0.0.1 only: add \`--host 0.0.0.0\`` });
          break;
        }
        case 'hypercorn': case 'daphne': {
          const binds = values(argv, 1, '-b', '--bind');
          if (binds.length > 0) {
            explicit(binds, server === 'daphne' ? 'host' : 'bind');
            break;
          }
          if (server === 'hypercorn' && has(argv, 1, '-c', '--config', '--insecure-bind', '--quic-bind')) break;
          if (server === 'daphne' && has(argv, 1, '-u', '--unix-socket', '--fd', '-e', '--endpoint')) break;
          const fix = server === 'daphne' ? '`-b 0.0.0.0`' : '`--bind 0.0.0.0:8000`';
          report({ span: at(argv[0]), message: `\`${server}\` without \`--bind\`${inWhere} listens on 127.0.0.1 only: add ${fix}` });
          break;
        }
        case 'flask-run': case 'fastapi-run': {
          const ri = argv.findIndex((w, k) => k > 0 && (w.value === 'run' || w.value === 'dev'));
          if (ri < 0) break;
          const hosts = server === 'flask-run' ? values(argv, ri + 1, '--host', '-h') : values(argv, ri + 1, '--host');
          if (hosts.length > 0) {
            explicit(hosts, 'host');
            break;
          }
          if (server === 'fastapi-run' && argv[ri]!.value === 'run') break; // fastapi run binds 0.0.0.0
          const envName = server === 'flask-run' ? 'FLASK_RUN_HOST' : undefined;
          const envHost = envName ? cmdEnv.get(envName) : undefined;
          if (envHost !== undefined) {
            if (LOOPBACK.test(envHost)) report({ span: at(argv[ri]), message: `\`flask run\` listens on \`${envHost}\` (\`FLASK_RUN_HOST\`)${inWhere}: listen on \`0.0.0.0\`` });
            break;
          }
          // project mode: `flask run` also reads FLASK_RUN_HOST from .flaskenv/.env in its working directory
          if (server === 'flask-run' && project && !site.cd) {
            const dir = end.workdir && end.workdir !== '/' ? end.workdir : '';
            const fromFile = ['.flaskenv', '.env'].some((f) => {
              const prov = providerOf(df, final, `${dir}/${f}`, project);
              const text = prov?.contextPath !== undefined ? project.read(prov.contextPath) : prov?.heredoc?.content;
              return prov !== undefined && (text === undefined || /^\s*(export\s+)?FLASK_RUN_HOST\s*=/m.test(text));
            });
            if (fromFile) break;
          }
          const label = server === 'flask-run' ? 'flask run' : 'fastapi dev';
          report({ span: at(argv[ri]), message: `\`${label}\` without \`--host\`${inWhere} listens on 127.0.0.1 only: add \`--host 0.0.0.0\`` });
          break;
        }
        case 'runserver': {
          const ri = argv.findIndex((w) => w.value === 'runserver');
          if (ri < 0) break;
          let addr: ShWord | undefined;
          const valueFlags = new Set(['--settings', '--pythonpath', '-v', '--verbosity']);
          for (let k = ri + 1; k < argv.length; k++) {
            const v = argv[k]!.value;
            if (v.startsWith('-')) {
              if (valueFlags.has(v)) k++;
              continue;
            }
            addr = argv[k];
            break;
          }
          if (!addr) {
            const v6 = has(argv, ri + 1, '-6', '--ipv6');
            report({ span: at(argv[ri]), message: `\`manage.py runserver\` without an address${inWhere} listens on ${v6 ? '[::1]' : '127.0.0.1'}:8000 only: use \`runserver 0.0.0.0:8000\`` });
            break;
          }
          const r = resolve(addr.value, addr.dynamic, cmdEnv);
          if (r === undefined) break;
          if (/^\d+$/.test(r)) {
            report({ span: at(addr), message: `\`manage.py runserver ${r}\`${inWhere} listens on 127.0.0.1 only: use \`runserver 0.0.0.0:${r}\`` });
            break;
          }
          const host = hostOf(r);
          if (host !== undefined && LOOPBACK.test(host)) {
            report({ span: at(addr), message: `\`manage.py runserver\` listens on \`${r}\`${inWhere}: only the container itself can connect; use \`0.0.0.0:PORT\`` });
          }
          break;
        }
        case 'http.server': {
          explicit(values(argv, 1, '-b', '--bind'), 'host');
          break;
        }
        case 'waitress': {
          const hosts = values(argv, 1, '--host');
          if (hosts.length > 0) explicit(hosts, 'host');
          const listens = values(argv, 1, '--listen');
          if (listens.length > 0) explicit(listens, 'bind');
          break;
        }
        case 'streamlit': {
          explicit(values(argv, 1, '--server.address'), 'host');
          break;
        }
        case 'uwsgi': {
          explicit(values(argv, 1, '--http', '--http-socket'), 'bind');
          break;
        }
        default:
          break;
      }
    }
  },
});

function name(server: Server): string {
  if (server === 'flask-run') return 'flask run';
  if (server === 'fastapi-run') return 'fastapi';
  if (server === 'runserver') return 'manage.py runserver';
  return server;
}
