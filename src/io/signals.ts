// A signal ends pyship at once (src/engine/guard.ts: no JS handler runs inside synchronous work), which is right for
// long engine calls but not for the few milliseconds in which init writes its files: killed there, a temp file stays
// beside the target. Around such a short step, SIGINT/SIGTERM are held and raised again once the step is done.
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Run `step` (synchronous, short) with SIGINT/SIGTERM held; a signal that came meanwhile ends pyship right after it. */
export async function withSignalsHeld<T>(step: () => T): Promise<T> {
  let caught: NodeJS.Signals | undefined;
  const hold = (s: NodeJS.Signals): void => {
    caught ??= s;
  };
  for (const s of SIGNALS) process.on(s, hold);
  try {
    return step();
  } finally {
    // a signal that came during the step reaches its handler from the loop's poll phase, in the iteration after the
    // step at the earliest: a short timer lets a few iterations pass (one setImmediate is too early)
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const s of SIGNALS) process.off(s, hold);
    if (caught) process.kill(process.pid, caught);
  }
}
