// REP002: official python images tagged without the OS release (or with a floating Python major) change under you.
import { defineRule } from '../../lint/rule.js';
import { isOfficialPython, pythonImage } from './_python-image.js';

/** A Debian release the version's images exist for (trixie from 3.9 on; older versions stopped before it). */
function debianFor(version: string | undefined): string {
  const m = version ? /^(\d+)\.(\d+)/.exec(version) : null;
  if (!m) return 'trixie';
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major < 3) return 'buster';
  return minor < 9 ? 'bookworm' : 'trixie';
}

/** Versions past end of life are no longer rebuilt: their tags cannot move any more (Python 2, 3.0–3.8). */
function frozen(version: string | undefined): boolean {
  const m = version ? /^(\d+)(?:\.(\d+))?/.exec(version) : null;
  if (!m) return false;
  return Number(m[1]) < 3 || (m[2] !== undefined && Number(m[2]) <= 8);
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
      if (!img || img.family === 'windows' || frozen(img.version)) continue;
      const floatingPython = img.version === undefined || img.version === '3';
      const floatingOs = img.release === undefined;
      if (!floatingPython && !floatingOs) continue;
      const os = img.family === 'alpine' ? 'Alpine' : 'Debian';
      const tag = b.tag!;
      const via = b.raw !== b.resolved ? ` (from \`${b.raw}\`)` : '';
      const python = img.version === undefined ? 'names no Python version' : `names only Python ${img.version}`;
      const pinnedOs = img.family === 'alpine' ? 'alpine3.22' : `${img.variant.startsWith('slim') ? 'slim-' : ''}${debianFor(img.version)}`;
      let message: string;
      if (floatingPython && floatingOs) {
        message = `\`${img.ref}\`${via} ${python} and no ${os} release: both change under you; name them, e.g. \`python:3.13-${pinnedOs}\``;
      } else if (floatingPython) {
        message = `\`${img.ref}\`${via} ${python}: it moves to each new Python release; name the minor version, e.g. \`python:3.13-${img.variant}\``;
      } else {
        message = `\`${tag}\`${via} has no ${os} release: it moves to the next ${os} release when one ships; name it, e.g. \`python:${img.version}-${pinnedOs}\``;
      }
      report({ span: b.span, message });
    }
  },
});
