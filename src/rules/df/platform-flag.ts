// DF025: `FROM --platform=` neither pins one constant platform nor repeats the default `$TARGETPLATFORM`.
import { defineRule } from '../../lint/rule.js';
import { varRefs } from './_util.js';

export default defineRule({
  code: 'DF025',
  name: 'platform-flag',
  title: 'No constant or redundant `FROM --platform`',
  area: 'df',
  severity: 'warning',
  scope: ['D'],
  fix: 'safe',
  sources: ['buildkit:FromPlatformFlagConstDisallowed', 'buildkit:RedundantTargetPlatform'],
  why: `\`FROM --platform=linux/amd64\` forces that stage onto one platform whatever \`docker build --platform\` asks
for: the image can no longer be built for arm64 (Apple silicon, Graviton), or is built under slow emulation there.
Leave the platform to the command line, or use \`--platform=$BUILDPLATFORM\` for stages that cross-compile. As in
BuildKit, a constant platform is accepted when the stage name says which platform it is for (\`AS build-amd64\`),
the pattern for per-architecture stages selected with \`FROM build-\${TARGETARCH}\`.

\`--platform=$TARGETPLATFORM\` is what happens anyway: the fix removes it.`,
  examples: [
    {
      bad: 'FROM --platform=linux/amd64 python:3.13-slim-trixie\nCMD ["python"]\n',
      good: 'FROM python:3.13-slim-trixie\nCMD ["python"]\n',
    },
    {
      bad: 'FROM --platform=$TARGETPLATFORM python:3.13-slim-trixie AS app\n',
      good: 'FROM python:3.13-slim-trixie AS app\n',
    },
    {
      bad: 'FROM --platform=${TARGETPLATFORM} python:3.13-slim-trixie\n',
      good: 'FROM --platform=$BUILDPLATFORM python:3.13-slim-trixie AS build\nFROM --platform=linux/arm64 python:3.13-slim-trixie AS build-arm64\n',
      fixed: 'FROM python:3.13-slim-trixie\n',
    },
  ],
  check({ dockerfile: df, report }) {
    for (const stage of df.stages) {
      const flag = stage.from.flags.find((f) => f.name === 'platform');
      if (!flag || flag.value === null) continue;
      const text = df.text.slice(flag.span.start, flag.span.end);
      const raw = text.slice(text.indexOf('=') + 1);
      const refs = varRefs(raw, df.escape);
      if (refs.length === 0 && !raw.includes('$')) {
        const value = flag.value.trim();
        if (value === '') continue;
        const [os = '', arch = ''] = value.toLowerCase().split('/');
        const name = (stage.name ?? '').toLowerCase();
        if (name !== '' && ((os !== '' && name.includes(os)) || (arch !== '' && name.includes(arch)))) continue;
        report({ span: flag.span, message: `\`FROM --platform=${value}\` pins a constant platform: builds for other platforms get this one (or run emulated)` });
        continue;
      }
      const unquoted = raw.replace(/^(["'])(.*)\1$/, '$2');
      if (refs.length === 1 && refs[0]!.name === 'TARGETPLATFORM' && refs[0]!.modifier === undefined &&
          (unquoted === '$TARGETPLATFORM' || unquoted === '${TARGETPLATFORM}')) {
        // remove the flag and the whitespace after it
        let end = flag.span.end;
        while (end < df.text.length && (df.text[end] === ' ' || df.text[end] === '\t')) end++;
        const ok = end > flag.span.end && !df.text.slice(flag.span.start, end).includes('\n');
        report({
          span: flag.span,
          message: '`--platform=$TARGETPLATFORM` is redundant: it is the default platform of every stage',
          fix: ok ? { description: 'remove `--platform=$TARGETPLATFORM`', edits: [{ start: flag.span.start, end, text: '' }] } : undefined,
        });
      }
    }
  },
});
