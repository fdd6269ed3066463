// The health check init writes: a health route that exists (full path, from the route table), or, without one, a
// liveness check that needs no route (any HTTP answer below 500, or a TCP connect), never an invented `/health`.
import { healthRoutes, type Route } from '../project/routes.js';

export type HealthMode = 'route' | 'any-answer' | 'tcp';

export interface HealthChoice {
  mode: HealthMode;
  /** The path requested: the health route, or `/` for an any-answer check. */
  path: string;
  /** HEALTHCHECK CMD argv, exec form, Python only (slim images have no curl). */
  argv: string[];
  /** The decision's value and evidence. */
  value: string;
  evidence: string[];
  notes: string[];
}

const portExpr = (port: number): string => `os.environ.get("PORT", "${port}")`;

/** GET `path`: fails on a connection error or any answer of 400 and above (urllib follows redirects). */
export const routeArgv = (path: string, port: number): string[] => ['python', '-c',
  `import os, urllib.request; urllib.request.urlopen("http://127.0.0.1:%s${path}" % ${portExpr(port)}, timeout=4)`];

/** GET `/`, redirects not followed: any answer below 500 (a 404, 401, 400 or 301) means the server is up. */
export const anyAnswerArgv = (port: number): string[] => ['python', '-c',
  `import http.client, os, sys; c = http.client.HTTPConnection("127.0.0.1", int(${portExpr(port)}), timeout=4); c.request("GET", "/"); sys.exit(c.getresponse().status >= 500)`];

/** A TCP connect to $PORT: for a server whose protocol pyship does not know. */
export const tcpArgv = (port: number): string[] => ['python', '-c',
  `import os, socket; socket.create_connection(("127.0.0.1", int(${portExpr(port)})), timeout=4).close()`];

const where = (r: Route): string => `${r.file}:${r.line}`;

/**
 * Choose the health check. `forced` is --health-path; `http` false for a process that serves a port with an unknown
 * protocol (a [project.scripts] entry): a TCP connect, unless the code has a health route it then surely serves.
 */
export function chooseHealth(routes: readonly Route[], port: number, opts: { forced?: string; http: boolean }): HealthChoice {
  if (opts.forced !== undefined) {
    const path = opts.forced.startsWith('/') ? opts.forced : `/${opts.forced}`;
    return { mode: 'route', path, argv: routeArgv(path, port), value: path, evidence: ['--health-path'], notes: [] };
  }
  const ranked = healthRoutes(routes);
  const best = ranked.find((r) => r.resolved && !r.auth);
  if (best) {
    const others = ranked.filter((r) => r !== best && r.resolved).slice(0, 3).map((r) => `${r.path} (${where(r)})`);
    return {
      mode: 'route', path: best.path, argv: routeArgv(best.path, port), value: best.path,
      evidence: [`${where(best)} ${best.framework} route ${best.path}`, ...(best.via ?? []).map((v) => `prefix: ${v}`), ...others.map((o) => `also: ${o}`)], notes: [],
    };
  }
  if (!opts.http) {
    return {
      mode: 'tcp', path: '/', argv: tcpArgv(port), value: `TCP connect to $PORT (default ${port})`,
      evidence: ['default: the process serves a port, and pyship cannot tell it speaks HTTP'],
      notes: [`the HEALTHCHECK only connects to port ${port}: if the process speaks HTTP and has a health route, pass --health-path`],
    };
  }
  const notes: string[] = [];
  const unresolved = ranked.find((r) => !r.resolved);
  const guarded = ranked.find((r) => r.auth);
  if (unresolved) notes.push(`found the health route ${unresolved.path} (${where(unresolved)}), but the prefix it is served under comes from ${unresolved.unresolved}, which pyship cannot read without running the code: pass --health-path with its full path to check it`);
  if (guarded) notes.push(`${guarded.path} (${where(guarded)}) asks for authentication, so a health check cannot use it`);
  notes.push('no health route pyship can use: the HEALTHCHECK requests / and accepts any HTTP answer below 500 (a 404 or 401 still means the server is up); add a cheap unauthenticated route (e.g. /health) and pass --health-path to check more');
  return {
    mode: 'any-answer', path: '/', argv: anyAnswerArgv(port), value: 'no health route: any HTTP answer below 500 from /',
    evidence: [unresolved ? `${where(unresolved)} ${unresolved.path}: prefix unknown` : guarded ? `${where(guarded)} ${guarded.path}: needs authentication` : `default: no health-like route among the ${routes.length} routes read`],
    notes,
  };
}
