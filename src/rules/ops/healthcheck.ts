// OPS008: a server image declares a HEALTHCHECK, in exec form, with a tool the image really has.
import { defineRule } from '../../lint/rule.js';
import type { Dockerfile, Instruction } from '../../dockerfile/model.js';
import { runScript } from '../../dockerfile/shell.js';
import { aptCall } from '../../dockerfile/commands.js';
import { chainInstructions, finalStage, lastInChain, rootBase, serverOf } from '../../dockerfile/query.js';
import { copyParts } from '../../dockerfile/image-files.js';
import { osFamily, startSites } from './_scripts.js';
import { deploymentsOf } from '../../project/runtime.js';
import { healthRoutes, routeTable } from '../../project/routes.js';
import type { ScopeChecks } from '../../lint/rule.js';
import { NOT_HTTP_ROW, seconds, secs } from '../../runtime/record.js';
import type { Project } from '../../project/model.js';

/** A server in an image's command line (its ENTRYPOINT and CMD joined). */
const IMAGE_SERVERS = /(^|[\s/"'])(gunicorn|uvicorn|uwsgi|hypercorn|daphne|waitress-serve|granian|runserver|http\.server|flask)(\s|$|["'])/;

/** Servers that answer HTTP (celery is a worker, not a server). */
const HTTP = new Set(['gunicorn', 'uvicorn', 'uwsgi', 'hypercorn', 'daphne', 'waitress', 'granian', 'http.server', 'runserver', 'flask-run', 'streamlit', 'fastapi-run']);

/**
 * The check to suggest, in exec form with Python's standard library. A route is named only when the project has one
 * (its full path, from the route table); otherwise any HTTP answer below 500 proves the server is up, so the advice
 * never sends users to a `/health` that does not exist.
 */
function pyCheck(port: string, path?: string): string {
  const code = path
    ? `import urllib.request; urllib.request.urlopen('http://127.0.0.1:${port}${path}', timeout=4)`
    : `import http.client, sys; c = http.client.HTTPConnection('127.0.0.1', ${port}, timeout=4); c.request('GET', '/'); sys.exit(c.getresponse().status >= 500)`;
  return `\`HEALTHCHECK CMD ["python", "-c", "${code}"]\``;
}

/** The project's best health route (project mode), or undefined. */
function healthRouteOf(project: Project | undefined): string | undefined {
  if (!project) return undefined;
  return healthRoutes(routeTable(project)).find((r) => r.resolved && !r.auth)?.path;
}

const SYSTEM_DIRS = /^\/(usr(\/local)?(\/s?bin)?|s?bin|opt)?\/?$/;

/**
 * Could the chain have put curl/wget in the image in a way the Dockerfile does not spell out: a script run by RUN
 * (`/deps/install_deps.sh`), packages from a variable or a file, or a COPY --from into a system directory?
 */
function opaqueInstalls(df: Dockerfile, chain: Instruction[]): boolean {
  for (const i of chain) {
    if (i.keyword === 'COPY' || i.keyword === 'ADD') {
      if (!i.flags.some((f) => f.name === 'from')) continue;
      const parts = copyParts(i, df.escape);
      if (!parts || SYSTEM_DIRS.test(parts.dest)) return true;
      continue;
    }
    if (i.keyword !== 'RUN') continue;
    const script = runScript(i);
    if (!script) return true;
    for (const c of script.commands) {
      if (c.substitution) continue;
      const prog = c.argv[0]?.value ?? '';
      if (/\.(sh|bash)$/.test(c.name)) return true;
      if (['sh', 'bash', 'dash', 'ash', 'source', '.'].includes(c.name) && c.argv.length > 1 && !c.argv.slice(1).some((w) => /^-[a-z]*c[a-z]*$/.test(w.value))) return true;
      if (prog.includes('/') && !/\/s?bin\/[^/]+$/.test(prog) && !/python|pip/.test(c.name)) return true;
      const apt = aptCall(c);
      if (apt && apt.packages.some((w) => w.dynamic)) return true;
      if (/^(apk|dnf|yum|microdnf)$/.test(c.name) && c.argv.some((w) => w.dynamic)) return true;
      if (c.name === 'xargs' || c.wrappers.includes('xargs')) return true;
    }
  }
  return false;
}

/** The TCP port the image EXPOSEs, for the suggested check (8000 when it names none). */
function hcPort(chain: Instruction[]): string {
  for (const i of chain) {
    if (i.keyword !== 'EXPOSE') continue;
    const port = i.words.map((w) => /^(\d+)(\/tcp)?$/i.exec(w.value)?.[1]).find((x) => x !== undefined);
    if (port) return port;
  }
  return '8000';
}

/**
 * In a running container (`pyship smoke`): the image's HEALTHCHECK run once, and an HTTP server's health path asked
 * from the host. An image with nothing listening is no HTTP server: its HEALTHCHECK alone decides, and the HTTP checks
 * are skipped.
 */
const runtime: ScopeChecks = {
  checkRuntime({ record: r, settings, report, note }) {
    if (r.exited) return;
    const hc = r.healthcheckRun;
    if (hc && hc.code !== 0) report(`the HEALTHCHECK command ${hc.timedOut ? 'timed out' : `exits ${hc.code}`}${hc.output ? `: ${hc.output}` : ''}`);
    if (!r.http) {
      const what = `${r.customCmd ? 'with --cmd, ' : 'no EXPOSE and '}nothing listening within ${secs(r.windowMs)} s: a non-HTTP image`;
      if (r.hasHealthcheck && !r.customCmd) {
        note(`${what}; OPS008 judged by its HEALTHCHECK${r.readyMs === undefined ? ' (not healthy in that time)' : ''}, HTTP checks (OPS009, APP004, APP008) skipped`);
      } else {
        const own = r.hasHealthcheck ? "; the image's HEALTHCHECK is not judged with --cmd (it may belong to the image's own CMD)" : '';
        note(`${what}; HTTP checks (OPS008, OPS009, APP004, APP008) skipped${own}`);
      }
    } else if (r.readyMs === undefined && r.healthcheckExit === undefined) {
      const last = r.lastAnswer ? (r.lastAnswer.status ? `HTTP ${r.lastAnswer.status}` : r.lastAnswer.error ?? 'no answer') : 'no published port to ask';
      const wanted = settings.liveness ? 'answer below 500 (no health path is configured: any answer says the server is up)' : '2xx answer';
      report(`health path ${settings.healthPath} gave no ${wanted} from 127.0.0.1 within ${secs(r.windowMs)} s (last: ${last})`);
    }
  },
  runtimeRows({ figures: f, settings }) {
    if (f.http) {
      const via = f.healthyVia === 'http' ? `GET ${settings.healthPath} answered ${settings.liveness ? 'below 500' : '2xx'}` : f.healthyVia === 'healthcheck' ? 'HEALTHCHECK passed' : 'never';
      const hc = f.healthcheckExit !== undefined ? `; HEALTHCHECK command exit ${f.healthcheckExit}` : '';
      return [{ label: 'healthy', value: `${via}${hc}` }];
    }
    if (f.healthcheckExit === undefined) return [NOT_HTTP_ROW];
    const via = f.healthyVia === 'healthcheck' ? `HEALTHCHECK passed after ${seconds(f.secondsToHealthy)}` : 'not healthy in the start window';
    return [{ label: 'healthy (HEALTHCHECK)', value: `${via}; command exit ${f.healthcheckExit}${f.healthStatus ? `; engine: ${f.healthStatus}` : ''}` }];
  },
  runtimeExamples: [
    {
      bad: { http: true, windowMs: 30_000, lastAnswer: { status: 503 } },
      good: { http: true, readyMs: 620, secondsToHealthy: 0.62, healthyVia: 'http' },
    },
    {
      // a worker: no EXPOSE, nothing listening; its HEALTHCHECK decides
      bad: { hasHealthcheck: true, healthcheckExit: 1, healthcheckRun: { code: 1, timedOut: false, output: 'heartbeat is stale' }, windowMs: 30_000 },
      good: { hasHealthcheck: true, readyMs: 810, healthcheckExit: 0, healthcheckRun: { code: 0, timedOut: false, output: '' }, windowMs: 810 },
    },
  ],
};

export default defineRule({
  code: 'OPS008',
  name: 'healthcheck',
  title: 'Health checks',
  area: 'ops',
  severity: 'warning',
  scope: ['D', 'I', 'R'],
  sources: ['trivy:DS-0026', 'checkov:CKV_DOCKER_2', 'dockle:CIS-DI-0006'],
  why: `Without a health check, Docker (and Swarm, compose \`depends_on: condition: service_healthy\`, ECS…) only knows
whether the process is alive, not whether it answers: a deadlocked or wedged server stays "running" forever. A server
image — one that EXPOSEs a port or starts gunicorn, uvicorn, uwsgi, hypercorn, daphne, waitress, granian,
\`http.server\`, \`runserver\` or \`flask run\` — should declare \`HEALTHCHECK\`, or \`HEALTHCHECK NONE\` to opt out on
purpose (for example when Kubernetes probes do the job). A HEALTHCHECK inherited through \`FROM <stage>\` counts, and in
project mode so do liveness/readiness/startup probes on the Kubernetes, Knative or Cloud Run containers that run the
project's image.

Check what exists: the app's own health route with its full path (router and blueprint prefixes included), or,
when it has none, any HTTP answer below 500 (a 404 from \`/\` still means the server is up). A check of a \`/health\`
the app does not have marks a working container unhealthy forever.

Write it in exec form where the image may have no shell: the shell form runs through \`/bin/sh -c\`, which distroless
and custom bases may lack (Debian, Alpine and RHEL bases, slim ones included, have it, so there it is not flagged);
a Python probe is suggested only where the image has Python. And use a tool the image has: \`curl\` and \`wget\` are not in slim or distroless images (Alpine has busybox \`wget\` only), so a
\`curl -f …\` check on \`python:3.13-slim\` fails forever and the container is marked unhealthy. A Python
\`urllib\` one-liner works everywhere Python does.

Unlike trivy DS-0026 and checkov CKV_DOCKER_2, pyship does not ask for a HEALTHCHECK in images that serve nothing
(batch jobs, CLIs, build stages).`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nEXPOSE 8000\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n',
      good: `FROM python:3.13-slim-trixie\nEXPOSE 8000\nHEALTHCHECK CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:8000/health')"]\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n`,
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nHEALTHCHECK CMD curl -f http://localhost:8000/health || exit 1\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n',
      good: 'FROM python:3.13-slim-trixie\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\nHEALTHCHECK CMD ["curl", "-f", "http://localhost:8000/health"]\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n',
    },
    {
      bad: 'FROM python:3.13-alpine3.22\nHEALTHCHECK CMD ["curl", "-f", "http://localhost:8000/health"]\nCMD ["uvicorn", "app:app", "--host", "0.0.0.0"]\n',
      good: 'FROM python:3.13-alpine3.22\nHEALTHCHECK CMD ["wget", "-q", "--spider", "http://localhost:8000/health"]\nCMD ["uvicorn", "app:app", "--host", "0.0.0.0"]\n',
    },
    {
      // an API with no health route: liveness by any answer below 500, not a request for a /health that is not there
      bad: 'FROM python:3.13-slim-trixie\nEXPOSE 8080\nCMD ["uvicorn", "api:app", "--host", "0.0.0.0", "--port", "8080"]\n',
      good: 'FROM python:3.13-slim-trixie\nEXPOSE 8080\nHEALTHCHECK CMD ["python", "-c", "import http.client, sys; c = http.client.HTTPConnection(\'127.0.0.1\', 8080, timeout=4); c.request(\'GET\', \'/\'); sys.exit(c.getresponse().status >= 500)"]\nCMD ["uvicorn", "api:app", "--host", "0.0.0.0", "--port", "8080"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie AS base\nEXPOSE 8000\nFROM base\nCMD ["python", "-m", "http.server", "8000"]\n',
      good: 'FROM python:3.13-slim-trixie AS base\nHEALTHCHECK NONE\nFROM base\nEXPOSE 8000\nCMD ["python", "-m", "http.server", "8000"]\n',
    },
    {
      // the shell form needs /bin/sh: distroless has none, a slim Debian base has dash
      bad: 'FROM gcr.io/distroless/python3-debian12\nEXPOSE 8000\nHEALTHCHECK CMD python3 -c "import urllib.request; urllib.request.urlopen(\'http://localhost:8000/up\')"\nCMD ["app.py"]\n',
      good: 'FROM python:3.13-slim-trixie\nEXPOSE 8000\nHEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen(\'http://localhost:8000/up\')"\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n',
    },
  ],
  ...runtime,
  check({ dockerfile: df, project, report }) {
    const final = finalStage(df);
    if (!final || final.base.scratch) return;
    const os = osFamily(df, final);
    if (os?.family === 'windows') return;
    const chain = chainInstructions(df, final);
    const expose = chain.find((i) => i.keyword === 'EXPOSE' && i.args.trim() !== '');
    const server = startSites(df, project).map((s) => serverOf(s.cmd)).find((s) => s !== undefined && HTTP.has(s));
    const hc = lastInChain(df, final, 'HEALTHCHECK');
    if (!hc) {
      if (!expose && !server) return;
      // project mode: Kubernetes / Knative / Cloud Run probes on the project's containers do the job
      if (project && deploymentsOf(project, df.path).containers.some((c) => c.probes.length > 0)) return;
      const why = server ? `starts \`${server === 'flask-run' ? 'flask run' : server === 'fastapi-run' ? 'fastapi run' : server}\`` : `EXPOSEs \`${expose!.args.trim()}\``;
      // suggest an HTTP probe only where HTTP is likely: a known HTTP server or a TCP port (on that port)
      const tcpPort = expose?.words.map((w) => /^(\d+)(\/tcp)?$/i.exec(w.value)?.[1]).find((p) => p !== undefined);
      const route = healthRouteOf(project);
      // a Python probe only where the image has Python: a Python server, or a python base image
      const advice = (server || tcpPort) && (server !== undefined || os?.python === true)
        ? `add ${pyCheck(tcpPort ?? '8000', route)}, ${route ? `which requests the app's health route ${route}` : 'which needs no health route: any answer below 500 means the server is up'}`
        : 'add a `HEALTHCHECK` that probes the service';
      report({
        span: final.from.span,
        message: `the image ${why} but has no \`HEALTHCHECK\`: a hung server still counts as running; ${advice} (or \`HEALTHCHECK NONE\` to opt out)`,
      });
      return;
    }
    if (/^none$/i.test(hc.args.trim())) return;
    if (!expose && !server) return; // a health check on a non-server is its author's business
    // Debian, Alpine and RHEL bases (slim included) have `/bin/sh`: there the shell form works
    const hasSh = os !== undefined && os.family !== 'distroless';
    if (!hc.json && !hasSh && /^cmd\s/i.test(hc.args.trim())) {
      report({
        span: hc.argsSpan,
        message: '`HEALTHCHECK` in shell form runs through `/bin/sh -c`, which a distroless or custom base may lack: use the exec form `HEALTHCHECK CMD ["…"]`',
      });
    }
    // curl/wget the base image does not have and nothing installs
    const script = runScript(hc);
    if (!script || !os) return;
    const root = rootBase(df, final).base;
    const baseName = root.resolved ?? root.raw;
    const lacks = (tool: 'curl' | 'wget'): boolean => {
      if (os.family === 'distroless') return true;
      if (os.family === 'alpine') return tool === 'curl';
      if (os.family === 'debian') return os.slim || !os.python;
      return false;
    };
    if (opaqueInstalls(df, chain)) return;
    for (const tool of ['curl', 'wget'] as const) {
      const use = script.commands.find((c) => c.name === tool);
      if (!use || !lacks(tool)) continue;
      const mentioned = chain.some((i) => (i.keyword === 'RUN' || i.keyword === 'COPY' || i.keyword === 'ADD' || i.keyword === 'ONBUILD') && new RegExp(`\\b${tool}\\b`).test(i.args + i.heredocs.map((h) => h.content).join('\n')));
      if (mentioned) continue;
      report({
        span: use.argv[0]?.span ?? use.span,
        message: `\`HEALTHCHECK\` runs \`${tool}\`, which \`${baseName}\` does not include and no RUN installs: the check always fails; use Python's standard library (${pyCheck(hcPort(chain), healthRouteOf(project))}) or install ${tool}`,
      });
    }
  },
  imageExamples: [
    {
      bad: { config: { exposedPorts: ['8000/tcp'], cmd: ['gunicorn', '-b', '0.0.0.0:8000', 'app:app'] }, history: [{ by: 'COPY . /app', files: [{ path: 'app/app.py', size: 100 }] }] },
      good: {
        config: { exposedPorts: ['8000/tcp'], cmd: ['gunicorn', '-b', '0.0.0.0:8000', 'app:app'], healthcheck: { test: ['CMD', 'python', '-c', 'import urllib.request; urllib.request.urlopen("http://127.0.0.1:8000/")'] } },
        history: [{ by: 'ADD file:4a1b in /', files: [{ path: 'usr/bin/python', size: 5000, mode: 0o755 }] }, { by: 'COPY . /app', files: [{ path: 'app/app.py', size: 100 }] }],
      },
    },
    {
      bad: { config: { healthcheck: { test: ['CMD', 'curl', '-f', 'http://localhost:8000/'] } }, history: [{ by: 'ADD file:4a1b in /', files: [{ path: 'usr/bin/python', size: 5000, mode: 0o755 }] }] },
      good: { config: { healthcheck: { test: ['CMD', 'python', '-c', 'import urllib.request; urllib.request.urlopen("http://127.0.0.1:8000/")'] } }, history: [{ by: 'ADD file:4a1b in /', files: [{ path: 'usr/bin/python', size: 5000, mode: 0o755 }] }] },
    },
  ],
  checkImage({ image, report }) {
    const cfg = image.config;
    const server = cfg.exposedPorts.length > 0 || IMAGE_SERVERS.test(image.command.join(' '));
    const hc = cfg.healthcheck;
    if (!hc || hc.test.length === 0) {
      if (server) report({ at: 'healthcheck', message: `server image (${cfg.exposedPorts.length > 0 ? `exposes ${cfg.exposedPorts.join(', ')}` : 'runs a server'}) without a HEALTHCHECK: add one in exec form with python's urllib` });
      return;
    }
    if (hc.test[0] === 'NONE') return;
    const shell = hc.test[0] === 'CMD-SHELL';
    const words = shell ? (hc.test[1] ?? '').split(/[\s;&|()]+/).filter(Boolean) : hc.test.slice(1);
    const bins = new Set<string>();
    if (!shell && words[0]) bins.add(words[0]);
    for (const w of words) if (w === 'curl' || w === 'wget' || /\/(curl|wget)$/.test(w)) bins.add(w);
    for (const b of bins) {
      if (image.resolveBinary(b) === undefined) report({ at: 'healthcheck', message: `HEALTHCHECK runs ${b}, which the image does not contain: the check always fails (use python -c with urllib)` });
    }
    if (shell) {
      if (image.resolveBinary('/bin/sh') === undefined) report({ at: 'healthcheck', message: 'HEALTHCHECK in shell form, but the image has no /bin/sh' });
      else report({ at: 'healthcheck', message: 'HEALTHCHECK in shell form (CMD-SHELL): use the exec form ["CMD", …]', severity: 'info' });
    }
  },
});
