// Shares a long list of independent jobs with one worker thread while the caller stays synchronous: `check` over
// hundreds of files is CPU-bound and its callers (the CLI, tests, init) expect a plain return value. The two threads
// take the next job from one shared counter, so a worker that starts late (it loads the code first) costs nothing,
// and the results come back in the jobs' order whoever ran them.
import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

/** The module a worker loads, and the plain data that tells it which jobs it serves. */
export interface WorkerSpec {
  /** A compiled module (file: URL) whose top level calls `serveJobs` when started as a worker. */
  url: URL;
  data: unknown;
}

// the shared words: the next job to take, the worker's state
const NEXT = 0;
const STATE = 1;
const IDLE = 0;
const RUNNING = 1;
const DONE = 2;
const CLOSED = 3;

/** Below this many jobs a worker costs more to start than it saves. */
export const MIN_SHARED_JOBS = 64;

/** Whether sharing `count` jobs with a worker can pay: enough jobs, a second core, compiled code to load. */
export function canShare(count: number, url: URL | undefined): url is URL {
  return url !== undefined && url.pathname.endsWith('.js') && count >= MIN_SHARED_JOBS && availableParallelism() > 1;
}

/**
 * Run `run(i)` for i in [0, count), some of them in a worker that `spec` starts (it runs the same function through
 * `serveJobs`); returns the results in index order. Results cross threads by structured clone: plain data only.
 */
export function shareJobs<R>(count: number, run: (i: number) => R, spec: WorkerSpec): R[] {
  const shared = new Int32Array(new SharedArrayBuffer(8));
  const { port1, port2 } = new MessageChannel();
  const results: R[] = new Array(count);
  let worker: Worker | undefined;
  try {
    worker = new Worker(spec.url, { workerData: { pyshipJobs: { shared, port: port2, count, data: spec.data } }, transferList: [port2] });
    worker.unref();
  } catch {
    worker = undefined;
  }
  for (let i = Atomics.add(shared, NEXT, 1); i < count; i = Atomics.add(shared, NEXT, 1)) results[i] = run(i);
  // a worker that has not begun by now never will take a job: close the door rather than wait for it to load
  if (worker === undefined || Atomics.compareExchange(shared, STATE, IDLE, CLOSED) === IDLE) {
    port1.close();
    return results;
  }
  while (Atomics.load(shared, STATE) !== DONE) Atomics.wait(shared, STATE, RUNNING, 1000);
  const got = receiveMessageOnPort(port1)?.message as { done: [number, R][] } | undefined;
  port1.close();
  for (const [i, r] of got?.done ?? []) results[i] = r;
  // a job that threw in the worker (or a worker that died) runs here, so it fails exactly as it would without one
  for (let i = 0; i < count; i++) if (!(i in results)) results[i] = run(i);
  return results;
}

/** In a worker started by `shareJobs`: the data it was given, or undefined when this thread is no such worker. */
export function sharedJobsData(workerData: unknown): unknown {
  return (workerData as { pyshipJobs?: { data: unknown } } | null)?.pyshipJobs?.data;
}

/** In a worker started by `shareJobs`: take jobs until none is left, then hand the results back. */
export function serveJobs<R>(workerData: unknown, run: (i: number) => R): void {
  const { shared, port, count } = (workerData as { pyshipJobs: { shared: Int32Array; port: MessagePort; count: number } }).pyshipJobs;
  if (Atomics.compareExchange(shared, STATE, IDLE, RUNNING) !== IDLE) return port.close();
  const done: [number, R][] = [];
  try {
    for (let i = Atomics.add(shared, NEXT, 1); i < count; i = Atomics.add(shared, NEXT, 1)) done.push([i, run(i)]);
  } catch {
    // the caller runs the job again and meets the error itself; the jobs after it stay with the caller
  }
  try {
    port.postMessage({ done });
  } finally {
    // whatever happened, the caller stops waiting: what did not arrive, it runs itself
    port.close();
    Atomics.store(shared, STATE, DONE);
    Atomics.notify(shared, STATE);
  }
}
