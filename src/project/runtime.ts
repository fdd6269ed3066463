// Where and how the project's image runs: compose services, Kubernetes / Knative manifests, PaaS targets (Procfile,
// app.json, heroku.yml, fly.toml, railway.json/toml, Cloud Run service.yaml), and Python code that logs to files.
// Parsed once per project into typed facts whose spans are offsets into each file's text.
import { basename, join, posix, relative, sep } from 'node:path';
import type { Document, Node } from 'yaml';
import { mergedEntries, rangeSpan, resolveAlias, scalarString, stringList, yaml, yamlBool } from './yaml.js';
import { parse as parseToml } from 'smol-toml';
import type { Span } from '../dockerfile/model.js';
import { projectFact, type Project } from './model.js';
import { callArgs } from './py/source.js';

/** A value read from a file, with the span of its node (offsets into that file's text). */
export interface Located<T> {
  value: T;
  span: Span;
}

export interface ComposeBuild {
  /** The build context as written (relative to the compose file's directory). */
  context: string | undefined;
  /** The Dockerfile as written (relative to the context). */
  dockerfile: string | undefined;
  /** Root-relative path of the Dockerfile the service builds; undefined for remote contexts, inline Dockerfiles, variables. */
  dockerfilePath: string | undefined;
  /** Root-relative context directory ('' for the root); undefined when unknown. */
  contextPath: string | undefined;
  args: { name: string; value: string | undefined; span: Span }[];
  secrets: Located<string>[];
  span: Span;
}

export interface ComposeService {
  /** Root-relative path of the compose file. */
  file: string;
  name: string;
  /** The service's key (its name) in the file. */
  span: Span;
  build?: ComposeBuild;
  image?: Located<string>;
  command?: Located<string | string[]>;
  entrypoint?: Located<string | string[]>;
  capDrop?: Located<string[]>;
  capAdd?: Located<string[]>;
  init?: Located<boolean>;
  healthcheck?: { span: Span; disabled: boolean; test: string | string[] | undefined };
  readOnly?: Located<boolean>;
  user?: Located<string>;
  securityOpt?: Located<string[]>;
  ports: Located<string>[];
  /** Root-relative host directories bind-mounted into the container (`.:/app`, `./src:/code`); '' for the root. */
  bindMounts: Located<string>[];
  /** Key → span of the key, for every key of the service (to point at `cap_add:` and friends). */
  keys: Map<string, Span>;
}

export interface ComposeFile {
  path: string;
  services: ComposeService[];
}

export interface Probe {
  kind: 'liveness' | 'readiness' | 'startup';
  span: Span;
}

export interface K8sContainer {
  /** Root-relative manifest path. */
  file: string;
  /** Workload kind (Deployment, Pod, Service for Knative…) and name. */
  kind: string;
  workload: string;
  name: string;
  /** The container's `name:` value (or the `- ` item when it has none). */
  span: Span;
  initContainer: boolean;
  image?: Located<string>;
  capDrop?: Located<string[]>;
  capAdd?: Located<string[]>;
  /** runAsNonRoot from the container or, failing that, the pod securityContext. */
  runAsNonRoot?: Located<boolean>;
  readOnlyRootFilesystem?: Located<boolean>;
  allowPrivilegeEscalation?: Located<boolean>;
  probes: Probe[];
  shareProcessNamespace?: Located<boolean>;
  command?: Located<string[]>;
  args?: Located<string[]>;
  /** The whole container mapping. */
  containerSpan: Span;
  /** Knative / Cloud Run service (`serving.knative.dev`). */
  knative: boolean;
}

export interface ProcfileEntry {
  file: string;
  type: string;
  command: string;
  /** The whole line. */
  span: Span;
  /** The command part of the line. */
  commandSpan: Span;
}

export type PaasKind = 'heroku' | 'cloud-run' | 'railway' | 'fly' | 'procfile';

export interface PaasTarget {
  kind: PaasKind;
  /** The file that says so. */
  file: string;
  /** Commands the platform runs (heroku.yml run/web, railway startCommand, app.json scripts…): text spans in `file`. */
  commands: { command: string; span: Span; label: string }[];
  /** fly.toml internal ports (`[http_service] internal_port`, `[[services]] internal_port`). */
  internalPorts: Located<number>[];
  /** The platform builds the Dockerfile (heroku.yml build, fly, railway, Cloud Run), so its CMD serves the port. */
  usesDockerfile: boolean;
}

export interface FileLogging {
  file: string;
  span: Span;
  /** `logging.basicConfig(filename=…)`, `FileHandler(`, `RotatingFileHandler(`, `TimedRotatingFileHandler(`, `WatchedFileHandler(`. */
  what: string;
  /** The same module also logs to a stream (`basicConfig()` without a file, `StreamHandler(`): the file is a copy. */
  alsoStream: boolean;
}

export interface RuntimeProblem {
  file: string;
  span: Span;
  message: string;
}

export interface RuntimeFacts {
  compose: ComposeFile[];
  k8s: K8sContainer[];
  procfile: ProcfileEntry[];
  paas: PaasTarget[];
  problems: RuntimeProblem[];
}

const COMPOSE_NAME = /^(docker-)?compose(\.[\w.-]+)?\.ya?ml$/;
const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Pod', 'Job', 'CronJob', 'ReplicaSet', 'ReplicationController']);
const TEST_OR_VENV = /(^|\/)(tests?|testing|venv|\.venv|env|site-packages|node_modules|\.tox|\.nox|build|dist)(\/|$)/;

/** `${VAR:-default}` / `${VAR-default}` → default; other variables → undefined (unknown). */
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

function yamlProblems(file: string, doc: Document): RuntimeProblem[] {
  return doc.errors.map((e) => ({ file, span: { start: e.pos[0], end: e.pos[1] }, message: `${file}: invalid YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}` }));
}

function parseCompose(file: string, text: string, problems: RuntimeProblem[]): ComposeFile {
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
    const ports = e.get('ports')?.value;
    if (yaml().isSeq(ports)) {
      for (const p of ports.items as Node[]) {
        const r = resolveAlias(doc, p);
        const s = scalarString(r) ?? (yaml().isMap(r) ? scalarString(mergedEntries(doc, r).get('target')?.value) : undefined);
        if (s !== undefined) svc.ports.push({ value: s, span: rangeSpan(r) });
      }
    }
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
        const secrets = be.get('secrets')?.value;
        if (yaml().isSeq(secrets)) {
          for (const s of secrets.items as Node[]) {
            const r = resolveAlias(doc, s);
            const v = scalarString(r) ?? (yaml().isMap(r) ? scalarString(mergedEntries(doc, r).get('source')?.value) : undefined);
            if (v !== undefined) build.secrets.push({ value: v, span: rangeSpan(r) });
          }
        }
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

/** The pod spec of a workload document, with where it sits. */
function podSpec(doc: Document, kind: string, apiVersion: string): { spec: Node | null; pod: Map<string, { key: Node; value: Node | null }> } | undefined {
  const top = mergedEntries(doc, doc.contents);
  const spec = top.get('spec')?.value ?? null;
  const get = (n: Node | null, ...path: string[]): Node | null => {
    let cur = n;
    for (const p of path) cur = mergedEntries(doc, cur).get(p)?.value ?? null;
    return cur;
  };
  let pod: Node | null;
  if (apiVersion.startsWith('serving.knative.dev/')) pod = kind === 'Service' || kind === 'Configuration' ? get(spec, 'template', 'spec') : null;
  else if (kind === 'Pod') pod = spec;
  else if (kind === 'CronJob') pod = get(spec, 'jobTemplate', 'spec', 'template', 'spec');
  else pod = get(spec, 'template', 'spec');
  if (!pod) return undefined;
  return { spec: pod, pod: mergedEntries(doc, pod) };
}

function parseManifest(file: string, text: string, problems: RuntimeProblem[]): K8sContainer[] {
  const out: K8sContainer[] = [];
  let docs: Document[];
  try {
    docs = yaml().parseAllDocuments(text, { merge: true, uniqueKeys: false }) as Document[];
  } catch {
    return out;
  }
  if (!Array.isArray(docs)) return out;
  for (const doc of docs) {
    const top = mergedEntries(doc, doc.contents);
    const kind = scalarString(top.get('kind')?.value);
    const apiVersion = scalarString(top.get('apiVersion')?.value) ?? '';
    if (doc.errors.length > 0) {
      // only complain about files that are manifests
      if (kind !== undefined || /^\s*(apiVersion|kind)\s*:/m.test(text)) problems.push(...yamlProblems(file, doc));
      continue;
    }
    if (!kind) continue;
    const knative = apiVersion.startsWith('serving.knative.dev/');
    if (!knative && !WORKLOADS.has(kind)) continue;
    const ps = podSpec(doc, kind, apiVersion);
    if (!ps) continue;
    const workload = scalarString(mergedEntries(doc, top.get('metadata')?.value).get('name')?.value) ?? '';
    const podSec = mergedEntries(doc, ps.pod.get('securityContext')?.value);
    const share = ps.pod.get('shareProcessNamespace');
    const shareBool = share ? yamlBool(share.value) : undefined;
    for (const [list, initContainer] of [['containers', false], ['initContainers', true]] as const) {
      const seq = ps.pod.get(list)?.value;
      if (!yaml().isSeq(seq)) continue;
      for (const item of seq.items as Node[]) {
        const c = resolveAlias(doc, item);
        const ce = mergedEntries(doc, c);
        const nameNode = ce.get('name')?.value;
        const loc = <T>(n: { key: Node; value: Node | null } | undefined, f: (n: Node | null) => T | undefined): Located<T> | undefined => {
          if (!n) return undefined;
          const value = f(n.value);
          return value === undefined ? undefined : { value, span: rangeSpan(n.value, rangeSpan(n.key)) };
        };
        const sec = mergedEntries(doc, ce.get('securityContext')?.value);
        const caps = mergedEntries(doc, sec.get('capabilities')?.value);
        const probes: Probe[] = [];
        for (const p of ['liveness', 'readiness', 'startup'] as const) {
          const pr = ce.get(`${p}Probe`);
          if (pr) probes.push({ kind: p, span: rangeSpan(pr.key) });
        }
        out.push({
          file, kind, workload, initContainer, knative,
          name: scalarString(nameNode) ?? '',
          span: rangeSpan(nameNode, rangeSpan(c)),
          containerSpan: rangeSpan(c),
          image: loc(ce.get('image'), scalarString),
          capDrop: loc(caps.get('drop'), (n) => stringList(doc, n)),
          capAdd: loc(caps.get('add'), (n) => stringList(doc, n)),
          runAsNonRoot: loc(sec.get('runAsNonRoot'), yamlBool) ?? loc(podSec.get('runAsNonRoot'), yamlBool),
          readOnlyRootFilesystem: loc(sec.get('readOnlyRootFilesystem'), yamlBool),
          allowPrivilegeEscalation: loc(sec.get('allowPrivilegeEscalation'), yamlBool),
          probes,
          shareProcessNamespace: share && shareBool !== undefined ? { value: shareBool, span: rangeSpan(share.value) } : undefined,
          command: loc(ce.get('command'), (n) => stringList(doc, n)),
          args: loc(ce.get('args'), (n) => stringList(doc, n)),
        });
      }
    }
  }
  return out;
}

/** Procfile lines `type: command` (comments and blank lines skipped). */
export function parseProcfile(file: string, text: string): ProcfileEntry[] {
  const out: ProcfileEntry[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_-]+)[ \t]*:[ \t]*(.*?)[ \t\r]*$/.exec(line);
    if (m && !line.trimStart().startsWith('#') && m[2] !== '') {
      const cmdStart = offset + line.indexOf(m[2]!, m[1]!.length + 1);
      out.push({ file, type: m[1]!, command: m[2]!, span: { start: offset, end: offset + line.replace(/\r$/, '').length }, commandSpan: { start: cmdStart, end: cmdStart + m[2]!.length } });
    }
    offset += line.length + 1;
  }
  return out;
}

/** The span of `key = ` in TOML text (the first one, or the first after `after`). */
function tomlKeySpan(text: string, key: string, after = 0): Span {
  const re = new RegExp(`^[ \\t]*"?${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?[ \\t]*=`, 'gm');
  re.lastIndex = after;
  const m = re.exec(text);
  if (!m) return { start: 0, end: 0 };
  const start = m.index + m[0].length - m[0].trimStart().length;
  const keyText = /^"?[^\s="]+"?/.exec(m[0].trimStart())![0];
  return { start, end: start + keyText.length };
}

function tomlProblem(file: string, text: string, e: unknown): RuntimeProblem {
  const err = e as { line?: number; column?: number; message?: string };
  let start = 0;
  if (err.line) {
    const lines = text.split('\n');
    for (let i = 0; i < err.line - 1 && i < lines.length; i++) start += lines[i]!.length + 1;
    start += Math.max(0, (err.column ?? 1) - 1);
  }
  start = Math.min(start, text.length);
  return { file, span: { start, end: start }, message: `${file}: invalid TOML: ${(err.message ?? String(e)).split('\n')[0]}` };
}

/** Where a JSON key's string value sits: the span of `"key": "value"` (first occurrence). */
function jsonKeySpan(text: string, key: string): Span {
  const i = text.indexOf(`"${key}"`);
  if (i < 0) return { start: 0, end: 0 };
  const m = /^"[^"]*"\s*:\s*("(?:[^"\\]|\\.)*"|[^,}\n]*)/.exec(text.slice(i));
  return { start: i, end: i + (m ? m[0].length : key.length + 2) };
}

function paasTargets(p: Project, problems: RuntimeProblem[]): PaasTarget[] {
  const out: PaasTarget[] = [];
  const at = (path: string) => p.file(path);
  const procfile = at('Procfile');
  if (procfile) {
    out.push({ kind: 'procfile', file: 'Procfile', usesDockerfile: false, internalPorts: [], commands: parseProcfile('Procfile', procfile.text).map((e) => ({ command: e.command, span: e.commandSpan, label: `Procfile \`${e.type}\`` })) });
  }
  const heroku = at('heroku.yml');
  if (heroku) {
    const doc = yaml().parseDocument(heroku.text, { merge: true, uniqueKeys: false });
    if (doc.errors.length > 0) problems.push(...yamlProblems('heroku.yml', doc));
    const t: PaasTarget = { kind: 'heroku', file: 'heroku.yml', usesDockerfile: true, internalPorts: [], commands: [] };
    if (doc.errors.length === 0) {
      const run = mergedEntries(doc, mergedEntries(doc, doc.contents).get('run')?.value);
      for (const [type, { value }] of run) {
        const cmd = yaml().isMap(value) ? mergedEntries(doc, value).get('command')?.value : value;
        const list = yaml().isSeq(cmd) ? stringList(doc, cmd)?.join(' ') : scalarString(cmd);
        if (list !== undefined) t.commands.push({ command: list, span: rangeSpan(cmd), label: `heroku.yml \`run.${type}\`` });
      }
    }
    out.push(t);
  }
  const appJson = at('app.json');
  if (appJson) {
    const t: PaasTarget = { kind: 'heroku', file: 'app.json', usesDockerfile: false, internalPorts: [], commands: [] };
    try {
      const j = JSON.parse(appJson.text) as { stack?: string; scripts?: Record<string, unknown> };
      t.usesDockerfile = j.stack === 'container';
      // app.json commonly describes Heroku apps (buttons, review apps); its scripts are release-time, not servers
    } catch (e) {
      problems.push({ file: 'app.json', span: { start: 0, end: 0 }, message: `app.json: invalid JSON: ${(e as Error).message}` });
    }
    out.push(t);
  }
  const fly = at('fly.toml');
  if (fly) {
    const t: PaasTarget = { kind: 'fly', file: 'fly.toml', usesDockerfile: true, internalPorts: [], commands: [] };
    try {
      const j = parseToml(fly.text) as { http_service?: { internal_port?: unknown }; services?: { internal_port?: unknown }[]; processes?: Record<string, unknown>; experimental?: { cmd?: unknown } };
      const ports: number[] = [];
      if (typeof j.http_service?.internal_port === 'number') ports.push(j.http_service.internal_port);
      for (const s of Array.isArray(j.services) ? j.services : []) if (typeof s?.internal_port === 'number') ports.push(s.internal_port);
      let after = 0;
      for (const port of ports) {
        const span = tomlKeySpan(fly.text, 'internal_port', after);
        after = span.end;
        t.internalPorts.push({ value: port, span });
      }
      let pafter = fly.text.search(/^\s*\[processes\]/m);
      for (const [name, cmd] of Object.entries(j.processes ?? {})) {
        if (typeof cmd !== 'string' || pafter < 0) continue;
        const span = tomlKeySpan(fly.text, name, pafter);
        pafter = span.end;
        t.commands.push({ command: cmd, span, label: `fly.toml process \`${name}\`` });
      }
    } catch (e) {
      problems.push(tomlProblem('fly.toml', fly.text, e));
    }
    out.push(t);
  }
  for (const name of ['railway.json', 'railway.toml']) {
    const f = at(name);
    if (!f) continue;
    const t: PaasTarget = { kind: 'railway', file: name, usesDockerfile: true, internalPorts: [], commands: [] };
    try {
      const j = (name.endsWith('.json') ? JSON.parse(f.text) : parseToml(f.text)) as { deploy?: { startCommand?: unknown }; build?: { builder?: unknown } };
      if (typeof j.build?.builder === 'string' && !/dockerfile/i.test(j.build.builder)) t.usesDockerfile = false;
      const sc = j.deploy?.startCommand;
      if (typeof sc === 'string') t.commands.push({ command: sc, span: name.endsWith('.json') ? jsonKeySpan(f.text, 'startCommand') : tomlKeySpan(f.text, 'startCommand'), label: `${name} \`startCommand\`` });
    } catch (e) {
      problems.push(name.endsWith('.json') ? { file: name, span: { start: 0, end: 0 }, message: `${name}: invalid JSON: ${(e as Error).message}` } : tomlProblem(name, f.text, e));
    }
    out.push(t);
  }
  return out;
}

const runtimeFacts = projectFact((p: Project): RuntimeFacts => {
  const problems: RuntimeProblem[] = [];
  const compose: ComposeFile[] = [];
  for (const path of p.find((f) => COMPOSE_NAME.test(basename(f)))) {
    const f = p.file(path);
    if (f) compose.push(parseCompose(path, f.text, problems));
  }
  const k8s: K8sContainer[] = [];
  for (const path of p.find((f) => /\.ya?ml$/.test(f) && !COMPOSE_NAME.test(basename(f)) && !f.startsWith('.github/') && !/(^|\/)templates\//.test(f))) {
    const f = p.file(path);
    if (!f || !/^\s*apiVersion\s*:/m.test(f.text) || !/^\s*kind\s*:/m.test(f.text)) continue;
    // Helm / kustomize-style templates are not YAML until rendered
    if (f.text.includes('{{')) continue;
    k8s.push(...parseManifest(path, f.text, problems));
  }
  const procfile: ProcfileEntry[] = [];
  const pf = p.file('Procfile');
  if (pf) procfile.push(...parseProcfile('Procfile', pf.text));
  const paas = paasTargets(p, problems);
  if (k8s.some((c) => c.knative) && !paas.some((t) => t.kind === 'cloud-run')) {
    const kn = k8s.find((c) => c.knative)!;
    paas.push({ kind: 'cloud-run', file: kn.file, usesDockerfile: true, internalPorts: [], commands: [] });
  }
  return { compose, k8s, procfile, paas, problems };
});

export const composeFiles = (p: Project): ComposeFile[] => runtimeFacts(p).compose;
export const composeServices = (p: Project): ComposeService[] => runtimeFacts(p).compose.flatMap((c) => c.services);
export const k8sContainers = (p: Project): K8sContainer[] => runtimeFacts(p).k8s;
export const procfileEntries = (p: Project): ProcfileEntry[] => runtimeFacts(p).procfile;
export const paasTargetsOf = (p: Project): PaasTarget[] => runtimeFacts(p).paas;
/** Malformed compose / manifest / PaaS files. */
export const runtimeProblems = (p: Project): RuntimeProblem[] => runtimeFacts(p).problems;

/** Compose files for development and tests (`docker-compose.dev.yml`, `compose.override.yaml`): not how the image runs in production. */
export function isDevCompose(path: string): boolean {
  return /(^|[./-])(dev|development|local|test|tests|ci|debug|override)([./-]|$)/i.test(path.split('/').pop()!.replace(/\.ya?ml$/, ''));
}

/**
 * Where the project runs the image a Dockerfile builds: compose services that build it (production compose files
 * when there are any such, else all) and Kubernetes / Knative containers whose image looks like the project's.
 * `dockerfile` is the Dockerfile's file name as linted (its directory is taken to be the build context).
 */
export function deploymentsOf(p: Project, dockerfile: string): { services: ComposeService[]; containers: K8sContainer[] } {
  // compose files and manifests may sit at the top of the repository (monorepo): paths there are repository-relative
  const repo = p.repository();
  const path = relative(repo.root, p.dockerfile ?? join(p.contextDir, basename(dockerfile))).split(sep).join('/');
  const all = composeServices(repo).filter((s) => s.build?.dockerfilePath === path);
  const prod = all.filter((s) => !isDevCompose(s.file));
  // the image names that count are this service's own (its pyproject, its folder)
  const containers = k8sContainers(repo).filter((c) => !c.initContainer && c.image !== undefined && isProjectImage(p, c.image.value));
  return { services: prod.length > 0 ? prod : all, containers };
}

/**
 * Services of the production compose files that run this project's image: they build it, or use an image that
 * another service of those files builds. With the compose file each belongs to.
 */
export function productionServices(p: Project): { file: ComposeFile; service: ComposeService }[] {
  const files = composeFiles(p).filter((c) => !isDevCompose(c.path));
  const built = new Set<string>();
  for (const c of files) for (const s of c.services) if (s.build && s.image) built.add(imageRepository(s.image.value));
  const out: { file: ComposeFile; service: ComposeService }[] = [];
  for (const c of files) {
    for (const s of c.services) {
      if (mountsSource(p, s)) continue;
      if (s.build !== undefined || (s.image !== undefined && built.has(imageRepository(s.image.value)))) out.push({ file: c, service: s });
    }
  }
  return out;
}

/**
 * A service that bind-mounts the project's Python code over the image (`.:/app`, `./src/app:/code/app`) runs the
 * working tree, not the image: a development setup, whatever the compose file is called.
 */
export function mountsSource(p: Project, s: ComposeService): boolean {
  return s.bindMounts.some((m) => {
    const prefix = m.value === '' ? '' : m.value + '/';
    return p.find((f) => f.startsWith(prefix) && f.endsWith('.py')).length > 0;
  });
}

/** Compose services that build the Dockerfile at this root-relative path. */
export function servicesBuilding(p: Project, dockerfilePath: string): ComposeService[] {
  return composeServices(p).filter((s) => s.build?.dockerfilePath === dockerfilePath);
}

/** Repository name of an image reference, without registry, tag or digest: `ghcr.io/acme/web:1` → `acme/web`. */
export function imageRepository(ref: string): string {
  let r = ref.split('@')[0]!;
  const slash = r.lastIndexOf('/');
  const colon = r.lastIndexOf(':');
  if (colon > slash) r = r.slice(0, colon);
  const parts = r.split('/');
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0]!)) parts.shift();
  return parts.join('/');
}

const THIRD_PARTY = /^(library\/)?(postgres|postgis\/postgis|redis|valkey|nginx|memcached|mysql|mariadb|mongo|rabbitmq|elasticsearch|opensearch|busybox|alpine|debian|ubuntu|traefik|minio|caddy|haproxy|httpd|envoyproxy|grafana|prometheus|jaeger|otel|kafka|zookeeper|clickhouse|selenium|mailhog|mailpit|localstack|cloudsql-proxy|cloud-sql-proxy|pgbouncer|bitnami|adminer|pgadmin|dpage|varnish|consul|vault|etcd)\b/;

/** Names the project's own images plausibly carry: compose images of services that build here, the project's name, Dockerfile directories. */
const projectImageNames = projectFact((p: Project): { names: Set<string>; exact: Set<string> } => {
  const names = new Set<string>();
  const exact = new Set<string>();
  const add = (n: string | undefined) => {
    if (n) names.add(n.toLowerCase().replace(/_/g, '-'));
  };
  add(basename(p.root));
  const py = p.file('pyproject.toml')?.text;
  const m = py && /^\s*name\s*=\s*["']([^"']+)["']/m.exec(py);
  if (m) add(m[1]);
  for (const s of composeServices(p)) {
    if (!s.build) continue;
    add(s.name);
    if (s.image) exact.add(imageRepository(s.image.value));
    if (s.build.contextPath) add(basename(s.build.contextPath));
  }
  for (const d of p.find((f) => /(^|\/)Dockerfile[^/]*$|\.dockerfile$/i.test(f))) {
    const dir = posix.dirname(d);
    if (dir !== '.') add(basename(dir));
  }
  return { names, exact };
});

/** Does a Kubernetes / Cloud Run container run an image built from this project (as far as names tell)? */
export function isProjectImage(p: Project, image: string): boolean {
  const repo = imageRepository(image);
  if (THIRD_PARTY.test(repo)) return false;
  const { names, exact } = projectImageNames(p);
  if (exact.has(repo)) return true;
  const last = repo.split('/').pop()!.toLowerCase().replace(/_/g, '-');
  if (names.has(last)) return true;
  // `<name>-web`, `<name>-api`, `app`, placeholders filled in by CI
  for (const n of names) if (last.startsWith(n + '-') || last.endsWith('-' + n)) return true;
  return /\$|<|IMAGE|PLACEHOLDER/.test(image) || last === 'app' || last === 'web' || last === 'api';
}

/** Python code that logs to files: `logging.basicConfig(filename=…)` and file handlers, outside tests and venvs. */
export const fileLogging = projectFact((p: Project): FileLogging[] => {
  const out: FileLogging[] = [];
  for (const path of p.find((f) => f.endsWith('.py') && !TEST_OR_VENV.test(f) && !/(^|\/)(test_[^/]*|[^/]*_test|conftest|setup|noxfile)\.py$/.test(f))) {
    const f = p.file(path);
    if (!f || !/basicConfig|FileHandler\(/.test(f.text)) continue;
    const alsoStream = /\bStreamHandler\s*\(/.test(f.text) ||
      [...f.text.matchAll(/\blogging\.basicConfig\s*\(/g)].some((m) => !/\bfilename\s*=\s*(?!None\b)/.test(argsText(f.text, m.index! + m[0].length)));
    const re = /\blogging\.basicConfig\s*\(|\b(?:logging\.(?:handlers\.)?|handlers\.)?((?:Timed)?RotatingFileHandler|WatchedFileHandler|FileHandler)\s*\(/g;
    for (const m of f.text.matchAll(re)) {
      const lineStart = f.text.lastIndexOf('\n', m.index!) + 1;
      const before = f.text.slice(lineStart, m.index);
      if (before.includes('#') || /^\s*(def|class|import|from)\b/.test(before)) continue;
      // inside a string or docstring? skip lines that start quoted text
      if ((before.match(/["']/g) ?? []).length % 2 === 1) continue;
      if (m[0].includes('basicConfig')) {
        const args = argsText(f.text, m.index! + m[0].length);
        const fn = /\bfilename\s*=\s*([^,)]+)/.exec(args);
        if (!fn || /^None\b/.test(fn[1]!.trim())) continue;
        out.push({ file: path, span: { start: m.index!, end: m.index! + m[0].length - 1 }, what: 'logging.basicConfig(filename=…)', alsoStream });
      } else {
        // `StreamHandler` subclasses are fine; a class named FooFileHandler isn't matched thanks to \b
        const prev = f.text[m.index! - 1];
        if (prev && /[\w]/.test(prev)) continue;
        out.push({ file: path, span: { start: m.index!, end: m.index! + m[0].length - 1 }, what: `${m[1]}(…)`, alsoStream });
      }
    }
  }
  return out;
});

/** The text of a call's arguments, the call's `(` just before `from` (the start of the rest when it never closes). */
function argsText(text: string, from: number): string {
  return callArgs(text, from - 1)?.args.join(', ') ?? text.slice(from, from + 2000);
}
