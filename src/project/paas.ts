// PaaS targets read from their files: Procfile, app.json, heroku.yml, fly.toml, railway.json/toml and Cloud Run's
// service.yaml, each with the commands and ports it runs the image with.
import { mergedEntries, rangeSpan, scalarString, stringList, yaml, yamlProblems } from './yaml.js';
import { parse as parseToml } from 'smol-toml';
import type { Span } from '../dockerfile/model.js';
import type { Project } from './model.js';
import type { PaasTarget, ProcfileEntry, RuntimeProblem } from './runtime-model.js';

/** Procfile lines `type: command` (comments and blank lines skipped). */
export function parseProcfile(file: string, text: string): ProcfileEntry[] {
  const out: ProcfileEntry[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_-]+)[ \t]*:[ \t]*(.*?)[ \t\r]*$/.exec(line);
    if (m && !line.trimStart().startsWith('#') && m[2] !== '') {
      const cmdStart = offset + line.indexOf(m[2]!, m[1]!.length + 1);
      out.push({ file, type: m[1]!, command: m[2]!, span: { start: offset, end: offset + line.replace(/\r$/, '').length }, commandSpan: { start: cmdStart, end: cmdStart + m[2]!.length } });
    }
    offset += line.length + 1;
  }
  return out;
}

/** The span of `key = ` in TOML text (the first one, or the first after `after`). */
function tomlKeySpan(text: string, key: string, after = 0): Span {
  const re = new RegExp(`^[ \\t]*"?${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?[ \\t]*=`, 'gm');
  re.lastIndex = after;
  const m = re.exec(text);
  if (!m) return { start: 0, end: 0 };
  const start = m.index + m[0].length - m[0].trimStart().length;
  const keyText = /^"?[^\s="]+"?/.exec(m[0].trimStart())![0];
  return { start, end: start + keyText.length };
}

function tomlProblem(file: string, text: string, e: unknown): RuntimeProblem {
  const err = e as { line?: number; column?: number; message?: string };
  let start = 0;
  if (err.line) {
    const lines = text.split('\n');
    for (let i = 0; i < err.line - 1 && i < lines.length; i++) start += lines[i]!.length + 1;
    start += Math.max(0, (err.column ?? 1) - 1);
  }
  start = Math.min(start, text.length);
  return { file, span: { start, end: start }, message: `${file}: invalid TOML: ${(err.message ?? String(e)).split('\n')[0]}` };
}

/** Where a JSON key's string value sits: the span of `"key": "value"` (first occurrence). */
function jsonKeySpan(text: string, key: string): Span {
  const i = text.indexOf(`"${key}"`);
  if (i < 0) return { start: 0, end: 0 };
  const m = /^"[^"]*"\s*:\s*("(?:[^"\\]|\\.)*"|[^,}\n]*)/.exec(text.slice(i));
  return { start: i, end: i + (m ? m[0].length : key.length + 2) };
}

/** The PaaS targets the project deploys to (Heroku, Cloud Run, Railway, Fly, a bare Procfile) and how they run it. */
export function paasTargets(p: Project, problems: RuntimeProblem[]): PaasTarget[] {
  const out: PaasTarget[] = [];
  const at = (path: string) => p.file(path);
  const procfile = at('Procfile');
  if (procfile) {
    out.push({ kind: 'procfile', file: 'Procfile', usesDockerfile: false, internalPorts: [], commands: parseProcfile('Procfile', procfile.text).map((e) => ({ command: e.command, span: e.commandSpan, label: `Procfile \`${e.type}\`` })) });
  }
  const heroku = at('heroku.yml');
  if (heroku) {
    const doc = yaml().parseDocument(heroku.text, { merge: true, uniqueKeys: false });
    if (doc.errors.length > 0) problems.push(...yamlProblems('heroku.yml', doc));
    const t: PaasTarget = { kind: 'heroku', file: 'heroku.yml', usesDockerfile: true, internalPorts: [], commands: [] };
    if (doc.errors.length === 0) {
      const run = mergedEntries(doc, mergedEntries(doc, doc.contents).get('run')?.value);
      for (const [type, { value }] of run) {
        const cmd = yaml().isMap(value) ? mergedEntries(doc, value).get('command')?.value : value;
        const list = yaml().isSeq(cmd) ? stringList(doc, cmd)?.join(' ') : scalarString(cmd);
        if (list !== undefined) t.commands.push({ command: list, span: rangeSpan(cmd), label: `heroku.yml \`run.${type}\`` });
      }
    }
    out.push(t);
  }
  const appJson = at('app.json');
  if (appJson) {
    const t: PaasTarget = { kind: 'heroku', file: 'app.json', usesDockerfile: false, internalPorts: [], commands: [] };
    try {
      const j = JSON.parse(appJson.text) as { stack?: string; scripts?: Record<string, unknown> };
      t.usesDockerfile = j.stack === 'container';
      // app.json commonly describes Heroku apps (buttons, review apps); its scripts are release-time, not servers
    } catch (e) {
      problems.push({ file: 'app.json', span: { start: 0, end: 0 }, message: `app.json: invalid JSON: ${(e as Error).message}` });
    }
    out.push(t);
  }
  const fly = at('fly.toml');
  if (fly) {
    const t: PaasTarget = { kind: 'fly', file: 'fly.toml', usesDockerfile: true, internalPorts: [], commands: [] };
    try {
      const j = parseToml(fly.text) as { http_service?: { internal_port?: unknown }; services?: { internal_port?: unknown }[]; processes?: Record<string, unknown>; experimental?: { cmd?: unknown } };
      const ports: number[] = [];
      if (typeof j.http_service?.internal_port === 'number') ports.push(j.http_service.internal_port);
      for (const s of Array.isArray(j.services) ? j.services : []) if (typeof s?.internal_port === 'number') ports.push(s.internal_port);
      let after = 0;
      for (const port of ports) {
        const span = tomlKeySpan(fly.text, 'internal_port', after);
        after = span.end;
        t.internalPorts.push({ value: port, span });
      }
      let pafter = fly.text.search(/^\s*\[processes\]/m);
      for (const [name, cmd] of Object.entries(j.processes ?? {})) {
        if (typeof cmd !== 'string' || pafter < 0) continue;
        const span = tomlKeySpan(fly.text, name, pafter);
        pafter = span.end;
        t.commands.push({ command: cmd, span, label: `fly.toml process \`${name}\`` });
      }
    } catch (e) {
      problems.push(tomlProblem('fly.toml', fly.text, e));
    }
    out.push(t);
  }
  for (const name of ['railway.json', 'railway.toml']) {
    const f = at(name);
    if (!f) continue;
    const t: PaasTarget = { kind: 'railway', file: name, usesDockerfile: true, internalPorts: [], commands: [] };
    try {
      const j = (name.endsWith('.json') ? JSON.parse(f.text) : parseToml(f.text)) as { deploy?: { startCommand?: unknown }; build?: { builder?: unknown } };
      if (typeof j.build?.builder === 'string' && !/dockerfile/i.test(j.build.builder)) t.usesDockerfile = false;
      const sc = j.deploy?.startCommand;
      if (typeof sc === 'string') t.commands.push({ command: sc, span: name.endsWith('.json') ? jsonKeySpan(f.text, 'startCommand') : tomlKeySpan(f.text, 'startCommand'), label: `${name} \`startCommand\`` });
    } catch (e) {
      problems.push(name.endsWith('.json') ? { file: name, span: { start: 0, end: 0 }, message: `${name}: invalid JSON: ${(e as Error).message}` } : tomlProblem(name, f.text, e));
    }
    out.push(t);
  }
  return out;
}
