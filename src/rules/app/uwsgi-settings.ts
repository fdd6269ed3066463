// APP007: uWSGI's defaults are wrong for containers: load the app in each worker (lazy-apps) or isolate the WSGI env.
import { defineRule } from '../../lint/rule.js';
import { finalStage } from '../../dockerfile/query.js';
import { startedServers, uwsgiSettings } from '../../dockerfile/servers.js';

const TRUE = /^(true|1|yes|on|y|t)$/i;

export default defineRule({
  code: 'APP007',
  name: 'uwsgi-settings',
  title: 'uWSGI in containers',
  area: 'app',
  severity: 'warning',
  scope: ['D', 'P'],
  sources: [],
  why: `By default uWSGI imports the app once in the master and forks the workers from it: connections, threads and
random seeds created at import time are shared by every worker, which corrupts database connections and TLS sessions in
subtle ways. With \`lazy-apps = true\` each worker loads the app itself. Its default \`wsgi-env-behaviour\` also
reuses the WSGI environ dictionary across requests, so data can leak from one request into the next; \`holy\` gives each
request a fresh one.

pyship fires when neither \`--lazy-apps\` nor \`--wsgi-env-behaviour holy\` is set on the command line, in
\`UWSGI_*\` environment variables, or in the ini file (read from a \`COPY <<EOF\` body, or from the project in
project mode; in Dockerfile-only mode an ini it can't see means no finding). The well-known production settings are
also worth having: \`master = true\`, \`need-app = true\`, \`strict = true\`, \`single-interpreter = true\` and
\`die-on-term = true\` (which OPS005 checks). No peer linter checks this.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nCMD ["uwsgi", "--http", ":8000", "--module", "app:app", "--master", "--processes", "4"]\n',
      good: 'FROM python:3.13-slim-trixie\nCMD ["uwsgi", "--http", ":8000", "--module", "app:app", "--master", "--processes", "4", "--lazy-apps", "--need-app", "--strict", "--single-interpreter", "--die-on-term"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nCOPY <<EOF /etc/uwsgi.ini\n[uwsgi]\nhttp = :8000\nmodule = app:app\nmaster = true\nprocesses = 4\nEOF\nCMD ["uwsgi", "--ini", "/etc/uwsgi.ini"]\n',
      good: 'FROM python:3.13-slim-trixie\nCOPY <<EOF /etc/uwsgi.ini\n[uwsgi]\nhttp = :8000\nmodule = app:app\nmaster = true\nprocesses = 4\nwsgi-env-behaviour = holy\nEOF\nCMD ["uwsgi", "--ini", "/etc/uwsgi.ini"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\nCMD ["uwsgi", "--ini", "uwsgi.ini"]\n',
      good: 'FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY . .\nCMD ["uwsgi", "--ini", "deploy/uwsgi.ini"]\n',
      files: {
        'uwsgi.ini': '[uwsgi]\nhttp = :8000\nmodule = app:app\n',
        'deploy/uwsgi.ini': '[uwsgi]\nhttp = :8000\nmodule = app:app\nlazy-apps = true\n',
      },
    },
  ],
  check({ dockerfile: df, mode, project, report }) {
    const final = finalStage(df);
    if (!final) return;
    for (const s of startedServers(df, final, mode === 'project' ? project : undefined)) {
      if (s.server !== 'uwsgi') continue;
      const settings = uwsgiSettings(df, final, s.cmd, s.ctx);
      if (settings.unknown) continue;
      const v = settings.values;
      const lazy = [v.get('lazy-apps'), v.get('lazy')].some((x) => x !== undefined && TRUE.test(x.trim()));
      const holy = [v.get('wsgi-env-behaviour'), v.get('wsgi-env-behavior')].some((x) => x !== undefined && x.trim().toLowerCase() === 'holy');
      if (lazy || holy) continue;
      const missing = ['master', 'need-app', 'strict', 'single-interpreter', 'die-on-term'].filter((k) => !(v.has(k) && TRUE.test(v.get(k)!.trim())));
      const also = missing.length > 0 ? `; also consider ${missing.map((k) => `\`${k}\``).join(', ')}` : '';
      report({
        span: s.span,
        message: `\`uwsgi\` (${s.where}) without \`lazy-apps = true\` or \`wsgi-env-behaviour = holy\`: workers share what the app created at import time${also}`,
      });
    }
  },
});
