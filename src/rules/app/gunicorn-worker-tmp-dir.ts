// APP006: gunicorn's worker heartbeat files belong in memory (/dev/shm), not on the container's overlay filesystem.
import { defineRule } from '../../lint/rule.js';
import type { Edit } from '../../lint/rule.js';
import type { Dockerfile, Instruction } from '../../dockerfile/model.js';
import type { ShCommand } from '../../dockerfile/shell.js';
import { finalStage, instructionEdit } from '../../dockerfile/query.js';
import { gunicornSettings, startedServers, type StartedServer } from '../../dockerfile/servers.js';

/** Insert `--worker-tmp-dir /dev/shm` right after the gunicorn word, when the text there is exactly that word. */
function fixFor(df: Dockerfile, s: StartedServer): Edit | undefined {
  const cmd: ShCommand = s.cmd;
  const k = cmd.argv.findIndex((w) => w.value === 'gunicorn' || /(^|\/)gunicorn$/.test(w.value));
  const w = cmd.argv[k];
  if (!w || w.dynamic) return undefined;
  const instr: Instruction | undefined = s.script ? (s.script.heredoc ? s.script.copy : undefined) : s.instr;
  if (!instr) return undefined;
  if (w.span.start < instr.span.start || w.span.end > instr.span.end) return undefined;
  if (s.script || cmd.nested || !instr.json) {
    // shell text (a shell-form CMD, a heredoc script, a `sh -c` string): the word must be there verbatim
    if (df.text.slice(w.span.start, w.span.end) !== w.raw || w.raw !== w.value) return undefined;
    if (cmd.nested && instr.json) return undefined; // inside a JSON string: escapes make offsets unreliable
    return instructionEdit(df, instr, [{ start: w.span.end, end: w.span.end, text: ' --worker-tmp-dir /dev/shm' }]);
  }
  // exec form: add two JSON elements after the gunicorn element
  const el = instr.words.find((e) => e.span.start <= w.span.start && e.span.end >= w.span.end);
  if (!el || !/^"[^"\\]*"$/.test(df.text.slice(el.span.start, el.span.end))) return undefined;
  return instructionEdit(df, instr, [{ start: el.span.end, end: el.span.end, text: ', "--worker-tmp-dir", "/dev/shm"' }]);
}

export default defineRule({
  code: 'APP006',
  name: 'gunicorn-worker-tmp-dir',
  title: 'gunicorn in containers',
  area: 'app',
  severity: 'warning',
  scope: ['D', 'P'],
  fix: 'safe',
  sources: [],
  why: `Every gunicorn worker updates a heartbeat file in \`--worker-tmp-dir\` (default: the system temp directory) so the
master can tell it is alive. In a container that directory is on the overlay filesystem, or on a disk-backed volume,
where a metadata update can block for seconds under I/O load: the master then thinks healthy workers hung and kills
them ("WORKER TIMEOUT"). \`/dev/shm\` is a tmpfs in every container: the heartbeat never touches a disk.

Pass \`--worker-tmp-dir /dev/shm\` (or set \`worker_tmp_dir = "/dev/shm"\` in \`gunicorn.conf.py\`, or put it in
\`GUNICORN_CMD_ARGS\`). gunicorn loads \`./gunicorn.conf.py\` from its working directory by itself, so in
Dockerfile-only mode pyship stays silent when a COPY could bring one there (\`COPY . .\`, a directory, the file itself)
or \`-c\` names a config; project mode reads that file. No peer linter checks this. The fix adds the flag after the
\`gunicorn\` word; it changes only where the heartbeat files live.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY app.py ./\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n',
      good: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY app.py ./\nCMD ["gunicorn", "--worker-tmp-dir", "/dev/shm", "--bind", "0.0.0.0:8000", "app:app"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nCMD exec gunicorn --bind 0.0.0.0:8000 app:app\n',
      good: 'FROM python:3.13-slim-trixie\nCMD exec gunicorn --worker-tmp-dir /dev/shm --bind 0.0.0.0:8000 app:app\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\nCMD ["python", "-m", "gunicorn", "app:app"]\n',
      good: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\nCMD ["python", "-m", "gunicorn", "-c", "deploy/gunicorn.py", "app:app"]\n',
      fixed: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\nCMD ["python", "-m", "gunicorn", "--worker-tmp-dir", "/dev/shm", "app:app"]\n',
      files: {
        'gunicorn.conf.py': 'bind = "0.0.0.0:8000"\n',
        'deploy/gunicorn.py': 'bind = "0.0.0.0:8000"\nworker_tmp_dir = "/dev/shm"\n',
      },
    },
    {
      // the config an entrypoint script passes with `--config`, and a `python:` module config, are read
      bad: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\nENTRYPOINT ["/app/start.sh"]\n',
      good: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\nENV PYTHONPATH=.\nCMD ["gunicorn", "-c", "python:config.gunicorn", "app:app"]\n',
      files: {
        'start.sh': '#!/bin/sh\nset -eu\nexec gunicorn --config gunicorn.conf.py app:app\n',
        'gunicorn.conf.py': 'bind = "0.0.0.0:8000"\nworkers = 2\n',
        'config/gunicorn.py': 'bind = "0.0.0.0:8000"\nworkers = 2\nworker_tmp_dir = "/dev/shm"\n',
      },
    },
    {
      // GUNICORN_CMD_ARGS counts too
      bad: 'FROM python:3.13-slim-trixie\nENV GUNICORN_CMD_ARGS="--bind=0.0.0.0:8000"\nCMD ["gunicorn", "app:app"]\n',
      good: 'FROM python:3.13-slim-trixie\nENV GUNICORN_CMD_ARGS="--bind=0.0.0.0:8000 --worker-tmp-dir=/dev/shm"\nCMD ["gunicorn", "app:app"]\n',
      fixed: 'FROM python:3.13-slim-trixie\nENV GUNICORN_CMD_ARGS="--bind=0.0.0.0:8000"\nCMD ["gunicorn", "--worker-tmp-dir", "/dev/shm", "app:app"]\n',
    },
  ],
  check({ dockerfile: df, mode, project, report }) {
    const final = finalStage(df);
    if (!final) return;
    for (const s of startedServers(df, final, mode === 'project' ? project : undefined)) {
      if (s.server !== 'gunicorn') continue;
      const settings = gunicornSettings(df, final, s.cmd, s.ctx);
      if (settings.unknown || settings.values.has('worker_tmp_dir')) continue;
      const edit = fixFor(df, s);
      report({
        span: s.span,
        message: `\`gunicorn\` (${s.where}) without \`--worker-tmp-dir /dev/shm\`: worker heartbeats on the container's disk can stall and get healthy workers killed`,
        fix: edit ? { description: 'add `--worker-tmp-dir /dev/shm` after `gunicorn`', edits: [edit] } : undefined,
      });
    }
  },
});
