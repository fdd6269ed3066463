// An app that writes into its own package (a SQLite file beside its modules) cannot run from root-owned site-packages:
// such an app, when nothing needs it installed, runs from its source copied to /app (owned by the app user) instead.
import type { Project } from '../project/model.js';
import { appWrites } from '../project/writes.js';
import type { Decisions } from './decisions.js';
import { imagePathOf } from './mounts.js';

/**
 * Whether to keep the project installed. Installing puts the code in site-packages, which the app user cannot write:
 * a web app whose code writes there runs from source instead (no [project.scripts] entry needs the install).
 */
export function keepInstalled(p: Project, ctx: { version: string; settings?: string; fromSource: string; canRunFromSource: boolean }, d: Decisions): boolean {
  if (!ctx.canRunFromSource) return true;
  const image = imagePathOf({ installProject: true, python: { version: ctx.version } });
  const into = appWrites(p, { workdir: '/app', imagePath: image, settings: ctx.settings }).filter((w) => w.dir && /\/site-packages(\/|$)/.test(w.dir));
  if (into.length === 0) return true;
  d.decide('install-project', `no: the code runs from /app${ctx.fromSource ? `/${ctx.fromSource}` : ''} (PYTHONPATH), owned by the app user`,
    ...into.map((w) => `${w.evidence} (${w.what} → ${w.dir}: inside the installed package, which the app user cannot write)`),
    'default: the web app needs no [project.scripts] entry, so it runs from its source as well as installed');
  return false;
}
