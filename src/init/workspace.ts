// A uv or poetry workspace member has no lock of its own: the lock is the workspace's, in a parent directory. Found
// from the member's side: the nearest ancestor (at most 3 levels, not above the repository) whose pyproject.toml
// names this directory as a member (uv `[tool.uv.workspace] members`, poetry path dependencies) and has the lock.
import { existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { parsePyproject } from '../project/pyproject.js';
import type { Project } from '../project/model.js';
import { gitRoot } from '../project/locate.js';
import { projectBounds, readRegularText } from '../io/regular.js';
import type { Workspace } from '../templates/spec.js';

const posix = (p: string): string => p.split(sep).join('/');

/** A workspace `members` glob (`packages/*`, `backend`) against a member path. */
function matches(glob: string, member: string): boolean {
  const re = new RegExp(`^${glob.replace(/\/+$/, '').split('/').map((s) => s.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '.+').replace(/\*/g, '[^/]+').replace(/\?/g, '[^/]')).join('/')}$`);
  return re.test(member);
}

function lineOf(text: string, re: RegExp): number {
  const i = text.split('\n').findIndex((l) => re.test(l));
  return i + 1;
}

export function findWorkspace(p: Project): Workspace | undefined {
  const own = p.file('pyproject.toml');
  if (!own) return undefined;
  const name = parsePyproject(own.text, 'pyproject.toml').name;
  // not above the repository (without git: the three levels bound it)
  const stop = gitRoot(p.root);
  let dir = p.root;
  for (let up = 1; up <= 3; up++) {
    if (dir === stop) break;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
    const file = join(dir, 'pyproject.toml');
    if (!existsSync(file)) continue;
    const text = readRegularText(file, { within: projectBounds(dir) });
    if (text === undefined) continue;
    const pp = parsePyproject(text, file);
    const member = posix(relative(dir, p.root));
    const root = posix(relative(p.root, dir));
    const rootFile = `${root}/pyproject.toml`;
    if (pp.uv && pp.uv.workspaceMembers.some((g) => matches(g, member)) && existsSync(join(dir, 'uv.lock'))) {
      return {
        tool: 'uv', root, lock: 'uv.lock', member, package: name,
        evidence: [`${rootFile}:${lineOf(text, /^\s*members\s*=/)} [tool.uv.workspace] members`, `${root}/uv.lock`],
      };
    }
    const pathDep = pp.poetry?.dependencies.find((d) => d.path && posix(d.path).replace(/^\.\//, '').replace(/\/+$/, '') === member);
    if (pathDep && existsSync(join(dir, 'poetry.lock'))) {
      return {
        tool: 'poetry', root, lock: 'poetry.lock', member, package: name,
        evidence: [`${rootFile}:${lineOf(text, new RegExp(`path\\s*=\\s*["']\\.?/?${member.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))} path dependency on ${member}`, `${root}/poetry.lock`],
      };
    }
  }
  return undefined;
}
