// A signal ends pyship at once, also inside `--fix`'s synchronous write of a file (src/io/signals.ts explains why no
// handler can run there). Killed between creating a temp file and renaming it over its target, pyship would leave
// the temp file beside the target. A small guard process, started at the first write, is told the temp file being
// written ("+ path") and when it is gone ("-"); when pyship's end of the pipe closes without "done", it removes the
// last one announced. Pipe writes of a line complete at once (libuv writes when its queue is empty).
import { spawn, type ChildProcess } from 'node:child_process';

const GUARD_SH = `
cur=
while IFS= read -r line; do
  case "$line" in
    done) exit 0 ;;
    "- ") cur= ;;
    "+ "*) cur=\${line#+ } ;;
  esac
done
case "$cur" in *.pyship-*.tmp) rm -f -- "$cur" ;; esac
`;

let guard: ChildProcess | null | undefined;

function start(): ChildProcess | null {
  if (process.platform === 'win32') return null;
  try {
    const child = spawn('/bin/sh', ['-c', GUARD_SH, 'pyship-temp-guard'], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', () => {
      guard = null;
    });
    child.stdin!.on('error', () => undefined);
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    process.once('exit', () => {
      try {
        child.stdin!.write('done\n');
      } catch {
        // the guard is gone
      }
    });
    return child;
  } catch {
    return null;
  }
}

/** Say that `tmp` is being written (a path with a line break is left to the next run's cleanup, see write.ts). */
export function announceTemp(tmp: string): void {
  if (/[\n\r]/.test(tmp)) return;
  guard ??= start();
  guard?.stdin?.write(`+ ${tmp}\n`);
}

/** The temp file announced last was renamed or removed. */
export function clearTemp(): void {
  guard?.stdin?.write('- \n');
}
