// Compose files read as services (build context and Dockerfile, image, command, ports, healthcheck, init, mounts…),
// with `${VAR:-default}` values, `<<` merge keys and anchors resolved as Compose does.
import { posix } from 'node:path';
import type { Node } from 'yaml';
import { mergedEntries, rangeSpan, resolveAlias, scalarString, stringList, yaml, yamlBool, yamlProblems } from './yaml.js';
import type { Span } from '../dockerfile/model.js';
import type { ComposeBuild, ComposeFile, ComposeService, Located, RuntimeProblem } from './runtime-model.js';

/** `${VAR:-default}` / `${VAR-default}` → default; other variables → undefined (unknown). */
/**
 * The items of a compose list written in the short syntax (`- "8000:8000"`) or the long one (`- target: 8000`): each
 * item's string, or in the long syntax the value of `key`, where the item is.
 */
function shortOrLong(doc: Parameters<typeof resolveAlias>[0], list: unknown, key: string): Located<string>[] {
  if (!yaml().isSeq(list)) return [];
  const out: Located<string>[] = [];
  for (const item of list.items as Node[]) {
    const r = resolveAlias(doc, item);
    const value = scalarString(r) ?? (yaml().isMap(r) ? scalarString(mergedEntries(doc, r).get(key)?.value) : undefined);
    if (value !== undefined) out.push({ value, span: rangeSpan(r) });
  }
  return out;
}

function composeVars(s: string): string | undefined {
  const out = s.replace(/\$\{[A-Za-z_]\w*:?-([^}]*)\}/g, '$1');
  return /\$[{A-Za-z_]/.test(out) ? undefined : out.replace(/\$\$/g, '$');
}

/** Normalise a root-relative POSIX path ('' for the root); undefined when it leaves the root. */
function rootRelative(p: string): string | undefined {
  // `./` normalises to `./`: without its slash it is the root
  const n = posix.normalize(p).replace(/\/+$/, '') || '.';
  if (n === '..' || n.startsWith('../') || n.startsWith('/')) return undefined;
  return n === '.' ? '' : n;
}


/** A compose file's services: build, image, command, ports, healthcheck, init, mounts…, with spans. */
export function parseCompose(file: string, text: string, problems: RuntimeProblem[]): ComposeFile {
  const lc = new (yaml().LineCounter)();
  const doc = yaml().parseDocument(text, { lineCounter: lc, merge: true, uniqueKeys: false });
  const out: ComposeFile = { path: file, services: [] };
  if (doc.errors.length > 0) {
    problems.push(...yamlProblems(file, doc));
    return out;
  }
  const top = mergedEntries(doc, doc.contents);
  const services = top.get('services')?.value;
  const dir = posix.dirname(file) === '.' ? '' : posix.dirname(file);
  for (const [name, { key, value }] of mergedEntries(doc, services)) {
    const e = mergedEntries(doc, value);
    const keys = new Map<string, Span>();
    for (const [k, v] of e) keys.set(k, rangeSpan(v.key));
    const svc: ComposeService = { file, name, span: rangeSpan(key), ports: [], bindMounts: [], keys };
    const loc = <T>(k: string, f: (n: Node | null) => T | undefined): Located<T> | undefined => {
      const v = e.get(k);
      if (!v) return undefined;
      const value = f(v.value);
      return value === undefined ? undefined : { value, span: rangeSpan(v.value, rangeSpan(v.key)) };
    };
    svc.image = loc('image', scalarString);
    svc.command = loc('command', (n) => (yaml().isSeq(n) ? stringList(doc, n) : scalarString(n)));
    svc.entrypoint = loc('entrypoint', (n) => (yaml().isSeq(n) ? stringList(doc, n) : scalarString(n)));
    svc.capDrop = loc('cap_drop', (n) => stringList(doc, n));
    svc.capAdd = loc('cap_add', (n) => stringList(doc, n));
    svc.init = loc('init', yamlBool);
    svc.readOnly = loc('read_only', yamlBool);
    svc.user = loc('user', scalarString);
    svc.securityOpt = loc('security_opt', (n) => stringList(doc, n));
    svc.ports.push(...shortOrLong(doc, e.get('ports')?.value, 'target'));
    const vols = e.get('volumes')?.value;
    if (yaml().isSeq(vols)) {
      for (const v of vols.items as Node[]) {
        const r = resolveAlias(doc, v);
        const long = yaml().isMap(r) ? mergedEntries(doc, r) : undefined;
        const src = long ? (scalarString(long.get('type')?.value) === 'bind' ? scalarString(long.get('source')?.value) : undefined) : scalarString(r)?.split(':')[0];
        // only relative host paths are the project's files (named volumes have no `.` or `/`)
        if (src === undefined || !/^\.\.?(\/|$)/.test(src)) continue;
        const host = rootRelative(posix.join(dir || '.', src));
        if (host !== undefined) svc.bindMounts.push({ value: host, span: rangeSpan(r) });
      }
    }
    const hc = e.get('healthcheck');
    if (hc) {
      const h = mergedEntries(doc, hc.value);
      const test = h.get('test')?.value;
      const t = yaml().isSeq(test) ? stringList(doc, test) : scalarString(test);
      const disabled = yamlBool(h.get('disable')?.value) === true || (Array.isArray(t) && t[0] === 'NONE');
      svc.healthcheck = { span: rangeSpan(hc.key), disabled, test: t };
    }
    const b = e.get('build');
    if (b) {
      const build: ComposeBuild = { context: undefined, dockerfile: undefined, dockerfilePath: undefined, contextPath: undefined, args: [], secrets: [], span: rangeSpan(b.key) };
      let inline = false;
      if (yaml().isScalar(b.value)) build.context = scalarString(b.value);
      else {
        const be = mergedEntries(doc, b.value);
        build.context = scalarString(be.get('context')?.value) ?? '.';
        build.dockerfile = scalarString(be.get('dockerfile')?.value);
        inline = be.has('dockerfile_inline');
        const args = be.get('args')?.value;
        if (yaml().isMap(args)) {
          for (const [k, v] of mergedEntries(doc, args)) build.args.push({ name: k, value: scalarString(v.value), span: rangeSpan(v.key) });
        } else if (yaml().isSeq(args)) {
          for (const a of args.items as Node[]) {
            const s = scalarString(a);
            if (s === undefined) continue;
            const eq = s.indexOf('=');
            build.args.push({ name: eq < 0 ? s : s.slice(0, eq), value: eq < 0 ? undefined : s.slice(eq + 1), span: rangeSpan(a) });
          }
        }
        build.secrets.push(...shortOrLong(doc, be.get('secrets')?.value, 'source'));
      }
      const ctx = build.context === undefined ? undefined : composeVars(build.context);
      if (ctx !== undefined && !/^[a-z][\w+.-]*:\/\/|^git@|\.git(#.*)?$/i.test(ctx) && !ctx.startsWith('/')) {
        build.contextPath = rootRelative(posix.join(dir || '.', ctx));
        const df = build.dockerfile === undefined ? 'Dockerfile' : composeVars(build.dockerfile);
        if (!inline && df !== undefined && build.contextPath !== undefined && !df.startsWith('/')) {
          build.dockerfilePath = rootRelative(posix.join(build.contextPath || '.', df));
        }
      }
      svc.build = build;
    }
    out.services.push(svc);
  }
  return out;
}
