// Git facts a build is tagged and labelled with: branch, commit, remote. Read with `git` (argv only); injectable for tests.
import { spawnSync } from 'node:child_process';

export interface GitFacts {
  /** Inside a git work tree. */
  repo: boolean;
  /** Branch name as git prints it ("feature/login"); "local" outside git, CI's ref name or "detached" when detached. */
  branch: string;
  /** Full commit sha; undefined outside git or before the first commit. */
  sha?: string;
  shortSha?: string;
  /** Remote URL as configured (may carry credentials: strip before use). */
  remote?: string;
}

/** Runs `git ARGS` in a directory: stdout trimmed, or undefined when git fails or is missing. */
export type GitRunner = (args: string[], cwd: string) => string | undefined;

export const runGit: GitRunner = (args, cwd) => {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error || r.status !== 0) return undefined;
  return r.stdout.trim();
};

/** Branch names CI systems give for detached checkouts. */
const CI_BRANCH_VARS = ['GITHUB_HEAD_REF', 'GITHUB_REF_NAME', 'CI_COMMIT_REF_NAME', 'BRANCH_NAME', 'CIRCLE_BRANCH', 'BUILDKITE_BRANCH', 'GIT_BRANCH'];

export function gitFacts(dir: string, run: GitRunner = runGit, env: NodeJS.ProcessEnv = process.env): GitFacts {
  if (run(['rev-parse', '--is-inside-work-tree'], dir) !== 'true') return { repo: false, branch: 'local' };
  const sha = run(['rev-parse', '--verify', '--quiet', 'HEAD'], dir) || undefined;
  const shortSha = sha ? run(['rev-parse', '--short', 'HEAD'], dir) || sha.slice(0, 7) : undefined;
  let branch = run(['symbolic-ref', '--quiet', '--short', 'HEAD'], dir) || undefined;
  if (!branch) {
    const ci = CI_BRANCH_VARS.map((v) => env[v]).find((v) => v !== undefined && v !== '');
    branch = ci ?? 'detached';
  }
  let remote = run(['remote', 'get-url', 'origin'], dir) || undefined;
  if (!remote) {
    const first = run(['remote'], dir)?.split('\n')[0];
    if (first) remote = run(['remote', 'get-url', first], dir) || undefined;
  }
  return { repo: true, branch, sha, shortSha, remote };
}

/**
 * A branch name as a valid image tag: lowercase, `/` → `-`, anything outside [a-z0-9_.-] → `-`, no leading `.`/`-`,
 * at most 128 characters. Empty results become "local".
 */
export function sanitizeTag(name: string): string {
  let t = name.toLowerCase().replace(/\//g, '-').replace(/[^a-z0-9_.-]/g, '-').replace(/-{2,}/g, '-');
  t = t.replace(/^[.-]+/, '');
  t = t.slice(0, 128).replace(/[.-]+$/, '');
  return t || 'local';
}

/**
 * A remote URL fit for `org.opencontainers.image.source`: credentials stripped, scp-style SSH as https.
 * `https://user:tok@host/x` → `https://host/x`; `git@host:org/repo.git` → `https://host/org/repo`.
 */
export function sourceUrl(remote: string): string | undefined {
  const r = remote.trim();
  if (!r) return undefined;
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/)(.+)$/.exec(r);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(r)) return `https://${scp[1]}/${scp[2]!.replace(/\.git$/, '').replace(/^\/+/, '')}`;
  let u: URL;
  try {
    u = new URL(r);
  } catch {
    return undefined;
  }
  if (u.protocol === 'file:') return undefined;
  if (u.protocol === 'ssh:' || u.protocol === 'git+ssh:' || u.protocol === 'git:') {
    return `https://${u.hostname}${u.pathname.replace(/\.git$/, '')}`;
  }
  u.username = '';
  u.password = '';
  return u.toString();
}
