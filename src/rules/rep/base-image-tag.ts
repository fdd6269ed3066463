// REP001: every FROM names a tag — an untagged or `:latest` base changes under you between builds.
import { defineRule } from '../../lint/rule.js';
import { registryBases } from './_python-image.js';


export default defineRule({
  code: 'REP001',
  name: 'base-image-tag',
  title: 'Tag the base image',
  area: 'rep',
  severity: 'error',
  scope: ['D'],
  sources: ['hadolint:DL3006', 'hadolint:DL3007'],
  why: `\`FROM python\` and \`FROM python:latest\` mean "whatever was newest when this machine last pulled": two
builds of the same commit can get different Python versions and different Debian releases, and a new major
version can break the build (or, worse, the app) with no change on your side. Name a tag that says what you
depend on, ideally with the OS release: \`python:3.13-slim-trixie\`.

\`scratch\`, earlier stage names and digest references (\`image@sha256:…\`) are not flagged. Unlike hadolint
(DL3006), \`FROM $BASE_IMAGE\` is judged by the ARG's default: a tagged default is fine, and an ARG without a
default (or an empty one) is not flagged at all (the tag comes from \`--build-arg\`, which pyship cannot see). An
untagged one-word name that is not a Docker Hub official image (\`FROM deps\`) is taken for a named build context
(\`docker buildx bake\` \`contexts\`, \`--build-context\`), a known false positive of hadolint.`,
  examples: [
    { bad: 'FROM python\nRUN pip install flask==3.1.0\n', good: 'FROM python:3.13-slim-trixie\nRUN pip install flask==3.1.0\n' },
    { bad: 'FROM python:latest AS build\nFROM build\n', good: 'FROM python:3.13-slim-trixie AS build\nFROM build\n' },
    {
      bad: 'ARG BASE=python\nFROM ${BASE}\n',
      good: 'ARG BASE=python:3.13-slim-trixie\nFROM ${BASE}\nFROM scratch\nFROM python@sha256:4f5d923c9dcea037f57bda425dd209f3ec643da2f0b74227f68d09dab0b3bb36\n',
    },
    { bad: 'FROM ghcr.io/org/app:latest\n', good: 'ARG BASE\nFROM $BASE\nFROM ghcr.io/org/app:1.4.2\n' },
  ],
  check({ dockerfile: df, report }) {
    for (const { base: b, ref } of registryBases(df)) {
      const via = b.raw !== b.resolved ? ` (the default of \`${b.raw}\`)` : '';
      if (b.tag === undefined) {
        report({ span: b.span, message: `\`FROM ${ref}\`${via} has no tag: it pulls whatever \`latest\` is today; name a version` });
      } else if (b.tag === 'latest') {
        report({ span: b.span, message: `\`FROM ${ref}\`${via} uses \`:latest\`, which moves: name a version` });
      }
    }
  },
});
