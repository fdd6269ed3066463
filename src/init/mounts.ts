// A read-only root breaks an app that writes into its own tree: from the writes the code shows (src/project/writes.ts),
// the tmpfs and named volumes compose and k8s mount, the directories the Dockerfile creates for them, or read-only off
// with the reason when a path cannot be mounted.
import type { Project } from '../project/model.js';
import { appWrites, type AppWrite } from '../project/writes.js';
import type { Decisions } from './decisions.js';
import type { InitSpec } from './types.js';
import type { Mount, MountLayout } from '../templates/spec.js';

const WORKDIR = '/app';
/** Files a directory may hold and still take a mount (a volume's first use copies them in). */
const PLACEHOLDER = /(^|\/)(\.gitkeep|\.keep|\.gitignore|README[^/]*|\.dockerignore)$/;

/** Where the image has a context-relative code file: /app/…, or site-packages when the project is installed. */
export function imagePathOf(spec: Pick<InitSpec, 'installProject'> & { python: Pick<InitSpec['python'], 'version'> }): (ctxRel: string) => string {
  return (rel) => {
    if (!spec.installProject) return `${WORKDIR}/${rel}`;
    return `/opt/venv/lib/python${spec.python.version}/site-packages/${rel.replace(/^src\//, '')}`;
  };
}

/** The mount layout of the spec, recorded as the `compose-mounts` decision. */
export function chooseMounts(p: Project, spec: InitSpec, d: Decisions): MountLayout {
  const writes = appWrites(p, { workdir: WORKDIR, imagePath: imagePathOf(spec), settings: spec.django?.settings });
  const prefix = p.contextPath ? `${p.contextPath}/` : '';
  const mounts: Mount[] = [];
  const blockers: string[] = [];
  const evidence: string[] = [];
  const holdsCode = (dir: string): boolean => {
    if (dir === WORKDIR) return true;
    if (!dir.startsWith(`${WORKDIR}/`)) return false;
    const rel = `${prefix}${dir.slice(WORKDIR.length + 1)}/`;
    return p.find((f) => f.startsWith(rel) && !PLACEHOLDER.test(f)).length > 0;
  };
  const sorted = [...writes].sort((a, b) => (a.dir ?? '').length - (b.dir ?? '').length);
  for (const w of sorted) {
    const where = w.dir ? ` → ${w.dir}` : '';
    evidence.push(`${w.evidence} (${w.what}${where})`);
    const reason = blocker(w, holdsCode);
    if (reason) {
      blockers.push(reason);
      continue;
    }
    const dir = w.dir!;
    // a mount above it covers it
    if (mounts.some((m) => dir === m.path || dir.startsWith(`${m.path}/`))) continue;
    const kind = w.kind === 'scratch' ? 'tmpfs' : 'volume';
    mounts.push({ path: dir, kind, ...(kind === 'volume' ? { volume: volumeName(dir, mounts) } : {}) });
  }
  const layout: MountLayout = { readOnly: blockers.length === 0, mounts, ...(blockers.length > 0 ? { why: blockers.join('; ') } : {}) };
  const parts = [layout.readOnly ? 'read-only root' : 'read-only off', 'tmpfs /tmp',
    ...mounts.map((m) => (m.kind === 'tmpfs' ? `tmpfs ${m.path} (owned by the app user)` : `volume ${m.volume} at ${m.path}`))];
  d.decide('compose-mounts', parts.join('; '), ...(evidence.length > 0 ? evidence : ['default: the code shows no write outside /tmp (mkdir, log files, SQLite, MEDIA_ROOT, uploads, open(…, "w"))']));
  if (!layout.readOnly) spec.notes.push(`compose${spec.k8s ? ' and k8s' : ''}: the root file system is left writable: ${layout.why}`);
  for (const m of mounts) {
    if (m.kind === 'volume') spec.notes.push(`the app writes data to ${m.path}: compose mounts the named volume ${m.volume} there (the Dockerfile creates it owned by the app user, so the volume is too)${spec.k8s ? '; k8s/deployment.yaml mounts an emptyDir: use a PersistentVolumeClaim to keep it' : ''}`);
  }
  return layout;
}

function blocker(w: AppWrite, holdsCode: (dir: string) => boolean): string | undefined {
  const at = w.evidence.split(' ')[0];
  if (!w.dir) return `${at} writes ${w.what} to a path pyship cannot resolve from the code`;
  if (/\/site-packages(\/|$)/.test(w.dir)) {
    return `${at} writes ${w.what} into the installed package (${w.dir}), which the app user cannot write to even then: point it at a directory outside the code`;
  }
  if (holdsCode(w.dir)) return `${at} writes ${w.what} into ${w.dir}, which holds code (a volume there would hide it): point it at a directory of its own to keep the root read-only`;
  return undefined;
}

function volumeName(dir: string, taken: Mount[]): string {
  const base = (dir.split('/').filter(Boolean).pop() ?? 'data').toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^[^a-z0-9]+/, '') || 'data';
  let name = base;
  for (let k = 2; taken.some((m) => m.volume === name); k++) name = `${base}-${k}`;
  return name;
}
