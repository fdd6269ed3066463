// DBG002: the final Python image enables faulthandler (PYTHONFAULTHANDLER=1 or -X faulthandler) for C-level crashes.
import { defineRule } from '../../lint/rule.js';
import type { Stage } from '../../dockerfile/model.js';
import type { ShCommand } from '../../dockerfile/shell.js';
import { keyValues } from '../../dockerfile/arguments.js';
import { isPython } from '../../dockerfile/commands.js';
import { chainInstructions, finalEnv, finalStage, rootBase, serverOf, startCommand } from '../../dockerfile/query.js';
import { startScripts } from '../../dockerfile/scripts.js';

/** Base images that are Python images (official, mirrors, vendor and conda flavours). */
function pythonBase(stage: Stage): boolean {
  const repo = (stage.base.repository ?? '').toLowerCase();
  if (!repo) return false;
  const last = repo.slice(repo.lastIndexOf('/') + 1);
  if (/^(python|pypy)(\d[\d.]*)?([-_].*)?$/.test(last)) return true;
  if (/^(tiangolo|continuumio|condaforge|jupyter)\//.test(repo) || /(^|\/)(micromamba|miniconda\d*|miniforge\d*|anaconda\d*)$/.test(repo)) return true;
  if (/(^|\/)astral-sh\/uv$/.test(repo)) return /python|bookworm|trixie|bullseye|alpine|slim/.test(stage.base.tag ?? '');
  return false;
}

/** `python -X faulthandler …` / `-Xfaulthandler`. */
function faulthandlerFlag(cmd: ShCommand): boolean {
  const a = cmd.argv;
  for (let i = 1; i < a.length; i++) {
    const v = a[i]!.value;
    if (v === '-X' && /^faulthandler(=|$)/.test(a[i + 1]?.value ?? '')) return true;
    if (/^-Xfaulthandler(=|$)/.test(v)) return true;
    if (!v.startsWith('-')) break;
  }
  return false;
}

function setsFaulthandler(cmd: ShCommand): boolean {
  if (cmd.assignments.some((x) => x.name === 'PYTHONFAULTHANDLER' && x.value !== '')) return true;
  if (cmd.name === 'export' && cmd.argv.some((w) => /^PYTHONFAULTHANDLER=./.test(w.value))) return true;
  return isPython(cmd) && faulthandlerFlag(cmd);
}

export default defineRule({
  code: 'DBG002',
  name: 'python-faulthandler',
  title: 'Prepare for C crashes',
  area: 'debug',
  severity: 'warning',
  scope: ['D', 'I'],
  fix: 'safe',
  sources: [],
  why: `When a C extension (numpy, psycopg, lxml, an ML runtime…) segfaults or the process is killed by a fatal
signal, Python dies without a traceback and the container log shows only an exit code. With
\`PYTHONFAULTHANDLER=1\` (or \`python -X faulthandler\`) the interpreter dumps every thread's Python stack to stderr
first, which is usually all you need to find the culprit. It costs nothing at run time.

pyship checks the final image when it looks like a Python app image — its start command runs python or a Python
server, or its base is a Python image — and accepts \`PYTHONFAULTHANDLER\` with any non-empty value in the final
stage's \`FROM\` chain (Python's documented rule), \`-X faulthandler\` on the start command, or the variable set in the
start command or its entrypoint script. The safe fix adds \`ENV PYTHONFAULTHANDLER=1\` after the final \`FROM\`. No
peer linter checks this.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nCOPY app.py /app/\nCMD ["python", "/app/app.py"]\n',
      good: 'FROM python:3.13-slim-trixie\nENV PYTHONFAULTHANDLER=1\nCOPY app.py /app/\nCMD ["python", "/app/app.py"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie AS base\nENV PYTHONUNBUFFERED=1\nFROM base\nCMD ["gunicorn", "app:app"]\n',
      good: 'FROM python:3.13-slim-trixie AS base\nENV PYTHONUNBUFFERED=1 PYTHONFAULTHANDLER=1\nFROM base\nCMD ["gunicorn", "app:app"]\n',
      fixed: 'FROM python:3.13-slim-trixie AS base\nENV PYTHONUNBUFFERED=1\nFROM base\nENV PYTHONFAULTHANDLER=1\nCMD ["gunicorn", "app:app"]\n',
    },
    {
      bad: 'FROM debian:trixie-slim\nRUN apt-get update && apt-get install -y --no-install-recommends python3 && rm -rf /var/lib/apt/lists/*\nCMD ["python3", "/srv/app.py"]\n',
      good: 'FROM debian:trixie-slim\nRUN apt-get update && apt-get install -y --no-install-recommends python3 && rm -rf /var/lib/apt/lists/*\nCMD ["python3", "-X", "faulthandler", "/srv/app.py"]\n',
      fixed: 'FROM debian:trixie-slim\nENV PYTHONFAULTHANDLER=1\nRUN apt-get update && apt-get install -y --no-install-recommends python3 && rm -rf /var/lib/apt/lists/*\nCMD ["python3", "/srv/app.py"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nCMD ["python", "-m", "app"]\n',
      good: 'FROM python:2.7-slim\nCMD ["python", "-m", "app"]\n',
      fixed: 'FROM python:3.13-slim-trixie\nENV PYTHONFAULTHANDLER=1\nCMD ["python", "-m", "app"]\n',
    },
  ],
  check({ dockerfile: df, mode, project, report }) {
    const final = finalStage(df);
    if (!final || final.base.scratch) return;
    const root = rootBase(df, final);
    const start = startCommand(df, final);
    const scripts = startScripts(df, final, mode === 'project' ? project : undefined);
    const commands = [...start.commands.map((c) => c.cmd), ...scripts.flatMap((s) => s.script?.commands ?? [])];
    const python = pythonBase(root) || commands.some((c) => isPython(c) || serverOf(c) !== undefined);
    if (!python) return;
    // Python 2 has no faulthandler
    if (/^(python|pypy)(2(\.\d+)?)?$/.test((root.base.repository ?? '').split('/').pop() ?? '') && /^2(\.|-|$)/.test(root.base.tag ?? '')) return;
    if (commands.some((c) => /^python2(\.\d+)?$/.test(c.name))) return;
    if ((finalEnv(df, final).get('PYTHONFAULTHANDLER') ?? '') !== '') return;
    // an ENV we can't resolve (`ENV PYTHONFAULTHANDLER=$FH`) might set it
    let setInChain = false;
    for (const instr of chainInstructions(df, final)) {
      if (instr.keyword !== 'ENV') continue;
      for (const kv of keyValues(instr, df.escape)) {
        if (kv.key !== 'PYTHONFAULTHANDLER') continue;
        setInChain = true;
        if ((kv.rawValue ?? '').includes('$')) return;
      }
    }
    if (commands.some(setsFaulthandler)) return;
    report({
      span: final.from.span,
      message: 'the final image has no `PYTHONFAULTHANDLER=1`: a crash in a C extension dies without a Python traceback; add `ENV PYTHONFAULTHANDLER=1`',
      // a later `ENV PYTHONFAULTHANDLER=` would override the added line: no fix then
      fix: setInChain ? undefined : { description: 'add `ENV PYTHONFAULTHANDLER=1` after the final `FROM`', edits: [{ start: final.from.span.end, end: final.from.span.end, text: '\nENV PYTHONFAULTHANDLER=1' }] },
    });
  },
  imageExamples: [
    {
      bad: { history: [{ by: 'RUN /bin/sh -c apt-get install -y python3', files: [{ path: 'usr/bin/python3', size: 5000, mode: 0o755 }] }] },
      good: { config: { env: ['PYTHONFAULTHANDLER=1'] }, history: [{ by: 'RUN /bin/sh -c apt-get install -y python3', files: [{ path: 'usr/bin/python3', size: 5000, mode: 0o755 }] }, { by: 'ENV PYTHONFAULTHANDLER=1' }] },
    },
  ],
  checkImage({ image, report }) {
    if (!['python3', 'python'].some((c) => image.resolveBinary(c) !== undefined)) return;
    const fh = image.env.get('PYTHONFAULTHANDLER');
    const command = image.command;
    const xflag = command.some((a, i) => (a === '-X' && command[i + 1] === 'faulthandler') || a === '-Xfaulthandler');
    if ((fh === undefined || fh === '') && !xflag) report({ at: { env: 'PYTHONFAULTHANDLER' }, message: 'PYTHONFAULTHANDLER is not set in the image: add ENV PYTHONFAULTHANDLER=1 so C crashes print a traceback' });
  },
});
