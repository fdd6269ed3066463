// Why this exists: engine calls are synchronous (spawnSync), and a blocked main thread never runs a JS signal handler,
// so Ctrl-C used to wait for the whole smoke and its report. pyship now lets SIGINT/SIGTERM end the process at once
// (the default action), and these two helpers make sure nothing it started outlives it:
// - a guard process, started before the first container, removes this run's labelled containers when pyship dies
//   without saying goodbye (a signal, or SIGKILL), and prints the one "interrupted" line;
// - every engine or locker child gets a parent-death signal (Linux `setpriv --pdeathsig`), so a `docker build`,
//   `docker run` client or `uv lock` running when pyship dies is ended too instead of finishing unattended.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PYSHIP_LABEL } from './types.js';

const SETPRIV = '/usr/bin/setpriv';
let setprivOk: boolean | undefined;

/** argv run so that the child gets SIGTERM when pyship's process dies (unchanged where setpriv is missing). */
export function tiedToParent(argv: readonly string[]): string[] {
  setprivOk ??= process.platform === 'linux' && existsSync(SETPRIV);
  return setprivOk ? [SETPRIV, '--pdeathsig', 'TERM', '--', ...argv] : [...argv];
}

// The guard waits on its stdin: "done" (pyship exited normally and cleaned up itself) or end-of-file (pyship died).
// It runs in its own session, so the Ctrl-C of the terminal does not reach it, and it inherits stderr for its one line.
const GUARD_SH = `
IFS= read -r said
[ "$said" = done ] && exit 0
ids=$("$1" ps -aq --filter "label=$2=$3" 2>/dev/null)
n=0
if [ -n "$ids" ]; then
  for id in $ids; do n=$((n + 1)); done
  "$1" rm --force --volumes $ids >/dev/null 2>&1
fi
if [ "$n" -gt 0 ]; then echo "pyship: interrupted: removed the $n container(s) it had started" >&2
else echo "pyship: interrupted" >&2; fi
`;

const guards = new Map<string, ChildProcess>();

/** Tell the guards pyship ends normally (its own cleanup ran): they exit without touching the engine. */
export function releaseGuards(): void {
  for (const g of guards.values()) {
    try {
      // a pipe write of a few bytes completes at once, also from an 'exit' handler
      g.stdin?.write('done\n');
    } catch {
      // the guard is gone: nothing to tell it
    }
  }
  guards.clear();
}

/** Start (once per run id) the process that removes this run's containers if pyship dies by a signal. */
export function guardRun(binary: string, runId: string, env: NodeJS.ProcessEnv): void {
  if (guards.has(runId) || process.platform === 'win32') return;
  let child: ChildProcess;
  try {
    child = spawn('/bin/sh', ['-c', GUARD_SH, 'pyship-guard', binary, PYSHIP_LABEL, runId], {
      detached: true, stdio: ['pipe', 'ignore', 'inherit'], env,
    });
  } catch {
    return; // no /bin/sh: the exit handler still cleans up on a normal exit
  }
  child.on('error', () => guards.delete(runId));
  child.stdin?.on('error', () => undefined);
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  guards.set(runId, child);
}
