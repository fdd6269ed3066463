// DF001: a WORKDIR that is relative to an unknown base-image WORKDIR lands wherever the base image says.
import { defineRule } from '../../lint/rule.js';
import { expandWord } from '../../dockerfile/words.js';
import { stateLookup } from './_util.js';

export default defineRule({
  code: 'DF001',
  name: 'workdir-absolute',
  title: 'WORKDIR must be absolute',
  area: 'df',
  severity: 'warning',
  scope: ['D'],
  sources: ['hadolint:DL3000', 'buildkit:WorkdirRelativePath'],
  why: `A relative \`WORKDIR app\` is resolved against the working directory the base image set, which you don't
control: when a new base image release moves it (\`/\` today, \`/usr/src/app\` tomorrow), every later \`COPY\`, \`RUN\`
and the start command silently run somewhere else. An absolute path means the same thing on every base image.

Like BuildKit (WorkdirRelativePath), pyship only flags a relative \`WORKDIR\` while no \`WORKDIR\` has been set yet in
the stage or the stages it is built \`FROM\`: after \`WORKDIR /app\`, \`WORKDIR src\` is well defined (\`/app/src\`).
hadolint (DL3000) flags every relative one. Paths made of variables are judged by their values; unresolved ones are
not flagged.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nWORKDIR app\nCOPY . .\n',
      good: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie AS base\nWORKDIR ./src\n',
      good: 'FROM python:3.13-slim-trixie AS base\nWORKDIR /app\nFROM base\nWORKDIR src\nARG HOME_DIR=/srv\nWORKDIR ${HOME_DIR}/app\n',
    },
  ],
  check({ dockerfile: df, report }) {
    for (const instr of df.instructions) {
      if (instr.keyword !== 'WORKDIR' || instr.stage < 0 || instr.state.workdir !== undefined) continue;
      const raw = instr.args.trim();
      if (raw === '') continue;
      const { value, unresolved } = expandWord(raw, stateLookup(instr), df.escape);
      if (unresolved.length > 0) continue;
      const path = value.trim();
      // absolute POSIX paths, and Windows paths (C:\app, C:/app, \app) for Windows images
      if (path === '' || path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\')) continue;
      report({
        span: instr.argsSpan,
        message: `relative \`WORKDIR ${raw}\` depends on the base image's working directory: use an absolute path such as \`/${path.replace(/^\.\//, '')}\``,
      });
    }
  },
});
