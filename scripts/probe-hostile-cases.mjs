// The hostile probe's cases, as data: what an attacker's pull request or a clumsy user puts in front of pyship (issue
// 13). Each case: files to write, an optional setup, the pyship arguments, and what must hold (see probe-hostile.mjs).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const DF_OK = 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nUSER 10001\nCMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]\n';
export const DF_FIX = 'FROM python:3.13-slim-trixie as base\nRUN apt-get update && apt-get install -y curl\nRUN pip install flask\nMAINTAINER someone\nCMD python app.py\n';
const PYPROJECT = '[project]\nname = "probe"\nversion = "0.1.0"\nrequires-python = ">=3.12"\ndependencies = ["flask==3.0.3", "gunicorn==23.0.0"]\n';
const APP = 'from flask import Flask\napp = Flask(__name__)\n';
const BASE = { 'pyproject.toml': PYPROJECT, 'app.py': APP, 'requirements.txt': 'flask==3.0.3\ngunicorn==23.0.0\n' };

// planted secret values: none may appear in pyship's output, in any format
export const S = {
  aws: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzPROBEKEY',
  db: 'Hunter2-db-Passw0rd-probe',
  url: 'urlPassw0rdProbe77',
  gh: 'ghp_Pr0beT0kenAbCdEfGhIjKlMnOpQrStUv1234',
  pem: 'MIIEowIBAAKCAQEAprobeprobeprobeKEYBODY',
  cred: 'credsFileSecretProbe99',
};
const PEM = `-----BEGIN RSA PRIVATE KEY-----\n${S.pem}\n-----END RSA PRIVATE KEY-----`;
const SECRET_DF = `FROM python:3.13-slim-trixie\nENV AWS_SECRET_ACCESS_KEY=${S.aws}\nARG DB_PASSWORD=${S.db}\nRUN pip install --index-url https://user:${S.url}@pypi.example.com/simple app\nRUN curl -H "Authorization: Bearer ${S.gh}" https://api.example.com\nRUN <<EOF\necho "${PEM}" > /k\nEOF\nUSER 10001\n`;

// ---- setup helpers: ctx = { dir (the project), outside (beside it, not in it), server(path) }
const link = (ctx, path, target) => (mkdirSync(dirname(join(ctx.dir, path)), { recursive: true }), symlinkSync(target, join(ctx.dir, path)));
const fifo = (ctx, path) => execFileSync('mkfifo', [join(ctx.dir, path)]);
const put = (ctx, path, text) => (mkdirSync(dirname(join(ctx.dir, path)), { recursive: true }), writeFileSync(join(ctx.dir, path), text));
const lines = (n, f) => Array.from({ length: n }, (_, i) => f(i)).join('\n') + '\n';

const cases = [];
const add = (c) => cases.push({ files: BASE, ...c, files: { ...BASE, ...(c.files ?? {}) } });

// ---- links, devices, FIFOs and sockets, for check, --fix and init
const SPECIAL = {
  '/dev/zero': (ctx, p) => link(ctx, p, '/dev/zero'),
  '/dev/urandom': (ctx, p) => link(ctx, p, '/dev/urandom'),
  'a FIFO': (ctx, p) => fifo(ctx, p),
  'a socket': (ctx, p) => ctx.server(join(ctx.dir, p)),
  'a dangling link': (ctx, p) => link(ctx, p, 'missing-target'),
  'a link loop': (ctx, p) => (link(ctx, `${p}.b`, p), link(ctx, p, `${p}.b`)),
  'a file outside the root': (ctx, p) => link(ctx, p, join(ctx.outside, 'credentials')),
};
for (const [what, make] of Object.entries(SPECIAL)) {
  for (const name of ['Dockerfile.dev', 'requirements.txt', '.dockerignore', 'pyproject.toml', 'compose.yaml', 'app.py']) {
    if (name !== 'Dockerfile.dev' && (what === 'a link loop' || what === 'a dangling link') && name !== 'requirements.txt') continue;
    add({ name: `check: ${name} -> ${what}`, args: ['check', '.'], files: { Dockerfile: DF_OK, [name]: undefined }, setup: (ctx) => make(ctx, name), secrets: [S.cred] });
  }
}
add({ name: 'check: explicit path to a /dev/zero link', args: ['check', 'Dockerfile.z'], setup: (ctx) => link(ctx, 'Dockerfile.z', '/dev/zero'), about: 'Dockerfile.z' });
add({ name: 'check: /etc/passwd linked as Dockerfile.ci', args: ['check', '.'], files: { Dockerfile: DF_OK }, setup: (ctx) => link(ctx, 'Dockerfile.ci', '/etc/passwd'), secrets: ['root:x:0:0'] });
add({ name: 'check: a directory link to / in the tree', args: ['check', '.'], files: { Dockerfile: DF_OK }, setup: (ctx) => link(ctx, 'rootlink', '/') });
add({ name: 'check: a directory link loop (sub/up -> ..)', args: ['check', '.'], files: { Dockerfile: DF_OK, 'sub/Dockerfile': DF_OK }, setup: (ctx) => link(ctx, 'sub/up', '..') });
add({ name: '--fix: Dockerfile -> Dockerfile.real in the project (link kept, target fixed)', args: ['check', '--fix', 'Dockerfile'], files: { 'Dockerfile.real': DF_FIX }, setup: (ctx) => link(ctx, 'Dockerfile', 'Dockerfile.real'), mayChange: ['Dockerfile.real'], mustChange: 'Dockerfile.real' });
add({ name: '--fix: Dockerfile -> a file outside the root', args: ['check', '--fix', '.'], setup: (ctx) => link(ctx, 'Dockerfile', join(ctx.outside, 'Dockerfile.out')), secrets: [S.cred] });
add({ name: '--fix: Dockerfile -> /dev/zero', args: ['check', '--fix', '.'], setup: (ctx) => link(ctx, 'Dockerfile', '/dev/zero') });
add({ name: '--fix: dangling Dockerfile link', args: ['check', '--fix', 'Dockerfile'], setup: (ctx) => link(ctx, 'Dockerfile', 'nowhere'), about: 'Dockerfile' });
add({ name: '--fix: Dockerfile is a FIFO', args: ['check', '--fix', '.'], setup: (ctx) => fifo(ctx, 'Dockerfile') });
add({ name: 'init: dangling Dockerfile link, no --force (link kept)', args: ['init', '.'], setup: (ctx) => link(ctx, 'Dockerfile', 'nowhere'), init: true });
add({ name: 'init --force: Dockerfile -> a file outside the root', args: ['init', '--force', '.'], setup: (ctx) => link(ctx, 'Dockerfile', join(ctx.outside, 'Dockerfile.out')), init: true });
add({ name: 'init: pyproject.toml -> /dev/zero', args: ['init', '.'], setup: (ctx) => link(ctx, 'pyproject.toml', '/dev/zero'), files: { 'pyproject.toml': undefined }, init: true });
add({ name: 'init: requirements.txt -> /dev/urandom', args: ['init', '.'], setup: (ctx) => link(ctx, 'requirements.txt', '/dev/urandom'), files: { 'requirements.txt': undefined }, init: true });
add({ name: 'init: app.py is a FIFO', args: ['init', '.'], setup: (ctx) => fifo(ctx, 'main.py'), init: true });
add({ name: 'init: .dockerignore -> a file outside the root', args: ['init', '--force', '.'], setup: (ctx) => link(ctx, '.dockerignore', join(ctx.outside, 'credentials')), init: true, secrets: [S.cred] });

// ---- huge and pathological files
const big = (name, text, extra = {}) => add({ name, args: ['check', '.'], files: { Dockerfile: text }, timeout: 30_000, ...extra });
big('check: 10,000 ENV lines', () => 'FROM python:3.13-slim-trixie\n' + lines(10_000, (i) => `ENV V${i}=value${i}`));
big('check: 10,000 ARG lines', () => 'FROM python:3.13-slim-trixie\n' + lines(10_000, (i) => `ARG A${i}=value${i}`));
big('check: 20,000-line Dockerfile', () => 'FROM python:3.13-slim-trixie\n' + lines(20_000, (i) => ['RUN apt-get install -y p' + i, `ENV E${i}=1`, `COPY f${i} /app/`, 'WORKDIR app'][i % 4]));
big('--fix: 20,000-line Dockerfile', () => 'FROM python:3.13-slim-trixie\n' + lines(20_000, (i) => ['RUN apt-get install -y p' + i, `ENV E${i}=1`, 'MAINTAINER x', 'from x as y'][i % 4]), { args: ['check', '--unsafe-fixes', '.'], mayChange: ['Dockerfile'] });
big('--fix: 10,000 ENV lines', () => 'FROM python:3.13-slim-trixie\n' + lines(10_000, (i) => `ENV V${i} value${i}`), { args: ['check', '--fix', '.'], mayChange: ['Dockerfile'] });
big('check: a 1 MB single-line RUN', () => 'FROM python:3.13-slim-trixie\nRUN echo ' + 'a'.repeat(1 << 20) + '\n');
big('check: a 1 MB single line of && commands', () => 'FROM python:3.13-slim-trixie\nRUN ' + 'true && '.repeat(130_000) + 'true\n');
big('check: 50,000 continuation lines', () => 'FROM python:3.13-slim-trixie\nRUN echo \\\n' + ' a \\\n'.repeat(50_000) + ' end\n');
big('check: a 50 MB Dockerfile', () => 'FROM python:3.13-slim-trixie\n' + lines(500_000, (i) => (i % 2 ? `RUN echo ${i} ` : `ENV K${i % 100}=`) + 'x'.repeat(90)), { timeout: 60_000 });
big('check: 5,000 stages', () => lines(5_000, (i) => `FROM python:3.13-slim-trixie AS s${i}\nRUN echo ${i}`));
big('check: shell nested 3,000 deep', () => 'FROM python:3.13-slim-trixie\nRUN ' + 'echo $('.repeat(3_000) + 'x' + ')'.repeat(3_000) + '\n');
big('check: a 20,000-line heredoc', () => 'FROM python:3.13-slim-trixie\nRUN <<EOF\n' + lines(20_000, (i) => `echo ${i}`) + 'EOF\n');
big('check: JSON nested 100,000 deep in CMD', () => 'FROM python:3.13-slim-trixie\nCMD ' + '['.repeat(100_000) + '\n');
big('check: 100,000-line .dockerignore', DF_OK, { files: { Dockerfile: DF_OK, '.dockerignore': lines(100_000, (i) => `dir${i}/**/*.tmp`) } });
big('check: 2 MB requirements.txt', DF_OK, { files: { Dockerfile: DF_OK, 'requirements.txt': lines(80_000, (i) => `pkg${i}==1.0.${i}`) } });
big('check: compose.yaml alias bomb', DF_OK, { files: { Dockerfile: DF_OK, 'compose.yaml': 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + lines(9, (i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill('*' + String.fromCharCode(97 + i)).join(',')}]`) + 'services:\n  web:\n    build: .\n' } });
big('check: a line of 200,000 quotes', () => 'FROM python:3.13-slim-trixie\nRUN echo ' + '"\''.repeat(100_000) + '\n');

// ---- secrets: every output format, and every place a secret hides
for (const format of ['text', 'json', 'sarif', 'github', 'junit']) {
  add({ name: `secrets: Dockerfile with ENV/ARG/URL/Bearer/PEM secrets, --format ${format}`, args: ['check', '--format', format, '.'], files: { Dockerfile: SECRET_DF }, secrets: Object.values(S).filter((v) => v !== S.cred) });
}
add({ name: 'secrets: --diff prints fixes around secret lines', args: ['check', '--unsafe-fixes', '--diff', '.'], files: { Dockerfile: SECRET_DF }, secrets: Object.values(S).filter((v) => v !== S.cred) });
add({ name: 'secrets: stdin, text', args: ['check', '-'], stdin: SECRET_DF, secrets: Object.values(S).filter((v) => v !== S.cred) });
add({ name: 'secrets: compose environment password', args: ['check', '.'], files: { Dockerfile: DF_OK, 'compose.yaml': `services:\n  web:\n    build: .\n    environment:\n      DB_PASSWORD: ${S.db}\n` }, secrets: [S.db] });
add({ name: 'secrets: token in a requirements URL', args: ['check', '.'], files: { Dockerfile: DF_OK, 'requirements.txt': `git+https://x:${S.gh}@github.com/o/r.git\n` }, secrets: [S.gh] });
add({ name: 'secrets: CI workflow with a literal password', args: ['check', '--format', 'json', '.'], files: { Dockerfile: DF_OK, '.github/workflows/ci.yml': `on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker login -u me -p ${S.db}\n` }, secrets: [S.db] });
add({ name: 'secrets: bad config value echoes no secret', args: ['check', '.'], files: { Dockerfile: DF_OK, 'pyproject.toml': PYPROJECT + `\n[tool.pyship]\nselect = ["${S.gh}"]\n` }, secrets: [S.gh], about: 'pyproject.toml' });
add({ name: 'secrets: PEM key in a RUN heredoc is found (SEC009)', args: ['check', '--select', 'SEC009', '.'], files: { Dockerfile: `FROM python:3.13-slim-trixie\nRUN <<EOF\necho "${PEM}" > /k\nEOF\n` }, secrets: [S.pem], expect: /SEC009/ });
add({ name: 'secrets: Bearer token in a RUN is found (SEC009)', args: ['check', '--select', 'SEC009', '.'], files: { Dockerfile: `FROM python:3.13-slim-trixie\nRUN curl -H "Authorization: Bearer ${S.gh}" https://api.example.com\n` }, secrets: [S.gh], expect: /SEC009/ });
add({ name: 'secrets: PEM key in a COPY heredoc', args: ['check', '.'], files: { Dockerfile: `FROM python:3.13-slim-trixie\nCOPY <<EOF /root/.ssh/id_rsa\n${PEM}\nEOF\nUSER 10001\n` }, secrets: [S.pem], expect: /SEC009/ });

// ---- .dockerignore lines Go's matcher refuses, and broken config
for (const bad of ['[', 'a[b', '[^', 'x\\', '!', '[]a']) {
  add({ name: `check: .dockerignore line ${JSON.stringify(bad)}`, args: ['check', '.'], files: { Dockerfile: DF_OK, '.dockerignore': `.git\n${bad}\n.env\n`, '.env': 'X=1\n' }, about: '.dockerignore' });
}
const broken = {
  'pyproject.toml (TOML syntax)': { 'pyproject.toml': '[project\nname = "x"\n' },
  'pyproject.toml [tool.pyship] select = 5': { 'pyproject.toml': PYPROJECT + '\n[tool.pyship]\nselect = 5\n' },
  'pyproject.toml unknown [tool.pyship] key': { 'pyproject.toml': PYPROJECT + '\n[tool.pyship]\nselekt = ["SEC"]\n' },
  'pyship.toml (TOML syntax)': { 'pyship.toml': 'select = [\n' },
  'compose.yaml (YAML syntax)': { 'compose.yaml': 'services:\n  web:\n    build: [\n' },
  'compose.yaml (a scalar)': { 'compose.yaml': '42\n' },
  '.pre-commit-config.yaml (YAML syntax)': { '.pre-commit-config.yaml': 'repos:\n- repo: [\n' },
  'uv.lock (TOML syntax)': { 'uv.lock': 'version = \n[[package]\n' },
  'Pipfile.lock (JSON syntax)': { 'Pipfile.lock': '{"default": {' },
  'requirements.txt (garbage)': { 'requirements.txt': '\u0000\u0001==\n-r\n--hash\n' },
};
for (const [what, files] of Object.entries(broken)) {
  const about = Object.keys(files)[0];
  add({ name: `check: broken ${what}`, args: ['check', '.'], files: { Dockerfile: DF_OK, ...files }, about });
  if (/pyproject|requirements|uv\.lock|Pipfile/.test(what)) add({ name: `init: broken ${what}`, args: ['init', '.'], files, about, init: true });
}
add({ name: 'check: --config names a missing file', args: ['check', '--config', 'nope.toml', '.'], files: { Dockerfile: DF_OK }, about: 'nope.toml' });
add({ name: 'check: --config names a directory', args: ['check', '--config', 'sub', '.'], files: { Dockerfile: DF_OK, 'sub/x': '' }, about: 'sub' });

// ---- unreadable files and read-only files/directories (run as nobody: root reads mode 000)
const unreadable = (path) => (ctx) => chmodSync(join(ctx.dir, path), 0o000);
add({ name: 'unreadable: one Dockerfile of three at mode 000', args: ['check', '.'], user: 'nobody', files: { Dockerfile: DF_FIX, 'a/Dockerfile': DF_FIX, 'b/Dockerfile': DF_FIX }, setup: unreadable('a/Dockerfile'), about: 'a/Dockerfile', expect: /b\/Dockerfile:\d+/ });
add({ name: 'unreadable: pyproject.toml at mode 000', args: ['check', '.'], user: 'nobody', files: { Dockerfile: DF_OK }, setup: unreadable('pyproject.toml'), about: 'pyproject.toml' });
add({ name: 'unreadable: .dockerignore at mode 000', args: ['check', '.'], user: 'nobody', files: { Dockerfile: DF_OK, '.dockerignore': '.git\n' }, setup: unreadable('.dockerignore'), about: '.dockerignore' });
add({ name: 'unreadable: a directory at mode 000', args: ['check', '.'], user: 'nobody', files: { Dockerfile: DF_OK, 'secret/Dockerfile': DF_OK }, setup: unreadable('secret'), about: 'secret' });
add({ name: 'unreadable: requirements.txt at mode 000 (init)', args: ['init', '.'], user: 'nobody', setup: unreadable('requirements.txt'), about: 'requirements.txt', init: true });
add({ name: 'unreadable: explicit Dockerfile at mode 000', args: ['check', 'Dockerfile'], user: 'nobody', files: { Dockerfile: DF_OK }, setup: unreadable('Dockerfile'), about: 'Dockerfile' });
add({ name: 'read-only: --fix on a 0444 Dockerfile', args: ['check', '--fix', '.'], user: 'nobody', files: { Dockerfile: DF_FIX }, setup: (ctx) => chmodSync(join(ctx.dir, 'Dockerfile'), 0o444), about: 'Dockerfile' });
add({ name: 'read-only: --fix in a 0555 directory', args: ['check', '--fix', '.'], user: 'nobody', files: { Dockerfile: DF_FIX }, setup: (ctx) => chmodSync(ctx.dir, 0o555), about: 'Dockerfile' });
add({ name: 'read-only: init in a 0555 directory', args: ['init', '.'], user: 'nobody', setup: (ctx) => chmodSync(ctx.dir, 0o555), about: /\.|\//, init: true });
add({ name: 'read-only: init --force over a 0444 Dockerfile', args: ['init', '--force', '.'], user: 'nobody', files: { Dockerfile: DF_FIX }, setup: (ctx) => chmodSync(join(ctx.dir, 'Dockerfile'), 0o444), init: true, mayChange: ['Dockerfile'] });

// ---- line endings, BOM, NUL and invalid UTF-8 under --fix: what is kept is checked by the runner (endings, bom)
const crlf = (t) => t.replace(/\n/g, '\r\n');
const enc = {
  'CRLF': crlf(DF_FIX), 'BOM': '\ufeff' + DF_FIX, 'CRLF + BOM': '\ufeff' + crlf(DF_FIX),
  'mixed endings': (DF_FIX + 'EXPOSE 8000\nLABEL a=b\nUSER 10001\n').split('\n').slice(0, -1).map((l, i) => l + (i % 2 ? '\r\n' : '\n')).join(''),
  'lone CR endings': DF_FIX.replace(/\n/g, '\r'), 'no final newline': DF_FIX.trimEnd(),
};
for (const [what, text] of Object.entries(enc)) add({ name: `--unsafe-fixes: ${what}`, args: ['check', '--unsafe-fixes', '.'], files: { Dockerfile: text }, mayChange: ['Dockerfile'], keepForm: true });
add({ name: '--fix: a NUL byte in the Dockerfile', args: ['check', '--fix', '.'], files: { Dockerfile: DF_FIX + 'RUN echo \u0000\n' }, about: 'Dockerfile' });
add({ name: '--fix: invalid UTF-8', args: ['check', '--fix', '.'], files: { Dockerfile: Buffer.concat([Buffer.from(DF_FIX), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x0a])]) }, about: 'Dockerfile' });
add({ name: '--fix: UTF-16LE with BOM', args: ['check', '--fix', '.'], files: { Dockerfile: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(DF_FIX, 'utf16le')]) }, about: 'Dockerfile' });

// ---- SIGKILL during --fix: the file is old or new, never half; SIGINT/SIGTERM end a command within 2 s
const KILLABLE = () => 'FROM python:3.13-slim-trixie as base\n' + lines(3_000, (i) => ['RUN apt-get install -y p' + i, `MAINTAINER m${i}`, `ENV E${i} 1`][i % 3]);
for (const after of [150, 400, 700, 1000, 1400, 2000]) {
  add({ name: `SIGKILL --unsafe-fixes after ${after} ms`, args: ['check', '--unsafe-fixes', '.'], files: { Dockerfile: KILLABLE }, signal: { after, sig: 'SIGKILL' }, oldOrNew: 'Dockerfile', timeout: 30_000 });
}
const MANY = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`svc${i}/Dockerfile`, DF_FIX]));
for (const sig of ['SIGINT', 'SIGTERM']) {
  add({ name: `${sig} to check of 150 Dockerfiles after 300 ms`, args: ['check', '.'], files: MANY, signal: { after: 300, sig } });
  add({ name: `${sig} to check of a 20,000-line file after 500 ms`, args: ['check', '.'], files: { Dockerfile: () => 'FROM python:3.13-slim-trixie\n' + lines(20_000, (i) => `ENV V${i}=x`) }, signal: { after: 500, sig } });
  add({ name: `${sig} to --fix of 150 Dockerfiles after 300 ms`, args: ['check', '--fix', '.'], files: MANY, signal: { after: 300, sig }, mayChange: Object.keys(MANY), oldOrNew: 'svc0/Dockerfile' });
  add({ name: `${sig} to init after 200 ms`, args: ['init', '.'], signal: { after: 200, sig }, init: true });
}

// ---- empty and broken Dockerfiles: pyship must say something
// `expect`: a finding that says what is wrong must be in the output (else the case is an unclear error: silent)
const NOTHING = /no instructions|empty/i;
const silent = {
  'empty': ['', NOTHING], 'whitespace only': [' \n\t\n', NOTHING], 'comments only': ['# nothing\n', NOTHING], 'BOM only': ['\ufeff', NOTHING],
  'ARG only': ['ARG PY=3.13\nARG X\n', /FROM|build stage/], 'RUN before any FROM': ['RUN echo hi\n', /before the first `?FROM/], 'FROM without image': ['FROM\n', /FROM\b.*(argument|image|name)/i],
};
for (const [what, [text, expect]] of Object.entries(silent)) add({ name: `check: ${what} Dockerfile`, args: ['check', '--no-project', 'Dockerfile'], files: { Dockerfile: text }, expect, about: 'Dockerfile' });

// ---- bad command lines
const cli = [
  ['unknown flag', ['check', '--bogus'], '--bogus'], ['bad --format', ['check', '--format', 'xml'], 'xml'], ['bad --fail-on', ['check', '--fail-on', 'never'], 'never'],
  ['unknown rule in --select', ['check', '--select', 'NOPE999', '.'], 'NOPE999'], ['missing path', ['check', 'nope/Dockerfile'], 'nope/Dockerfile'],
  ['a file used as a directory', ['check', 'Dockerfile/x'], 'Dockerfile/x'], ['--context is a file', ['check', '--context', 'app.py', 'Dockerfile'], 'app.py'],
  ['unknown command', ['chek'], 'chek'], ['init into a file', ['init', 'app.py'], 'app.py'], ['audit a missing tar', ['audit', 'missing.tar'], 'missing.tar'],
  ['audit a garbage tar', ['audit', 'junk.tar'], 'junk.tar'], ['audit a directory that is no OCI layout', ['audit', 'empty'], 'empty'],
  ['explain an unknown code', ['explain', 'XYZ123'], 'XYZ123'], ['a path with a newline and escapes', ['check', 'a\nb\u001b[31m'], 'a'],
];
for (const [what, args, about] of cli) add({ name: `cli: ${what}`, args, files: { Dockerfile: DF_OK, 'junk.tar': 'not a tar\n', 'empty/.keep': '' }, about });

// ---- engine down (DOCKER_HOST at a missing socket): one clear message, exit 2
for (const [what, args] of [['build', ['build', '.']], ['smoke', ['smoke', 'probe:latest']], ['audit', ['audit', 'probe:latest']], ['init --pin-digest', ['init', '--pin-digest', '.']], ['build --push --image probe', ['build', '--push', '--image', 'probe', '.']]]) {
  add({ name: `engine down: ${what}`, args, files: { Dockerfile: DF_OK }, engine: true, env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' }, about: /docker|podman|engine|DOCKER_HOST/i, init: args[0] === 'init', timeout: 30_000 });
}

export { cases, put };
