// Issue 13, "silent on broken input": instructions BuildKit refuses for their argument count (a bare `FROM`, an empty
// `WORKDIR`, `COPY` with one operand) are DF022 findings, as BuildKit's own instructions tests list them; valid
// counts (heredoc sources, exec form, `AS` in any case, flags) are not.
import { describe, expect, it } from 'vitest';
import { lint } from '../helpers.js';
import parseError from '../../src/rules/df/parse-error.js';

const df022 = (text: string): string[] => lint(text, [parseError]).map((f) => f.message);

describe('DF022: argument counts BuildKit refuses', () => {
  it.each([
    ['FROM\n', '`FROM` needs an image'],
    ['FROM a b\n', '`FROM` takes an image and an optional `AS <name>`'],
    ['FROM a AS\n', '`FROM` takes an image'],
    ['FROM a AS b c\n', '`FROM` takes an image'],
    ...['MAINTAINER', 'WORKDIR', 'USER', 'STOPSIGNAL'].map((k) => [`FROM a\n${k}\n`, `\`${k}\` needs exactly one argument`]),
    ...['ENV', 'LABEL', 'ONBUILD', 'HEALTHCHECK', 'EXPOSE', 'VOLUME', 'ARG', 'SHELL'].map((k) => [`FROM a\n${k}\n`, `\`${k}\` needs at least one argument`]),
    ['FROM a\nCOPY requirements.txt\n', '`COPY` needs at least a source and a destination'],
    ['FROM a\nADD --chown=1:1 x\n', '`ADD` needs at least a source and a destination'],
    ['FROM a\nONBUILD COPY x\n', '`COPY` needs at least a source'],
  ])('%j', (text, message) => {
    expect(df022(text).some((m) => m.startsWith(message) && m.endsWith('BuildKit stops the build here')), df022(text).join('\n')).toBe(true);
  });

  it.each([
    'FROM a AS b\n', 'FROM a as b\n', 'FROM --platform=$BUILDPLATFORM a\n', 'FROM a\nCOPY <<EOF /x\nhi\nEOF\n', 'FROM a\nCOPY ["a", "b"]\n',
    'FROM a\nCOPY --from=b /x /y\n', 'FROM a\nWORKDIR /app\nUSER 1000:1000\nEXPOSE 80\nARG X\nSTOPSIGNAL SIGTERM\n',
  ])('%j is accepted', (text) => {
    expect(df022(text)).toEqual([]);
  });

  it('a template placeholder says so instead of blaming BuildKit', () => {
    expect(df022('FROM python:{{ cookiecutter.python_version }}-slim as app\n')).toEqual([
      '`FROM` takes an image and an optional `AS <name>`, nothing else: this looks like template syntax (Jinja, cookiecutter); lint the rendered Dockerfile',
    ]);
  });
});
