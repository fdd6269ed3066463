// SEC003: don't listen on ports below 1024: EXPOSE and the server's bind arguments in the final image.
import { defineRule } from '../../lint/rule.js';
import type { Instruction, Span } from '../../dockerfile/model.js';
import type { ShCommand, ShWord } from '../../dockerfile/shell.js';
import { expandWord } from '../../dockerfile/words.js';
import { chainInstructions, finalStage, serverOf, startServers, type Server } from '../../dockerfile/query.js';
import { startScripts } from '../../dockerfile/scripts.js';
import type { ScopeChecks } from '../../lint/rule.js';

interface Valued {
  /** The word holding the value and the literal text before the value in it (`--port=`, or '' for a word of its own). */
  word: ShWord;
  prefix: string;
}

/** Every value of the flags: `--x v`, `--x=v`, `-x v`, `-xv`. Stops at `--`. */
function flagValues(cmd: ShCommand, ...names: string[]): Valued[] {
  const out: Valued[] = [];
  const a = cmd.argv;
  for (let i = 1; i < a.length; i++) {
    const w = a[i]!;
    const v = w.value;
    if (v === '--') break;
    for (const n of names) {
      if (v === n && a[i + 1]) {
        out.push({ word: a[i + 1]!, prefix: '' });
        i++;
        break;
      }
      if (n.startsWith('--') && v.startsWith(n + '=')) {
        out.push({ word: w, prefix: n + '=' });
        break;
      }
      if (/^-[A-Za-z]$/.test(n) && v.startsWith(n) && v.length > 2 && !v.startsWith('--')) {
        out.push({ word: w, prefix: n });
        break;
      }
    }
  }
  return out;
}

/** The port of `host:port`, `:port`, `[::]:port`, `port`; undefined for unix sockets and anything else. */
function portOf(addr: string, bareIsPort: boolean): number | undefined {
  const a = addr.trim();
  if (/^(unix|fd):/i.test(a)) return undefined;
  const m = /^(?:tcp:\/\/|https?:\/\/)?(?:\[[0-9a-fA-F:.%\w]*\]|[^:/\s]*):(\d{1,5})$/.exec(a);
  if (m) return Number(m[1]);
  if (bareIsPort && /^\d{1,5}$/.test(a)) return Number(a);
  return undefined;
}

/** Ports a server command binds, with the word that says so. */
function serverPorts(server: Server, cmd: ShCommand): (Valued & { bare: boolean })[] {
  const addr = (list: Valued[], bare = false) => list.map((v) => ({ ...v, bare }));
  switch (server) {
    case 'gunicorn':
    case 'hypercorn':
      return addr(flagValues(cmd, '-b', '--bind'));
    case 'uvicorn':
    case 'granian':
    case 'fastapi-run':
      return addr(flagValues(cmd, '--port'), true);
    case 'flask-run':
    case 'daphne':
      return addr(flagValues(cmd, '-p', '--port'), true);
    case 'waitress':
      return [...addr(flagValues(cmd, '--port'), true), ...addr(flagValues(cmd, '--listen'))];
    case 'streamlit':
      return addr(flagValues(cmd, '--server.port'), true);
    case 'uwsgi':
      return addr(flagValues(cmd, '--http', '--http-socket', '--https', '--socket', '-s', '--uwsgi-socket', '--http11-socket'));
    case 'http.server': {
      // python -m http.server [--bind ADDR] [--directory DIR] [PORT]
      const a = cmd.argv;
      const at = a.findIndex((w) => w.value === 'http.server' || w.value === 'SimpleHTTPServer' || w.value === '-mhttp.server');
      const value = new Set(['-b', '--bind', '-d', '--directory', '-p', '--protocol']);
      for (let i = at + 1; at >= 0 && i < a.length; i++) {
        const v = a[i]!.value;
        if (value.has(v)) i++;
        else if (!v.startsWith('-')) return [{ word: a[i]!, prefix: '', bare: true }];
      }
      return [];
    }
    case 'runserver': {
      const a = cmd.argv;
      const at = a.findIndex((w) => w.value === 'runserver');
      const next = a.slice(at + 1).find((w) => !w.value.startsWith('-'));
      return next ? [{ word: next, prefix: '', bare: true }] : [];
    }
    default:
      return [];
  }
}

/** `-p 80:8080`: the usual high twin of a low port. */
function publish(port: number): string {
  return `\`-p ${port}:${8000 + port}\``;
}

/** A start-command word's value at run time: shell expansions resolved from the image's ENV (ARGs are gone by then). */
function runtimeValue(instr: Instruction, w: ShWord): string | undefined {
  if (!w.dynamic) return w.value;
  if (w.raw.includes('$(') || w.raw.includes('`')) return undefined;
  const e = expandWord(w.raw, (n) => instr.state.env.get(n));
  return e.unresolved.length > 0 ? undefined : e.value;
}

/** In a running container (`pyship smoke`): the ports its sockets really listen on. */
const runtime: ScopeChecks = {
  checkRuntime({ record: r, report }) {
    if (r.exited) return;
    const low = r.sockets.filter((s) => s.port < 1024);
    if (low.length > 0) report(`listens on ${low.map((s) => s.endpoint).join(', ')} (port < 1024)`);
  },
  runtimeRows: ({ figures: f }) => [{ label: 'listening addresses', value: f.listening.length ? f.listening.join(', ') : 'none' }],
  runtimeExamples: [
    {
      bad: { sockets: [{ endpoint: '0.0.0.0:80', port: 80, loopback: false }] },
      good: { sockets: [{ endpoint: '0.0.0.0:8000', port: 8000, loopback: false }] },
    },
  ],
};

export default defineRule({
  code: 'SEC003',
  name: 'no-privileged-ports',
  title: "Don't listen on ports below 1024",
  area: 'security',
  severity: 'warning',
  scope: ['D', 'I', 'R'],
  sources: [],
  why: `Binding a port below 1024 needs root or the NET_BIND_SERVICE capability, so an image that listens on 80 or 443
cannot run as a non-root user with \`--cap-drop=ALL\`. Nothing is gained: the port a client sees is chosen when the
container is published (\`-p 80:8000\`, a Service's \`port\`/\`targetPort\`), not inside the image.

pyship checks the final image's \`EXPOSE\` (ranges, \`80/tcp\`, \`$PORT\` resolved from ARG/ENV defaults; unresolved
values are skipped) and the bind arguments of the server its start command runs (also inside a \`COPY <<EOF\` entrypoint
script and, in project mode, the copied script the start command runs): gunicorn/hypercorn \`-b\`/\`--bind\`,
uvicorn/granian/\`flask run\`/daphne \`--port\`, waitress, uWSGI \`--http\`/\`--http-socket\`/\`--socket\`, \`python -m
http.server PORT\`, \`manage.py runserver ADDR:PORT\` and streamlit's \`--server.port\`. No peer linter checks this.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nEXPOSE 80\nCMD ["gunicorn", "--bind", "0.0.0.0:80", "app:app"]\n',
      good: 'FROM python:3.13-slim-trixie\nEXPOSE 8000\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nARG PORT=443\nEXPOSE ${PORT}/tcp\nCMD ["uvicorn", "app:app", "--host", "0.0.0.0", "--port", "8000"]\n',
      good: 'FROM python:3.13-slim-trixie\nARG PORT\nEXPOSE ${PORT}/tcp\nCMD ["uvicorn", "app:app", "--host", "0.0.0.0", "--port", "8000"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie AS build\nEXPOSE 8000\nFROM python:3.13-slim-trixie\nCMD python manage.py runserver 0.0.0.0:80\n',
      good: 'FROM python:3.13-slim-trixie AS build\nEXPOSE 80\nFROM python:3.13-slim-trixie\nCMD ["gunicorn", "--bind", "unix:/run/app.sock", "app.wsgi"]\n',
    },
  ],
  ...runtime,
  check({ dockerfile: df, mode, project, report }) {
    const final = finalStage(df);
    if (!final) return;
    for (const instr of chainInstructions(df, final)) {
      if (instr.keyword !== 'EXPOSE') continue;
      const lookup = (n: string): string | undefined => instr.state.env.get(n) ?? instr.state.args.get(n) ?? undefined;
      const low: { spec: string; port: number; span: Span }[] = [];
      for (const w of instr.words) {
        const e = expandWord(w.raw, lookup, df.escape);
        if (e.unresolved.length > 0) continue;
        for (const spec of e.value.split(/\s+/)) {
          const m = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/[A-Za-z]+)?$/.exec(spec);
          if (!m) continue;
          const port = Number(m[1]);
          if (port > 0 && port < 1024) low.push({ spec, port, span: w.span });
        }
      }
      if (low.length === 0) continue;
      const list = low.map((l) => `\`${l.spec}\``).join(', ');
      report({
        span: { start: low[0]!.span.start, end: low[low.length - 1]!.span.end },
        message: `\`EXPOSE\` ${list}: ports below 1024 need root or NET_BIND_SERVICE; listen on a high port and map it when publishing (${publish(low[0]!.port)})`,
      });
    }
    const servers = startServers(df, final);
    for (const sc of startScripts(df, final, mode === 'project' ? project : undefined)) {
      for (const cmd of sc.script?.commands ?? []) {
        const server = serverOf(cmd);
        if (!server) continue;
        for (const { word, prefix, bare } of serverPorts(server, cmd)) {
          // variables in a script may be set by the script itself: only literal values
          if (word.dynamic) continue;
          const addr = word.value.slice(prefix.length);
          const port = portOf(server === 'uwsgi' ? addr.split(',')[0]! : addr, bare);
          if (port === undefined || port === 0 || port >= 1024) continue;
          report({ span: sc.spanOf(word.span), message: `\`${server}\` binds port ${port} (${sc.describe(word.span)}): ports below 1024 need root or NET_BIND_SERVICE; listen on a high port and map it when publishing (${publish(port)})` });
        }
      }
    }
    for (const { instr, cmd, server } of servers) {
      for (const { word, prefix, bare } of serverPorts(server, cmd)) {
        const full = runtimeValue(instr, word);
        if (full === undefined || !full.startsWith(prefix)) continue;
        const addr = full.slice(prefix.length);
        const port = portOf(server === 'uwsgi' ? addr.split(',')[0]! : addr, bare);
        if (port === undefined || port === 0 || port >= 1024) continue;
        report({ span: word.span, message: `\`${server}\` binds port ${port}: ports below 1024 need root or NET_BIND_SERVICE; listen on a high port and map it when publishing (${publish(port)})` });
      }
    }
  },
  imageExamples: [
    {
      bad: { config: { exposedPorts: ['80/tcp'] }, history: [{ by: 'COPY . /app', files: [{ path: 'app/main.py', size: 100 }] }, { by: 'EXPOSE map[80/tcp:{}]' }] },
      good: { config: { exposedPorts: ['8000/tcp'] }, history: [{ by: 'COPY . /app', files: [{ path: 'app/main.py', size: 100 }] }, { by: 'EXPOSE map[8000/tcp:{}]' }] },
    },
  ],
  checkImage({ image, report }) {
    for (const p of image.config.exposedPorts) {
      const n = Number(p.split('/')[0]);
      if (Number.isFinite(n) && n < 1024) report({ at: { port: p }, message: `the image exposes port ${p} (< 1024): listen on 8000/8080 and map it with -p 80:8000` });
    }
  },
});
