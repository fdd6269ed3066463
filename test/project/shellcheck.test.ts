// ShellCheck pass-through: json1 parsing and positions (no binary needed), then real runs and the OPS002/OPS004/APP003
// findings that land in COPY'd scripts (need `shellcheck` on PATH: skipped with a note, except under PYSHIP_E2E=1).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkText } from '../../src/lint/check.js';
import { checkFiles } from '../../src/lint/files.js';
import { shellcheck, shellcheckAvailable } from '../../src/project/shellcheck.js';
import { parseShellcheckJson, shellcheckShell } from '../../src/project/shellcheck-json.js';
import type { Finding } from '../../src/lint/rule.js';
import { registry } from '../../src/rules/index.js';

const json = (comments: object[]): string => JSON.stringify({ comments });
const c = (o: object): object => ({ file: '-', level: 'info', code: 2086, message: 'Double quote to prevent globbing and word splitting.', ...o });

describe('parseShellcheckJson', () => {
  it('maps line/column to offsets of the text, end exclusive', () => {
    const text = '#!/bin/sh\necho $1\n';
    const [x] = parseShellcheckJson(json([c({ line: 2, column: 6, endLine: 2, endColumn: 8 })]), text);
    expect(x).toMatchObject({ code: 'SC2086', level: 'info', line: 2, column: 6 });
    expect(text.slice(x!.span.start, x!.span.end)).toBe('$1');
  });

  it('counts a tab as one column and code points, not UTF-16 units', () => {
    const text = '\t😀 echo $1\n';
    const [x] = parseShellcheckJson(json([c({ line: 1, column: 9, endLine: 1, endColumn: 11 })]), text);
    expect(text.slice(x!.span.start, x!.span.end)).toBe('$1');
  });

  it('keeps a CR in its line (CRLF scripts)', () => {
    const text = 'set -e\r\necho $1\r\n';
    const [x] = parseShellcheckJson(json([c({ line: 2, column: 6, endLine: 2, endColumn: 8 })]), text);
    expect(text.slice(x!.span.start, x!.span.end)).toBe('$1');
  });

  it('pads codes, clamps positions out of range, defaults a missing end', () => {
    const text = 'a\nb\n';
    const out = parseShellcheckJson(json([
      c({ code: 1017, level: 'error', line: 9, column: 1 }),
      c({ code: 86, line: 1, column: 99, endLine: 1, endColumn: 120 }),
    ]), text);
    expect(out.map((x) => x.code)).toEqual(['SC0086', 'SC1017']);
    expect(out[0]!.span).toEqual({ start: 1, end: 1 });
    expect(out[1]!.span).toEqual({ start: text.length, end: text.length });
  });

  it('never throws on malformed output', () => {
    expect(parseShellcheckJson('', 'x')).toEqual([]);
    expect(parseShellcheckJson('not json', 'x')).toEqual([]);
    expect(parseShellcheckJson('null', 'x')).toEqual([]);
    expect(parseShellcheckJson('{"comments": 3}', 'x')).toEqual([]);
    expect(parseShellcheckJson('{"comments": [null, 1, {"code": "x"}]}', 'x')).toEqual([]);
  });

  it('knows which shells ShellCheck can check', () => {
    expect(shellcheckShell('bash')).toBe('bash');
    expect(shellcheckShell('ash')).toBe('sh');
    expect(shellcheckShell('dash')).toBe('dash');
    expect(shellcheckShell('zsh')).toBeUndefined();
  });
});

const E2E = process.env.PYSHIP_E2E === '1';
const have = shellcheckAvailable();
if (!have && !E2E) console.warn('NOTE: shellcheck is not on PATH: the ShellCheck tests are skipped (apt-get install shellcheck)');

/** Write a project (with pyproject.toml) and check its Dockerfiles with the given config; all findings, by file. */
function checkProjectFiles(files: Record<string, string>, config = 'select = ["OPS002", "OPS004", "APP003"]\n'): Finding[] {
  const dir = mkdtempSync(join(tmpdir(), 'pyship-sc-'));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  writeFileSync(join(dir, 'pyproject.toml'), '[project]\nname = "x"\nversion = "0"\n');
  writeFileSync(join(dir, '.pyship-test.toml'), config);
  const targets = Object.keys(files).filter((p) => /(^|\/)Dockerfile$/.test(p)).map((p) => join(dir, p));
  const r = checkFiles({ ruleSet: registry, paths: targets, cwd: dir, configFile: join(dir, '.pyship-test.toml'), cli: {} });
  return r.results.flatMap((x) => x.findings);
}

const at = (files: Record<string, string>, f: Finding): string => {
  const text = files[f.file]!;
  return text.slice(f.span.start, f.span.end);
};

const files = {
  'app/Dockerfile': 'FROM python:3.13-slim-trixie\nCOPY docker/entrypoint.sh /entrypoint.sh\nCOPY scripts/*.sh /usr/local/bin/\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["gunicorn", "app.wsgi"]\n',
  'app/docker/entrypoint.sh': '#!/bin/sh\npython manage.py migrate\necho starting $1\ngunicorn app.wsgi\n',
  'app/scripts/backup.sh': '#!/bin/bash\nset -euo pipefail\ncp $SRC /backup\n',
  'app/scripts/notes.txt': 'x $1\n',
};

describe('findings about a COPY\'d start script are in the script (project mode)', () => {
  it('OPS002 at the shebang line, OPS004 at the command without exec, APP003 at the migration', () => {
    const found = checkProjectFiles(files);
    const by = (file: string, code: string) => found.filter((f) => f.file === file && f.code === code);
    // nothing about the scripts stays in the Dockerfile (the project root is above the context: paths are mapped)
    expect(found.filter((f) => f.file === 'app/Dockerfile')).toEqual([]);
    const [strict] = by('app/docker/entrypoint.sh', 'OPS002');
    expect(at(files, strict!)).toBe('#!/bin/sh');
    expect(strict!.message).toMatch(/set -eu/);
    const [exec] = by('app/docker/entrypoint.sh', 'OPS004');
    expect(at(files, exec!)).toBe('gunicorn app.wsgi');
    const [migrate] = by('app/docker/entrypoint.sh', 'APP003');
    expect(at(files, migrate!)).toBe('python manage.py migrate');
  });

  it('a pipe in a dash script (no pipefail there): at the pipe', () => {
    const fs = {
      Dockerfile: 'FROM python:3.13-slim-trixie\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n',
      'start.sh': '#!/bin/sh\nset -eu\ncurl -fsS http://x/config | tee /etc/app.conf\nexec gunicorn app.wsgi\n',
    };
    const found = checkProjectFiles(fs, 'select = ["OPS002"]\nignore = ["SC"]\n');
    expect(found.map((f) => [f.file, at(fs, f)])).toEqual([['start.sh', 'curl -fsS http://x/config | tee /etc/app.conf']]);
  });
});

describe.skipIf(!have && !E2E)('shellcheck (binary)', () => {
  it('is installed (CI installs it)', () => expect(shellcheckAvailable()).toBe(true));

  it('runs on a script and gives spans of its text; memoized', () => {
    const text = '#!/bin/bash\nset -euo pipefail\necho $1\n';
    const out = shellcheck(text, 'bash');
    const x = out.find((o) => o.code === 'SC2086');
    expect(x).toBeDefined();
    expect(text.slice(x!.span.start, x!.span.end)).toBe('$1');
    expect(shellcheck(text, 'bash')).toBe(out);
    // not in its list of shells, an empty script: nothing, no process
    expect(shellcheck(text, 'zsh')).toEqual([]);
    expect(shellcheck('  \n', 'sh')).toEqual([]);
  });

  it('honours the dialect: [[ ]] is an error in sh, fine in bash', () => {
    const text = 'if [[ -n "$X" ]]; then echo yes; fi\n';
    expect(shellcheck(text, 'sh').map((o) => o.code)).toContain('SC3010');
    expect(shellcheck(text, 'bash').map((o) => o.code)).not.toContain('SC3010');
  });

  it('ShellCheck findings land in the COPY\'d scripts, at their lines', () => {
    const found = checkProjectFiles(files);
    const by = (file: string, code: string) => found.filter((f) => f.file === file && f.code === code);
    expect(found.filter((f) => f.file === 'app/Dockerfile')).toEqual([]);
    const [sc] = by('app/docker/entrypoint.sh', 'SC2086');
    expect(at(files, sc!)).toBe('$1');
    expect(sc!.severity).toBe('info'); // ShellCheck's own level (SC2086 is info); config may override it
    expect(sc!.message).toMatch(/shellcheck\.net\/wiki\/SC2086/);
    // a *.sh copied by a glob is checked too; a .txt is not
    expect(by('app/scripts/backup.sh', 'SC2086').map((f) => at(files, f))).toEqual(['$SRC']);
    expect(found.some((f) => f.file === 'app/scripts/notes.txt')).toBe(false);
  });

  it('ignore = ["SC2086"] or ["SC"] turns pass-through codes off', () => {
    const one = checkProjectFiles(files, 'select = ["OPS002"]\nignore = ["SC2086"]\n');
    expect(one.some((f) => f.code === 'SC2086')).toBe(false);
    const all = checkProjectFiles(files, 'select = ["OPS002"]\nignore = ["SC"]\n');
    expect(all.filter((f) => f.code.startsWith('SC'))).toEqual([]);
    expect(all.some((f) => f.code === 'OPS002')).toBe(true);
  });

  it('a COPY <<EOF script: ShellCheck findings at their line of the Dockerfile; none in Dockerfile-only mode', () => {
    const df = 'FROM python:3.13-slim-trixie\nCOPY --chmod=755 <<\'EOF\' /entrypoint.sh\n#!/bin/sh\nset -eu\necho $1\nexec "$@"\nEOF\nENTRYPOINT ["/entrypoint.sh"]\n';
    const found = checkProjectFiles({ Dockerfile: df }, 'select = ["OPS002"]\n');
    const sc = found.find((f) => f.code === 'SC2086');
    expect(sc?.file).toBe('Dockerfile');
    expect(df.slice(sc!.span.start, sc!.span.end)).toBe('$1');
    const dfOnly = checkText(df, { ruleSet: registry, path: 'Dockerfile', mode: 'dockerfile' }).findings;
    expect(dfOnly.filter((f) => f.code.startsWith('SC'))).toEqual([]);
  });
});
