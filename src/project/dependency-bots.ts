// Dependabot and Renovate configurations: which ecosystems and directories a bot keeps up to date.
import type { Node as YamlNode } from 'yaml';
import { get, rangeSpan, str, yaml } from './yaml.js';
import { projectFact, type Project } from './model.js';
import type { CiProblem, DependencyBot } from './ci-model.js';
import { parseYaml } from './ci-readers.js';

const dependencyBotFacts = projectFact((project: Project): { bots: DependencyBot[]; problems: CiProblem[] } => {
  const problems: CiProblem[] = [];
  const bots: DependencyBot[] = [];
  for (const p of ['.github/dependabot.yml', '.github/dependabot.yaml']) {
    const f = project.file(p);
    if (!f) continue;
    const doc = parseYaml(p, f.text, problems);
    const bot: DependencyBot = { kind: 'dependabot', file: p, updates: [] };
    const updates = doc ? get(doc.contents, 'updates') : undefined;
    if (yaml().isSeq(updates)) {
      for (const u of updates.items) {
        const eco = get(u, 'package-ecosystem');
        if (str(eco) === undefined) continue;
        const dirs: string[] = [];
        if (str(get(u, 'directory')) !== undefined) dirs.push(str(get(u, 'directory'))!);
        const many = get(u, 'directories');
        if (yaml().isSeq(many)) for (const d of many.items) if (str(d) !== undefined) dirs.push(str(d)!);
        bot.updates.push({ ecosystem: { value: str(eco)!, span: rangeSpan(eco) }, directories: dirs, interval: str(get(get(u, 'schedule'), 'interval')), span: rangeSpan(u as YamlNode) });
      }
    }
    bots.push(bot);
  }
  for (const p of ['renovate.json', 'renovate.json5', '.renovaterc', '.renovaterc.json', '.renovaterc.json5', '.github/renovate.json', '.github/renovate.json5', '.gitlab/renovate.json']) {
    const f = project.file(p);
    if (!f) continue;
    const bot: DependencyBot = { kind: 'renovate', file: p, updates: [] };
    const m = /["']?enabledManagers["']?\s*:\s*\[([^\]]*)\]/.exec(f.text);
    if (m) bot.enabledManagers = [...m[1]!.matchAll(/["']([\w-]+)["']/g)].map((x) => x[1]!);
    bots.push(bot);
  }
  const pkg = project.file('package.json');
  if (pkg && /"renovate"\s*:\s*\{/.test(pkg.text)) bots.push({ kind: 'renovate', file: 'package.json', updates: [] });
  return { bots, problems };
});

/** Malformed Dependabot YAML, for DF026. */
export function dependencyBotProblems(project: Project): CiProblem[] {
  return dependencyBotFacts(project).problems;
}

/** Dependabot and Renovate configurations. */
export function dependencyBots(project: Project): DependencyBot[] {
  return dependencyBotFacts(project).bots;
}

export const PYTHON_ECOSYSTEMS = new Set(['pip', 'uv', 'pipenv', 'poetry', 'pip-compile', 'pdm', 'conda']);
const RENOVATE_PYTHON = new Set(['pip_requirements', 'pip_setup', 'pipenv', 'poetry', 'pep621', 'pip-compile', 'pep723', 'setup-cfg']);
const RENOVATE_DOCKER = new Set(['dockerfile', 'docker-compose', 'kubernetes', 'helm-values']);

/** Does a bot keep this kind of dependency up to date (optionally for a root-relative directory)? */
export function botCovers(bot: DependencyBot, kind: 'python' | 'docker', dir?: string): boolean {
  if (bot.kind === 'renovate') {
    if (!bot.enabledManagers) return true;
    return bot.enabledManagers.some((m) => (kind === 'python' ? RENOVATE_PYTHON : RENOVATE_DOCKER).has(m));
  }
  return bot.updates.some((u) => {
    const eco = u.ecosystem.value;
    const ok = kind === 'python' ? PYTHON_ECOSYSTEMS.has(eco) : eco === 'docker' || eco === 'docker-compose';
    if (!ok) return false;
    if (dir === undefined) return true;
    const want = '/' + dir.replace(/^\/+|\/+$/g, '');
    return u.directories.length === 0 || u.directories.some((d) => {
      const norm = '/' + d.replace(/^\.?\/+|\/+$/g, '');
      if (norm === want || norm === '/' + want.slice(1)) return true;
      if (d.includes('*')) {
        const re = new RegExp('^' + norm.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '.*').replace(/\*/g, '[^/]*') + '$');
        return re.test(want);
      }
      return false;
    });
  });
}
