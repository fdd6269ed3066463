// Synchronous HTTP probes from the host to 127.0.0.1, so smoke stays synchronous like the engine it drives.
// Each probe runs its (async) socket code in a worker thread while this thread waits on a shared flag: bounded by the
// probe's own timeout plus a margin, never by a loop without an end.
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';

export interface GetResult {
  /** HTTP status, or 0 when no response came (refused, reset, timed out). */
  status: number;
  /** Seconds until the response head arrived (or until the failure). */
  seconds: number;
  error?: string;
}

export interface HeldResult {
  /** The request made while another connection holds a half-sent request open. */
  get: GetResult;
  /** Whether the held connection was still open (not closed by the server) when the request finished. */
  heldOpen: boolean;
}

type ProbeRequest =
  | { kind: 'get'; port: number; path: string; timeoutMs: number }
  | { kind: 'held'; port: number; path: string; timeoutMs: number; holdMs: number };

// CommonJS, run with `eval: true` in the worker: no file to resolve from src/ or dist/.
const WORKER = String.raw`
const { workerData } = require('node:worker_threads');
const net = require('node:net');
const { req, flag, port } = workerData;
const flagArr = new Int32Array(flag);

function get(p, path, timeoutMs) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const secs = () => Number(process.hrtime.bigint() - t0) / 1e9;
    let done = false;
    let buf = '';
    const sock = net.connect({ host: '127.0.0.1', port: p });
    const finish = (r) => { if (done) return; done = true; clearTimeout(timer); sock.destroy(); resolve({ ...r, seconds: secs() }); };
    const timer = setTimeout(() => finish({ status: 0, error: 'no answer within ' + timeoutMs / 1000 + ' s' }), timeoutMs);
    sock.setEncoding('latin1');
    sock.on('connect', () => sock.write('GET ' + path + ' HTTP/1.1\r\nHost: 127.0.0.1:' + p + '\r\nUser-Agent: pyship-smoke\r\nConnection: close\r\n\r\n'));
    sock.on('data', (d) => {
      buf += d;
      const m = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(buf);
      if (m) finish({ status: Number(m[1]) });
      else if (buf.length > 64 && !buf.startsWith('HTTP/')) finish({ status: 0, error: 'not an HTTP response' });
    });
    sock.on('error', (e) => finish({ status: 0, error: e.code || e.message }));
    sock.on('close', () => finish({ status: 0, error: 'connection closed without a response' }));
  });
}

async function main() {
  if (req.kind === 'get') return get(req.port, req.path, req.timeoutMs);
  // A slow client: connect, send half a request, keep the connection open.
  const slow = net.connect({ host: '127.0.0.1', port: req.port });
  let closed = false;
  slow.on('error', () => { closed = true; });
  slow.on('close', () => { closed = true; });
  slow.on('connect', () => slow.write('GET ' + req.path + ' HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: '));
  await new Promise((r) => setTimeout(r, req.holdMs));
  const r = await get(req.port, req.path, req.timeoutMs);
  const heldOpen = !closed;
  slow.destroy();
  return { get: r, heldOpen };
}

main().then(
  (result) => { port.postMessage({ result }); },
  (e) => { port.postMessage({ error: String(e && e.message || e) }); },
).finally(() => { Atomics.store(flagArr, 0, 1); Atomics.notify(flagArr, 0); });
`;

function runProbe<T>(req: ProbeRequest, boundMs: number): T {
  const flag = new SharedArrayBuffer(4);
  const flagArr = new Int32Array(flag);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER, { eval: true, workerData: { req, flag, port: port2 }, transferList: [port2] });
  worker.unref();
  try {
    Atomics.wait(flagArr, 0, 0, boundMs);
    const msg = receiveMessageOnPort(port1)?.message as { result?: T; error?: string } | undefined;
    if (!msg) throw new Error(`HTTP probe did not finish within ${boundMs / 1000} s`);
    if (msg.error !== undefined || msg.result === undefined) throw new Error(`HTTP probe failed: ${msg.error ?? 'no result'}`);
    return msg.result;
  } finally {
    port1.close();
    void worker.terminate();
  }
}

/** GET http://127.0.0.1:PORT/PATH; never throws for network failures (status 0 + error). */
export function httpGet(port: number, path: string, timeoutMs: number): GetResult {
  try {
    return runProbe<GetResult>({ kind: 'get', port, path, timeoutMs }, timeoutMs + 5000);
  } catch (e) {
    return { status: 0, seconds: timeoutMs / 1000, error: (e as Error).message };
  }
}

/** Hold a half-sent request open on one connection for holdMs, then GET the path on another and time it. */
export function getWhileHeld(port: number, path: string, holdMs: number, timeoutMs: number): HeldResult {
  try {
    return runProbe<HeldResult>({ kind: 'held', port, path, timeoutMs, holdMs }, holdMs + timeoutMs + 5000);
  } catch (e) {
    return { get: { status: 0, seconds: timeoutMs / 1000, error: (e as Error).message }, heldOpen: false };
  }
}
