// `auditImage`: the I-scope checks of practices.md on an image read by ./read.ts, plus the data the audit report
// prints (layer table, base boundary, bytecode share, installed Python distributions and their lock comparison).
// Findings use the registry's codes and severities; `file` is the image reference, and the finding's span points
// into a synthetic listing of the image (its config as Dockerfile-like lines, then its history) with secret values
// masked, so text reports can show a code frame.
import type { Finding, Severity } from '../lint/rule.js';
import { rulesByCode } from '../rules/index.js';
import type { Span } from '../dockerfile/model.js';
import type { ImageData, Layer } from './read.js';
import { isSecretName, NOT_A_SECRET, PLACEHOLDER, secretFile, URL_PASSWORD } from '../secrets.js';
import { redact } from '../redact.js';
import type { Dockerignore } from '../project/dockerignore.js';

export interface AuditOptions {
  /** SEC006: days after which an image is stale (default 7). */
  staleDays?: number;
  /** SIZE001: minimum efficiency (default 0.95). */
  minEfficiency?: number;
  /** SIZE001: maximum wasted bytes (default: no limit). */
  maxWastedBytes?: number;
  /** CI002: size budget in bytes (default: none). */
  maxImageSize?: number;
  /** Codes to run (default: every I-scope code that is not opt-in). */
  enabled?: ReadonlySet<string>;
  /** Severity per code (config `severity`); default: the registry's. */
  severity?: (code: string, registry: Severity) => Severity;
  /** Diff ids of a base image by name (for `org.opencontainers.image.base.name`); undefined when unknown. */
  baseLayers?: (name: string) => string[] | undefined;
  /** Locked/pinned versions of the project (from `--project`), normalized name → version. */
  locked?: LockedSet;
  /**
   * SIZE002: the project's .dockerignore (from `--project`; undefined when none was given or it has none). What it
   * leaves out of the build context cannot have been copied from there (`__pycache__` a build stage compiled).
   */
  dockerignore?: Pick<Dockerignore, 'ignores'>;
  /** SIZE006: total size of the `tests` directories inside installed distributions from which they are reported (default {@link SITE_TESTS_MIN_BYTES}). */
  siteTestsMinBytes?: number;
  now?: Date;
}

export interface LockedSet {
  /** Files the pins came from. */
  sources: string[];
  versions: Map<string, string>;
}

export interface LayerRow {
  index: number;
  size: number;
  wasted: number;
  files: number;
  createdBy: string;
  created: string | undefined;
  base: boolean;
}

export interface Distribution {
  name: string;
  version: string;
  /** The site-packages directory (absolute, e.g. `/opt/venv/lib/python3.13/site-packages`). */
  location: string;
}

export interface LockComparison {
  sources: string[];
  location: string | undefined;
  matching: number;
  /** Locked but installed at another version. */
  mismatched: { name: string; locked: string; installed: string }[];
  /** Locked but not installed (may be dev-only). */
  missing: { name: string; locked: string }[];
  /** Installed in the app's environment but not locked. */
  extra: { name: string; installed: string }[];
}

export interface BaseInfo {
  /** Index of the first layer the image's own build made (layers before it are the base's). */
  ownFrom: number;
  how: string;
  name: string | undefined;
  /** `BASE_BUILT` label (pyship build --base): the dated base the image was built on. */
  built: string | undefined;
}

export interface AuditResult {
  ref: string;
  /** Synthetic listing the findings' spans point into. */
  text: string;
  findings: Finding[];
  layers: LayerRow[];
  totalSize: number;
  wastedBytes: number;
  efficiency: number;
  base: BaseInfo;
  created: string | undefined;
  ageDays: number | undefined;
  bytecode: { py: number; compiled: number; share: number | undefined };
  distributions: Distribution[];
  lock: LockComparison | undefined;
  notes: string[];
}

/** Codes the audit checks (every I-scope code of practices.md). DBG004 is opt-in. */
export const AUDIT_CODES = [
  'SEC001', 'SEC003', 'SEC004', 'SEC006', 'SEC009', 'CI002', 'DBG002', 'DBG003', 'DBG004', 'OPS006', 'OPS008', 'OPS009',
  'SIZE001', 'SIZE002', 'SIZE003', 'SIZE004', 'SIZE005', 'SIZE006', 'MS001',
] as const;

/** Image-only codes with no rule object in src/rules yet: their metadata for reports and selection. */

const KB = 1000;
const MB = 1000 * 1000;

/**
 * SIZE006: the app's own test directories (below the WORKDIR, outside site-packages) are reported from this total.
 */
export const APP_TESTS_MIN_BYTES = 100 * KB;
/**
 * SIZE006: `tests` directories inside installed distributions come with the wheels; they are reported only above this
 * total across the image's site-/dist-packages. Measured: FastAPI + uvicorn + Django install 0.2 MB of them (h11/tests),
 * all 72 distributions of a web-stack wheelhouse together 3.3 MB (setuptools' own 1.8 MB); numpy alone ships 13.8 MB,
 * scikit-learn 11 MB, scipy 27 MB, pandas 32 MB.
 */
export const SITE_TESTS_MIN_BYTES = 5 * MB;

/** Sparse files (GNU sparse tar entries): their real size next to what their layer stores, largest first. */
function sparseNote(img: ImageData): string | undefined {
  const sparse = [...img.files.values()].filter((f) => f.entry.stored !== undefined).sort((a, b) => b.entry.size - a.entry.size);
  if (sparse.length === 0) return undefined;
  const listed = sparse.slice(0, 3).map((f) => `/${f.entry.path} ${formatBytes(f.entry.size)} (layer ${f.layer} stores ${formatBytes(f.entry.stored!)})`);
  return `sparse file${sparse.length === 1 ? '' : 's'}: ${listed.join(', ')}${sparse.length > 3 ? ` and ${sparse.length - 3} more` : ''}; layer sizes count what the layers store, and a copy or unpacker without sparse support writes the full size`;
}

export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= MB) return `${(n / MB).toFixed(1)} MB`;
  if (n >= KB) return `${(n / KB).toFixed(1)} kB`;
  return `${n} B`;
}

const base = (p: string): string => p.slice(p.lastIndexOf('/') + 1);
const dir = (p: string): string => {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
};
const abs = (p: string): string => '/' + p;

// ---------------------------------------------------------------------------------------------------------------
// The synthetic listing

/** Mask secret values in a history line or ENV value: the one redaction every output uses (src/redact.ts). */
export function maskSecrets(text: string): string {
  return redact(text, { source: true });
}

class Listing {
  text = '';
  add(line: string): Span {
    const start = this.text.length;
    const clean = line.replace(/[\r\n]+/g, ' ');
    const shown = clean.length > 400 ? clean.slice(0, 400) + '…' : clean;
    this.text += shown + '\n';
    return { start, end: start + shown.length };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Base boundary

const INSTRUCTION_RE = /^(?:\/bin\/sh -c #\(nop\)\s+)?([A-Z]+)\b/;
function instruction(createdBy: string): string | undefined {
  const m = INSTRUCTION_RE.exec(createdBy.trim());
  if (m && /^(CMD|ENTRYPOINT|COPY|ADD|ENV|LABEL|EXPOSE|USER|WORKDIR|ARG|RUN|HEALTHCHECK|STOPSIGNAL|VOLUME|SHELL|ONBUILD|MAINTAINER)$/.test(m[1]!)) return m[1];
  if (/^(\/bin\/sh -c|\|\d+ )/.test(createdBy.trim())) return 'RUN';
  return undefined;
}

/**
 * Where the base image ends. In order:
 * 1. the `org.opencontainers.image.base.name` label, when the engine knows that image: the layers shared with it;
 * 2. the last CMD/ENTRYPOINT history entry that is followed by a layer-making entry: a base image's history ends with
 *    its command (python's `CMD ["python3"]`), the image's own build starts after it. A command followed only by
 *    metadata entries is the image's own: `ENTRYPOINT` then `CMD`, `EXPOSE`/`USER` written after `CMD`, and the
 *    `LABEL` entry the legacy builder (no BuildKit) appends for `docker build --label` after the last instruction;
 * 3. a gap of more than an hour between consecutive history entries (a build starts long after its base was made);
 * 4. else only a distribution root filesystem (first layer made by `ADD file:… in /` or an import) is base.
 */
export function baseBoundary(img: ImageData, baseLayers?: (name: string) => string[] | undefined): BaseInfo {
  const name = img.config.labels['org.opencontainers.image.base.name'];
  const built = img.config.labels.BASE_BUILT;
  const firstOwnLayer = (hIndex: number): number => {
    for (let i = hIndex + 1; i < img.history.length; i++) {
      const l = img.history[i]!.layer;
      if (l !== undefined) return l;
    }
    return img.layers.length;
  };
  if (name && baseLayers) {
    const ids = baseLayers(name);
    if (ids && ids.length > 0) {
      let n = 0;
      while (n < ids.length && n < img.layers.length && img.layers[n]!.diffId === ids[n]) n++;
      if (n > 0) return { ownFrom: n, how: `layers shared with ${name} (org.opencontainers.image.base.name)`, name, built };
    }
  }
  for (let i = img.history.length - 2; i >= 0; i--) {
    const ins = instruction(img.history[i]!.createdBy);
    if (ins !== 'CMD' && ins !== 'ENTRYPOINT') continue;
    const ownFrom = firstOwnLayer(i);
    if (ownFrom < img.layers.length) return { ownFrom, how: `history: the base's last ${ins} (history #${i + 1})`, name, built };
  }
  let gapAt = -1;
  let gap = 3600 * 1000;
  for (let i = 1; i < img.history.length; i++) {
    const a = Date.parse(img.history[i - 1]!.created ?? '');
    const b = Date.parse(img.history[i]!.created ?? '');
    if (Number.isFinite(a) && Number.isFinite(b) && b - a > gap) {
      gap = b - a;
      gapAt = i;
    }
  }
  if (gapAt > 0) return { ownFrom: firstOwnLayer(gapAt - 1), how: `history: ${(gap / 3600000).toFixed(1)} h between history #${gapAt} and #${gapAt + 1}`, name, built };
  const first = img.layers[0]?.history;
  if (first && (/^\/bin\/sh -c #\(nop\) ADD file:\S+ in \/\s*$/.test(first.createdBy) || /^ADD file:\S+ in \/\s*$/.test(first.createdBy) || /import/i.test(first.comment ?? '') || (first.createdBy === '' && img.layers.length > 1))) {
    return { ownFrom: 1, how: 'history: only the root filesystem layer is known to be base', name, built };
  }
  return { ownFrom: 0, how: 'no base boundary found: every layer counts as the image\'s own', name, built };
}

// ---------------------------------------------------------------------------------------------------------------

/** A history `created_by` as the instruction a reader would write: `RUN pip install …`, `COPY . /app`. */
export function instructionText(createdBy: string): string {
  return createdBy.trim()
    .replace(/\s+# buildkit$/, '')
    .replace(/^\/bin\/sh -c #\(nop\)\s+/, '')
    .replace(/^\/bin\/sh -c /, 'RUN ')
    .replace(/^RUN \/bin\/sh -c /, 'RUN ')
    .replace(/^(\|\d+ .*?)\/bin\/sh -c /, 'RUN $1')
    .replace(/\s+/g, ' ');
}

const REVISION_LABELS = ['org.opencontainers.image.revision', 'git-commit', 'vcs-ref', 'org.label-schema.vcs-ref'];
const INITS = new Set(['tini', 'tini-static', 'dumb-init', 'catatonit', 'docker-init']);
const SERVERS = /(^|[\s/"'])(gunicorn|uvicorn|uwsgi|hypercorn|daphne|waitress-serve|granian|runserver|http\.server|flask)(\s|$|["'])/;
const SITE = /(^|\/)(site|dist)-packages\//;
/** A path in a site-/dist-packages directory: [, the directory, the path inside it]. */
const SITE_SPLIT = /^((?:.*?\/)?(?:site|dist)-packages)\/(.+)$/;

function envMap(env: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of env) {
    const i = e.indexOf('=');
    if (i > 0) m.set(e.slice(0, i), e.slice(i + 1));
  }
  return m;
}

/** Resolve a command name the way exec does: absolute path, else each `$PATH` directory; follows symlinks. */
export function resolveBinary(img: ImageData, cmd: string): string | undefined {
  const path = envMap(img.config.env).get('PATH') ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  const candidates = cmd.includes('/') ? [cmd.startsWith('/') ? cmd : `${img.config.workingDir || '/'}/${cmd}`] : path.split(':').filter(Boolean).map((d) => `${d}/${cmd}`);
  for (const c of candidates) {
    const hit = lookup(img, c);
    if (hit) return hit;
  }
  return undefined;
}

/** A path in the final filesystem, following symlinks (also in parent directories: /bin → usr/bin). */
function lookup(img: ImageData, p: string, depth = 0): string | undefined {
  if (depth > 16) return undefined;
  const parts = p.split('/').filter((x) => x !== '' && x !== '.');
  let cur = '';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part === '..') {
      cur = dir(cur);
      continue;
    }
    const next = cur ? `${cur}/${part}` : part;
    const f = img.files.get(next);
    if (!f) {
      // a directory may exist only implicitly (children without a directory entry)
      if (i < parts.length - 1 && img.children.has(next)) {
        cur = next;
        continue;
      }
      return undefined;
    }
    if (f.entry.type === 'symlink') {
      const target = f.entry.linkname.startsWith('/') ? f.entry.linkname : `${cur}/${f.entry.linkname}`;
      return lookup(img, [target, ...parts.slice(i + 1)].join('/'), depth + 1);
    }
    cur = next;
  }
  return cur === '' ? undefined : cur;
}

/**
 * The bytecode cache tags (`cpython-313`) of the CPython interpreters in the image: each standard library
 * (`lib/python3.13/os.py`, or only its `__pycache__/os.cpython-313.pyc`; free-threaded `python3.13t` has the same tag)
 * and the versioned binary `python3`/`python` resolve to (`/usr/local/bin/python3 -> python3.13`).
 */
export function pythonTags(img: ImageData): Set<string> {
  const tags = new Set<string>();
  const STDLIB = /(?:^|\/)lib\/python3\.(\d+)t?\/(?:os\.py|__pycache__\/os\.cpython-3(\d+)\.pyc)$/;
  for (const [p, f] of img.files) {
    if (f.entry.type === 'dir' || !p.endsWith('os.py') && !p.endsWith('.pyc')) continue;
    const m = STDLIB.exec(p);
    if (m && (m[2] === undefined || m[2] === m[1])) tags.add(`cpython-3${m[1]}`);
  }
  for (const c of ['python3', 'python']) {
    const m = /^python3\.(\d+)t?$/.exec(base(resolveBinary(img, c) ?? ''));
    if (m) tags.add(`cpython-3${m[1]}`);
  }
  return tags;
}

/**
 * Is this `__pycache__` what `python -m compileall` makes with the image's own Python (not a cache from another
 * machine)? Every entry is a `.pyc` with one of the image's tags whose `.py` is beside the directory, and every `.py`
 * module there has one. Leaked caches carry another Python's tag, or cover only the modules that happened to be
 * imported, or outlive their sources.
 */
function compiledInImage(img: ImageData, pycache: string, tags: ReadonlySet<string>): boolean {
  const parent = dir(pycache);
  const at = (name: string): string => (parent === '' ? name : `${parent}/${name}`);
  const compiled = new Set<string>();
  for (const k of img.children.get(pycache) ?? []) {
    const m = /^(.+)\.(cpython-\d+)(?:\.opt-[12])?\.pyc$/.exec(base(k));
    if (img.files.get(k)?.entry.type !== 'file' || !m || !tags.has(m[2]!)) return false;
    const src = img.files.get(at(`${m[1]}.py`));
    if (!src || src.entry.type === 'dir') return false;
    compiled.add(m[1]!);
  }
  if (compiled.size === 0) return false;
  for (const k of img.children.get(parent) ?? []) {
    const b = base(k);
    if (b.endsWith('.py') && img.files.get(k)?.entry.type !== 'dir' && !compiled.has(b.slice(0, -3))) return false;
  }
  return true;
}

/**
 * Does the .dockerignore keep the contents of this image `__pycache__` out of the build context, wherever the context
 * maps to it? A COPY maps some context directory onto some image directory, and Python writes caches as
 * `<dir>/__pycache__/<module>.pyc`, so each tail of an image path down to `__pycache__/<file>` is tried both at the
 * context root and below another directory; all must be ignored.
 */
function ignoredByContext(img: ImageData, pycache: string, di: Pick<Dockerignore, 'ignores'>): boolean {
  const kids = [...(img.children.get(pycache) ?? [])];
  const last = pycache.split('/').length - 1;
  for (const p of kids.length > 0 ? kids : [pycache]) {
    const parts = p.split('/');
    for (let i = 0; i <= last; i++) {
      const tail = parts.slice(i).join('/');
      if (!di.ignores(tail) || !di.ignores(`any-context-dir/${tail}`)) return false;
    }
  }
  return true;
}

function uidOf(img: ImageData, user: string): number | undefined {
  const name = user.split(':')[0]!;
  if (/^\d+$/.test(name)) return Number(name);
  const passwd = img.contents.get('etc/passwd')?.toString('utf8') ?? '';
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f[2] !== undefined && /^\d+$/.test(f[2])) return Number(f[2]);
  }
  return undefined;
}

/** `{name}-{version}.dist-info` / `.egg-info` (egg names may carry `-pyX.Y`). */
function parseDistDir(name: string): { name: string; version: string } | undefined {
  const m = /^(.+?)-(\d[^-]*?)(?:-py\d+(?:\.\d+)?)?\.(dist|egg)-info$/.exec(name);
  return m ? { name: m[1]!, version: m[2]! } : undefined;
}

export const normalizeDist = (n: string): string => n.toLowerCase().replace(/[-_.]+/g, '-');

function listDistributions(img: ImageData): Distribution[] {
  const out: Distribution[] = [];
  const seen = new Set<string>();
  const add = (p: string): void => {
    const parent = dir(p);
    if (!/(site|dist)-packages$/.test(parent)) return;
    const d = parseDistDir(base(p));
    if (!d) return;
    const key = `${parent}\0${normalizeDist(d.name)}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ name: d.name, version: d.version, location: abs(parent) });
  };
  for (const [p, f] of img.files) {
    if (p.endsWith('-info') && (f.entry.type === 'dir' || p.endsWith('.egg-info'))) add(p);
  }
  // dist-info directories may appear only implicitly (files under them, no directory entry)
  for (const [p] of img.children) if (p.endsWith('.dist-info') && !img.files.has(p)) add(p);
  return out.sort((a, b) => a.location.localeCompare(b.location) || normalizeDist(a.name).localeCompare(normalizeDist(b.name)));
}

/**
 * The distribution that installed a top-level name of a site-packages directory: the one whose `top_level.txt` lists
 * it, else the one whose normalized name is the module's (`django` → Django, `_pytest` → pytest); else the name itself.
 */
function distributionOwners(img: ImageData): (location: string, top: string) => string {
  const byName = new Map<string, string>();
  for (const d of listDistributions(img)) byName.set(`${d.location.slice(1)}\0${normalizeDist(d.name)}`, d.name);
  const byTop = new Map<string, string>();
  for (const [p, buf] of img.contents) {
    if (base(p) !== 'top_level.txt') continue;
    const info = dir(p);
    const d = parseDistDir(base(info));
    if (!d) continue;
    for (const line of buf.toString('utf8').split('\n')) {
      const name = line.trim().split('/')[0];
      if (name) byTop.set(`${dir(info)}\0${name}`, d.name);
    }
  }
  return (location, top) => byTop.get(`${location}\0${top}`)
    ?? byName.get(`${location}\0${normalizeDist(top)}`)
    ?? byName.get(`${location}\0${normalizeDist(top.replace(/^_+/, ''))}`)
    ?? top;
}

function compareLock(dists: Distribution[], locked: LockedSet): LockComparison {
  // the environment the app uses: the site-packages holding most of the locked names
  const byLoc = new Map<string, Map<string, string>>();
  for (const d of dists) {
    let m = byLoc.get(d.location);
    if (!m) byLoc.set(d.location, (m = new Map()));
    m.set(normalizeDist(d.name), d.version);
  }
  let best: string | undefined;
  let bestHits = 0;
  for (const [loc, m] of byLoc) {
    const hits = [...locked.versions.keys()].filter((n) => m.has(n)).length;
    if (hits > bestHits) {
      bestHits = hits;
      best = loc;
    }
  }
  const installed = new Map<string, string>();
  // every environment counts for presence; the app's one wins for versions
  for (const [loc, m] of byLoc) if (loc !== best) for (const [n, v] of m) installed.set(n, v);
  if (best) for (const [n, v] of byLoc.get(best)!) installed.set(n, v);
  const out: LockComparison = { sources: locked.sources, location: best, matching: 0, mismatched: [], missing: [], extra: [] };
  for (const [n, v] of [...locked.versions].sort()) {
    const got = installed.get(n);
    if (got === undefined) out.missing.push({ name: n, locked: v });
    else if (normVersion(got) !== normVersion(v)) out.mismatched.push({ name: n, locked: v, installed: got });
    else out.matching++;
  }
  if (best) {
    for (const [n, v] of [...byLoc.get(best)!].sort()) {
      if (!locked.versions.has(n) && !['pip', 'setuptools', 'wheel', 'distribute'].includes(n)) out.extra.push({ name: n, installed: v });
    }
  }
  return out;
}

const normVersion = (v: string): string => v.trim().replace(/^==/, '').replace(/(\.0)+$/, '').toLowerCase();

// ---------------------------------------------------------------------------------------------------------------

/** Run every enabled I-scope check on a read image. Pure: the image data and options in, findings and figures out. */
export function auditImage(img: ImageData, options: AuditOptions = {}): AuditResult {
  const now = options.now ?? new Date();
  const enabled = options.enabled ?? new Set(AUDIT_CODES.filter((c) => c !== 'DBG004'));
  const listing = new Listing();
  const findings: Finding[] = [];
  const notes = [...img.notes];
  const sparse = sparseNote(img);
  if (sparse) notes.push(sparse);
  const cfg = img.config;
  const env = envMap(cfg.env);

  // ---- the listing: the image as Dockerfile-like lines, then its history
  const head = listing.add(`# image ${img.ref}${img.created ? ` (created ${img.created})` : ''}, ${img.layers.length} layers, ${formatBytes(img.totalSize)}`);
  const userSpan = listing.add(`USER ${cfg.user === '' ? '(none: root)' : cfg.user}`);
  const portSpans = new Map<string, Span>();
  for (const p of cfg.exposedPorts) portSpans.set(p, listing.add(`EXPOSE ${p}`));
  const envSpans = new Map<string, Span>();
  for (const e of cfg.env) envSpans.set(e.split('=')[0]!, listing.add(`ENV ${maskSecrets(e)}`));
  const labelSpan = listing.add(`LABEL ${Object.keys(cfg.labels).length === 0 ? '(none)' : Object.entries(cfg.labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`);
  const entrypointSpan = listing.add(`ENTRYPOINT ${JSON.stringify(cfg.entrypoint)}`);
  const cmdSpan = listing.add(`CMD ${JSON.stringify(cfg.cmd)}`);
  const hcSpan = listing.add(`HEALTHCHECK ${cfg.healthcheck ? JSON.stringify(cfg.healthcheck.test) : '(none)'}`);
  if (cfg.stopSignal) listing.add(`STOPSIGNAL ${cfg.stopSignal}`);
  if (cfg.workingDir) listing.add(`WORKDIR ${cfg.workingDir}`);
  listing.add('# history (oldest first)');
  const historySpans: Span[] = img.history.map((h, i) =>
    listing.add(`#${i + 1} ${h.layer !== undefined ? `layer ${h.layer} ${formatBytes(img.layers[h.layer]!.size)}` : '(no layer)'} ${maskSecrets(h.createdBy || h.comment || '')}`));
  const layerSpan = (l: number): Span => {
    const h = img.layers[l]?.history;
    const i = h ? img.history.indexOf(h) : -1;
    return i >= 0 ? historySpans[i]! : head;
  };
  const layerName = (l: number): string => {
    const h = img.layers[l]?.history;
    const by = h ? instructionText(h.createdBy) : '';
    return `layer ${l}${by ? ` (${truncate(maskSecrets(by), 60)})` : ''}`;
  };

  const report = (code: string, span: Span, message: string, severity?: Severity): void => {
    if (!enabled.has(code)) return;
    const registry = rulesByCode.get(code)?.severity ?? 'warning';
    const sev = severity ?? (options.severity ? options.severity(code, registry) : registry);
    findings.push({ code, severity: sev, file: img.ref, span, message, fix: null });
  };

  const baseInfo = baseBoundary(img, options.baseLayers);
  const own = (layer: number): boolean => layer >= baseInfo.ownFrom;

  // ---- SEC001: root user
  const user = cfg.user.trim();
  if (user === '' || /^(root|0)(:.*)?$/.test(user)) {
    report('SEC001', userSpan, user === '' ? 'the image runs as root: Config.User is empty' : `the image runs as root: Config.User is "${user}"`);
  } else if (uidOf(img, user) === 0) {
    report('SEC001', userSpan, `the image runs as root: user "${user.split(':')[0]}" has uid 0 in /etc/passwd`);
  }

  // ---- SEC003: privileged ports
  for (const p of cfg.exposedPorts) {
    const n = Number(p.split('/')[0]);
    if (Number.isFinite(n) && n < 1024) report('SEC003', portSpans.get(p)!, `the image exposes port ${p} (< 1024): listen on 8000/8080 and map it with -p 80:8000`);
  }

  // ---- SEC004: setuid/setgid files and file capabilities added by the image's own layers (still visible)
  {
    const hits: string[] = [];
    for (const [p, f] of img.files) {
      if (!own(f.layer) || f.entry.type !== 'file') continue;
      const what: string[] = [];
      if (f.entry.mode & 0o4000) what.push(`setuid${f.entry.uid === 0 ? ' root' : ''}`);
      if (f.entry.mode & 0o2000) what.push('setgid');
      if (f.entry.xattrs?.['security.capability']) what.push('file capabilities (security.capability)');
      if (what.length === 0) continue;
      hits.push(p);
      if (hits.length <= 20) report('SEC004', layerSpan(f.layer), `${abs(p)} has ${what.join(', ')} (mode ${(f.entry.mode & 0o7777).toString(8)}), added by ${layerName(f.layer)}: remove the bit (chmod u-s,g-s) or the capability (setcap -r) so the app runs with --cap-drop=ALL`);
    }
    if (hits.length > 20) report('SEC004', head, `${hits.length - 20} more setuid/setgid/capability files in the image's own layers`);
  }

  // ---- SEC006: stale image
  let ageDays: number | undefined;
  const created = Date.parse(img.created ?? '');
  if (Number.isFinite(created)) {
    ageDays = (now.getTime() - created) / 86_400_000;
    const limit = options.staleDays ?? 7;
    if (ageDays > limit) report('SEC006', head, `stale image: created ${ageDays.toFixed(1)} days ago (${img.created}; > ${limit} days): rebuild weekly with --pull --no-cache (pyship build --fresh)`);
  }

  // ---- SEC009: secrets in config, history and layer files (values never printed)
  {
    for (const [name, value] of env) {
      if (isSecretName(name) && value !== '' && !NOT_A_SECRET.test(value) && !PLACEHOLDER.test(value)) {
        report('SEC009', envSpans.get(name)!, `ENV ${name} holds a secret-named value in the image config (value hidden): pass it at run time or use a secret mount`);
      } else if (new RegExp(URL_PASSWORD.source, 'i').test(value)) {
        report('SEC009', envSpans.get(name)!, `ENV ${name} holds a URL with a password in the image config (value hidden)`);
      }
    }
    img.history.forEach((h, i) => {
      const by = h.createdBy;
      const names = new Set<string>();
      for (const m of by.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s"';&|]+)/g)) {
        const v = m[2]!.replace(/^["']|["']$/g, '');
        if (isSecretName(m[1]!) && v !== '' && !v.startsWith('$') && !NOT_A_SECRET.test(v) && !PLACEHOLDER.test(v)) names.add(m[1]!);
      }
      // the config's own ENV lines repeat in history: report them once, above
      const isEnv = instruction(by) === 'ENV';
      for (const n of names) if (!(isEnv && env.has(n))) report('SEC009', historySpans[i]!, `history #${i + 1} records secret-named variable ${n} with a value (hidden): build secrets belong in RUN --mount=type=secret`);
      if (new RegExp(URL_PASSWORD.source, 'i').test(by) && !isEnv) report('SEC009', historySpans[i]!, `history #${i + 1} records a URL with a password (hidden)`);
    });
    const seen = new Set<string>();
    for (const layer of img.layers) {
      if (!own(layer.index)) continue;
      for (const e of layer.entries) {
        if (e.type !== 'file' || SITE.test(e.path) || /(^|\/)node_modules\//.test(e.path) || /(^|\/)(usr\/share|usr\/lib\/python3[.\d]*\/test)\//.test(e.path)) continue;
        const s = secretFile(e.path);
        if (!s || (base(e.path) === '.env' && e.size === 0)) continue;
        const key = `${e.path}\0${layer.index}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const visible = img.files.get(e.path)?.layer === layer.index;
        report('SEC009', layerSpan(layer.index), `secret file ${abs(e.path)} (${s}) is in ${layerName(layer.index)}${visible ? '' : ', deleted by a later layer but still shipped in this one'}: use RUN --mount=type=secret and .dockerignore it`);
      }
    }
  }

  // ---- CI002: size budget
  if (options.maxImageSize !== undefined && img.totalSize > options.maxImageSize) {
    report('CI002', head, `the image is ${formatBytes(img.totalSize)} (> max-image-size ${formatBytes(options.maxImageSize)})`);
  }

  // ---- Python present?
  const hasPython = ['python3', 'python'].some((c) => resolveBinary(img, c) !== undefined);

  // ---- DBG002: faulthandler
  const command = [...cfg.entrypoint, ...cfg.cmd];
  if (hasPython) {
    const fh = env.get('PYTHONFAULTHANDLER');
    const xflag = command.some((a, i) => (a === '-X' && command[i + 1] === 'faulthandler') || a === '-Xfaulthandler');
    if ((fh === undefined || fh === '') && !xflag) report('DBG002', envSpans.get('PYTHONFAULTHANDLER') ?? head, 'PYTHONFAULTHANDLER is not set in the image: add ENV PYTHONFAULTHANDLER=1 so C crashes print a traceback');
  }

  // ---- DBG003: revision label
  if (!REVISION_LABELS.some((l) => (cfg.labels[l] ?? '') !== '')) {
    report('DBG003', labelSpan, `no revision label (${REVISION_LABELS.join(', ')}): build with pyship build, or --label org.opencontainers.image.revision=$(git rev-parse HEAD)`);
  }

  // ---- DBG004 (opt-in): ps
  if (resolveBinary(img, 'ps') === undefined) report('DBG004', head, 'no ps in the image (procps): debugging a running container is harder');

  // ---- OPS006: init as PID 1
  {
    const pid1 = command[0];
    const pid1Base = pid1 !== undefined ? base(pid1) : undefined;
    const installed = [...INITS].map((n) => resolveBinary(img, n)).find((x) => x !== undefined);
    if (pid1Base !== undefined && INITS.has(pid1Base)) {
      if (resolveBinary(img, pid1!) === undefined) report('OPS006', cfg.entrypoint.length > 0 ? entrypointSpan : cmdSpan, `PID 1 is ${pid1}, which the image does not contain: install it (apt-get install tini)`);
    } else {
      const where = cfg.entrypoint.length > 0 ? entrypointSpan : cmdSpan;
      report('OPS006', where, `no init process as PID 1 (it runs ${pid1 === undefined ? 'nothing' : JSON.stringify(pid1)})${installed ? `; ${abs(installed)} is installed but not the ENTRYPOINT` : ''}: ENTRYPOINT ["tini", "--"] reaps zombies and forwards signals`);
    }
  }

  // ---- OPS008: healthcheck, and its binary
  {
    const server = cfg.exposedPorts.length > 0 || SERVERS.test(command.join(' '));
    const hc = cfg.healthcheck;
    if (!hc || hc.test.length === 0) {
      if (server) report('OPS008', hcSpan, `server image (${cfg.exposedPorts.length > 0 ? `exposes ${cfg.exposedPorts.join(', ')}` : 'runs a server'}) without a HEALTHCHECK: add one in exec form with python's urllib`);
    } else if (hc.test[0] !== 'NONE') {
      const shell = hc.test[0] === 'CMD-SHELL';
      const words = shell ? (hc.test[1] ?? '').split(/[\s;&|()]+/).filter(Boolean) : hc.test.slice(1);
      const bins = new Set<string>();
      if (!shell && words[0]) bins.add(words[0]);
      for (const w of words) if (w === 'curl' || w === 'wget' || /\/(curl|wget)$/.test(w)) bins.add(w);
      for (const b of bins) {
        if (resolveBinary(img, b) === undefined) report('OPS008', hcSpan, `HEALTHCHECK runs ${b}, which the image does not contain: the check always fails (use python -c with urllib)`);
      }
      if (shell) {
        if (resolveBinary(img, '/bin/sh') === undefined) report('OPS008', hcSpan, 'HEALTHCHECK in shell form, but the image has no /bin/sh');
        else report('OPS008', hcSpan, 'HEALTHCHECK in shell form (CMD-SHELL): use the exec form ["CMD", …]', 'info');
      }
    }
  }

  // ---- OPS009: bytecode share in site-packages
  const bytecode = { py: 0, compiled: 0, share: undefined as number | undefined };
  {
    const compiled = new Set<string>();
    for (const p of img.files.keys()) {
      if (!p.endsWith('.pyc') || !SITE.test(p)) continue;
      const d = dir(p);
      const stem = base(p).replace(/\.(cpython|pypy)[^.]*(\.opt-\d)?\.pyc$/, '').replace(/\.pyc$/, '');
      compiled.add(d.endsWith('/__pycache__') ? `${dir(d)}/${stem}` : `${d}/${stem}`);
    }
    for (const [p, f] of img.files) {
      if (!p.endsWith('.py') || f.entry.type !== 'file' || !SITE.test(p)) continue;
      bytecode.py++;
      if (compiled.has(p.slice(0, -3))) bytecode.compiled++;
    }
    if (bytecode.py > 0) {
      bytecode.share = bytecode.compiled / bytecode.py;
      if (bytecode.share < 0.9) report('OPS009', head, `${(bytecode.share * 100).toFixed(0)}% of the ${bytecode.py} .py files in site-packages have a .pyc (< 90%): each start compiles the rest (python -m compileall, or pip without --no-compile)`);
    }
  }

  // ---- SIZE001: layers and waste
  const efficiency = img.totalSize === 0 ? 1 : (img.totalSize - img.wastedBytes) / img.totalSize;
  {
    const minEff = options.minEfficiency ?? 0.95;
    const overEff = efficiency < minEff;
    const overWaste = options.maxWastedBytes !== undefined && img.wastedBytes > options.maxWastedBytes;
    if (overEff || overWaste) {
      const worst = [...img.layers].sort((a, b) => b.wasted - a.wasted).filter((l) => l.wasted > 0).slice(0, 3);
      const why = [overEff ? `efficiency ${efficiency.toFixed(3)} (< min-efficiency ${minEff})` : '', overWaste ? `wasted ${formatBytes(img.wastedBytes)} (> max-wasted-bytes ${formatBytes(options.maxWastedBytes!)})` : ''].filter(Boolean).join(', ');
      report('SIZE001', worst[0] ? layerSpan(worst[0].index) : head, `${why}: ${formatBytes(img.wastedBytes)} of ${formatBytes(img.totalSize)} are files later layers overwrite or delete; most in ${worst.map((l) => `${layerName(l.index)} ${formatBytes(l.wasted)}`).join('; ')}`);
    }
  }

  // ---- SIZE002: host files in the image (.git, host __pycache__, a host venv)
  {
    const isCopyLayer = (l: number): boolean => {
      const ins = instruction(img.layers[l]?.history?.createdBy ?? '');
      return ins === 'COPY' || ins === 'ADD';
    };
    const gitDirs: string[] = [];
    const pycacheDirs: string[] = [];
    const venvs: string[] = [];
    for (const [p, f] of img.files) {
      if (!own(f.layer) || SITE.test(p)) continue;
      const b = base(p);
      if (b === '.git' && (img.children.get(p)?.has(`${p}/HEAD`) || f.entry.type === 'file')) gitDirs.push(p);
      else if (b === '__pycache__' && f.entry.type === 'dir' && isCopyLayer(f.layer)) pycacheDirs.push(p);
      else if (b === 'pyvenv.cfg') {
        const home = /^\s*home\s*=\s*(.+?)\s*$/m.exec(img.contents.get(p)?.toString('utf8') ?? '')?.[1];
        if (home && !['python3', 'python'].some((c) => lookup(img, `${home}/${c}`) !== undefined)) venvs.push(`${abs(dir(p))} (home = ${home}, not in the image)`);
      }
    }
    // __pycache__ in a COPY layer is a leak unless the image's own Python compiled it (`COPY --from=build` after the
    // build stage ran compileall: the history shows only `COPY /app /app`), or the project's .dockerignore keeps it
    // out of the build context
    if (pycacheDirs.length > 0) {
      const tags = pythonTags(img);
      const leaked = pycacheDirs.filter((p) => !compiledInImage(img, p, tags) && !(options.dockerignore && ignoredByContext(img, p, options.dockerignore)));
      pycacheDirs.splice(0, pycacheDirs.length, ...leaked);
    }
    const firstLayer = (paths: string[]): Span => layerSpan(img.files.get(paths[0]!.split(' ')[0]!.replace(/^\//, ''))?.layer ?? 0);
    if (gitDirs.length > 0) report('SIZE002', firstLayer(gitDirs), `.git directory in the image: ${gitDirs.slice(0, 3).map(abs).join(', ')}${gitDirs.length > 3 ? ` and ${gitDirs.length - 3} more` : ''}: exclude .git in .dockerignore`);
    if (pycacheDirs.length > 0) report('SIZE002', firstLayer(pycacheDirs), `__pycache__ copied from the build context: ${pycacheDirs.slice(0, 3).map(abs).join(', ')}${pycacheDirs.length > 3 ? ` and ${pycacheDirs.length - 3} more` : ''}: exclude __pycache__ and *.pyc in .dockerignore`);
    if (venvs.length > 0) report('SIZE002', head, `virtualenv copied from the host: ${venvs.slice(0, 3).join(', ')}: exclude .venv/venv in .dockerignore and install in the image`);
  }

  // ---- SIZE003: chown/chmod -R copies
  for (const l of img.layers) {
    if (own(l.index) && l.metadataRewrites >= MB) {
      report('SIZE003', layerSpan(l.index), `${layerName(l.index)} rewrites ${formatBytes(l.metadataRewrites)} of files only to change owner or mode: use COPY --chown / --chmod`);
    }
  }

  // ---- SIZE004: apt lists and package caches
  {
    let listBytes = 0;
    let lists = 0;
    let debBytes = 0;
    let debs = 0;
    let layer: number | undefined;
    for (const [p, f] of img.files) {
      if (f.entry.type !== 'file') continue;
      if (p.startsWith('var/lib/apt/lists/') && !p.startsWith('var/lib/apt/lists/partial/') && base(p) !== 'lock' && !p.startsWith('var/lib/apt/lists/auxfiles/')) {
        lists++;
        listBytes += f.entry.size;
        layer ??= f.layer;
      } else if (p.startsWith('var/cache/apt/') && (p.endsWith('.deb') || p.endsWith('.bin'))) {
        debs++;
        debBytes += f.entry.size;
        layer ??= f.layer;
      }
    }
    if (lists > 0) report('SIZE004', layerSpan(layer!), `/var/lib/apt/lists holds ${lists} files (${formatBytes(listBytes)}): rm -rf /var/lib/apt/lists/* in the RUN that runs apt-get update`);
    if (debs > 0) report('SIZE004', layerSpan(layer!), `/var/cache/apt holds ${debs} package files (${formatBytes(debBytes)}): apt-get clean in the same RUN`);
  }

  // ---- SIZE005: package manager caches
  {
    const caches = new Map<string, { files: number; bytes: number; layer: number }>();
    for (const [p, f] of img.files) {
      if (f.entry.type !== 'file') continue;
      const m = /^(.*?\.cache\/(pip|pypoetry|uv|pipenv|pdm))\//.exec(p);
      if (!m) continue;
      const c = caches.get(m[1]!) ?? { files: 0, bytes: 0, layer: f.layer };
      c.files++;
      c.bytes += f.entry.size;
      caches.set(m[1]!, c);
    }
    for (const [p, c] of caches) report('SIZE005', layerSpan(c.layer), `${abs(p)} is in the image: ${c.files} files, ${formatBytes(c.bytes)} (pip --no-cache-dir / PIP_NO_CACHE_DIR=1, or a cache mount)`);
  }

  // ---- SIZE006: build artefacts in the image's own layers
  {
    const soDirs = new Set<string>();
    for (const [p, f] of img.files) if (own(f.layer) && /\.so(\.\d+)*$/.test(p) && f.entry.type === 'file') soDirs.add(dir(p));
    const sources: string[] = [];
    let sourceBytes = 0;
    const maps: string[] = [];
    let mapBytes = 0;
    const buildDirs: string[] = [];
    /** Test directory → bytes and the layer of its first file; app and installed distributions apart. */
    const appTests = new Map<string, { bytes: number; layer: number }>();
    const siteTests = new Map<string, { bytes: number; layer: number; location: string; top: string }>();
    const workdir = cfg.workingDir === '' ? undefined : cfg.workingDir.replace(/^\/+|\/+$/g, '');
    for (const [p, f] of img.files) {
      if (!own(f.layer)) continue;
      if (f.entry.type === 'file') {
        if (/\.(c|pyx|cpp)$/.test(p) && soDirs.has(dir(p))) {
          sources.push(p);
          sourceBytes += f.entry.size;
        } else if (p.endsWith('.js.map') && !p.startsWith('usr/share/')) {
          maps.push(p);
          mapBytes += f.entry.size;
        }
        const site = SITE_SPLIT.exec(p);
        if (site) {
          // a distribution's test suite: `tests` only, since a `test` package is often API (django.test)
          const t = /^((?:[^/]+\/)*?tests)\//.exec(site[2]!);
          if (t) {
            const key = `${site[1]}/${t[1]}`;
            const e = siteTests.get(key) ?? { bytes: 0, layer: f.layer, location: site[1]!, top: t[1]!.split('/')[0]! };
            e.bytes += f.entry.size;
            siteTests.set(key, e);
          }
        } else if (workdir !== undefined && (workdir === '' || p.startsWith(workdir + '/'))) {
          const rest = workdir === '' ? p : p.slice(workdir.length + 1);
          const t = /^((?:[^/]+\/)*?tests?)\//.exec(rest);
          if (t) {
            const key = workdir === '' ? t[1]! : `${workdir}/${t[1]}`;
            const e = appTests.get(key) ?? { bytes: 0, layer: f.layer };
            e.bytes += f.entry.size;
            appTests.set(key, e);
          }
        }
      } else if (f.entry.type === 'dir' && base(p) === 'build' && [...(img.children.get(p) ?? [])].some((c) => /^(lib|temp|bdist)\./.test(base(c)))) {
        buildDirs.push(p);
      }
    }
    if (sources.length > 0) report('SIZE006', head, `${sources.length} C/Cython sources (${formatBytes(sourceBytes)}) next to compiled extensions, e.g. ${abs(sources[0]!)}: build in a separate stage and copy only the installed environment`);
    if (buildDirs.length > 0) report('SIZE006', head, `setuptools build directories in the image: ${buildDirs.slice(0, 3).map(abs).join(', ')}`);
    if (maps.length > 0) report('SIZE006', head, `${maps.length} JavaScript source maps (${formatBytes(mapBytes)}), e.g. ${abs(maps[0]!)}`);
    const sum = (m: Map<string, { bytes: number }>): number => [...m.values()].reduce((a, b) => a + b.bytes, 0);
    const appBytes = sum(appTests);
    if (appTests.size > 0 && appBytes >= APP_TESTS_MIN_BYTES) {
      const top = [...appTests].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 3);
      report('SIZE006', layerSpan(top[0]![1].layer), `${appTests.size} test director${appTests.size === 1 ? 'y' : 'ies'} of the app (${formatBytes(appBytes)}) under ${cfg.workingDir}, largest ${top.map(([p, e]) => `${abs(p)} ${formatBytes(e.bytes)}`).join(', ')}: leave them out of the runtime image (.dockerignore them, or COPY only the code that runs)`);
    }
    const siteBytes = sum(siteTests);
    if (siteTests.size > 0 && siteBytes > (options.siteTestsMinBytes ?? SITE_TESTS_MIN_BYTES)) {
      const owner = distributionOwners(img);
      const byDist = new Map<string, { bytes: number; layer: number }>();
      const byLocation = new Map<string, number>();
      for (const e of siteTests.values()) {
        const name = owner(e.location, e.top);
        const d = byDist.get(name) ?? { bytes: 0, layer: e.layer };
        d.bytes += e.bytes;
        byDist.set(name, d);
        byLocation.set(e.location, (byLocation.get(e.location) ?? 0) + e.bytes);
      }
      const top = [...byDist].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 3);
      const where = [...byLocation].sort((a, b) => b[1] - a[1])[0]![0];
      report('SIZE006', layerSpan(top[0]![1].layer), `${siteTests.size} tests/ director${siteTests.size === 1 ? 'y' : 'ies'} (${formatBytes(siteBytes)}) ship inside the installed distributions, most in ${top.map(([n, d]) => `${n} ${formatBytes(d.bytes)}`).join(', ')}: a slimmer dependency avoids them; deleting them in the build stage (find ${abs(where)} -depth -type d -name tests -exec rm -rf {} +) is at your own risk, as a package may import from them`);
    }
  }

  // ---- MS001: compilers at run time
  {
    const compilers: string[] = [];
    let layer: number | undefined;
    const targets = new Set<string>();
    for (const name of ['gcc', 'cc', 'g++', 'c++', 'clang']) {
      const hit = resolveBinary(img, name);
      if (hit && !targets.has(hit)) {
        targets.add(hit);
        compilers.push(base(hit) === name ? abs(hit) : `${name} (${abs(hit)})`);
        layer ??= img.files.get(hit)?.layer;
      }
    }
    if (compilers.length > 0) report('MS001', layer !== undefined ? layerSpan(layer) : head, `build tools in the runtime image: ${compilers.join(', ')}${layer !== undefined ? ` (from ${layerName(layer)})` : ''}: compile in a build stage and copy the venv`);
  }

  // ---- data for the report
  const layers: LayerRow[] = img.layers.map((l) => ({
    index: l.index,
    size: l.size,
    wasted: l.wasted,
    files: l.entries.length,
    createdBy: maskSecrets(l.history?.createdBy || l.history?.comment || ''),
    created: l.history?.created,
    base: !own(l.index),
  }));
  const distributions = listDistributions(img);
  const lock = options.locked ? compareLock(distributions, options.locked) : undefined;
  return {
    ref: img.ref, text: listing.text, findings, layers, totalSize: img.totalSize, wastedBytes: img.wastedBytes, efficiency,
    base: baseInfo, created: img.created, ageDays, bytecode, distributions, lock, notes,
  };
}

function truncate(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

export type { Layer };
