// The readers of CI and build scripts: GitHub Actions workflows, .gitlab-ci.yml, shell build scripts and Makefile
// recipes, each turned into jobs of shell commands (spans into the file) and action steps.
import type { Document, Node as YamlNode } from 'yaml';
import { envOf, get, has, pairs, rangeSpan, scalarText, str, yaml } from './yaml.js';
import type { Span } from '../dockerfile/model.js';
import { parseShell, type ShCommand, type ShWord } from '../dockerfile/shell.js';
import type { Project } from './model.js';
import type { CiCommand, CiJob, CiProblem, CiStep, Workflow } from './ci-model.js';

/** Hide GitHub `${{ … }}` expressions from the shell without changing lengths: `${{ secrets.X }}` → `${__secrets_X__}`. */
function maskExpressions(text: string): string {
  return text.replace(/\$\{\{[\s\S]*?\}\}/g, (m) => '${' + m.slice(2, -1).replace(/[^A-Za-z0-9_]/g, '_') + '}');
}

function shellCommands(file: string, fileText: string, text: string, offsets: number[] | ((i: number) => number), step?: CiStep): CiCommand[] {
  const map = typeof offsets === 'function' ? offsets : (i: number) => (offsets.length === 0 ? 0 : i < offsets.length ? offsets[i]! : offsets[offsets.length - 1]! + 1);
  let script;
  try {
    script = parseShell(maskExpressions(text), map);
  } catch {
    return [];
  }
  const textOf = (span: Span): string => fileText.slice(span.start, span.end);
  const value = (w: ShWord): string => {
    if (!w.value.includes('${__')) return w.value;
    const exprs = textOf(w.span).match(/\$\{\{[\s\S]*?\}\}/g) ?? [];
    let k = 0;
    return w.value.replace(/\$\{__\w*\}/g, (m) => exprs[k++] ?? m);
  };
  return script.commands.filter((c) => c.argv.length > 0 || c.assignments.length > 0).map((cmd) => ({ file, cmd: viaNode(cmd), step, text: textOf, value }));
}

/** `node bin/pyship.js build …` (pyship run from a checkout) is `pyship build …`. */
function viaNode(cmd: ShCommand): ShCommand {
  if (cmd.name !== 'node' || !/(^|\/)pyship(\.m?js)?$/.test(cmd.argv[1]?.value ?? '')) return cmd;
  return { ...cmd, argv: cmd.argv.slice(1), name: 'pyship', wrappers: [...cmd.wrappers, 'node'] };
}

// ————————————————————————————————————————————————————————— GitHub Actions

/** Parse a CI or Dependabot YAML file; its syntax errors go to `problems` (undefined when nothing usable is left). */
export function parseYaml(file: string, text: string, problems: CiProblem[]): Document | undefined {
  let doc: Document;
  try {
    doc = yaml().parseDocument(text, { lineCounter: new (yaml().LineCounter)(), uniqueKeys: false, prettyErrors: false });
  } catch (e) {
    problems.push({ file, span: { start: 0, end: 0 }, message: `cannot parse ${file}: ${(e as Error).message}` });
    return undefined;
  }
  for (const err of doc.errors) {
    const [s, e] = err.pos;
    problems.push({ file, span: { start: s, end: Math.max(s, e) }, message: `malformed YAML in ${file}: ${err.message.split('\n')[0]}` });
  }
  return doc.errors.length > 0 && !yaml().isMap(doc.contents) ? undefined : doc;
}

export function githubWorkflow(file: string, text: string, problems: CiProblem[]): Workflow | undefined {
  const doc = parseYaml(file, text, problems);
  if (!doc || !yaml().isMap(doc.contents)) return undefined;
  const root = doc.contents;
  const on = get(root, 'on') ?? get(root, 'true');
  const triggers: Workflow['triggers'] = { push: false, pullRequest: false, schedule: [], workflowDispatch: false };
  const names: string[] = [];
  if (str(on) !== undefined) names.push(str(on)!);
  else if (yaml().isSeq(on)) {
    for (const it of on.items) if (str(it) !== undefined) names.push(str(it)!);
  } else if (yaml().isMap(on)) {
    for (const [k] of pairs(on)) names.push(k);
    const sched = get(on, 'schedule');
    if (yaml().isSeq(sched)) {
      for (const it of sched.items) {
        const cron = get(it, 'cron');
        if (str(cron) !== undefined) triggers.schedule.push({ value: str(cron)!, span: rangeSpan(cron) });
      }
    }
  }
  triggers.push = names.includes('push');
  triggers.pullRequest = names.includes('pull_request') || names.includes('pull_request_target');
  triggers.workflowDispatch = names.includes('workflow_dispatch');
  if (names.includes('schedule') && triggers.schedule.length === 0) triggers.schedule.push({ value: '', span: rangeSpan(on) });
  const wfEnv = envOf(get(root, 'env'));
  const jobs: CiJob[] = [];
  for (const [id, keyNode, jobNode] of pairs(get(root, 'jobs'))) {
    if (!yaml().isMap(jobNode)) continue;
    const runsOn = get(jobNode, 'runs-on');
    const runsOnText = yaml().isSeq(runsOn) ? runsOn.items.map((x) => str(x) ?? '').join(' ') : str(runsOn) ?? (yaml().isMap(runsOn) ? 'group' : '');
    const job: CiJob = {
      kind: 'github', file, id, span: rangeSpan(keyNode), scheduled: triggers.schedule.length > 0,
      ephemeral: !/self-hosted|group/.test(runsOnText), env: { ...wfEnv, ...envOf(get(jobNode, 'env')) }, steps: [], commands: [],
    };
    const steps = get(jobNode, 'steps');
    if (yaml().isSeq(steps)) {
      for (const s of steps.items) {
        if (!yaml().isMap(s)) continue;
        const usesNode = get(s, 'uses');
        const step: CiStep = { name: str(get(s, 'name')), with: {}, env: envOf(get(s, 'env')), span: rangeSpan(s as YamlNode) };
        if (str(usesNode) !== undefined) step.uses = { value: str(usesNode)!, span: rangeSpan(usesNode) };
        for (const [k, , v] of pairs(get(s, 'with'))) {
          const sv = str(v);
          if (sv !== undefined) step.with[k] = { value: sv, span: rangeSpan(v) };
        }
        const runNode = get(s, 'run');
        if (runNode) {
          const st = scalarText(text, runNode);
          if (st) {
            step.run = { text: st.text, span: rangeSpan(runNode) };
            const shell = str(get(s, 'shell')) ?? str(get(get(get(jobNode, 'defaults'), 'run'), 'shell')) ?? 'bash';
            if (!/pwsh|powershell|cmd|python/.test(shell)) job.commands.push(...shellCommands(file, text, st.text, st.offsets, step));
          }
        }
        job.steps.push(step);
      }
    }
    jobs.push(job);
  }
  return { kind: 'github', file, triggers, jobs };
}

// ————————————————————————————————————————————————————————— GitLab CI

const GITLAB_RESERVED = new Set(['stages', 'variables', 'image', 'services', 'include', 'default', 'workflow', 'before_script', 'after_script', 'cache', 'types']);

function gitlabScheduled(job: unknown): boolean {
  const only = get(job, 'only');
  const refs = yaml().isMap(only) ? get(only, 'refs') : only;
  if (str(refs) === 'schedules' || (yaml().isSeq(refs) && refs.items.some((x) => str(x) === 'schedules'))) return true;
  const rules = get(job, 'rules');
  if (yaml().isSeq(rules)) {
    for (const r of rules.items) {
      const cond = str(get(r, 'if')) ?? '';
      if (/CI_PIPELINE_SOURCE\s*==\s*["']?schedule/.test(cond) && str(get(r, 'when')) !== 'never') return true;
    }
  }
  return false;
}

function gitlabScriptItems(node: YamlNode | undefined): YamlNode[] {
  if (!node) return [];
  if (yaml().isScalar(node)) return [node];
  if (yaml().isSeq(node)) return node.items.flatMap((x) => (yaml().isScalar(x) ? [x as YamlNode] : yaml().isSeq(x) ? gitlabScriptItems(x as YamlNode) : []));
  return [];
}

export function gitlabPipeline(file: string, text: string, problems: CiProblem[]): Workflow | undefined {
  const doc = parseYaml(file, text, problems);
  if (!doc || !yaml().isMap(doc.contents)) return undefined;
  const root = doc.contents;
  const globalEnv = envOf(get(root, 'variables'));
  const jobs: CiJob[] = [];
  const defaults = get(root, 'default');
  for (const [id, keyNode, jobNode] of pairs(root)) {
    if (GITLAB_RESERVED.has(id) || !yaml().isMap(jobNode)) continue;
    if (!has(jobNode, 'script') && !has(jobNode, 'extends') && !has(jobNode, 'trigger')) continue;
    const tags = get(jobNode, 'tags');
    const job: CiJob = {
      kind: 'gitlab', file, id, span: rangeSpan(keyNode), scheduled: gitlabScheduled(jobNode),
      ephemeral: !(yaml().isSeq(tags) && tags.items.length > 0), env: { ...globalEnv, ...envOf(get(jobNode, 'variables')) }, steps: [], commands: [],
    };
    const parts = [
      get(jobNode, 'before_script') ?? get(defaults, 'before_script') ?? get(root, 'before_script'),
      get(jobNode, 'script'),
      get(jobNode, 'after_script') ?? get(defaults, 'after_script') ?? get(root, 'after_script'),
    ];
    for (const part of parts) {
      for (const item of gitlabScriptItems(part)) {
        const st = scalarText(text, item);
        if (st) job.commands.push(...shellCommands(file, text, st.text, st.offsets));
      }
    }
    jobs.push(job);
  }
  const scheduled = jobs.some((j) => j.scheduled);
  return {
    kind: 'gitlab', file, jobs,
    triggers: { push: true, pullRequest: true, schedule: scheduled ? [{ value: '', span: { start: 0, end: 0 } }] : [], workflowDispatch: false },
  };
}

// ————————————————————————————————————————————————————————— scripts and Makefiles

export function isBuildScriptPath(p: string): boolean {
  return p === 'build.sh' || /^[^/]+\.sh$/.test(p) || /^scripts?\/[^/]+\.sh$/.test(p) || /^bin\/[^/]+$/.test(p) || /(^|\/)build\.sh$/.test(p);
}

export function scriptJob(project: Project, path: string): CiJob | undefined {
  const f = project.file(path);
  if (!f) return undefined;
  const first = f.text.slice(0, f.text.indexOf('\n') >>> 0);
  if (first.startsWith('#!') && !/\b(sh|bash|dash|ash|zsh|ksh)\b/.test(first)) return undefined;
  if (!first.startsWith('#!') && !path.endsWith('.sh')) return undefined;
  return {
    kind: 'script', file: path, id: path, span: { start: 0, end: 0 }, scheduled: false, ephemeral: false, env: {}, steps: [],
    commands: shellCommands(path, f.text, f.text, (i) => i),
  };
}

/** Makefile recipes, one job per target. Make's `$$` becomes ` $` and `@`/`-`/`+` prefixes spaces (lengths kept). */
export function makefileJobs(file: string, text: string): CiJob[] {
  const jobs = new Map<string, CiJob>();
  let current: CiJob[] = [];
  let pos = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const at = pos;
    pos += line.length + 1;
    if (line.startsWith('\t')) {
      // a recipe line with its backslash continuations
      let body = line;
      let end = i;
      while (/\\\r?$/.test(lines[end]!) && end + 1 < lines.length) {
        end++;
        body += '\n' + lines[end]!;
        pos += lines[end]!.length + 1;
      }
      i = end;
      // make's `$$` is the shell's `$`; `@`/`-`/`+` prefixes are make's
      let masked = '';
      const offs: number[] = [];
      const prefix = /^\t[@+-]*/.exec(body)![0].length;
      for (let k = prefix; k < body.length; k++) {
        if (body[k] === '$' && body[k + 1] === '$') k++;
        if (body[k] === '\r') continue;
        masked += body[k];
        offs.push(at + k);
      }
      for (const job of current) job.commands.push(...shellCommands(file, text, masked, offs));
      continue;
    }
    const m = /^([A-Za-z0-9_.\-/ %$()]+?)\s*::?(?!=)/.exec(line);
    if (m && !line.startsWith('#') && !/^\s/.test(line)) {
      current = [];
      for (const name of m[1]!.trim().split(/\s+/)) {
        if (name.startsWith('.') && name.toUpperCase() === name) continue;
        let job = jobs.get(name);
        if (!job) {
          job = { kind: 'makefile', file, id: name, span: { start: at, end: at + name.length }, scheduled: false, ephemeral: false, env: {}, steps: [], commands: [] };
          jobs.set(name, job);
        }
        current.push(job);
      }
    } else if (line.trim() !== '' && !line.startsWith('#')) current = [];
  }
  return [...jobs.values()];
}
