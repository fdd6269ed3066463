// What the app needs in its environment to start (src/project/env.ts finds it), turned into init's decision, the
// throwaway values CI's smoke test passes, and the `.env.example` compose reads: names and where each is read, never a
// value from the project (a committed .env stays out of everything pyship writes).
import { detectEnv, type ConfigFileRead, type EnvRead } from '../project/env.js';
import type { Project } from '../project/model.js';
import { detectLocalHosts, type DevSetting, type HostGate, type LocalService } from '../project/local-hosts.js';
import { at } from './decisions.js';

export interface AppEnvironment {
  required: EnvRead[];
  optional: EnvRead[];
  /** What was read to find them: `5 modules the entry imports (config/settings.py, …)`. */
  scanned: string;
  /** Files the app opens at import (a secret key file, an ini): not environment, but the container needs them too. */
  configFiles?: ConfigFileRead[];
  /** Services the settings or config reach at localhost with no variable to move them: the container itself. */
  localServices?: LocalService[];
  /** ALLOWED_HOSTS opened only when a platform variable is set (and localhost-only else). */
  hostGates?: HostGate[];
  /** Settings left as a developer's machine wants them (an empty ALLOWED_HOSTS, DEBUG = True, a random SECRET_KEY per process). */
  devSettings?: DevSetting[];
}

/** Variables the generated Dockerfile sets (ENV PORT, DJANGO_SETTINGS_MODULE, PYTHONPATH…). */
const IMAGE_SETS = new Set(['PORT', 'DJANGO_SETTINGS_MODULE', 'PYTHONPATH', 'PATH', 'HOME', 'PYTHONUNBUFFERED', 'PYTHONFAULTHANDLER', 'VIRTUAL_ENV']);

/** The root-relative file of a dotted module under the given roots (`config.settings` → `config/settings.py`). */
export function moduleFile(p: Project, mod: string, roots: readonly string[]): string | undefined {
  const rel = mod.split('.').join('/');
  for (const r of roots) {
    const base = r ? `${r}/${rel}` : rel;
    for (const f of [`${base}.py`, `${base}/__init__.py`]) if (p.file(f)) return f;
  }
  return undefined;
}

/**
 * The environment of the app started from `entryFile` (and, for Django, the settings module): what it reads at import,
 * following the project's own imports (bounded).
 */
export function readEnvironment(p: Project, entryFile: string | undefined, importRoots: readonly string[], djangoSettings?: string): AppEnvironment | undefined {
  const roots = [...new Set(['', ...importRoots, 'src'])];
  const settingsFile = djangoSettings ? moduleFile(p, djangoSettings, roots) : undefined;
  const starts = [settingsFile, entryFile].filter((f): f is string => f !== undefined);
  if (starts.length === 0) return undefined;
  const facts = detectEnv(p, starts, roots, settingsFile ? [settingsFile] : []);
  const shown = facts.files.slice(0, 3).join(', ') + (facts.files.length > 3 ? ', …' : '');
  // what the generated image sets itself is never the user's to provide
  const vars = facts.vars.map((v) => (v.required && IMAGE_SETS.has(v.name) ? { ...v, required: false, why: `${v.why}; the image sets it` } : v));
  const local = detectLocalHosts(p, facts.files);
  return {
    localServices: local.services, hostGates: local.gates, devSettings: local.settings,
    required: vars.filter((v) => v.required),
    optional: vars.filter((v) => !v.required),
    configFiles: facts.configFiles,
    scanned: `${facts.files.length} module${facts.files.length === 1 ? '' : 's'} the entry imports (${shown})${facts.truncated ? ', stopped at the bound' : ''}`,
  };
}

/** The decision: the required names with where each is read, and how many are optional. */
export function environmentDecision(e: AppEnvironment): { value: string; evidence: string[] } {
  const hazards = [...(e.localServices ?? []).map(localSentence), ...(e.hostGates ?? []).map(gateSentence), ...(e.devSettings ?? []).map(settingSentence)];
  const value = (e.required.length > 0
    ? `requires ${e.required.map((v) => v.name).join(', ')}; ${e.optional.length} optional`
    : `nothing required; ${e.optional.length} optional`) + hazards.map((h) => `; ${h}`).join('');
  const opened = (e.configFiles ?? []).slice(0, 5).map((f) => at(f.file, f.line, `opens ${f.path} at import${f.fallback ? ' (falls back without it)' : ''}`));
  const local = [...(e.localServices ?? []).map((l) => at(l.file, l.line, `${l.what} at ${l.host}, no environment override`)),
    ...(e.hostGates ?? []).map((g) => at(g.file, g.line, `ALLOWED_HOSTS opened only when ${g.name} is set (else ${g.otherwise})`)),
    ...(e.devSettings ?? []).map((x) => at(x.file, x.line, x.what.split(':')[0]))];
  const evidence = [...e.required.map((v) => at(v.file, v.line, `${v.name}: ${v.why}`)), ...local, ...opened, `scanned ${e.scanned}`];
  return { value, evidence };
}

const localSentence = (l: LocalService): string =>
  `the app connects to ${l.host} for its ${l.what} (${l.file}:${l.line}): in a container that is the container itself; pass a config or environment with the real host`;
const settingSentence = (x: DevSetting): string => `${x.what} (${x.file}:${x.line})`;
const gateSentence = (g: HostGate): string =>
  `ALLOWED_HOSTS is opened only when ${g.name} is set (${g.file}:${g.line}), else ${g.otherwise}: set ${g.name}=${g.value} in the container or list the real hosts`;

/** The note on settings made for a developer's machine: localhost services, hosts opened by a platform variable. */
export function localHostsNote(e: AppEnvironment): string | undefined {
  const parts = [...(e.localServices ?? []).map(localSentence), ...(e.hostGates ?? []).map((g) => `${gateSentence(g)} (.env.example lists it; compose.yaml does not pass it, so add it there when you mean it: the same variable may switch other settings)`),
    ...(e.devSettings ?? []).map(settingSentence)];
  return parts.length > 0 ? `settings made for a developer's machine: ${parts.join('; ')}` : undefined;
}

/** The summary line: what the app needs to start, and where each is read. */
/** Files the app cannot import without: the image must contain them (or compose/k8s mount them). */
export function configFilesNote(e: AppEnvironment): string | undefined {
  const needed = (e.configFiles ?? []).filter((f) => !f.fallback);
  if (needed.length === 0) return undefined;
  return `the app opens files at import: ${needed.slice(0, 5).map((f) => `${f.path} (${f.file}:${f.line})`).join(', ')}; the image has them only if the build context sends them (.dockerignore), else mount them`;
}

export function environmentNote(e: AppEnvironment, ownExample?: string): string | undefined {
  if (e.required.length === 0) return undefined;
  // the project's own .env.example is kept: say which required names it does not mention
  const lacking = ownExample === undefined ? [] : e.required.filter((v) => !new RegExp(`^\\s*(export\\s+)?${v.name}\\s*=`, 'm').test(ownExample)).map((v) => v.name);
  const example = ownExample === undefined ? 'see .env.example' : lacking.length > 0 ? `your .env.example does not mention ${lacking.join(', ')}` : 'as your .env.example lists them';
  return `the app needs these to start: ${e.required.map((v) => `${v.name} (${v.file}:${v.line})`).join(', ')}. a compose.yaml written by pyship init requires them from .env (${example}) instead of crash-looping; CI's smoke test passes throwaway values`;
}

/** `.env.example`: every required name, empty, with where it is read; compose reads `.env` beside it. */
export function envExample(e: AppEnvironment): string {
  const lines = [
    '# Written by pyship init: the variables the app cannot start without, found in its code. Copy to .env (never',
    '# committed, never sent to `docker build`) and fill in; `docker compose` reads .env (a compose.yaml written by',
    '# pyship init refuses to start while one of them is empty).',
  ];
  for (const v of e.required) lines.push('', `# required${v.secret ? ', a secret' : ''}: ${v.file}:${v.line} (${v.why})`, `${v.name}=`);
  // a platform variable that opens ALLOWED_HOSTS: listed with the value that opens it, off until the user means it
  for (const g of e.hostGates ?? []) {
    lines.push('', `# optional: ${g.file}:${g.line} opens ALLOWED_HOSTS only when ${g.name} is set (else ${g.otherwise}); the same`,
      `# condition may switch other settings, and compose.yaml passes it only once you add it to its environment`, `# ${g.name}=${g.value}`);
  }
  return `${lines.join('\n')}\n`;
}
