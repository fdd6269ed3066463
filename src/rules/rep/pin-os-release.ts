// REP002: official python images tagged without the OS release (or with a floating Python major) change under you.
import { defineRule } from '../../lint/rule.js';
import { isOfficialPython, pythonImage } from './_python-image.js';
import { alpineFor, debianFor, newestWith, noLongerBuilt } from '../../project/python-releases.js';

/** The OS part of a tag that exists for the version (src/project/python-releases.ts): trixie unless that minor was never built on it. */
function pinnedOs(version: string, family: 'debian' | 'alpine', slim: boolean): string {
  if (family === 'alpine') return `alpine${alpineFor(version) ?? '3.22'}`;
  return `${slim ? 'slim-' : ''}${debianFor(version)?.codename ?? 'trixie'}`;
}

export default defineRule({
  code: 'REP002',
  name: 'pin-os-release',
  title: 'Pin the OS release',
  area: 'rep',
  severity: 'warning',
  scope: ['D'],
  sources: [],
  why: `\`python:3.13-slim\` is rebuilt on each new Debian release: one day your image moves from bookworm to
trixie, with a new glibc, new OpenSSL and renamed system packages (\`apt-get install libpq5\` may stop working),
although nothing in your repository changed. Name the release in the tag (\`python:3.13-slim-trixie\`,
\`python:3.13-alpine3.22\`) so the upgrade happens when you choose it. Tags that name only the major version
(\`python:3\`, \`python:3-slim\`) or no version at all (\`python:slim\`) also float across Python minor versions,
which breaks compiled wheels and copied virtualenvs.

Checked for the official image (\`python\`, \`library/python\`, and registry mirrors such as
\`public.ecr.aws/docker/library/python\`), with ARG defaults applied. A digest-pinned reference is not flagged:
the digest already fixes the OS. Windows tags name their release and are fine, and tags of Python versions past their end
of life (2.x, 3.8 and older) are not flagged: they are no longer rebuilt, so they cannot move. There is no automatic fix: moving to
a named release is a decision (pick the one the tag resolves to today to keep the image unchanged).`,
  examples: [
    { bad: 'FROM python:3.13-slim\n', good: 'FROM python:3.13-slim-trixie\n' },
    { bad: 'ARG PY=3.12\nFROM python:${PY}-alpine AS build\n', good: 'ARG PY=3.12\nFROM python:${PY}-alpine3.21 AS build\n' },
    { bad: 'FROM public.ecr.aws/docker/library/python:3-slim-bookworm\n', good: 'FROM public.ecr.aws/docker/library/python:3.12-slim-bookworm\n' },
    // the newest Python still built on buster is 3.11: that is the suggestion, not a python:3.13-slim-buster that never existed
    { bad: 'FROM python:3-slim-buster\n', good: 'FROM python:3.11-slim-buster\nFROM python:3.7-slim\n' },
    {
      bad: 'FROM python:3.11\n',
      good: 'FROM python:3.11-bookworm\nFROM python:3.12-slim@sha256:804ddf3251a60bbf9c92e73b7566c40428d54d0e79d3428194edf40da6521286\nARG TAG\nFROM python:${TAG}\nFROM bitnami/python:3.11\n',
    },
  ],
  check({ dockerfile: df, report }) {
    for (const stage of df.stages) {
      const b = stage.base;
      if (b.digest !== undefined || !isOfficialPython(b)) continue;
      const img = pythonImage(b);
      if (!img || img.family === 'windows' || (img.version !== undefined && noLongerBuilt(img.version))) continue;
      const floatingPython = img.version === undefined || img.version === '3';
      const floatingOs = img.release === undefined;
      if (!floatingPython && !floatingOs) continue;
      const os = img.family === 'alpine' ? 'Alpine' : 'Debian';
      const tag = b.tag!;
      const via = b.raw !== b.resolved ? ` (from \`${b.raw}\`)` : '';
      const python = img.version === undefined ? 'names no Python version' : `names only Python ${img.version}`;
      const family = img.family === 'alpine' ? 'alpine' : 'debian';
      const slim = img.variant.startsWith('slim');
      let message: string;
      if (floatingPython && floatingOs) {
        message = `\`${img.ref}\`${via} ${python} and no ${os} release: both change under you; name them, e.g. \`python:3.13-${pinnedOs('3.13', family, slim)}\``;
      } else if (floatingPython) {
        // the newest minor still built for the release the tag names (python:3.13-slim-buster was never published)
        const minor = newestWith(img.release!);
        const example = minor ? `\`python:${minor}-${img.variant}\`` : `\`python:3.13-${pinnedOs('3.13', family, slim)}\` (no Python still built is published for ${img.release})`;
        message = `\`${img.ref}\`${via} ${python}: it moves to each new Python release; name the minor version, e.g. ${example}`;
      } else {
        // a patch release's tags exist only for the OS releases current when it came out: suggest the minor's tag
        const patch = img.minor !== undefined && img.version !== img.minor;
        const example = `\`python:${img.minor ?? img.version}-${pinnedOs(img.minor ?? img.version!, family, slim)}\``;
        message = `\`${tag}\`${via} has no ${os} release: it moves to the next ${os} release when one ships; name it, e.g. ${example}${patch ? ` (or \`python:${img.version}-…\` with the release that patch was built on)` : ''}`;
      }
      report({ span: b.span, message });
    }
  },
});
