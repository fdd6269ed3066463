// What commands may touch of the process: output streams, cwd, colour — injected so tests run commands in-process.
export interface Io {
  out(text: string): void;
  err(text: string): void;
  cwd: string;
  color: boolean;
}

/** A mistake in how pyship was called: exit 2 with the message, no stack trace. */
export class UsageError extends Error {}

/** `pyship rules | head` closes the pipe early: that is the reader's choice, not an error to print a stack for. */
function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

export function processIo(): Io {
  quietOnClosedPipe(process.stdout);
  quietOnClosedPipe(process.stderr);
  const color = !process.env.NO_COLOR && (process.env.FORCE_COLOR ? process.env.FORCE_COLOR !== '0' : process.stdout.isTTY === true);
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    cwd: process.cwd(),
    color,
  };
}
