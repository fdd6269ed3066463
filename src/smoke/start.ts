// The start window of `pyship smoke`: poll the new container (bounded) until it answers, exits, or the window ends.
import { EXEC_TIMEOUT_MS, now, POLL_MS, sleep, type Container } from './container.js';
import { httpGet, type GetResult } from './http.js';
import { healthcheckArgv, obj, type ImageConfig } from './inspect.js';
import type { ListeningSocket } from './procfs.js';

export interface StartWindow {
  /** Path the health checks request. */
  healthPath: string;
  /** How long an HTTP-looking image may take to answer (ms). */
  startTimeoutMs: number;
  /** How long another image gets to start listening (ms). */
  listenWindowMs: number;
  /** `--cmd` given: the image's EXPOSE/HEALTHCHECK may belong to another process. */
  cmd?: string[];
  /** No health path configured: any answer below 500 counts. */
  liveness: boolean;
}

export interface StartOutcome {
  readyMs?: number;
  via?: 'http' | 'healthcheck';
  lastHttp?: GetResult;
  exited?: { code: number; ms: number };
  sockets: ListeningSocket[];
  windowMs: number;
}

/**
 * Poll (bounded) until the app answers: HTTP 2xx on a published port, or the HEALTHCHECK says healthy. An image with a
 * HEALTHCHECK, no EXPOSE and nothing listening (a worker) also gets its HEALTHCHECK command run about once a second,
 * so a healthy worker is not kept waiting for the engine's first --interval.
 */
export function awaitStart(c: Container, cfg: ImageConfig, host: Record<number, number>, o: StartWindow): StartOutcome {
  // With --cmd the image's EXPOSE/HEALTHCHECK may belong to another process (a worker smoked from a web image):
  // it gets the short listen window, extended to the start timeout once it listens.
  const httpLike = o.cmd === undefined && (cfg.exposed.length > 0 || cfg.healthcheck !== undefined);
  let deadline = c.started + (httpLike ? o.startTimeoutMs : o.listenWindowMs);
  const hostPorts = cfg.exposed.map((p) => host[p]).filter((p): p is number => p !== undefined);
  let sockets: ListeningSocket[] = [];
  let lastHttp: GetResult | undefined;
  let unreachableSince: number | undefined;
  const workerCheck = o.cmd === undefined && cfg.exposed.length === 0 && cfg.healthcheck ? healthcheckArgv(cfg.healthcheck) : undefined;
  let nextWorkerCheck = c.started;
  for (let i = 0; i < 10_000 && now() < deadline; i++) {
    const state = c.state();
    if (state.Running !== true) {
      return { exited: { code: Number(state.ExitCode ?? -1), ms: now() - c.started }, sockets, lastHttp, windowMs: now() - c.started };
    }
    for (const p of hostPorts) {
      const r = httpGet(p, o.healthPath, 2000);
      if (r.status >= 200 && r.status < (o.liveness ? 500 : 300)) return { readyMs: now() - c.started, via: 'http', lastHttp: r, sockets: c.listening(), windowMs: now() - c.started };
      lastHttp = r;
    }
    if (obj(state.Health).Status === 'healthy') return { readyMs: now() - c.started, via: 'healthcheck', lastHttp, sockets: c.listening(), windowMs: now() - c.started };
    sockets = c.listening();
    if (sockets.length > 0) deadline = Math.max(deadline, c.started + o.startTimeoutMs);
    if (sockets.length > 0) {
      const reachable = sockets.some((s) => !s.loopback && cfg.exposed.includes(s.port));
      if (!reachable) {
        // Listening where the host cannot reach (loopback, or a port not EXPOSEd): ask the HEALTHCHECK itself.
        const argv = cfg.healthcheck ? healthcheckArgv(cfg.healthcheck) : undefined;
        if (argv && c.exec(argv).code === 0) return { readyMs: now() - c.started, via: 'healthcheck', lastHttp, sockets, windowMs: now() - c.started };
        unreachableSince ??= now();
        if (!argv && now() - unreachableSince > 1000) break;
      }
    } else if (workerCheck && now() >= nextWorkerCheck) {
      if (c.exec(workerCheck, Math.min(EXEC_TIMEOUT_MS, Math.max(1000, deadline - now()))).code === 0) {
        return { readyMs: now() - c.started, via: 'healthcheck', lastHttp, sockets, windowMs: now() - c.started };
      }
      nextWorkerCheck = now() + 1000;
    }
    sleep(POLL_MS);
  }
  const state = c.state();
  if (state.Running !== true) return { exited: { code: Number(state.ExitCode ?? -1), ms: now() - c.started }, sockets, lastHttp, windowMs: now() - c.started };
  return { sockets: sockets.length > 0 ? sockets : c.listening(), lastHttp, windowMs: now() - c.started };
}
