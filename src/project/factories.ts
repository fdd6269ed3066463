// App objects a framework builds, directly (`app = Flask(...)`) or through a factory function (`app = create_app()`,
// `application = get_app()`, `async def init_app()` of aiohttp), resolved through the project's own imports and its
// subclasses of framework classes. Source text only: nothing is imported or executed.
import type { AppCandidate, AppInterface } from './app-object.js';
import type { Project } from './model.js';
import { importsOf } from './py/modules.js';
import { lineAt } from './py/source.js';

type Framework = AppCandidate['framework'];

/** A call that builds a framework's app: the callee as a regex source. */
interface Ctor { framework: Framework; iface: AppInterface; callee: string }

const CTORS: Ctor[] = [
  { framework: 'flask', iface: 'wsgi', callee: '(?:flask\\.)?Flask' },
  { framework: 'quart', iface: 'asgi', callee: '(?:quart\\.)?Quart' },
  { framework: 'fastapi', iface: 'asgi', callee: '(?:fastapi\\.)?FastAPI' },
  { framework: 'starlette', iface: 'asgi', callee: '(?:starlette\\.applications\\.|applications\\.)?Starlette' },
  { framework: 'litestar', iface: 'asgi', callee: '(?:litestar\\.)?Litestar' },
  { framework: 'falcon', iface: 'asgi', callee: 'falcon\\.asgi\\.App' },
  { framework: 'falcon', iface: 'wsgi', callee: 'falcon\\.(?:App|API)' },
  { framework: 'aiohttp', iface: 'aiohttp', callee: '(?:aiohttp\\.)?web\\.Application' },
  // Pyramid: the WSGI app is what the Configurator makes
  { framework: 'pyramid', iface: 'wsgi', callee: '[A-Za-z_]\\w*\\.make_wsgi_app' },
  // Django Channels: the router is the ASGI app (Django's own asgi.py is found by the Django reader)
  { framework: 'channels', iface: 'asgi', callee: 'ProtocolTypeRouter' },
  { framework: 'celery', iface: 'celery', callee: '(?:celery\\.)?Celery' },
];

const ASSIGN = '^([A-Za-z_]\\w*)\\s*(?::\\s*[\\w.\\[\\], ]+\\s*)?=\\s*(?:await\\s+)?';
const MAX_FACTORY_PASSES = 3;

/** A function that builds and returns an app. */
export interface Factory {
  file: string;
  name: string;
  framework: Framework;
  iface: AppInterface;
  line: number;
  /** Callable with no arguments (every parameter has a default). */
  noArgs: boolean;
  /** It calls another factory rather than a framework constructor. */
  wraps?: string;
}

interface PyFile { path: string; text: string; module: string; importRoot: string }

/** Top-level functions: name, parameters, body text, line. */
function functions(text: string): { name: string; params: string; body: string; line: number; index: number }[] {
  const out: { name: string; params: string; body: string; line: number; index: number }[] = [];
  for (const m of text.matchAll(/^(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(/gm)) {
    // parameters up to the matching parenthesis (annotations may hold their own)
    let depth = 1;
    let i = m.index + m[0].length;
    for (; i < text.length && depth > 0; i++) {
      if (text[i] === '(' || text[i] === '[') depth++;
      else if (text[i] === ')' || text[i] === ']') depth--;
    }
    const head = /^\s*(?:->[^:]*)?:/.exec(text.slice(i));
    if (!head) continue;
    const start = i + head[0].length;
    // the body ends at the next line that starts at column 0 with code
    const rest = text.slice(start);
    const end = /\n(?=[^\s#)\]}])/.exec(rest);
    out.push({ name: m[1]!, params: text.slice(m.index + m[0].length, i - 1), body: end ? rest.slice(0, end.index) : rest, line: lineAt(text, m.index), index: m.index });
  }
  return out;
}

/** Every parameter has a default (or is *args/**kwargs/self-less): `f()` works. */
function noRequiredParams(params: string): boolean {
  // commas inside annotations (`dict[str, int]`, `A | B`) do not separate parameters
  let flat = params;
  for (let k = 0; k < 5 && /[([][^()[\]]*[)\]]/.test(flat); k++) flat = flat.replace(/[([][^()[\]]*[)\]]/g, '');
  return flat.split(',').map((x) => x.trim()).filter((x) => x !== '' && x !== '*' && x !== '/')
    .every((x) => x.includes('=') || x.startsWith('*'));
}

/** `from a.b import c, d as e` / `from .x import y` → local name → [module (absolute), name]. */
function imports(text: string, module: string, isPackage: boolean): Map<string, [string, string]> {
  const out = new Map<string, [string, string]>();
  for (const [local, imp] of importsOf(text)) {
    if (!imp.name || !/^\w+$/.test(imp.name)) continue;
    const dots = /^\.*/.exec(imp.module)![0].length;
    let base = imp.module.slice(dots);
    if (dots > 0) {
      const parts = module.split('.');
      const parent = parts.slice(0, Math.max(0, parts.length - (dots - (isPackage ? 1 : 0))));
      base = [...parent, ...(base ? [base] : [])].join('.');
    }
    out.set(local, [base, imp.name]);
  }
  return out;
}

/**
 * The app objects of the project's Python files: module-level framework objects, objects a factory returns
 * (`app = create_app()`), and factories nobody calls at module level (`module:factory()`, when callable without
 * arguments). A factory that only wraps another one (a dev variant) is left out when the one it wraps is there.
 */
export function appObjects(p: Project, files: { path: string; module: string; importRoot: string }[]): { candidates: AppCandidate[]; factories: Factory[] } {
  const py: PyFile[] = [];
  for (const f of files) {
    const text = p.file(f.path)?.text;
    if (text) py.push({ ...f, text });
  }
  const byModule = new Map(py.map((f) => [f.module, f]));
  const ctors = [...CTORS];
  // subclasses of a framework's app class build that framework's app: `class AntennaApp(falcon.App)`
  for (const f of py) {
    for (const m of f.text.matchAll(/^class\s+([A-Za-z_]\w*)\s*\(([^)]*)\)/gm)) {
      const base = m[2]!.split(',').map((x) => x.trim());
      const c = CTORS.find((k) => k.framework !== 'pyramid' && base.some((b) => new RegExp(`^${k.callee}$`).test(b)));
      if (c) ctors.push({ ...c, callee: m[1]! });
    }
  }
  const calls = (c: Ctor): RegExp => new RegExp(`(?<![\\w.])${c.callee}\\(`);

  // factories: functions whose body builds an app (then, pass by pass, functions that call one)
  const factories: Factory[] = [];
  const fns = new Map(py.map((f) => [f.path, functions(f.text)]));
  const importsByFile = new Map(py.map((f) => [f.path, imports(f.text, f.module, /(^|\/)__init__\.py$/.test(f.path))]));
  const resolve = (f: PyFile, name: string): Factory | undefined => {
    const local = factories.find((x) => x.file === f.path && x.name === name);
    if (local) return local;
    const imp = importsByFile.get(f.path)!.get(name);
    if (!imp) return undefined;
    const target = byModule.get(imp[0]);
    return target && factories.find((x) => x.file === target.path && x.name === imp[1]);
  };
  for (const f of py) {
    for (const fn of fns.get(f.path)!) {
      if (!/\breturn\b/.test(fn.body)) continue;
      const built = ctors.filter((c) => calls(c).test(fn.body));
      if (built.length === 0) continue;
      // several kinds built (a Celery app around a Flask app): the one returned
      const ret = /\breturn\s+([A-Za-z_]\w*)\s*$/m.exec(fn.body)?.[1];
      const returned = built.find((k) => new RegExp(`\\breturn\\s+${k.callee}\\(`).test(fn.body)
        || [...fn.body.matchAll(new RegExp(`^\\s*([A-Za-z_]\\w*)\\s*(?::[^=\\n]+)?=\\s*(?:await\\s+)?${k.callee}\\(`, 'gm'))]
          .some((v) => v[1] === ret || new RegExp(`^\\s*return\\b.*\\b${v[1]}\\b`, 'm').test(fn.body)));
      // `main`/`run` build an app to start it, unless they return it (Pyramid's `main(global_config, **settings)`)
      if (/^(main|run|cli)$/.test(fn.name) && !returned) continue;
      const c = returned ?? built[0]!;
      factories.push({ file: f.path, name: fn.name, framework: c.framework, iface: c.iface, line: fn.line, noArgs: noRequiredParams(fn.params) });
    }
  }
  for (let pass = 0; pass < MAX_FACTORY_PASSES; pass++) {
    let added = false;
    for (const f of py) {
      for (const fn of fns.get(f.path)!) {
        if (!/\breturn\b/.test(fn.body) || factories.some((x) => x.file === f.path && x.name === fn.name) || /^(main|run|cli)$/.test(fn.name)) continue;
        for (const m of fn.body.matchAll(/(?<![\w.])([A-Za-z_]\w*)\(/g)) {
          const inner = resolve(f, m[1]!);
          if (!inner) continue;
          factories.push({ file: f.path, name: fn.name, framework: inner.framework, iface: inner.iface, line: fn.line, noArgs: noRequiredParams(fn.params), wraps: `${inner.file}:${inner.name}` });
          added = true;
          break;
        }
      }
    }
    if (!added) break;
  }

  const candidates: AppCandidate[] = [];
  const called = new Set<Factory>();
  for (const f of py) {
    const at = { module: f.module, importRoot: f.importRoot, file: f.path };
    for (const c of ctors) {
      for (const m of f.text.matchAll(new RegExp(`${ASSIGN}${c.callee}\\(`, 'gm'))) {
        candidates.push({ interface: c.iface, framework: c.framework, ...at, attr: m[1]!, line: lineAt(f.text, m.index) });
      }
    }
    for (const m of f.text.matchAll(new RegExp(`${ASSIGN}([A-Za-z_]\\w*)\\(`, 'gm'))) {
      const fac = resolve(f, m[2]!);
      if (!fac) continue;
      called.add(fac);
      if (!candidates.some((c) => c.file === f.path && c.attr === m[1])) candidates.push({ interface: fac.iface, framework: fac.framework, ...at, attr: m[1]!, line: lineAt(f.text, m.index) });
    }
  }
  for (const fac of factories) {
    if (called.has(fac) || !fac.noArgs || fac.framework === 'celery') continue;
    // a wrapper around another factory (`get_app()` → `init_app()`): the wrapped one serves
    if (fac.wraps && factories.some((x) => `${x.file}:${x.name}` === fac.wraps)) continue;
    const f = py.find((x) => x.path === fac.file)!;
    // the file already holds a module-level app of that framework
    if (candidates.some((c) => c.file === fac.file && c.framework === fac.framework)) continue;
    candidates.push({ interface: fac.iface, framework: fac.framework, module: f.module, importRoot: f.importRoot, file: f.path, attr: `${fac.name}()`, line: fac.line });
  }
  return { candidates, factories };
}
