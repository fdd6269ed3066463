// fast-check arbitraries for the fuzz suites: mutations of real corpus Dockerfiles, Dockerfiles from a small grammar,
// and mutated project files. Mutations are data (op lists), so fast-check shrinks a failure to the fewest, smallest ops.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';

export const CORPUS_DIR = join(import.meta.dirname, '..', '..', 'shared', 'corpus', 'real-world');
export const corpusPresent = existsSync(CORPUS_DIR);
if (!corpusPresent) console.warn(`NOTE: ${CORPUS_DIR} is absent: the mutated-corpus properties are skipped (the grammar ones still run)`);

/** The real-world Dockerfiles, sorted by name so an index means the same file on every machine. */
export const corpus: readonly { name: string; text: string }[] = corpusPresent
  ? readdirSync(CORPUS_DIR).filter((f) => f !== 'MANIFEST.tsv').sort().map((name) => ({ name, text: readFileSync(join(CORPUS_DIR, name), 'utf8') }))
  : [];

/** Tokens a Dockerfile, its shell and its parser care about. */
export const TOKENS = [
  '\\\n', '\\', '`', '\n', '\r\n', '\r', '\t', ' ', '#', '# escape=`\n', '# escape=\\\n', '# syntax=docker/dockerfile:1\n', '# check=skip=all\n',
  '<<EOF\n', '<<-EOF\n', "<<'EOF'\n", 'EOF\n', '<<EOF cat\nx\nEOF\n', '"', "'", '[', ']', '["a", "b"]', '[ "x", [ "y" ] ]', '[]', '["sh", "-c"',
  '$', '${', '}', '${A:-b}', '${A:+${B}}', '$A', '=', '==', '--mount=type=cache,target=/root/.cache', '--mount=type=secret,id=x ',
  '--from=', '--chown=1:1 ', '--platform=$BUILDPLATFORM ', '--network=none ', '--link ', '--chmod=755 ',
  'FROM ', 'RUN ', 'COPY ', 'ADD ', 'ENV ', 'ARG ', 'CMD ', 'ENTRYPOINT ', 'ONBUILD ', 'HEALTHCHECK ', 'HEALTHCHECK NONE', 'SHELL ',
  'USER ', 'WORKDIR ', 'EXPOSE ', 'LABEL ', 'STOPSIGNAL ', 'VOLUME ', 'MAINTAINER ', 'from ', 'run ', ' AS ', ' as ', 'FROM scratch\n',
  'pip install ', 'pip install -r requirements.txt', 'apt-get install ', 'apt-get update', 'apk add ', 'cd ', 'sudo ', 'curl -k ', 'wget ',
  '&&', '||', '|', ';', '$(', ')', '(', '{', '`date`', '2>&1', '> /dev/null', '&', '\ufeff', '\u0000', '\ud800', '\ufffd', '😀', 'é',
  'sh -c "', 'gunicorn -b :80 app:app', 'python -m pip ', 'uvicorn main:app --reload', 'EXPOSE 80/tcp', 'USER root', 'USER 1000:1000',
  '# pyship: ignore=SEC001\n', '# pyship: ignore-file\n', '# hadolint ignore=DL3008\n', '# pyship: ignore[\n',
  'AWS_SECRET_ACCESS_KEY=', 'PASSWORD=hunter2', 'https://user:pass@example.com/x', 'ghp_0123456789abcdefghijABCDEFGHIJ012345',
];

/** A position into a text: shrinks toward the start. */
const pos = fc.nat({ max: 1_000_000 });

export type Op =
  | { op: 'insert'; at: number; token: string }
  | { op: 'delete'; at: number; len: number }
  | { op: 'copy'; from: number; len: number; at: number }
  | { op: 'dupLine'; line: number; times: number }
  | { op: 'swapLines'; a: number; b: number }
  | { op: 'deleteLine'; line: number }
  | { op: 'case'; at: number; len: number; upper: boolean }
  | { op: 'crlf'; line: number | null }
  | { op: 'bom' }
  | { op: 'escape'; char: '`' | '\\' }
  | { op: 'continue'; line: number }
  | { op: 'heredoc'; line: number }
  | { op: 'splice'; file: number; at: number; len: number; to: number };

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('insert' as const), at: pos, token: fc.constantFrom(...TOKENS) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('delete' as const), at: pos, len: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('copy' as const), from: pos, len: fc.integer({ min: 1, max: 120 }), at: pos }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('dupLine' as const), line: pos, times: fc.integer({ min: 1, max: 40 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('swapLines' as const), a: pos, b: pos }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('deleteLine' as const), line: pos }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('case' as const), at: pos, len: fc.integer({ min: 1, max: 200 }), upper: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('crlf' as const), line: fc.option(pos, { nil: null }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('bom' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('escape' as const), char: fc.constantFrom('`' as const, '\\' as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('continue' as const), line: pos }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('heredoc' as const), line: pos }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('splice' as const), file: pos, at: pos, len: fc.integer({ min: 1, max: 400 }), to: pos }) },
);

const splitLines = (t: string): string[] => t.split(/(?<=\n)/);

/** Apply one op; every op is total (any numbers work on any text), so shrinking never produces an invalid case. */
export function applyOp(t: string, o: Op): string {
  const at = (n: number) => (t.length === 0 ? 0 : n % (t.length + 1));
  const lines = splitLines(t);
  const li = (n: number) => (lines.length === 0 ? -1 : n % lines.length);
  switch (o.op) {
    case 'insert':
      return t.slice(0, at(o.at)) + o.token + t.slice(at(o.at));
    case 'delete':
      return t.slice(0, at(o.at)) + t.slice(at(o.at) + o.len);
    case 'copy':
      return t.slice(0, at(o.at)) + t.slice(at(o.from), at(o.from) + o.len) + t.slice(at(o.at));
    case 'dupLine': {
      const i = li(o.line);
      if (i < 0) return t;
      const line = lines[i]!.endsWith('\n') ? lines[i]! : lines[i]! + '\n';
      lines.splice(i, 1, line.repeat(o.times + 1));
      return lines.join('');
    }
    case 'swapLines': {
      const a = li(o.a);
      const b = li(o.b);
      if (a < 0) return t;
      const nl = (s: string) => (s.endsWith('\n') ? s : s + '\n');
      [lines[a], lines[b]] = [nl(lines[b]!), nl(lines[a]!)];
      return lines.join('');
    }
    case 'deleteLine': {
      const i = li(o.line);
      if (i >= 0) lines.splice(i, 1);
      return lines.join('');
    }
    case 'case': {
      const s = at(o.at);
      const mid = t.slice(s, s + o.len);
      return t.slice(0, s) + (o.upper ? mid.toUpperCase() : mid.toLowerCase()) + t.slice(s + o.len);
    }
    case 'crlf': {
      if (o.line === null) return t.replace(/\r?\n/g, '\r\n');
      const i = li(o.line);
      if (i >= 0) lines[i] = lines[i]!.replace(/\r?\n$/, '\r\n');
      return lines.join('');
    }
    case 'bom':
      return '\ufeff' + t;
    case 'escape':
      return `# escape=${o.char}\n` + t;
    case 'continue': {
      const i = li(o.line);
      if (i >= 0) lines[i] = lines[i]!.replace(/(\r?\n)?$/, ' \\$1');
      return lines.join('');
    }
    case 'heredoc': {
      const i = li(o.line);
      if (i < 0) return t;
      const m = /^(\s*\S+\s+)(.*?)(\r?\n)?$/s.exec(lines[i]!);
      if (m) lines[i] = `${m[1]}<<EOF\n${m[2]}\nEOF${m[3] ?? ''}`;
      return lines.join('');
    }
    case 'splice': {
      if (corpus.length === 0) return t;
      const src = corpus[o.file % corpus.length]!.text;
      const s = o.at % (src.length + 1);
      return t.slice(0, at(o.to)) + src.slice(s, s + o.len) + t.slice(at(o.to));
    }
  }
}

/** A fuzz case: its text, and a short label fast-check prints instead of the (long) text. */
export interface Case {
  label: string;
  text: string;
}

const labelled = (label: string, text: string): Case => ({ label, text, [fc.toStringMethod]: () => label }) as Case;

/** A real Dockerfile from the corpus, mutated by 1–8 ops. */
export const mutatedCorpusArb: fc.Arbitrary<Case> = fc
  .tuple(fc.nat({ max: Math.max(0, corpus.length - 1) }), fc.array(opArb, { minLength: 1, maxLength: 8 }))
  .map(([i, ops]) => {
    const f = corpus[i]!;
    return labelled(`corpus[${i}] ${f.name} + ${JSON.stringify(ops)}`, ops.reduce(applyOp, f.text));
  });

// ---- a small grammar of Dockerfiles: every instruction, the flags and forms rules look at, in random case

const ident = fc.constantFrom('APP', 'PY', 'PYTHONUNBUFFERED', 'PATH', 'HOME', 'DEBIAN_FRONTEND', 'PIP_NO_CACHE_DIR', 'VERSION', 'a', 'x_1', 'DB_PASSWORD', 'AWS_SECRET_ACCESS_KEY');
const value = fc.constantFrom('1', '', '/app', '"a b"', "'q'", '${PY:-3.12}', '$HOME/bin:$PATH', 'noninteractive', 'off', 'x=y', 's3cr3t-Value-123', '"with \\" quote"');
const image = fc.constantFrom('python:3.12-slim', 'python', 'python:3.13-slim-trixie@sha256:' + 'a'.repeat(64), 'ubuntu:22.04', 'alpine', '${BASE}', 'builder', 'scratch', 'ghcr.io/o/i:latest', 'python:$PY-slim');
const path = fc.constantFrom('.', '/app', 'app/', 'requirements.txt', 'pyproject.toml', '*.py', '/', '$HOME', '"/with space"', '../out', 'src', '/root/.cache', 'dist/*.whl');
const command = fc.constantFrom(
  'pip install flask', 'pip install --no-cache-dir -r requirements.txt', 'pip install -e .', 'python -m pip install uv', 'uv sync --frozen',
  'apt-get update', 'apt-get install -y curl gcc', 'apt-get install -y --no-install-recommends libpq5', 'rm -rf /var/lib/apt/lists/*', 'apk add --no-cache curl',
  'cd /app', 'useradd -m app', 'chown -R app:app /app', 'curl -fsSL https://example.com/x.sh | sh', 'wget -q http://example.com/f', 'sudo make install',
  'python -m compileall -q .', 'echo "$(date)" > /built', 'export A=1', '. venv/bin/activate', 'git clone https://github.com/o/r', 'mkdir -p /data',
  'gunicorn app:app', 'python manage.py migrate', 'curl -k https://x', 'ssh-keyscan github.com >> ~/.ssh/known_hosts', 'set -eux', 'true', ':',
  'for f in a b; do echo $f; done', 'if [ -f x ]; then echo y; fi', 'case $A in a) echo 1;; esac', 'echo ${A:?missing}', '{ echo a; echo b; }',
);
const joiner = fc.constantFrom(' && ', ' ; ', ' || ', ' | ', ' && \\\n    ', ' \\\n  && ');
const script = fc.array(command, { minLength: 1, maxLength: 4 }).chain((cs) => fc.array(joiner, { minLength: cs.length - 1, maxLength: cs.length - 1 }).map((js) => cs.map((c, i) => (i === 0 ? c : js[i - 1] + c)).join('')));
const jsonArray = fc.array(fc.constantFrom('python', '-m', 'app', 'gunicorn', '--bind', '0.0.0.0:8000', 'sh', '-c', 'echo $A', '"', '\\'), { minLength: 0, maxLength: 4 }).map((a) => JSON.stringify(a));
const runFlags = fc.array(fc.constantFrom('--mount=type=cache,target=/root/.cache/pip', '--mount=type=secret,id=tok', '--mount=type=ssh', '--mount=type=bind,source=.,target=/src', '--network=none', '--security=insecure'), { maxLength: 2 });
const copyFlags = fc.array(fc.constantFrom('--from=builder', '--from=0', '--chown=app:app', '--chmod=0755', '--link', '--parents', '--exclude=*.pyc'), { maxLength: 2 });
const heredoc = fc.tuple(fc.constantFrom('EOF', 'SCRIPT', '"EOF"', '-EOF'), script).map(([m, s]) => ({ marker: m, body: s }));
const sp = (parts: string[]) => parts.filter((p) => p !== '').join(' ');

// (keyword, arguments); keyword '' is a comment or blank line
const instruction = fc.oneof(
  fc.tuple(fc.constantFrom('', '--platform=$BUILDPLATFORM', '--platform=linux/amd64'), image, fc.constantFrom('', 'AS builder', 'as runtime', 'AS 0bad'))
    .map(([f, i, a]) => ['FROM', sp([f, i, a])]),
  fc.tuple(runFlags, fc.oneof(script, jsonArray)).map(([f, s]) => ['RUN', sp([...f, s])]),
  fc.tuple(runFlags, heredoc).map(([f, h]) => ['RUN', `${sp([...f, `<<${h.marker}`])}\n${h.body}\n${h.marker.replace(/^-|"/g, '')}`]),
  fc.tuple(fc.constantFrom('COPY', 'ADD'), copyFlags, fc.array(path, { minLength: 1, maxLength: 3 }), path).map(([k, f, s, d]) => [k, sp([...f, ...s, d])]),
  fc.tuple(fc.constantFrom('COPY', 'ADD'), jsonArray).map(([k, j]) => [k, j]),
  fc.tuple(path, fc.constantFrom('EOF', 'X')).map(([p, m]) => ['COPY', `<<${m} ${p}\nhello $A\n${m}`]),
  fc.array(fc.tuple(ident, value), { minLength: 1, maxLength: 3 }).map((kv) => ['ENV', kv.map(([k, v]) => `${k}=${v}`).join(' ')]),
  fc.tuple(ident, value).map(([k, v]) => ['ENV', `${k} ${v}`]),
  fc.tuple(ident, fc.option(value)).map(([k, v]) => ['ARG', v === null ? k : `${k}=${v}`]),
  fc.tuple(fc.constantFrom('CMD', 'ENTRYPOINT'), fc.oneof(jsonArray, script)).map(([k, a]) => [k, a]),
  fc.tuple(fc.constantFrom('WORKDIR', 'VOLUME'), path).map(([k, p]) => [k, p]),
  fc.constantFrom('root', 'app', '1000', '1000:1000', '$USER', 'nobody:nogroup').map((u) => ['USER', u]),
  fc.constantFrom('80', '8000/tcp', '53/udp', '8000-8010', '$PORT', '80/sctp', 'abc').map((p) => ['EXPOSE', p]),
  fc.tuple(ident, value).map(([k, v]) => ['LABEL', `${k.toLowerCase()}=${v}`]),
  fc.tuple(fc.constantFrom('', '--interval=30s', '--timeout=3s --retries=3'), fc.oneof(jsonArray, script)).map(([f, c]) => ['HEALTHCHECK', sp([f, 'CMD', c])]),
  fc.constant(['HEALTHCHECK', 'NONE'] as [string, string]),
  jsonArray.map((j) => ['SHELL', j]),
  fc.constantFrom('SIGTERM', 'SIGINT', '9', 'QUIT').map((s) => ['STOPSIGNAL', s]),
  fc.constantFrom('RUN pip install x', 'COPY . /app', 'ONBUILD RUN x').map((i) => ['ONBUILD', i]),
  fc.constant(['MAINTAINER', 'someone <a@b.c>'] as [string, string]),
  fc.constantFrom('# a comment', '# pyship: ignore=SEC001', '# hadolint ignore=DL3008,DL3013', '#', '').map((c) => ['', c]),
) as fc.Arbitrary<[string, string]>;

const caseOf = (k: string, mode: number) => (mode === 0 ? k : mode === 1 ? k.toLowerCase() : k.charAt(0) + k.slice(1).toLowerCase());

/** A Dockerfile from the grammar: optional directives, mostly starting with FROM, any instructions, any line ending. */
export const grammarArb: fc.Arbitrary<Case> = fc
  .record({
    directives: fc.array(fc.constantFrom('# syntax=docker/dockerfile:1', '# escape=`', '# check=skip=JSONArgsRecommended', '# escape=\\'), { maxLength: 2 }),
    from: fc.option(image),
    body: fc.array(fc.tuple(instruction, fc.nat({ max: 5 })), { maxLength: 25 }),
    eol: fc.constantFrom('\n', '\n', '\r\n'),
    bom: fc.boolean(),
    finalEol: fc.boolean(),
  })
  .map((g) => {
    const escape = g.directives.includes('# escape=`') ? '`' : '\\';
    const lines: string[] = [...g.directives];
    if (g.from !== null) lines.push(`FROM ${g.from}`);
    for (const [[k, a], c] of g.body) lines.push(k === '' ? a : `${caseOf(k, c % 3)} ${escape === '`' ? a.replace(/\\\n/g, '`\n') : a}`);
    const text = (g.bom ? '\ufeff' : '') + lines.join('\n').replace(/\n/g, g.eol) + (g.finalEol ? g.eol : '');
    return labelled(`grammar ${JSON.stringify(text)}`, text);
  });

/** Either kind of Dockerfile, with extra mutations on the generated ones too. */
export const dockerfileArb: fc.Arbitrary<Case> = corpusPresent
  ? fc.oneof({ weight: 3, arbitrary: mutatedCorpusArb }, { weight: 2, arbitrary: grammarArb }, { weight: 1, arbitrary: mutatedGrammarArb() })
  : fc.oneof(grammarArb, mutatedGrammarArb());

function mutatedGrammarArb(): fc.Arbitrary<Case> {
  return fc.tuple(grammarArb, fc.array(opArb, { minLength: 1, maxLength: 4 })).map(([g, ops]) => labelled(`${g.label} + ${JSON.stringify(ops)}`, ops.reduce(applyOp, g.text)));
}

// ---- project files beside a Dockerfile: plausible contents, then the same kind of mutations

const IGNORE_LINES = ['.git', '.env', '*.pyc', '**/__pycache__', '!app.py', 'node_modules/', '[', 'a[b', '[^', '[]', '[!', '\\', '**', '!', '#', '', ' ', '../x', '/abs', '*', '!Dockerfile', '*'.repeat(40) + 'a', '**/'.repeat(30) + 'x', 'a{b,c}', '?', '.venv'];
const REQ_LINES = ['flask==3.0.0', 'django>=4', 'requests', '-r requirements.txt', '-r other.txt', '-c constraints.txt', '--hash=sha256:' + 'a'.repeat(64), '-e .', 'git+https://user:tok@github.com/o/r', 'psycopg2-binary==2.9', '--index-url https://x', 'numpy ; python_version < "3.9"', '\\', '# c', 'gunicorn', 'uvicorn[standard]==0.30'];
const COMPOSE = 'services:\n  web:\n    build:\n      context: .\n      dockerfile: Dockerfile\n    ports:\n      - "8000:8000"\n    environment:\n      - DB_PASSWORD=hunter2\n    healthcheck:\n      test: ["CMD", "curl", "-f", "http://localhost:8000/"]\n    init: true\n  db:\n    image: postgres:16\n';
const COMPOSE_TOKENS = ['&a ', '*a', '<<: *a\n', '\t', '{', '[', ': :', '- ', '"', "'", '\n', '  ', 'build: .\n', 'context: ../..\n', 'dockerfile: /etc/passwd\n', '!!binary ', '? ', '%YAML 1.1\n', '---\n', '...\n', 'x: &a [*a]\n'];
const PYPROJECT = '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.11"\ndependencies = ["flask==3.0.0", "gunicorn"]\n\n[project.scripts]\napp = "app:main"\n\n[tool.pyship]\nselect = ["ALL"]\nhealth-path = "/health"\n';
const TOML_TOKENS = ['[', ']', '[[', '=', '"', '"""', "'", '\n', 'select = 5\n', 'ignore = ["X"]\n', 'severity = { SEC = "loud" }\n', '[tool.pyship]\n', 'fail-on = "never"\n', 'stop-timeout = "forever"\n', 'per-file-ignores = { "[" = ["DF001"] }\n', 'dependencies = [1, 2]\n', 'name = "app"\n', '#', '\\u0000'];

const textOps = (tokens: string[]) =>
  fc.array(fc.oneof(
    fc.record({ op: fc.constant('insert' as const), at: pos, token: fc.constantFrom(...tokens) }),
    fc.record({ op: fc.constant('delete' as const), at: pos, len: fc.integer({ min: 1, max: 30 }) }),
    fc.record({ op: fc.constant('dupLine' as const), line: pos, times: fc.integer({ min: 1, max: 5 }) }),
    fc.record({ op: fc.constant('swapLines' as const), a: pos, b: pos }),
    fc.record({ op: fc.constant('crlf' as const), line: fc.option(pos, { nil: null }) }),
  ), { maxLength: 6 });

const mutatedText = (base: fc.Arbitrary<string>, tokens: string[]) => fc.tuple(base, textOps(tokens)).map(([b, ops]) => ops.reduce(applyOp, b));
const linesOf = (pool: string[]) => fc.array(fc.constantFrom(...pool), { maxLength: 12 }).map((ls) => ls.join('\n') + '\n');

/** Project files beside the Dockerfile (path → text); each present or not, each plausible then mutated. */
export const projectFilesArb: fc.Arbitrary<Record<string, string>> = fc
  .record(
    {
      '.dockerignore': mutatedText(linesOf(IGNORE_LINES), IGNORE_LINES),
      'requirements.txt': mutatedText(linesOf(REQ_LINES), REQ_LINES),
      'other.txt': linesOf(REQ_LINES),
      'compose.yaml': mutatedText(fc.constant(COMPOSE), COMPOSE_TOKENS),
      'pyproject.toml': mutatedText(fc.constant(PYPROJECT), TOML_TOKENS),
      '.env': fc.constantFrom('SECRET_KEY=abc\n', ''),
      'app.py': fc.constantFrom('from flask import Flask\napp = Flask(__name__)\n', 'import os\nprint(os.environ["X"])\n'),
    },
    { requiredKeys: [] },
  );
