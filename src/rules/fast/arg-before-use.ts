// FAST003: an ARG declared long before its first use makes every value change rerun the RUN steps in between.
import { defineRule } from '../../lint/rule.js';
import type { Instruction, KeyValue } from '../../dockerfile/model.js';
import { keyValues } from '../../dockerfile/arguments.js';
import { lineOf } from '../../dockerfile/lines.js';

/** ARGs the steps after them consume implicitly (from the environment), and BuildKit's automatic platform args. */
const IMPLICIT = /^(DEBIAN_FRONTEND|PIP_\w+|UV_\w+|POETRY_\w+|PIPENV_\w+|PDM_\w+|PYTHON(UNBUFFERED|DONTWRITEBYTECODE|PATH|HASHSEED|OPTIMIZE|FAULTHANDLER|WARNINGS|IOENCODING|UTF8|NOUSERSITE|USERBASE|PYCACHEPREFIX|HOME|STARTUP|BREAKPOINT|DEVMODE|SAFEPATH|INTMAXSTRDIGITS|MALLOC|HTTPSVERIFY)|(HTTPS?|FTP|NO|ALL)_PROXY|(https?|ftp|no|all)_proxy|BUILDKIT_\w+|TARGET(PLATFORM|OS|ARCH|VARIANT)|BUILD(PLATFORM|OS|ARCH|VARIANT)|SOURCE_DATE_EPOCH|MAKEFLAGS|CFLAGS|CXXFLAGS|LDFLAGS|CPPFLAGS|CC|CXX|RUSTFLAGS|CARGO_\w+|GOFLAGS|GOPROXY|NPM_CONFIG_\w+|npm_config_\w+|NODE_ENV|NODE_OPTIONS|YARN_\w+|LANG|LC_\w+|TZ|CONDA_\w+|MAMBA_\w+|HF_\w+)$/;

function lineStart(text: string, offset: number): number {
  const i = text.lastIndexOf('\n', offset - 1);
  return i < 0 ? 0 : i + 1;
}

function lineEnd(text: string, offset: number): number {
  const i = text.indexOf('\n', offset);
  return i < 0 ? text.length : i + 1;
}

/**
 * The names text[from, to) refers to as `$NAME` or `${NAME…`: the whole word after the `$` or `${`, so `$AB` in
 * `$ABC` is no reference to AB.
 */
function refsIn(text: string, from: number, to: number): Set<string> {
  const out = new Set<string>();
  for (let i = text.indexOf('$', from); i >= 0 && i < to; i = text.indexOf('$', i + 1)) {
    let s = i + 1;
    if (s < to && text.charCodeAt(s) === 123) s++;
    let e = s;
    while (e < to && isWordChar(text.charCodeAt(e))) e++;
    if (e > s) out.add(text.slice(s, e));
  }
  return out;
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

export default defineRule({
  code: 'FAST003',
  name: 'arg-before-use',
  title: 'ARG only when needed',
  area: 'fast',
  severity: 'warning',
  scope: ['D'],
  fix: 'unsafe',
  sources: [],
  why: `Every \`RUN\` sees the build arguments declared before it in its environment, so their values are part of
its cache key: change \`--build-arg APP_VERSION=…\` and every \`RUN\` after the \`ARG\` runs again — the
\`apt-get install\` and \`pip install\` included — although only the one step that uses it needed to. Declare an ARG
just before its first use.

Flagged when at least one \`RUN\` sits between an \`ARG\` and the first instruction of the stage that refers to it
(\`$NAME\`/\`\${NAME}\`). \`COPY\` and \`ADD\` in between are not counted: their cache does not depend on build args they
don't mention. Not flagged: ARGs the tools read from the environment without a visible reference (\`DEBIAN_FRONTEND\`,
\`PIP_*\`, \`UV_*\`, \`POETRY_*\`, proxies, BuildKit's platform args…) and ARGs never referenced. The fix moves a
single-name \`ARG\` line down; it is unsafe because a script run in between might read the variable.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nARG APP_VERSION=dev\nRUN pip install --no-cache-dir flask==3.1.0\nLABEL org.opencontainers.image.version=$APP_VERSION\n',
      good: 'FROM python:3.13-slim-trixie\nRUN pip install --no-cache-dir flask==3.1.0\nARG APP_VERSION=dev\nLABEL org.opencontainers.image.version=$APP_VERSION\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nARG GUNICORN_VERSION\nRUN apt-get update\nCOPY . /app\nRUN pip install --no-cache-dir "gunicorn==${GUNICORN_VERSION}"\n',
      good: 'FROM python:3.13-slim-trixie\nRUN apt-get update\nCOPY . /app\nARG GUNICORN_VERSION\nRUN pip install --no-cache-dir "gunicorn==${GUNICORN_VERSION}"\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nARG A=1 B=2\nRUN echo build\nRUN echo $B\n',
      good: 'FROM python:3.13-slim-trixie\nARG DEBIAN_FRONTEND=noninteractive TARGETARCH PIP_INDEX_URL UNUSED\nARG VERSION=1\nCOPY app /app\nRUN echo $VERSION $TARGETARCH\nRUN apt-get update\n',
    },
  ],
  check({ dockerfile: df, report }) {
    const text = df.text;
    const found: { kv: KeyValue; arg: Instruction; kvs: KeyValue[]; use: Instruction; runs: number }[] = [];
    for (const stage of df.stages) {
      const list = stage.instructions;
      // One walk from the stage's end: for each name, the nearest later instruction that uses or redeclares it, so
      // an ARG is judged without scanning the rest of the stage (which made thousands of ARGs quadratic).
      const runsBefore = [0];
      for (const i of list) runsBefore.push(runsBefore[runsBefore.length - 1]! + (i.keyword === 'RUN' && !i.onbuild ? 1 : 0));
      const next = new Map<string, { at: number; use: boolean }>();
      const inStage: typeof found = [];
      for (let k = list.length - 1; k >= 0; k--) {
        const arg = list[k]!;
        const kvs = arg.keyword === 'ARG' ? keyValues(arg, df.escape) : [];
        for (const kv of kvs) {
          if (IMPLICIT.test(kv.key) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(kv.key)) continue;
          // a redeclaration starts over (it is judged on its own)
          const event = next.get(kv.key);
          if (!event?.use) continue;
          const runs = runsBefore[event.at]! - runsBefore[k + 1]!;
          if (runs > 0) inStage.push({ kv, arg, kvs, use: list[event.at]!, runs });
        }
        for (const name of refsIn(text, arg.keywordSpan.end, arg.span.end)) next.set(name, { at: k, use: true });
        for (const kv of kvs) next.set(kv.key, { at: k, use: false });
      }
      found.push(...inStage.reverse());
    }
    // moves by the offset they go to: ARGs bound for one place move in one fix, since insertions at one offset clash
    // and one fix per ARG would take a --fix pass each (a stage with more ARGs than passes never got fixed whole)
    const moves = new Map<number, { key: string; from: number; to: number; body: string }[]>();
    const anchors = found.map(({ kv, arg, kvs, use }) => {
      if (kvs.length !== 1 || arg.comments.length > 0 || arg.onbuild) return undefined;
      const from = lineStart(text, arg.span.start);
      const to = lineEnd(text, arg.span.end);
      const anchor = lineStart(text, use.comments[0]?.span.start ?? use.span.start);
      const body = text.slice(from, to);
      const group = moves.get(anchor) ?? [];
      moves.set(anchor, group);
      group.push({ key: kv.key, from, to, body: body.endsWith('\n') ? body : body + '\n' });
      return anchor;
    });
    found.forEach(({ kv, use, runs }, n) => {
      const anchor = anchors[n];
      const group = anchor === undefined ? undefined : moves.get(anchor)!;
      const fix = group && {
        description: group.length === 1 ? `move \`ARG ${kv.key}\` down to just before its first use` : `move ${group.map((m) => `\`ARG ${m.key}\``).join(', ')} down to just before their first use`,
        edits: [...group.map((m) => ({ start: m.from, end: m.to, text: '' })), { start: anchor!, end: anchor!, text: group.map((m) => m.body).join('') }],
      };
      const line = lineOf(text, use.span.start);
      report({
        span: kv.keySpan,
        message: `\`ARG ${kv.key}\` comes ${runs} \`RUN\` step${runs === 1 ? '' : 's'} before its first use (line ${line}): a new value reruns ${runs === 1 ? 'it' : 'them all'}; declare it just before line ${line}`,
        fix,
      });
    });
  },
});
