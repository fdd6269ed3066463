// The port a Python app listens on, from what the project already says: an existing Dockerfile's EXPOSE / ENV PORT /
// CMD flags, server configs and start scripts, compose ports and commands, the Procfile, `run(port=)` calls, config
// files, and the framework's own default when the project starts itself. Each value with its file:line.
import { readdirSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { lineAt } from './py/source.js';
import { readRegularText } from '../io/regular.js';
import { routeFiles } from './routes.js';
import { projectFact, type Project } from './model.js';
import { composeServices, isDevCompose } from './runtime.js';

export interface PortEvidence {
  port: number;
  file: string;
  line: number;
  what: string;
  /** Lower is stronger: 1 production Dockerfile, 2 server config / start script / production compose, … 6 framework default. */
  tier: number;
}

/** Ports of the services an app talks to, never its own. */
const OTHERS = new Set([22, 5432, 3306, 6379, 27017, 5672, 15672, 11211, 9200, 8125, 25, 587, 1025, 9191]);
const MAX_DEPTH = 5;

/** Port numbers in a command line: `--port 8000`, `--bind 0.0.0.0:8000`, `-b :5000`, `runserver 0:8000`, `--http :9090`. */
function commandPorts(text: string): { port: number; index: number; what: string }[] {
  const out: { port: number; index: number; what: string }[] = [];
  const re = /(?:--port|-p)(?:=|\s+)["']?(\d{2,5})\b|(?:--bind|-b|--http|--http-socket|--listen)(?:=|\s+)["']?(?:[\w.[\]:-]*:)?(?:\$\{\w+:-)?(\d{2,5})\b|\brunserver\s+(?:[\w.]*:)?(\d{2,5})\b/g;
  for (const m of text.matchAll(re)) {
    const port = Number(m[1] ?? m[2] ?? m[3]);
    out.push({ port, index: m.index, what: m[0].replace(/\s+/g, ' ') + (m[0].includes('${') ? '}' : '') });
  }
  return out;
}

/** `${PORT:-8000}`, `os.environ.get("PORT", 8000)`, `os.getenv('PORT', '8000')`, `LD_SERVER_PORT="${LD_SERVER_PORT:-9090}"`. */
function envDefaults(text: string): { port: number; index: number; what: string }[] {
  const re = /\$\{(\w*PORT):-(\d{2,5})\}|(?:environ\.get|getenv)\(\s*["'](\w*PORT)["']\s*,\s*["']?(\d{2,5})["']?\s*\)/g;
  return [...text.matchAll(re)].map((m) => ({ port: Number(m[2] ?? m[4]), index: m.index, what: m[0] }));
}

function dockerfileEvidence(file: string, text: string, tier: number): PortEvidence[] {
  const out: PortEvidence[] = [];
  // one instruction per logical line (continuations joined), offsets kept for the line numbers
  const env = new Map<string, string>();
  for (const m of text.matchAll(/^[ \t]*(ENV|ARG|EXPOSE|CMD|ENTRYPOINT)[ \t]+((?:[^\n]*\\\n)*[^\n]*)/gim)) {
    const kw = m[1]!.toUpperCase();
    const args = m[2]!.replace(/\\\n/g, ' ');
    const line = lineAt(text, m.index);
    if (kw === 'ENV' || kw === 'ARG') {
      for (const kv of args.matchAll(/(\w+)[= ]["']?([^\s"']+)["']?/g)) env.set(kv[1]!, kv[2]!);
      const port = /(?:^|\s)PORT(?:=|\s+)["']?(\d{2,5})\b/.exec(args);
      if (kw === 'ENV' && port) out.push({ port: Number(port[1]), file, line, what: `ENV PORT=${port[1]}`, tier });
    } else if (kw === 'EXPOSE') {
      for (const w of args.trim().split(/\s+/)) {
        const name = /^\$\{?(\w+)\}?$/.exec(w)?.[1];
        const v = name ? env.get(name) : /^(\d+)(\/tcp)?$/i.exec(w)?.[1];
        if (v && /^\d+$/.test(v)) out.push({ port: Number(v), file, line, what: `EXPOSE ${w}`, tier });
      }
    } else {
      for (const c of commandPorts(args.replace(/",\s*"/g, ' '))) out.push({ port: c.port, file, line, what: `${kw} ${c.what}`, tier });
    }
  }
  return out;
}

const COMPOSE = /^(docker-)?compose([.-][\w.-]+)?\.ya?ml$/;

/**
 * Where compose files that may build this project live: the repository; without git metadata (a source archive), the
 * nearest of two parent directories that holds a compose file (a service in `services/web` of a monorepo).
 */
function composeHome(p: Project): Project {
  const repo = p.repository();
  if (repo !== p) return repo;
  let dir = p.contextDir;
  for (let i = 0; i < 2; i++) {
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      break;
    }
    // only a compose file that names this directory as a build context: never a stray one in a shared parent (/tmp)
    const rel = relative(dir, p.contextDir).split(sep).join('/');
    const builds = names.filter((n) => COMPOSE.test(n)).some((n) => {
      const text = readRegularText(join(dir, n), { within: [dir] });
      return text !== undefined && new RegExp(`(^|[\\s'"=:/.])${rel.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/?(['"\\s]|$)`, 'm').test(text.slice(0, 200_000));
    });
    if (builds) return p.open(dir);
  }
  return p;
}

/** Every port the project names for its app, strongest first. */
export const portEvidence = projectFact((p: Project): PortEvidence[] => {
  const repo = composeHome(p);
  const out: PortEvidence[] = [];
  const shallow = (f: string): boolean => f.split('/').length <= MAX_DEPTH && !/(^|\/)(tests?|docs?|node_modules|\.github|\.circleci|frontend|nginx|caddy)\//i.test(f);
  {
    const proj = p;
    for (const f of proj.find(shallow)) {
      const name = f.split('/').pop()!;
      const text = (): string => proj.file(f)?.text ?? '';
      if (/^(Dockerfile|Containerfile)(\..+)?$|\.dockerfile$/i.test(name)) {
        const t = text();
        if (!/python|pip\b|\buv\b|poetry|gunicorn|uvicorn/i.test(t)) continue; // a frontend or proxy image
        out.push(...dockerfileEvidence(f, t, /dev|test|local|debug/i.test(name) ? 3 : 1));
      } else if (/gunicorn[\w.-]*\.py$|(^|\/)(gunicorn|hypercorn)[\w.-]*\.(conf|toml|py)$|uwsgi[\w.-]*\.ini$/i.test(f)) {
        const t = text();
        for (const m of t.matchAll(/^\s*(?:bind|http|http-socket|socket)\s*=\s*[[(]?\s*(?:f?["'])?(?:[\w.[\]:-]*:)?(\d{2,5})\b/gm)) out.push({ port: Number(m[1]), file: f, line: lineAt(t, m.index), what: m[0].trim(), tier: 2 });
        for (const e of envDefaults(t)) out.push({ port: e.port, file: f, line: lineAt(t, e.index), what: e.what, tier: 2 });
      } else if (/\.sh$/.test(name) || (!name.includes('.') && /(^|\/)(bin|docker|compose|scripts?|deploy)\//.test(f))) {
        const t = text();
        if (!/^#!/.test(t) && !name.endsWith('.sh')) continue;
        if (!/gunicorn|uvicorn|uwsgi|hypercorn|daphne|granian|waitress|runserver|PORT/.test(t)) continue;
        const tier = /(^|[/._-])(local|dev|development|test)([/._-]|$)/i.test(f) ? 3 : 2;
        for (const c of [...commandPorts(t), ...envDefaults(t)]) out.push({ port: c.port, file: f, line: lineAt(t, c.index), what: c.what, tier });
      } else if (name === 'Procfile') {
        const t = text();
        for (const m of t.matchAll(/^web:.*$/gm)) for (const c of commandPorts(m[0])) out.push({ port: c.port, file: f, line: lineAt(t, m.index), what: c.what, tier: 3 });
      } else if (/\.py$/.test(name) && !/(^|\/)(test_[^/]*|conftest|setup)\.py$/.test(f)) {
        const t = text();
        if (!/port/i.test(t)) continue;
        for (const m of t.matchAll(/\b(?:run|run_app|run_simple|serve)\([^)]*?\bport\s*=\s*(\d{2,5})\b/g)) out.push({ port: Number(m[1]), file: f, line: lineAt(t, m.index), what: m[0].replace(/\s+/g, ' ').slice(0, 60), tier: 4 });
        for (const e of envDefaults(t).filter((x) => /\bPORT\b/.test(x.what))) out.push({ port: e.port, file: f, line: lineAt(t, e.index), what: e.what, tier: 4 });
      } else if (/\.(ya?ml|toml|ini|cfg)$/.test(name) && /(^|\/)(config|conf|settings|etc)(\/|[\w-]*\.)/.test(f) && !/compose|k8s|kube|helm|workflow|test/i.test(f)) {
        const t = text();
        for (const m of t.matchAll(/^port\s*[:=]\s*["']?(\d{2,5})\b/gm)) out.push({ port: Number(m[1]), file: f, line: lineAt(t, m.index), what: m[0].trim(), tier: 5 });
      }
    }
  }
  // compose: the container side of `ports:` and the `command:` of services that build the project
  // compose files may sit above the project (monorepo): only services that build this project count
  const here = relative(repo.root, p.contextDir).split(sep).join('/');
  for (const s of composeServices(repo)) {
    const ctx = s.build?.contextPath;
    const related = ctx === undefined || here === '' || ctx === '' || ctx === here || ctx.startsWith(`${here}/`) || here.startsWith(`${ctx}/`);
    // a proxy, a frontend or a worker built beside the app listens on its own port
    if (!s.build || !related || /nginx|caddy|traefik|proxy|frontend|node|react|vue|flower|worker|beat|celery/i.test(`${s.name} ${ctx ?? ''} ${s.build.dockerfile ?? ''}`)) continue;
    const text = repo.file(s.file)?.text ?? '';
    const shown = repo === p ? s.file : relative(p.root, join(repo.root, s.file)).split(sep).join('/');
    const tier = isDevCompose(s.file) ? 3 : 2;
    for (const port of s.ports) {
      const v = port.value.replace(/\$\{\w+(?::?-([^}]*))?\}/g, (_, d: string | undefined) => d ?? '').split(':').pop()!.replace(/\/(tcp|udp)$/, '');
      if (/^\d{2,5}$/.test(v)) out.push({ port: Number(v), file: shown, line: lineAt(text, port.span.start), what: `ports: ${port.value}`, tier });
    }
    const cmd = s.command ? (Array.isArray(s.command.value) ? s.command.value.join(' ') : s.command.value) : '';
    for (const c of commandPorts(cmd)) out.push({ port: c.port, file: shown, line: lineAt(text, s.command!.span.start), what: `command: ${c.what}`, tier });
  }
  return out.filter((e) => !OTHERS.has(e.port) && e.port > 0 && e.port < 65536).sort((a, b) => a.tier - b.tier);
});

/** The development server's default port when the project starts itself that way (flask run, app.run(), run_app). */
export function frameworkDefault(p: Project, pyFiles: readonly string[]): PortEvidence | undefined {
  for (const f of pyFiles) {
    const t = p.file(f)?.text ?? '';
    const run = /^\s*(?:\w+\.)?run\(\s*(?:debug\s*=\s*\w+\s*)?\)|^\s*web\.run_app\((?![^)]*port)/m.exec(t);
    if (!run) continue;
    if (/web\.run_app/.test(run[0])) return { port: 8080, file: f, line: lineAt(t, run.index), what: `${run[0].trim()}: aiohttp's default port`, tier: 6 };
    if (/\b(Flask|Quart)\(|create_app/.test(t)) return { port: 5000, file: f, line: lineAt(t, run.index), what: `${run[0].trim()}: the development server's default port`, tier: 6 };
  }
  for (const f of p.find((x) => /(^|\/)(README[\w.]*|Makefile|Procfile)$/i.test(x) && x.split('/').length <= 3)) {
    const t = p.file(f)?.text ?? '';
    const m = /\bflask\b[^\n]*\brun\b(?![^\n]*(--port|-p\s))/.exec(t);
    if (m) return { port: 5000, file: f, line: lineAt(t, m.index), what: `${m[0].trim()}: flask run's default port`, tier: 6 };
  }
  return undefined;
}

/** Ports below this need root (or CAP_NET_BIND_SERVICE); the generated image runs as uid 10001. */
export const PRIVILEGED = 1024;
export const DEFAULT_PORT = 8000;

/** The port to use: the strongest evidence (the most named value within its tier), 8000 for a privileged port or none. */
export function choosePort(evidence: readonly PortEvidence[]): { port: number; evidence: string[]; notes: string[] } {
  if (evidence.length === 0) return { port: DEFAULT_PORT, evidence: ['default: the project names no port'], notes: [] };
  const tier = Math.min(...evidence.map((e) => e.tier));
  const top = evidence.filter((e) => e.tier === tier);
  const count = (n: number): number => top.filter((e) => e.port === n).length;
  const winner = top.reduce((a, b) => (count(b.port) > count(a.port) ? b : a));
  const agree = evidence.filter((e) => e.port === winner.port && e !== winner).slice(0, 2);
  const cite = (e: PortEvidence): string => `${e.file}:${e.line} ${e.what}`;
  const others = [...new Set(top.filter((e) => e.port !== winner.port).map((e) => e.port))];
  const notes = others.length > 0 ? [`the project also names port ${others.join(', ')} (${evidence.filter((e) => others.includes(e.port)).slice(0, 2).map(cite).join('; ')}); the image listens on ${winner.port < PRIVILEGED ? DEFAULT_PORT : winner.port}: pass --port to change it`] : [];
  if (winner.port < PRIVILEGED) {
    return {
      port: DEFAULT_PORT, evidence: [cite(winner), `default: ${DEFAULT_PORT}, since port ${winner.port} needs root`],
      notes: [`${cite(winner)} names port ${winner.port}; a non-root process cannot bind a port below ${PRIVILEGED}, so the image listens on ${DEFAULT_PORT} (publish it as ${winner.port} with \`-p ${winner.port}:${DEFAULT_PORT}\`)`, ...notes],
    };
  }
  return { port: winner.port, evidence: [cite(winner), ...agree.map(cite)], notes };
}

/** The project's port: its own evidence, else the framework's development default when it starts itself, else 8000. */
export function projectPort(p: Project): { port: number; evidence: string[]; notes: string[] } {
  const found = portEvidence(p);
  const fallback = found.length === 0 ? frameworkDefault(p, routeFiles(p)) : undefined;
  return choosePort(fallback ? [fallback] : found);
}
