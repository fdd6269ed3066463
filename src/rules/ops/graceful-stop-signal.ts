// OPS005: `docker stop` must reach the server as a signal it shuts down on, fast and gracefully.
import { defineRule } from '../../lint/rule.js';
import type { Instruction } from '../../dockerfile/model.js';
import type { ShCommand, ShWord } from '../../dockerfile/shell.js';
import { finalStage, lastInChain, serverOf } from '../../dockerfile/query.js';
import { pythonModule } from '../../dockerfile/commands.js';
import { expandWord } from '../../dockerfile/words.js';
import { providerOf } from '../../dockerfile/image-files.js';
import { startSites } from './_scripts.js';
import { resolveIn } from '../../dockerfile/paths.js';
import type { ScopeChecks } from '../../lint/rule.js';
import { seconds, secs } from '../../runtime/record.js';

const KILL = /^(SIG)?KILL$|^9$/i;
/** Signals gunicorn and uvicorn stop on. */
const GRACEFUL = /^(SIG)?(TERM|INT|QUIT)$|^(15|2|3)$/i;
/** Signals uWSGI (without die-on-term) stops on: SIGINT/SIGQUIT kill it; SIGTERM makes it reload. */
const UWSGI_STOP = /^(SIG)?(INT|QUIT)$|^(2|3)$/i;

function signalOf(instr: Instruction): string | undefined {
  const e = expandWord(instr.args.trim(), (n) => instr.state.env.get(n) ?? instr.state.args.get(n) ?? undefined);
  return e.unresolved.length > 0 || e.value === '' ? undefined : e.value;
}

function serverArgv(cmd: ShCommand): ShWord[] {
  const mod = pythonModule(cmd);
  if (!mod) return cmd.argv;
  const i = cmd.argv.findIndex((w, k) => k > 0 && (w.value === mod || w.value === '-m' + mod));
  return i >= 0 ? cmd.argv.slice(i) : cmd.argv;
}

function truthy(v: string | undefined): boolean {
  return v !== undefined && !/^(0|false|no|off|)$/i.test(v.trim());
}

/** `die-on-term` in a uWSGI ini/yaml/json/xml file: true, false (explicitly off) or undefined (absent). */
function dieOnTerm(text: string): boolean | undefined {
  const m = /^\s*die[-_]on[-_]term\s*[=:]\s*(\S*)/im.exec(text) ?? /<die[-_]on[-_]term\s*\/?>\s*([^<]*)/i.exec(text) ?? /"die[-_]on[-_]term"\s*:\s*"?([^",}\s]*)/i.exec(text);
  if (m) return m[1] === '' || truthy(m[1]);
  if (/^\s*die[-_]on[-_]term\s*$/im.test(text)) return true;
  return undefined;
}

/** In a running container (`pyship smoke` ends it with `docker stop`): how long stopping took. */
const runtime: ScopeChecks = {
  checkRuntime({ record: r, settings, report }) {
    const stop = r.stop;
    if (r.exited || !stop || stop.ms / 1000 <= settings.stopTimeout) return;
    const killed = r.stopExitCode === 137 || stop.ms >= stop.graceSeconds * 1000 - 500 ? `: SIGTERM was ignored and it was killed (SIGKILL after ${stop.graceSeconds} s)` : '';
    report(`docker stop took ${secs(stop.ms)} s (> ${settings.stopTimeout} s)${r.pid1 ? `, PID 1 is ${r.pid1}` : ''}${killed}`);
  },
  runtimeRows: ({ figures: f, settings }) => [{
    label: 'seconds to stop',
    value: f.secondsToStop === undefined ? '-' : `${seconds(f.secondsToStop)} (limit ${settings.stopTimeout} s${f.stopExitCode !== undefined ? `, exit ${f.stopExitCode}` : ''})`,
    judged: f.secondsToStop !== undefined,
  }],
  runtimeExamples: [
    {
      bad: { pid1: 'sh', stop: { ms: 10_240, graceSeconds: 10 }, secondsToStop: 10.24, stopExitCode: 137 },
      good: { pid1: 'tini', stop: { ms: 310, graceSeconds: 10 }, secondsToStop: 0.31, stopExitCode: 0 },
    },
  ],
};

export default defineRule({
  code: 'OPS005',
  name: 'graceful-stop-signal',
  title: 'Fast shutdown',
  area: 'ops',
  severity: 'warning',
  scope: ['D', 'R'],
  sources: [],
  why: `\`docker stop\` (and Kubernetes) sends the image's STOPSIGNAL, waits (10 s by default) and then sends SIGKILL.
\`STOPSIGNAL SIGKILL\` skips the graceful part: in-flight requests are cut and nothing is flushed. A signal the server
does not treat as "stop" is as bad and slower: gunicorn reloads on SIGHUP and ignores SIGWINCH, so the container sits
out the full timeout before it is killed; gunicorn and uvicorn stop on SIGTERM (graceful), SIGINT and SIGQUIT.

uWSGI is the odd one: without \`--die-on-term\` (or \`die-on-term = true\` in its ini, checked in project mode) it
treats SIGTERM as "reload" and never exits on \`docker stop\`. Add \`--die-on-term\`, or set \`STOPSIGNAL SIGQUIT\`/
\`SIGINT\`. When uWSGI reads a config file pyship cannot see (Dockerfile-only mode), it is not flagged.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nSTOPSIGNAL SIGKILL\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n',
      good: 'FROM python:3.13-slim-trixie\nSTOPSIGNAL SIGTERM\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nSTOPSIGNAL SIGHUP\nCMD ["uvicorn", "app:app", "--host", "0.0.0.0"]\n',
      good: 'FROM python:3.13-slim-trixie\nSTOPSIGNAL SIGINT\nCMD ["uvicorn", "app:app", "--host", "0.0.0.0"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nCMD ["uwsgi", "--http", ":8000", "--module", "app.wsgi"]\n',
      good: 'FROM python:3.13-slim-trixie\nCMD ["uwsgi", "--http", ":8000", "--module", "app.wsgi", "--die-on-term"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nCOPY uwsgi.ini /etc/uwsgi.ini\nCMD ["uwsgi", "--ini", "/etc/uwsgi.ini"]\n',
      good: 'FROM python:3.13-slim-trixie\nCOPY uwsgi.ini /etc/uwsgi.ini\nSTOPSIGNAL SIGQUIT\nCMD ["uwsgi", "--ini", "/etc/uwsgi.ini"]\n',
      files: { 'uwsgi.ini': '[uwsgi]\nhttp = :8000\nmodule = app.wsgi\nmaster = true\n' },
    },
  ],
  ...runtime,
  check({ dockerfile: df, project, report }) {
    const final = finalStage(df);
    if (!final) return;
    const stop = lastInChain(df, final, 'STOPSIGNAL');
    const signal = stop ? signalOf(stop) : undefined;
    if (stop && signal !== undefined && KILL.test(signal)) {
      report({ span: stop.argsSpan, message: `\`STOPSIGNAL ${signal}\` kills the app without a graceful shutdown: in-flight requests are cut; use \`SIGTERM\` (the default)` });
      return;
    }
    const sites = startSites(df, project);
    const seen = new Set<string>();
    for (const site of sites) {
      const server = serverOf(site.cmd);
      if (!server) continue;
      if ((server === 'gunicorn' || server === 'uvicorn') && stop && signal !== undefined && !GRACEFUL.test(signal)) {
        if (seen.has(server)) continue;
        seen.add(server);
        report({ span: stop.argsSpan, message: `\`STOPSIGNAL ${signal}\` is not a stop signal for \`${server}\` (TERM, INT or QUIT are): \`docker stop\` waits out its timeout and then kills it` });
        continue;
      }
      if (server !== 'uwsgi') continue;
      if (signal !== undefined && UWSGI_STOP.test(signal)) continue;
      if (stop && signal === undefined) continue; // STOPSIGNAL from an unresolved ARG
      const argv = serverArgv(site.cmd);
      const flags = argv.slice(1).map((w) => w.value);
      const flag = flags.find((v) => /^--die-on-term(=|$)/.test(v));
      if (flag) {
        if (flag === '--die-on-term' || truthy(flag.slice('--die-on-term='.length))) continue;
      }
      if (truthy(site.env.get('UWSGI_DIE_ON_TERM'))) continue;
      // config files uWSGI reads: --ini/--yaml/--json/--xml, a lone positional config, UWSGI_INI
      const configs: string[] = [];
      for (let i = 1; i < argv.length; i++) {
        const v = argv[i]!.value;
        const m = /^--(ini|yaml|yml|json|xml|include|inherit)(=(.*))?$/.exec(v);
        if (m) {
          const path = m[3] ?? argv[i + 1]?.value;
          if (path !== undefined) configs.push(path);
          if (!m[2]) i++;
        } else if (!v.startsWith('-') && /\.(ini|ya?ml|json|xml)$/.test(v)) configs.push(v);
      }
      if (site.env.get('UWSGI_INI')) configs.push(site.env.get('UWSGI_INI')!);
      if (configs.length > 0) {
        // Dockerfile-only mode: the config may set die-on-term; project mode reads it
        if (!project) continue;
        let verdict: boolean | undefined;
        let unknown = false;
        for (const c of configs) {
          if (c.includes('$') || /^https?:/.test(c)) {
            unknown = true;
            continue;
          }
          const target = resolveIn(site.cd ? undefined : site.instr.state.workdir, c.replace(/:[^/]*$/, ''));
          const prov = providerOf(df, final, target, project);
          const text = prov && !prov.uncertain && prov.contextPath !== undefined ? project.read(prov.contextPath) : prov?.heredoc?.content;
          if (text === undefined || /^\s*(ini|include|inherit|yaml|json|xml)\s*[=:]/im.test(text) || site.cd) {
            unknown = true;
            continue;
          }
          const d = dieOnTerm(text);
          if (d !== undefined) verdict = d;
        }
        if (verdict === true || (unknown && verdict === undefined)) continue;
      }
      const span = site.anchor ?? (argv[0] ?? site.cmd.argv[0]!).span;
      const where = site.where ? ` (${site.where})` : '';
      const stopNote = stop && signal !== undefined ? ` and \`STOPSIGNAL ${signal}\`` : '';
      report({ span, message: `\`uwsgi\` without \`--die-on-term\`${stopNote}${where}: it reloads on SIGTERM instead of exiting, so \`docker stop\` waits out its timeout; add \`--die-on-term\` (or \`STOPSIGNAL SIGQUIT\`)` });
    }
  },
});
