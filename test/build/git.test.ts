// Git facts, tag sanitizing and source URLs: unit cases plus a real git repository in a temp directory.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gitFacts, sanitizeTag, sourceUrl } from '../../src/build/git.js';
import { fakeGit } from './helpers.js';

describe('sanitizeTag', () => {
  it.each([
    ['main', 'main'],
    ['feature/Login', 'feature-login'],
    ['Fix/#12 bug', 'fix-12-bug'],
    ['-leading.dots', 'leading.dots'],
    ['release/1.2', 'release-1.2'],
    ['___', '___'],
    ['///', 'local'],
  ])('%s → %s', (input, out) => expect(sanitizeTag(input)).toBe(out));

  it('at most 128 characters of [a-z0-9_.-]', () => {
    const t = sanitizeTag(`feature/${'x'.repeat(300)}`);
    expect(t).toHaveLength(128);
    expect(t).toMatch(/^[a-z0-9_][a-z0-9_.-]*$/);
  });
});

describe('sourceUrl', () => {
  it.each([
    ['https://user:tok@host/x', 'https://host/x'],
    ['https://oauth2:glpat-xyz@gitlab.com/org/repo.git', 'https://gitlab.com/org/repo.git'],
    ['git@host:org/repo.git', 'https://host/org/repo'],
    ['git@github.com:acme/app', 'https://github.com/acme/app'],
    ['ssh://git@host:2222/org/repo.git', 'https://host/org/repo'],
    ['https://github.com/acme/app', 'https://github.com/acme/app'],
  ])('%s → %s', (input, out) => expect(sourceUrl(input)).toBe(out));

  it('local paths are no source', () => {
    expect(sourceUrl('file:///srv/repo.git')).toBeUndefined();
    expect(sourceUrl('')).toBeUndefined();
  });
});

describe('gitFacts', () => {
  it('outside git: branch local, no sha', () => {
    expect(gitFacts('/x', fakeGit({ repo: false }))).toEqual({ repo: false, branch: 'local' });
  });

  it('detached HEAD: the CI branch variable, else "detached"', () => {
    const git = fakeGit({ branch: null });
    expect(gitFacts('/x', git, { GITHUB_REF_NAME: 'release/2' }).branch).toBe('release/2');
    expect(gitFacts('/x', git, {}).branch).toBe('detached');
  });

  it('reads a real repository', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pyship-git-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
    git('init', '-q', '-b', 'feature/x');
    expect(gitFacts(dir)).toEqual({ repo: true, branch: 'feature/x', sha: undefined, shortSha: undefined, remote: undefined });
    git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'init');
    git('remote', 'add', 'origin', 'git@example.com:org/repo.git');
    const facts = gitFacts(dir);
    expect(facts.sha).toBe(git('rev-parse', 'HEAD'));
    expect(facts.shortSha).toBe(git('rev-parse', '--short', 'HEAD'));
    expect(facts.remote).toBe('git@example.com:org/repo.git');
    expect(gitFacts(tmpdir()).repo).toBe(false);
  });
});
