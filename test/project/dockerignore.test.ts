// .dockerignore matching against the behaviour Docker documents (docs.docker.com, "Build context: .dockerignore").
import { describe, expect, it } from 'vitest';
import { parseDockerignore } from '../../src/project/dockerignore.js';

describe('.dockerignore semantics', () => {
  it('the documented example: comments, */temp*, */*/temp*, temp?', () => {
    const di = parseDockerignore('# comment\n*/temp*\n*/*/temp*\ntemp?\n');
    expect(di.ignores('somedir/temporary.txt')).toBe(true);
    expect(di.ignores('somedir/temp')).toBe(true);
    expect(di.ignores('somedir/subdir/temporary.txt')).toBe(true);
    expect(di.ignores('tempa')).toBe(true);
    expect(di.ignores('tempb')).toBe(true);
    expect(di.ignores('temporary.txt')).toBe(false);
    expect(di.ignores('a/b/c/temp')).toBe(false);
  });

  it('** matches any number of directories, including none', () => {
    const di = parseDockerignore('**/*.go\n');
    expect(di.ignores('main.go')).toBe(true);
    expect(di.ignores('a/b/c.go')).toBe(true);
    expect(di.ignores('a/b/c.py')).toBe(false);
  });

  it('a plain name matches at the root only, and excludes everything below a matched directory', () => {
    const di = parseDockerignore('node_modules\n.git\n');
    expect(di.ignores('node_modules')).toBe(true);
    expect(di.ignores('node_modules/x/index.js')).toBe(true);
    expect(di.ignores('web/node_modules/x.js')).toBe(false);
    expect(di.ignores('.git/HEAD')).toBe(true);
  });

  it('! exceptions; the last matching line wins', () => {
    const di = parseDockerignore('*.md\n!README*.md\nREADME-secret.md\n');
    expect(di.ignores('CHANGES.md')).toBe(true);
    expect(di.ignores('README.md')).toBe(false);
    expect(di.ignores('README-secret.md')).toBe(true);
    expect(di.decidedBy('README.md')?.line).toBe(2);
    expect(di.decidedBy('README-secret.md')?.line).toBe(3);
    expect(di.decidedBy('app.py')).toBeUndefined();
  });

  it('leading and trailing slashes are cleaned (/foo/bar/ = foo/bar)', () => {
    const di = parseDockerignore('/foo/bar/\n');
    expect(di.ignores('foo/bar')).toBe(true);
    expect(di.ignores('foo/bar/baz.txt')).toBe(true);
    expect(di.ignores('foo/baz')).toBe(false);
  });

  it('a deny-all allow-list: * then ! exceptions', () => {
    const di = parseDockerignore('*\n!src\n!requirements.txt\n');
    expect(di.ignores('src/app.py')).toBe(false);
    expect(di.ignores('requirements.txt')).toBe(false);
    expect(di.ignores('.env')).toBe(true);
    expect(di.ignores('README.md')).toBe(true);
    expect(di.mayReinclude('src')).toBe(true);
  });

  it('entries carry lines and spans; CRLF and blank lines are fine', () => {
    const text = '# x\r\n\r\n  .venv  \r\n!keep\r\n';
    const di = parseDockerignore(text);
    expect(di.entries.map((e) => [e.pattern, e.negated, e.line])).toEqual([['.venv', false, 3], ['keep', true, 4]]);
    expect(text.slice(di.entries[0]!.span.start, di.entries[0]!.span.end)).toBe('.venv');
  });
});
