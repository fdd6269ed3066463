// The HTTP routes of a Python app with their FULL paths (router, blueprint, include and mount prefixes applied), each
// with its file:line, so a health check requests a path that exists. Read from source text (py/source.ts, py/modules.ts), bounded.
import { ConstEval, PyIndex, importsOf } from './py/modules.js';
import { callArgs, kwarg, lineAt, literal, positional } from './py/source.js';
import { projectFact, type Project } from './model.js';

export interface Route {
  /** The full path as far as the code shows it, starting with `/`. */
  path: string;
  file: string;
  line: number;
  framework: 'fastapi' | 'flask' | 'django' | 'starlette' | 'litestar' | 'aiohttp' | 'falcon' | 'pyramid';
  /** Answers GET (a POST-only route is no health check). */
  get: boolean;
  /** Every prefix on the way to the app was read; false: `unresolved` says which was not. */
  resolved: boolean;
  unresolved?: string;
  /** Its view asks for authentication (login_required, permission_classes, auth dependencies…). */
  auth: boolean;
  /** Where each prefix of the full path is written (`file:line expr`), outermost first. */
  via?: string[];
}

// not `examples/`: in a monorepo the app itself may live there (examples/tutorial)
const SKIP = /(^|\/)(tests?|testing|docs?|migrations|node_modules|site-packages|dist-packages|build|dist|\.[^/]+)\//;
const MAX_FILES = 3000;
const MAX_DEPTH = 8;

const AUTH = /login_required|permission_required|LoginRequiredMixin|PermissionRequiredMixin|authentication_classes|IsAuthenticated|requires_auth|auth_required|jwt_required|token_required|Depends\(\s*\w*(?:current_user|auth|verify_token|get_user)/i;
const NO_AUTH = /exclude_from_auth\s*=\s*True|permission_classes\s*=\s*[[(]\s*(AllowAny|[\])])|authentication_classes\s*=\s*[[(]\s*[\])]|security\s*=\s*\[\s*\]/;

/** Join URL prefixes the way routers do: one `/` between parts; an empty part adds nothing. */
export function joinPath(...parts: string[]): string {
  let out = '';
  for (const part of parts) {
    if (part === '') continue;
    out = out === '' ? part : `${out.replace(/\/+$/, '')}/${part.replace(/^\/+/, '')}`;
  }
  return out.startsWith('/') ? out : `/${out}`;
}

interface Ctx {
  idx: PyIndex;
  ev: ConstEval;
  out: Route[];
}

interface Prefix { path: string; unresolved?: string; via?: string[] }

const at = (file: string, line: number): string => `${file}:${line}`;

/** A string-valued argument: its value, or why it is unknown. */
function str(ctx: Ctx, expr: string | undefined, file: string, line: number): Prefix {
  if (expr === undefined) return { path: '' };
  const v = ctx.ev.value(expr, file);
  const shown = `${at(file, line)} ${expr.replace(/\s+/g, ' ').slice(0, 60)}`;
  return v === undefined ? { path: '', unresolved: shown } : { path: v, via: v ? [shown] : [] };
}

/** Auth words in the decorators and first lines of the definition that starts at `line` (1-based). */
function authNear(text: string, line: number, before = 4, after = 12): boolean {
  const lines = text.split('\n').slice(Math.max(0, line - 1 - before), line - 1 + after).join('\n');
  return AUTH.test(lines) && !NO_AUTH.test(lines);
}

// ---------------------------------------------------------------------------------------------------------------
// Router objects: FastAPI/APIRouter, Flask/Quart Blueprint, aiohttp RouteTableDef, and the edges that mount one in
// another (include_router, register_blueprint, mount, add_subapp).

const OBJECT = /^[ \t]*([A-Za-z_]\w*)[ \t]*(?::[^=\n]+)?=[ \t]*(?:[A-Za-z_]\w*\.)*(FastAPI|APIRouter|Flask|Quart|Blueprint|Starlette|RouteTableDef|Application|App|API)\(/gm;
const APPS = new Set(['FastAPI', 'Flask', 'Quart', 'Starlette', 'Application', 'App', 'API']);

interface Obj { key: string; file: string; name: string; kind: string; own: Prefix; line: number }
interface Edge { parent: string; child: string; prefix?: Prefix; replacesOwn: boolean }
interface Pending { obj: string; path: Prefix; file: string; line: number; framework: Route['framework']; get: boolean; auth: boolean }

const frameworkOf = (kind: string | undefined, text: string): Route['framework'] =>
  kind === 'Blueprint' || kind === 'Flask' || kind === 'Quart' ? 'flask'
    : kind === 'RouteTableDef' || kind === 'Application' ? 'aiohttp'
      : kind === 'App' || kind === 'API' ? 'falcon'
        : kind === 'Starlette' ? 'starlette'
          : /\bfastapi\b/.test(text) ? 'fastapi' : /\bflask\b|\bquart\b/i.test(text) ? 'flask' : /\baiohttp\b/.test(text) ? 'aiohttp' : /\bfalcon\b/.test(text) ? 'falcon' : /\bpyramid\b|\bcornice\b/.test(text) ? 'pyramid' : 'starlette';

/** The object an expression names in `file` (`router`, `ping.router`, an alias from an import), as `file#name`. */
function resolveObj(ctx: Ctx, objs: Map<string, Obj>, file: string, expr: string, depth = 0): string | undefined {
  if (depth > 6) return undefined;
  const parts = expr.trim().split('.');
  if (!parts.every((x) => /^[A-Za-z_]\w*$/.test(x))) return undefined;
  const [head, ...rest] = parts as [string, ...string[]];
  if (rest.length === 0 && objs.has(`${file}#${head}`)) return `${file}#${head}`;
  const imp = importsOf(ctx.idx.text(file)).get(head);
  if (imp) {
    if (imp.name) {
      const sub = ctx.idx.submodule(imp.module, imp.name, file);
      if (sub && sub !== file) return rest.length > 0 ? resolveObj(ctx, objs, sub, rest.join('.'), depth + 1) : undefined;
      const mod = ctx.idx.fileOf(imp.module, file);
      if (mod && mod !== file) return resolveObj(ctx, objs, mod, [imp.name, ...rest].join('.'), depth + 1);
      return undefined;
    }
    const mod = ctx.idx.fileOf(imp.module, file);
    return mod && rest.length > 0 ? resolveObj(ctx, objs, mod, rest.join('.'), depth + 1) : undefined;
  }
  // a package's attribute that is a submodule: `api.ping.router` with api/__init__.py
  if (rest.length > 0 && /\/__init__\.py$/.test(file)) {
    const sub = `${file.replace(/__init__\.py$/, '')}${head}.py`;
    if (ctx.idx.files.includes(sub)) return resolveObj(ctx, objs, sub, rest.join('.'), depth + 1);
  }
  return undefined;
}

/** Objects passed as `param` to the function whose body holds offset `at`, by any caller in the project. */
function passedTo(ctx: Ctx, objs: Map<string, Obj>, file: string, text: string, offset: number, param: string): string[] {
  if (!/^[A-Za-z_]\w*$/.test(param)) return [];
  const defs = [...text.slice(0, offset).matchAll(/^[ \t]*(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)\(/gm)];
  const def = defs[defs.length - 1];
  if (!def) return [];
  const sig = callArgs(text, def.index + def[0].length - 1)?.args.map((a) => a.split(/[:=]/)[0]!.trim()) ?? [];
  const index = sig.filter((a) => a !== 'self').indexOf(param);
  if (index < 0) return [];
  const out: string[] = [];
  for (const f of ctx.idx.files) {
    const t = ctx.idx.text(f);
    if (!t.includes(`${def[1]}(`)) continue;
    for (const call of t.matchAll(new RegExp(`(?<![\\w.])${def[1]}\\(`, 'g'))) {
      if (/def[ \t]+$/.test(t.slice(Math.max(0, call.index - 8), call.index))) continue;
      const args = callArgs(t, call.index + call[0].length - 1)?.args ?? [];
      const expr = kwarg(args, param) ?? positional(args)[index];
      const obj = expr ? resolveObj(ctx, objs, f, expr) : undefined;
      if (obj) out.push(obj);
    }
  }
  return out;
}

function routerRoutes(ctx: Ctx): void {
  const objs = new Map<string, Obj>();
  const edges: Edge[] = [];
  const pending: Pending[] = [];
  for (const file of ctx.idx.files) {
    const text = ctx.idx.text(file);
    for (const m of text.matchAll(OBJECT)) {
      const open = m.index + m[0].length - 1;
      const args = callArgs(text, open)?.args ?? [];
      const line = lineAt(text, m.index);
      const own = m[2] === 'APIRouter' ? str(ctx, kwarg(args, 'prefix'), file, line) : m[2] === 'Blueprint' ? str(ctx, kwarg(args, 'url_prefix'), file, line) : { path: '' };
      objs.set(`${file}#${m[1]}`, { key: `${file}#${m[1]}`, file, name: m[1]!, kind: m[2]!, own, line });
    }
  }
  for (const file of ctx.idx.files) {
    const text = ctx.idx.text(file);
    const local = (name: string): string => `${file}#${name}`;
    // @router.get("/x"), @app.route("/x", methods=[...]), @routes.get("/x")
    for (const m of text.matchAll(/^[ \t]*@([A-Za-z_]\w*)\.(get|post|put|patch|delete|head|options|route|api_route|websocket)\(/gm)) {
      const c = callArgs(text, m.index + m[0].length - 1);
      if (!c) continue;
      const line = lineAt(text, m.index);
      const first = positional(c.args)[0] ?? kwarg(c.args, 'path') ?? kwarg(c.args, 'rule');
      // no path: a view for a route declared elsewhere (cornice `@service.get()`), or no route at all (`@mock.patch(…)`)
      if (first === undefined || m[1] === 'mock') continue;
      const methods = kwarg(c.args, 'methods');
      const get = m[2] === 'get' || m[2] === 'head' || ((m[2] === 'route' || m[2] === 'api_route') && (!methods || /GET/i.test(methods)));
      const obj = resolveObj(ctx, objs, file, m[1]!) ?? local(m[1]!);
      const kind = objs.get(obj)?.kind;
      pending.push({ obj, path: str(ctx, first, file, line), file, line, framework: frameworkOf(kind, text), get, auth: authNear(text, line, 0, 8) });
    }
    // app.add_url_rule("/x"…), app.add_api_route("/x"…), app.add_route("/x", R) (Falcon, Starlette), app.router.add_get("/x"…)
    for (const m of text.matchAll(/\b([A-Za-z_]\w*)(?:\.router)?\.(add_url_rule|add_api_route|add_route|add_get|add_head|add_post)\(/g)) {
      if (m[1] === 'config') continue; // Pyramid: below
      const c = callArgs(text, m.index + m[0].length - 1);
      if (!c) continue;
      const line = lineAt(text, m.index);
      const lits = positional(c.args).map((a) => literal(a));
      const path = lits.find((x) => x?.startsWith('/')) ?? literal(kwarg(c.args, 'path') ?? kwarg(c.args, 'rule'));
      if (path === undefined) continue;
      const method = m[2] === 'add_route' && lits[0] !== undefined && /^[A-Z*]+$/.test(lits[0]) ? lits[0] : undefined;
      const methods = kwarg(c.args, 'methods');
      const get = m[2] === 'add_post' ? false : method ? method === 'GET' || method === '*' : !methods || /GET/i.test(methods);
      const obj = resolveObj(ctx, objs, file, m[1]!) ?? local(m[1]!);
      const kind = objs.get(obj)?.kind;
      const framework = /^add_(get|head|post)$/.test(m[2]!) || method ? 'aiohttp' : frameworkOf(kind, text);
      pending.push({ obj, path: { path }, file, line, framework, get, auth: false });
    }
    // parent.include_router(child, prefix=…), parent.register_blueprint(child, url_prefix=…), parent.mount("/p", child), add_subapp
    for (const m of text.matchAll(/\b([A-Za-z_]\w*)\.(include_router|register_blueprint|mount|add_subapp)\(/g)) {
      const c = callArgs(text, m.index + m[0].length - 1);
      if (!c) continue;
      const line = lineAt(text, m.index);
      const pos = positional(c.args);
      const mountLike = m[2] === 'mount' || m[2] === 'add_subapp';
      const childExpr = mountLike ? pos[1] ?? kwarg(c.args, 'app') : pos[0] ?? kwarg(c.args, 'router') ?? kwarg(c.args, 'blueprint');
      if (!childExpr) continue;
      const prefixExpr = mountLike ? pos[0] ?? kwarg(c.args, 'path') : kwarg(c.args, m[2] === 'include_router' ? 'prefix' : 'url_prefix');
      const prefix = prefixExpr === undefined ? undefined : str(ctx, prefixExpr, file, line);
      const parent = resolveObj(ctx, objs, file, m[1]!) ?? local(m[1]!);
      const replacesOwn = m[2] === 'register_blueprint';
      const child = resolveObj(ctx, objs, file, childExpr);
      if (child) edges.push({ parent, child, prefix, replacesOwn });
      // a factory's parameter (`def create_app(router): app.include_router(router)`): whatever its callers pass
      else for (const passed of passedTo(ctx, objs, file, text, m.index, childExpr)) edges.push({ parent, child: passed, prefix, replacesOwn });
    }
  }
  // every full prefix of an object: the prefixes of whatever includes it, then the edge's and its own
  const memo = new Map<string, Prefix[]>();
  const prefixes = (key: string, seen: Set<string>): Prefix[] => {
    const hit = memo.get(key);
    if (hit) return hit;
    if (seen.has(key) || seen.size > MAX_DEPTH) return [{ path: '', unresolved: `${key} is included in a cycle` }];
    const obj = objs.get(key);
    const name = key.slice(key.indexOf('#') + 1);
    const into = edges.filter((e) => e.child === key);
    let out: Prefix[];
    if (into.length > 0) {
      out = into.flatMap((e) => prefixes(e.parent, new Set([...seen, key])).map((pp) => {
        const own = e.replacesOwn && e.prefix !== undefined ? { path: '' } : obj?.own ?? { path: '' };
        const edge = e.prefix ?? { path: '' };
        return { path: joinPath(pp.path, edge.path, own.path), unresolved: pp.unresolved ?? edge.unresolved ?? own.unresolved, via: [...pp.via ?? [], ...edge.via ?? [], ...own.via ?? []] };
      }));
    } else if (obj && APPS.has(obj.kind)) out = [{ path: '' }];
    // aiohttp route tables are added to the app whole; an undefined `app`/`application` is the app a factory returned
    else if (obj?.kind === 'RouteTableDef' || (!obj && /^(app|application|api|self)$/.test(name))) out = [{ path: '' }];
    else out = [{ path: obj?.own.path ?? '', unresolved: obj?.own.unresolved ?? `${obj ? at(obj.file, obj.line) : key} ${name} is not included anywhere pyship could follow` }];
    memo.set(key, out);
    return out;
  };
  for (const r of pending) {
    for (const pre of prefixes(r.obj, new Set())) {
      const unresolved = pre.unresolved ?? r.path.unresolved;
      ctx.out.push({ path: joinPath(pre.path, r.path.path), file: r.file, line: r.line, framework: r.framework, get: r.get, resolved: !unresolved, unresolved, auth: r.auth, via: pre.via });
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Django: the `path("x/", include("app.urls"))` chain from ROOT_URLCONF.

const DJANGO_CALL = /(?<![\w.])(path|re_path|url)\(/g;

/** `^api/v1/$` → `api/v1/`; undefined for a pattern with groups or classes (a parameter). */
function djangoPattern(p: string, regex: boolean): string | undefined {
  if (!regex) return /[<>]/.test(p) ? undefined : p;
  const s = p.replace(/^\^/, '').replace(/\$$/, '').replace(/\\\//g, '/').replace(/\\\./g, '.');
  return /[()[\]*+?\\|{}]/.test(s) ? undefined : s;
}

function viewAuth(ctx: Ctx, file: string, view: string): boolean {
  const names = [...view.matchAll(/([A-Za-z_]\w*)(?=\.as_view\(|\s*\)?\s*$)/g)].map((m) => m[1]!);
  const name = names[names.length - 1] ?? /([A-Za-z_]\w*)\s*$/.exec(view)?.[1];
  if (!name) return false;
  const imp = importsOf(ctx.idx.text(file));
  const head = view.trim().split('.')[0]!;
  const candidates = [file, ...[imp.get(name), imp.get(head)].flatMap((i) => (i ? [ctx.idx.submodule(i.module, i.name ?? '', file), ctx.idx.fileOf(i.module, file)] : []))]
    .filter((f): f is string => f !== undefined);
  for (const f of candidates) {
    const text = ctx.idx.text(f);
    const m = new RegExp(`^[ \\t]*(?:async\\s+)?(?:def|class)\\s+${name}\\b`, 'm').exec(text);
    if (m) return authNear(text, lineAt(text, m.index));
  }
  return false;
}

function djangoRoutes(ctx: Ctx): void {
  let root: { file: string; line: number } | undefined;
  for (const f of ctx.idx.files) {
    const text = ctx.idx.text(f);
    const m = /^\s*ROOT_URLCONF\s*=\s*["']([\w.]+)["']/m.exec(text);
    const file = m ? ctx.idx.fileOf(m[1]!) : undefined;
    if (file) {
      root = { file, line: 1 };
      break;
    }
  }
  const starts = root ? [{ file: root.file, unresolved: undefined as string | undefined }]
    : ctx.idx.files.filter((f) => /(^|\/)urls\.py$/.test(f)).map((f) => ({ file: f, unresolved: `${f} is not reached from a ROOT_URLCONF pyship found` }));
  const seen = new Set<string>();
  const walk = (file: string, prefix: string, unresolved: string | undefined, depth: number, via: string[] = []): void => {
    const key = `${file}|${prefix}`;
    if (depth > MAX_DEPTH || seen.has(key) || seen.size > 500) return;
    seen.add(key);
    const text = ctx.idx.text(file);
    const imports = importsOf(text);
    for (const m of text.matchAll(DJANGO_CALL)) {
      const c = callArgs(text, m.index + m[0].length - 1);
      if (!c || c.args.length < 2) continue;
      const line = lineAt(text, m.index);
      const raw = literal(c.args[0]);
      const value = raw ?? ctx.ev.value(c.args[0]!, file);
      const pat = value === undefined ? undefined : djangoPattern(value, m[1] !== 'path');
      const target = c.args[1]!;
      const inc = /^include\(/.exec(target);
      if (inc) {
        const ia = callArgs(target, target.indexOf('('))?.args ?? [];
        let arg = ia[0] ?? '';
        if (arg.startsWith('(') || arg.startsWith('[')) arg = callArgs(arg, 0)?.args[0] ?? '';
        const mod = literal(arg);
        let inFile: string | undefined;
        if (mod) inFile = ctx.idx.fileOf(mod);
        else if (/^[A-Za-z_]\w*$/.test(arg) && imports.has(arg)) {
          const i = imports.get(arg)!;
          inFile = i.name ? ctx.idx.submodule(i.module, i.name, file) ?? ctx.idx.fileOf(i.module, file) : ctx.idx.fileOf(i.module, file);
        } else continue; // include(router.urls), include(urlpatterns): not a module pyship can follow
        const why = unresolved ?? (pat === undefined ? `${at(file, line)} ${c.args[0]!.slice(0, 60)}` : undefined);
        const step = pat ? [`${at(file, line)} ${c.args[0]!.slice(0, 60)}, ${target.slice(0, 60)}`] : [];
        if (inFile && inFile !== file) walk(inFile, prefix + (pat ?? ''), why, depth + 1, [...via, ...step]);
        // a module outside the project (django-health-check, allauth): its root answers at the include's path
        else if (mod && !inFile) ctx.out.push({ path: joinPath(prefix + (pat ?? '')), file, line, framework: 'django', get: true, resolved: !why, unresolved: why, auth: false, via });
        continue;
      }
      if (pat === undefined) continue;
      ctx.out.push({ path: joinPath(prefix + pat), file, line, framework: 'django', get: true, resolved: !unresolved, unresolved, auth: AUTH.test(target) || viewAuth(ctx, file, target), via });
    }
    // `from api.pingdom.urls import urlpatterns as pingdom_urls` … `urlpatterns += pingdom_urls`: included at this prefix
    for (const [, i] of imports) {
      if (i.name !== 'urlpatterns') continue;
      const f = ctx.idx.fileOf(i.module, file);
      if (f && f !== file) walk(f, prefix, unresolved, depth + 1, via);
    }
  };
  for (const s of starts) walk(s.file, '', s.unresolved, 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Starlette Route/Mount by nesting, Litestar controllers, Pyramid add_route and cornice services (with route_prefix).

function starletteRoutes(ctx: Ctx): void {
  for (const file of ctx.idx.files) {
    const text = ctx.idx.text(file);
    if (!/\bRoute\(/.test(text)) continue;
    const mounts: { start: number; end: number; prefix: Prefix }[] = [];
    for (const m of text.matchAll(/(?<![\w.])Mount\(/g)) {
      const c = callArgs(text, m.index + m[0].length - 1);
      if (!c) continue;
      const line = lineAt(text, m.index);
      const prefix = str(ctx, positional(c.args)[0] ?? kwarg(c.args, 'path'), file, line);
      mounts.push({ start: m.index, end: c.end, prefix });
      // Mount("/api", routes=api_routes) with `api_routes = [...]` in this file
      const named = kwarg(c.args, 'routes');
      const list = named && /^[A-Za-z_]\w*$/.test(named) ? new RegExp(`^${named}\\s*(?::[^=\\n]+)?=\\s*\\[`, 'm').exec(text) : null;
      const lc = list ? callArgs(text, list.index + list[0].length - 1) : undefined;
      if (list && lc) mounts.push({ start: list.index, end: lc.end, prefix });
    }
    for (const m of text.matchAll(/(?<![\w.])Route\(/g)) {
      const c = callArgs(text, m.index + m[0].length - 1);
      if (!c) continue;
      const line = lineAt(text, m.index);
      const own = str(ctx, positional(c.args)[0] ?? kwarg(c.args, 'path'), file, line);
      const outer = mounts.filter((x) => x.start < m.index && x.end > m.index).sort((a, b) => a.start - b.start);
      const methods = kwarg(c.args, 'methods');
      const unresolved = [...outer.map((x) => x.prefix), own].find((x) => x.unresolved)?.unresolved;
      ctx.out.push({ path: joinPath(...outer.map((x) => x.prefix.path), own.path), file, line, framework: 'starlette', get: !methods || /GET/i.test(methods), resolved: !unresolved, unresolved, auth: false, via: outer.flatMap((x) => x.prefix.via ?? []) });
    }
  }
}

function litestarRoutes(ctx: Ctx): void {
  for (const file of ctx.idx.files) {
    const text = ctx.idx.text(file);
    if (!/^[ \t]*@(get|post|put|patch|delete|head|route)\(/m.test(text) || !/litestar/.test(text)) continue;
    const classes = [...text.matchAll(/^class\s+\w+\(([^)]*)\):/gm)].map((m) => {
      const next = /\n(?=\S)/.exec(text.slice(m.index + m[0].length));
      const body = text.slice(m.index, next ? m.index + m[0].length + next.index : text.length);
      // the class attribute `path = "/api/x"`, at the body's own indentation (not a decorator's `path=` keyword)
      const indent = /\n([ \t]+)\S/.exec(body)?.[1] ?? '    ';
      const path = new RegExp(`^${indent}path\\s*(?::[^=\\n]+)?=\\s*(.+)$`, 'm').exec(body);
      return { start: m.index, end: m.index + body.length, base: m[1]!, path: path ? str(ctx, path[1]!.trim(), file, lineAt(text, m.index)) : { path: '' } };
    });
    for (const m of text.matchAll(/^([ \t]*)@(get|post|put|patch|delete|head|route)\(/gm)) {
      const c = callArgs(text, m.index + m[0].length - 1);
      if (!c) continue;
      const line = lineAt(text, m.index);
      let first: string | undefined = positional(c.args)[0] ?? kwarg(c.args, 'path');
      if (first?.startsWith('[')) first = callArgs(first, 0)?.args[0];
      const own = str(ctx, first ?? '"/"', file, line);
      const cls = m[1] ? classes.find((k) => k.start < m.index && k.end > m.index) : undefined;
      const unresolved = cls?.path.unresolved ?? own.unresolved;
      const get = m[2] === 'get' || m[2] === 'head' || (m[2] === 'route' && /GET/.test(kwarg(c.args, 'http_method') ?? ''));
      const block = text.slice(m.index, c.end);
      ctx.out.push({ path: joinPath(cls?.path.path ?? '', own.path), file, line, framework: 'litestar', get, resolved: !unresolved, unresolved, auth: AUTH.test(block) && !NO_AUTH.test(block) ? true : /guards\s*=/.test(block), via: cls?.path.via });
    }
  }
}

function pyramidRoutes(ctx: Ctx): void {
  // config.include("pkg", route_prefix=…): the prefix of every route registered by pkg's modules
  const includes: { pkg: string; prefix: Prefix }[] = [];
  for (const file of ctx.idx.files) {
    const text = ctx.idx.text(file);
    for (const m of text.matchAll(/\bconfig\.include\(/g)) {
      const c = callArgs(text, m.index + m[0].length - 1);
      const pkg = literal(c?.args[0]);
      const rp = c ? kwarg(c.args, 'route_prefix') : undefined;
      if (pkg && rp) includes.push({ pkg, prefix: str(ctx, rp, file, lineAt(text, m.index)) });
    }
  }
  const prefixOf = (file: string): Prefix => {
    const dotted = `.${file.replace(/\.py$/, '').replace(/\/__init__$/, '').split('/').join('.')}.`;
    const hits = includes.filter((i) => dotted.includes(`.${i.pkg}.`)).sort((a, b) => b.pkg.length - a.pkg.length);
    return hits[0]?.prefix ?? { path: '' };
  };
  for (const file of ctx.idx.files) {
    const text = ctx.idx.text(file);
    if (!/\bpyramid\b|\bcornice\b|Service\(/.test(text)) continue;
    const pre = prefixOf(file);
    const push = (path: string, line: number, get: boolean): void =>
      void ctx.out.push({ path: joinPath(pre.path, path), file, line, framework: 'pyramid', get, resolved: !pre.unresolved, unresolved: pre.unresolved, auth: false, via: pre.via });
    for (const m of text.matchAll(/\bconfig\.add_route\(/g)) {
      const c = callArgs(text, m.index + m[0].length - 1);
      const lits = positional(c?.args ?? []).map((a) => literal(a));
      const path = lits[1] ?? literal(kwarg(c?.args ?? [], 'pattern'));
      if (path !== undefined) push(path, lineAt(text, m.index), true);
    }
    // cornice: NAME = Service(name=…, path="/x"); served by GET when a @NAME.get view exists
    for (const m of text.matchAll(/^([A-Za-z_]\w*)\s*=\s*(?:cornice\.)?Service\(/gm)) {
      const c = callArgs(text, m.index + m[0].length - 1);
      const path = literal(kwarg(c?.args ?? [], 'path'));
      if (path !== undefined) push(path, lineAt(text, m.index), new RegExp(`@${m[1]}\\.get\\(`).test(text));
    }
  }
}

/** Python files worth reading for routes: the app's own code, not tests, docs, migrations or virtualenvs. */
export function routeFiles(p: Project): string[] {
  const venvs = p.find((f) => f.endsWith('pyvenv.cfg')).map((f) => f.slice(0, -'pyvenv.cfg'.length));
  return p.find((f) => f.endsWith('.py') && f.split('/').length <= MAX_DEPTH && !SKIP.test(f) && !venvs.some((d) => f.startsWith(d))
    && !/(^|\/)(test_[^/]*|[^/]*_tests?|tests?|conftest)\.py$|^(setup|noxfile)\.py$/.test(f)).slice(0, MAX_FILES);
}

/** Every route found, with its full path; duplicates (same path, file and line) once. */
export const routeTable = projectFact((p: Project): Route[] => {
  const idx = new PyIndex(p, routeFiles(p));
  const ctx: Ctx = { idx, ev: new ConstEval(idx), out: [] };
  routerRoutes(ctx);
  djangoRoutes(ctx);
  starletteRoutes(ctx);
  litestarRoutes(ctx);
  pyramidRoutes(ctx);
  const seen = new Set<string>();
  return ctx.out.filter((r) => {
    const k = `${r.path}|${r.file}|${r.line}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Which routes are health checks.

/** Route names that mean "health", cheapest liveness first; deep checks (backends, readiness) last. */
const RANK: Record<string, number> = {
  __lbheartbeat__: 0, livez: 1, healthz: 2, health: 2, 'health-check': 2, healthcheck: 2, health_check: 2,
  ping: 3, up: 3, alive: 3, __heartbeat__: 5, heartbeat: 5, readyz: 6, ready: 6, status: 7,
};
/** Names too common to trust deep in an API (`/api/orders/status`): only near the root or under generic segments. */
const WEAK = new Set(['ping', 'up', 'status', 'alive', 'ready', 'heartbeat']);
const GENERIC = /^(api|v\d+(\.\d+)?|utils?|system|monitoring|internal|ops|meta|pingdom|_\w*)$/;

/** The health-like name of a route path, or undefined. */
export function healthName(path: string): string | undefined {
  if (/[{<]|\/:/.test(path)) return undefined; // a parameter: not a fixed health path
  const segs = path.split('/').filter(Boolean);
  const last = segs[segs.length - 1]?.replace(/\.(xml|json|txt|html)$/, '').toLowerCase();
  if (last === undefined || RANK[last] === undefined) return undefined;
  if (WEAK.has(last) && segs.length > 2 && !segs.slice(0, -1).every((s) => GENERIC.test(s))) return undefined;
  return last;
}

/** Health-like GET routes, the best first: open before authenticated, liveness before deep checks, shorter paths. */
export function healthRoutes(routes: readonly Route[]): Route[] {
  const named = routes.filter((r) => r.get && healthName(r.path) !== undefined);
  return named.sort((a, b) => Number(a.auth) - Number(b.auth) || Number(!a.resolved) - Number(!b.resolved)
    || RANK[healthName(a.path)!]! - RANK[healthName(b.path)!]! || a.path.length - b.path.length || a.file.localeCompare(b.file) || a.line - b.line);
}

/**
 * The view of a decorated route answers with a constant and nothing else (`return "Hello, World!"`, `return {"ok":
 * True}`): requesting it needs no database or service, so it is a fair liveness check when there is no health route.
 */
export function constantView(text: string, line: number): boolean {
  const lines = text.split('\n');
  let i = line - 1;
  // the decorators down to the def (bounded)
  for (let k = 0; k < 8 && i < lines.length && !/^\s*(async\s+)?def\s/.test(lines[i]!); k++) i++;
  const def = /^(\s*)(async\s+)?def\s+\w+\s*\(([^)]*)\)[^:]*:\s*(#.*)?$/.exec(lines[i] ?? '');
  // a view with parameters reads the request or a path value: not a constant
  if (!def || def[3]!.trim() !== '') return false;
  const body = lines.slice(i + 1, i + 12).filter((l) => l.trim() !== '' && !/^\s*#/.test(l));
  const inner = body.filter((l) => l.length - l.trimStart().length > def[1]!.length);
  if (inner.length !== 1) return false;
  return /^\s*return\s+(?:(?:[rbuf]?"[^"{}]*"|[rbuf]?'[^'{}]*')|\{\s*(?:["'][\w -]*["']\s*:\s*(?:["'][\w .-]*["']|True|False|\d+)\s*,?\s*)*\})\s*$/.test(inner[0]!);
}
