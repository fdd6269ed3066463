// Server configuration files: the server reads PORT, worker counts and log destinations from the environment, so the
// Dockerfile's CMD stays a plain exec-form command (no shell needed to expand ${PORT:-8000}).
import type { TemplateSpec } from './spec.js';

const head = (what: string): string => `# Written by pyship init: ${what}. Every value can be changed at run time through the environment.\n`;

function gunicorn(s: TemplateSpec): string {
  const asgi = s.app?.interface === 'asgi' || s.app?.interface === 'aiohttp';
  const worker = s.app?.interface === 'aiohttp' ? ['aiohttp app: aiohttp\'s worker class', 'aiohttp.GunicornWebWorker'] : ['ASGI app: uvicorn\'s worker class', 'uvicorn.workers.UvicornWorker'];
  return `${head('gunicorn settings (https://docs.gunicorn.org/en/stable/settings.html)')}import os

# listen on every interface of the container, on $PORT
bind = f"0.0.0.0:{os.environ.get('PORT', '${s.port}')}"
${asgi
    ? `# ${worker[0]}; one event loop per worker
worker_class = "${worker[1]}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))`
    : `# threads: a slow client or a health check never waits behind one busy worker
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))`}
# the heartbeat file lives in memory, not on the container's (possibly slow or read-only) disk
worker_tmp_dir = "/dev/shm"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# SIGTERM from \`docker stop\`: finish in-flight requests, well within the 10 s before SIGKILL
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "5"))
keepalive = 5
# logs to stdout/stderr, where \`docker logs\` and the platform collect them
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
# behind a load balancer that sets X-Forwarded-*; narrow it if the container is reachable directly
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
`;
}

function uvicornServe(s: TemplateSpec): string {
  const target = `${s.app!.module}:${s.app!.attr.replace(/\(\)$/, '')}`;
  const factory = s.app!.attr.endsWith('()');
  return `${head('starts uvicorn on 0.0.0.0:$PORT (https://www.uvicorn.org/settings/)')}import os

import uvicorn

if __name__ == "__main__":
    uvicorn.run(
        "${target}",${factory ? '\n        factory=True,' : ''}
        host="0.0.0.0",
        port=int(os.environ.get("PORT", "${s.port}")),
        workers=int(os.environ.get("WEB_CONCURRENCY", "1")),
        log_level=os.environ.get("LOG_LEVEL", "info"),
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "*"),
    )
`;
}

function daphneServe(s: TemplateSpec): string {
  return `${head('starts daphne on 0.0.0.0:$PORT')}import os
import sys

from daphne.cli import CommandLineInterface

if __name__ == "__main__":
    sys.exit(CommandLineInterface().run(["--bind", "0.0.0.0", "--port", os.environ.get("PORT", "${s.port}"), "--proxy-headers", "${s.app!.module}:${s.app!.attr}"]))
`;
}

function hypercorn(s: TemplateSpec): string {
  return `${head('hypercorn settings (https://hypercorn.readthedocs.io/en/latest/how_to_guides/configuring.html)')}import os

bind = [f"0.0.0.0:{os.environ.get('PORT', '${s.port}')}"]
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
accesslog = "-"
errorlog = "-"
graceful_timeout = 5
`;
}

function uwsgi(s: TemplateSpec): string {
  const module = `${s.app!.module}:${s.app!.attr.replace(/\(\)$/, '')}`;
  return `${head('uWSGI settings (https://uwsgi-docs.readthedocs.io/en/latest/Options.html)').replace(/^# /gm, '; ')}[uwsgi]
strict = true
master = true
; listen on every interface of the container, on $PORT (the Dockerfile sets PORT=${s.port})
http-socket = 0.0.0.0:$(PORT)
module = ${module}
need-app = true
; each worker loads the app itself (no connections or threads shared across fork), and a fresh WSGI environ per request
lazy-apps = true
wsgi-env-behaviour = holy
; SIGTERM from \`docker stop\` ends uWSGI gracefully instead of reloading it
die-on-term = true
vacuum = true
single-interpreter = true
enable-threads = true
processes = 2
threads = 4
harakiri = 30
; logs go to stdout/stderr (uWSGI's default without logto)
log-x-forwarded-for = true
${s.uwsgiServing && s.uwsgiServing.lines.length > 0 ? `; serving options carried over from the project's own config (static files, routes): relative paths are under /app
${s.uwsgiServing.lines.join('\n')}
` : ''}`;
}

/** `from module import attr` and the expression that gives the app (a factory is called). */
function appImport(s: TemplateSpec): { imports: string; app: string } {
  const attr = s.app!.attr.replace(/\(\)$/, '');
  const top = attr.split('.')[0]!;
  return { imports: `from ${s.app!.module} import ${top}`, app: `${attr}${s.app!.attr.endsWith('()') ? '()' : ''}` };
}

function waitressServe(s: TemplateSpec): string {
  const a = appImport(s);
  return `${head('starts waitress on 0.0.0.0:$PORT (https://docs.pylonsproject.org/projects/waitress/en/stable/arguments.html)')}import os

from waitress import serve

${a.imports}

if __name__ == "__main__":
    serve(
        ${a.app},
        host="0.0.0.0",
        port=int(os.environ.get("PORT", "${s.port}")),
        threads=int(os.environ.get("WAITRESS_THREADS", "4")),
        # behind a load balancer that sets X-Forwarded-*
        trusted_proxy=os.environ.get("FORWARDED_ALLOW_IPS", "*"),
        trusted_proxy_headers="x-forwarded-for x-forwarded-host x-forwarded-proto x-forwarded-port",
    )
`;
}

function granianServe(s: TemplateSpec): string {
  const target = `${s.app!.module}:${s.app!.attr.replace(/\(\)$/, '')}`;
  const factory = s.app!.attr.endsWith('()');
  return `${head('starts granian on 0.0.0.0:$PORT (https://github.com/emmett-framework/granian)')}import os

from granian import Granian
from granian.constants import Interfaces

if __name__ == "__main__":
    Granian(
        "${target}",
        address="0.0.0.0",
        port=int(os.environ.get("PORT", "${s.port}")),
        interface=Interfaces.${s.app!.interface === 'wsgi' ? 'WSGI' : 'ASGI'},
        workers=int(os.environ.get("WEB_CONCURRENCY", "1")),${factory ? '\n        factory=True,' : ''}
    ).serve()
`;
}

function aiohttpServe(s: TemplateSpec): string {
  const a = appImport(s);
  return `${head('starts the aiohttp server on 0.0.0.0:$PORT (https://docs.aiohttp.org/en/stable/deployment.html)')}import os

from aiohttp import web

${a.imports}

if __name__ == "__main__":
    # run_app takes the app, or the coroutine an async factory returns
    web.run_app(${a.app}, host="0.0.0.0", port=int(os.environ.get("PORT", "${s.port}")))
`;
}

/** [path, text] of the server's config file, if the server has one. */
export function serverConfig(s: TemplateSpec): [string, string] | undefined {
  if (!s.server || !s.serverConfig || !s.app) return undefined;
  switch (s.server) {
    case 'gunicorn': return [s.serverConfig, gunicorn(s)];
    case 'uvicorn': return [s.serverConfig, uvicornServe(s)];
    case 'daphne': return [s.serverConfig, daphneServe(s)];
    case 'hypercorn': return [s.serverConfig, hypercorn(s)];
    case 'uwsgi': return [s.serverConfig, uwsgi(s)];
    case 'waitress': return [s.serverConfig, waitressServe(s)];
    case 'granian': return [s.serverConfig, granianServe(s)];
    case 'aiohttp': return [s.serverConfig, aiohttpServe(s)];
  }
}
