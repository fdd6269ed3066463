// DF017: variables in FROM come from global ARGs only, and their defaults must give a valid image reference.
import { defineRule } from '../../lint/rule.js';
import { expandWord } from '../../dockerfile/words.js';
import { closeMatch, isPredefinedArg, varRefs } from './_util.js';

/** Values for BuildKit's automatic platform ARGs, so a reference using them can be validated. */
const PLATFORM_SAMPLE: Record<string, string> = {
  TARGETPLATFORM: 'linux/amd64', TARGETOS: 'linux', TARGETARCH: 'amd64', TARGETVARIANT: '',
  BUILDPLATFORM: 'linux/amd64', BUILDOS: 'linux', BUILDARCH: 'amd64', BUILDVARIANT: '',
};
const PLATFORM_ARGS = Object.keys(PLATFORM_SAMPLE);

// distribution/reference's grammar: [host[:port]/]path[:tag][@digest], path components lowercase.
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const HOST = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?';
const REFERENCE = new RegExp(`^(?:${HOST}/)?${COMPONENT}(?:/${COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`);

export default defineRule({
  code: 'DF017',
  name: 'from-arg-defined',
  title: 'ARGs used in FROM must be declared with a valid default',
  area: 'df',
  severity: 'warning',
  scope: ['D'],
  sources: ['buildkit:UndefinedArgInFrom', 'buildkit:InvalidDefaultArgInFrom'],
  why: `\`FROM\` can only use \`ARG\`s declared before the first \`FROM\` (plus BuildKit's automatic \`BUILDPLATFORM\`,
\`TARGETARCH\`… ones). A variable that is not declared there expands to nothing: \`FROM python:\${PY_VERSION}-slim\`
with \`ARG PY_VERSION\` declared only inside a stage becomes \`python:-slim\`, and \`--build-arg\` cannot fix it.

The build should also work without any \`--build-arg\`: an \`ARG\` with no default (or an empty one) must still give a
valid image reference (\`ARG TAG\` + \`FROM busybox:\${TAG}\` gives \`busybox:\`, an error; \`FROM busybox:stable\${VARIANT}\`
is fine, as is \`\${TAG:-3.14}\`). Both are BuildKit build checks (UndefinedArgInFrom, InvalidDefaultArgInFrom).`,
  examples: [
    {
      bad: 'FROM python:${PYTHON_VERSION}-slim-trixie\n',
      good: 'ARG PYTHON_VERSION=3.13\nFROM python:${PYTHON_VERSION}-slim-trixie\n',
    },
    {
      bad: 'ARG TAG\nFROM python:${TAG}\n',
      good: 'ARG TAG\nARG VARIANT\nFROM python:${TAG:-3.13-slim-trixie}\nFROM python:3.13-slim-trixie${VARIANT}\n',
    },
    {
      bad: 'ARG BASE_IMAGE\nFROM $BASE_IMAGE\n',
      good: 'ARG BASE_IMAGE=python:3.13-slim-trixie\nFROM --platform=$BUILDPLATFORM $BASE_IMAGE\n',
    },
  ],
  check({ dockerfile: df, report }) {
    for (const stage of df.stages) {
      const from = stage.from;
      const image = from.words[0];
      if (!image) continue;
      const texts: { raw: string; start: number; isImage: boolean }[] = [{ raw: image.raw, start: image.span.start, isImage: true }];
      const platform = from.flags.find((f) => f.name === 'platform');
      if (platform && platform.value !== null) {
        const text = df.text.slice(platform.span.start, platform.span.end);
        const eq = text.indexOf('=');
        if (eq >= 0) texts.push({ raw: text.slice(eq + 1), start: platform.span.start + eq + 1, isImage: false });
      }
      let undefinedFound = false;
      for (const t of texts) {
        for (const ref of varRefs(t.raw, df.escape)) {
          if (df.globalArgs.has(ref.name) || isPredefinedArg(ref.name)) continue;
          undefinedFound = true;
          const near = closeMatch(ref.name, [...df.globalArgs.keys(), ...PLATFORM_ARGS]);
          const exact = df.text.slice(t.start + ref.start, t.start + ref.end) === t.raw.slice(ref.start, ref.end);
          report({
            span: exact ? { start: t.start + ref.start, end: t.start + ref.end } : image.span,
            message: `\`${ref.name}\` in \`FROM\` is not declared with a global \`ARG\` (before the first \`FROM\`)${near ? `: did you mean \`${near}\`?` : ''}`,
          });
        }
      }
      if (undefinedFound) continue;
      // InvalidDefaultArgInFrom: an ARG without a (non-empty) default must still give a valid reference
      const refs = varRefs(image.raw, df.escape);
      const empties = refs.filter((r) => df.globalArgs.has(r.name) && !df.globalArgs.get(r.name) && r.modifier === undefined);
      if (empties.length === 0) continue;
      const lookup = (n: string): string | undefined => df.globalArgs.get(n) ?? PLATFORM_SAMPLE[n] ?? (df.globalArgs.has(n) ? '' : undefined);
      const { value } = expandWord(image.raw, lookup, df.escape);
      const names = new Set(df.stages.slice(0, stage.index).map((s) => s.name?.toLowerCase()));
      const v = value.trim();
      if (v !== '' && (REFERENCE.test(v) || names.has(v.toLowerCase()) || v.toLowerCase() === 'scratch')) continue;
      const which = [...new Set(empties.map((r) => r.name))].map((n) => `\`${n}\``).join(', ');
      report({
        span: image.span,
        message: `without \`--build-arg\`, ${which} ${empties.length > 1 ? 'are' : 'is'} empty and \`FROM ${image.raw}\` becomes ${v === '' ? 'empty' : `\`${v}\``}, not a valid image: give the \`ARG\` a default`,
      });
    }
  },
});
