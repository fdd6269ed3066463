// CI and build scripts as typed facts with positions: GitHub Actions workflows, .gitlab-ci.yml, build scripts and
// Makefile recipes → jobs → shell commands and action steps → the image builds, smoke runs, linters and scanners they
// contain; plus Dependabot/Renovate configs. Every span is an offset into the named root-relative file.
import type { Document, Node as YamlNode } from 'yaml';
import { yaml } from './yaml.js';
import type { Span } from '../dockerfile/model.js';
import { parseShell, type ShCommand, type ShWord } from '../dockerfile/shell.js';
import { projectFact, type Project } from './model.js';

export type CiKind = 'github' | 'gitlab' | 'script' | 'makefile';

export interface CiProblem {
  file: string;
  span: Span;
  message: string;
}

/** A value in a YAML file with its span. */
export interface CiValue {
  value: string;
  span: Span;
}

/** A GitHub Actions step (`uses:` or `run:`). */
export interface CiStep {
  name?: string;
  uses?: CiValue;
  with: Record<string, CiValue>;
  env: Record<string, string>;
  run?: { text: string; span: Span };
  span: Span;
}

/** A CI job, a build script or a Makefile target: an ordered list of shell commands and action steps. */
export interface CiJob {
  kind: CiKind;
  file: string;
  /** Job id, script path or Makefile target. */
  id: string;
  span: Span;
  /** Runs on a schedule (workflow `schedule:` trigger, GitLab `only: schedules` / `$CI_PIPELINE_SOURCE == "schedule"`). */
  scheduled: boolean;
  /** Runs on a fresh runner (GitHub-hosted, GitLab shared): no local build cache survives. */
  ephemeral: boolean;
  /** Variables set for the whole job (workflow/job `env:`, GitLab `variables:`). */
  env: Record<string, string>;
  steps: CiStep[];
  /** Shell commands in order (for GitHub jobs: every `run:` block's commands). */
  commands: CiCommand[];
}

/** A shell command of a job, with spans into `file`. */
export interface CiCommand {
  file: string;
  cmd: ShCommand;
  /** The step it belongs to (GitHub). */
  step?: CiStep;
  /** Text of the original file under a span (GitHub `${{ … }}` expressions are shown to the shell as `${__…}`). */
  text(span: Span): string;
  /** A word's unquoted value with GitHub expressions restored (`$IMAGE:${{ github.sha }}`). */
  value(w: ShWord): string;
}

/** One element of a job's effective sequence: a command or an action step, possibly from a script the job runs. */
export interface CiEntry {
  file: string;
  /** 0-based position in the job's sequence. */
  order: number;
  command?: CiCommand;
  step?: CiStep;
}

export interface Workflow {
  kind: 'github' | 'gitlab';
  file: string;
  triggers: { push: boolean; pullRequest: boolean; schedule: CiValue[]; workflowDispatch: boolean };
  jobs: CiJob[];
}

export interface ImageTag {
  raw: string;
  span: Span;
  /** Has a variable or expression. */
  dynamic: boolean;
  usesSha: boolean;
  usesBranch: boolean;
  /** The literal tag part after `:` (`latest` for an untagged literal name); undefined when not literal. */
  tag: string | undefined;
}

export interface CacheSpec {
  raw: string;
  span: Span;
  /** `registry`, `gha`, `inline`, `local`, `s3`…; `registry` for a bare image reference. */
  type: string;
  mode?: string;
  ref?: string;
}

export interface BuildArg {
  name: string;
  span: Span;
  /** Given a value on the command line. */
  hasValue: boolean;
  /** The value is literal text (no variable or expression). */
  literal: boolean;
  /** The value is a CI secret (`${{ secrets.X }}`) or a secret-looking variable. */
  secretRef: boolean;
  /** The value, as written (never print it in messages). */
  value?: string;
}

export type BuildTool = 'docker' | 'buildx' | 'podman' | 'buildah' | 'pyship' | 'compose' | 'compose-v1' | 'bake' | 'action';

export interface BuildCommand {
  file: string;
  span: Span;
  tool: BuildTool;
  job: CiJob;
  /** In a GitHub/GitLab job (directly or through a script/Makefile target it runs). */
  ci: boolean;
  order: number;
  tags: ImageTag[];
  /** False when the tags come from elsewhere (compose file, bake file): tag rules skip it. */
  tagsKnown: boolean;
  push: boolean;
  labels: { name: string; span: Span }[];
  buildArgs: BuildArg[];
  cacheFrom: CacheSpec[];
  cacheTo: CacheSpec[];
  target?: string;
  noCache: boolean;
  pull: boolean;
  /** `pyship build --fresh` (pull + no cache). */
  fresh: boolean;
  secrets: string[];
  ssh: boolean;
  buildkitDisabled: boolean;
  /** Dockerfile path as given (`-f`, `file:`), relative to the repository root when possible. */
  dockerfile?: string;
  context?: string;
}

export interface RunCommand {
  file: string;
  span: Span;
  job: CiJob;
  ci: boolean;
  order: number;
  tool: 'docker-run' | 'podman-run' | 'pyship-smoke' | 'pyship-build' | 'container-structure-test' | 'compose-run';
  /** The image a `docker run` starts, as written. */
  image?: string;
}

const RUN_VALUE_FLAGS = new Set([
  '-e', '--env', '-v', '--volume', '-p', '--publish', '--name', '--network', '--net', '-w', '--workdir', '--entrypoint', '-u',
  '--user', '--env-file', '--mount', '--platform', '-l', '--label', '--add-host', '--hostname', '-h', '--cap-add', '--cap-drop',
  '--memory', '-m', '--cpus', '--pull', '--tmpfs', '--health-cmd', '--stop-signal', '--ulimit', '--security-opt', '--link',
  '--log-driver', '--restart', '--runtime', '--shm-size', '--gpus', '--device', '--cidfile', '--init-path', '--ipc', '--pid',
]);

/** Images of tools and services, not the app: `docker run hadolint/hadolint`, `docker run postgres`. */
export const TOOL_IMAGE = /(^|\/)(hadolint|trivy|grype|syft|semgrep|bandit|postgres|postgis|redis|valkey|mysql|mariadb|mongo|memcached|rabbitmq|elasticsearch|opensearch|localstack|minio|selenium|busybox|alpine|docker|moby|tonistiigi|multiarch|qemu-user-static|aquasec|anchore|returntocorp|koalaman|shellcheck|node|nginx)(:|@|$)/i;

export interface ToolUse {
  file: string;
  span: Span;
  job: CiJob;
  ci: boolean;
  tool: string;
}

export interface ScannerUse extends ToolUse {
  kind: 'code' | 'deps';
}

export interface DependabotUpdate {
  ecosystem: CiValue;
  directories: string[];
  interval?: string;
  span: Span;
}

export interface DependencyBot {
  kind: 'dependabot' | 'renovate';
  file: string;
  updates: DependabotUpdate[];
  /** Renovate `enabledManagers`, when it restricts managers. */
  enabledManagers?: string[];
}

// ————————————————————————————————————————————————————————— YAML helpers

function rangeSpan(n: YamlNode | null | undefined): Span {
  const r = n?.range;
  return r ? { start: r[0], end: r[1] } : { start: 0, end: 0 };
}

function str(n: unknown): string | undefined {
  if (yaml().isScalar(n) && n.value !== null && n.value !== undefined && typeof n.value !== 'object') return String(n.value);
  return undefined;
}

function get(map: unknown, key: string): YamlNode | undefined {
  if (!yaml().isMap(map)) return undefined;
  for (const it of map.items) if (str(it.key) === key) return (it.value ?? undefined) as YamlNode | undefined;
  return undefined;
}

function has(map: unknown, key: string): boolean {
  return yaml().isMap(map) && map.items.some((it) => str(it.key) === key);
}

function entries(map: unknown): [string, YamlNode | undefined, YamlNode | undefined][] {
  if (!yaml().isMap(map)) return [];
  return map.items.flatMap((it) => {
    const k = str(it.key);
    return k === undefined ? [] : [[k, it.key as YamlNode, (it.value ?? undefined) as YamlNode | undefined] as [string, YamlNode | undefined, YamlNode | undefined]];
  });
}

function envOf(map: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, , v] of entries(map)) {
    const s = str(v);
    if (s !== undefined) out[k] = s;
  }
  return out;
}

/**
 * The text a scalar holds and, for each of its characters, the offset in the file. Block scalars are rebuilt from
 * the source lines (indentation removed), so shell spans map back exactly; folded newlines become spaces.
 */
export function scalarText(source: string, node: YamlNode): { text: string; offsets: number[] } | undefined {
  if (!yaml().isScalar(node) || !node.range) return undefined;
  const value = str(node);
  if (value === undefined) return undefined;
  const [start, end] = node.range;
  const type = node.type;
  if (type === 'BLOCK_LITERAL' || type === 'BLOCK_FOLDED') {
    const nl = source.indexOf('\n', start);
    if (nl < 0 || nl >= end) return { text: '', offsets: [] };
    const header = source.slice(start, nl);
    const explicit = /^[|>][+-]?(\d)|^[|>](\d)/.exec(header);
    let pos = nl + 1;
    const lines: { at: number; text: string }[] = [];
    while (pos < end) {
      let eol = source.indexOf('\n', pos);
      if (eol < 0 || eol > end) eol = end;
      lines.push({ at: pos, text: source.slice(pos, eol) });
      pos = eol + 1;
    }
    let indent = -1;
    for (const l of lines) {
      if (l.text.trim() !== '') {
        indent = l.text.length - l.text.replace(/^ +/, '').length;
        break;
      }
    }
    if (indent < 0) return { text: '', offsets: [] };
    if (explicit) {
      // an explicit indentation indicator counts from the parent's indentation (the key's column: `  - run: |2`)
      const lineStart = source.lastIndexOf('\n', start - 1) + 1;
      const parent = /^[ ]*(?:-[ ]+)*/.exec(source.slice(lineStart, start))![0].length;
      indent = parent + Number(explicit[1] ?? explicit[2]);
    }
    let text = '';
    const offsets: number[] = [];
    const folded = type === 'BLOCK_FOLDED';
    lines.forEach((l, i) => {
      const body = l.text.length > indent ? l.text.slice(indent) : l.text.trim() === '' ? '' : l.text.trimStart();
      const bodyAt = l.at + (l.text.length - body.length);
      for (let k = 0; k < body.length; k++) {
        if (body[k] === '\r' && k === body.length - 1) continue;
        text += body[k];
        offsets.push(bodyAt + k);
      }
      if (i < lines.length - 1) {
        const next = lines[i + 1]!.text;
        const joins = folded && body.trim() !== '' && !/^\s/.test(body) && next.trim() !== '' && !/^\s/.test(next.slice(indent));
        text += joins ? ' ' : '\n';
        offsets.push(l.at + l.text.length);
      }
    });
    return { text, offsets };
  }
  const raw = source.slice(start, end);
  const body = type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE' ? raw.slice(1, -1) : raw;
  const at = type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE' ? start + 1 : start;
  if (body === value) return { text: value, offsets: Array.from({ length: value.length }, (_, i) => at + i) };
  // escapes or folding: keep the value, map every character to the scalar's start
  return { text: value, offsets: Array.from({ length: value.length }, () => start) };
}

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

function parseYaml(file: string, text: string, problems: CiProblem[]): Document | undefined {
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

function githubWorkflow(file: string, text: string, problems: CiProblem[]): Workflow | undefined {
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
    for (const [k] of entries(on)) names.push(k);
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
  for (const [id, keyNode, jobNode] of entries(get(root, 'jobs'))) {
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
        for (const [k, , v] of entries(get(s, 'with'))) {
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

function gitlabPipeline(file: string, text: string, problems: CiProblem[]): Workflow | undefined {
  const doc = parseYaml(file, text, problems);
  if (!doc || !yaml().isMap(doc.contents)) return undefined;
  const root = doc.contents;
  const globalEnv = envOf(get(root, 'variables'));
  const jobs: CiJob[] = [];
  const defaults = get(root, 'default');
  for (const [id, keyNode, jobNode] of entries(root)) {
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

function isBuildScriptPath(p: string): boolean {
  return p === 'build.sh' || /^[^/]+\.sh$/.test(p) || /^scripts?\/[^/]+\.sh$/.test(p) || /^bin\/[^/]+$/.test(p) || /(^|\/)build\.sh$/.test(p);
}

function scriptJob(project: Project, path: string): CiJob | undefined {
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
function makefileJobs(file: string, text: string): CiJob[] {
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

// ————————————————————————————————————————————————————————— the facts

export interface CiFacts {
  workflows: Workflow[];
  /** Build scripts and Makefile targets. */
  scripts: CiJob[];
  problems: CiProblem[];
}

export const ciFacts = projectFact((project: Project): CiFacts => {
  const problems: CiProblem[] = [];
  const workflows: Workflow[] = [];
  for (const p of project.find((x) => /^\.github\/workflows\/[^/]+\.ya?ml$/.test(x))) {
    const f = project.file(p);
    if (!f) continue;
    const wf = githubWorkflow(p, f.text, problems);
    if (wf) workflows.push(wf);
  }
  const gl = project.file('.gitlab-ci.yml');
  if (gl) {
    const wf = gitlabPipeline(gl.path, gl.text, problems);
    if (wf) workflows.push(wf);
  }
  const scripts: CiJob[] = [];
  for (const p of project.find(isBuildScriptPath)) {
    const job = scriptJob(project, p);
    if (job) scripts.push(job);
  }
  for (const name of ['Makefile', 'makefile', 'GNUmakefile']) {
    const f = project.file(name);
    if (f) scripts.push(...makefileJobs(name, f.text));
  }
  return { workflows, scripts, problems };
});

/** Malformed CI / Dependabot YAML, for DF026. */
export function ciProblems(project: Project): CiProblem[] {
  return [...ciFacts(project).problems, ...dependencyBotFacts(project).problems];
}

/** Does the project have CI (a GitHub Actions workflow or .gitlab-ci.yml)? */
export function hasCi(project: Project): boolean {
  return ciFacts(project).workflows.length > 0;
}

/** The scripts/Makefile targets a command runs: `./build.sh`, `bash scripts/x.sh`, `make image`. */
function invoked(c: CiCommand, scripts: CiJob[]): CiJob[] {
  const argv = c.cmd.argv.map((w) => w.value);
  if (argv.length === 0) return [];
  if (c.cmd.name === 'make' || c.cmd.name === 'gmake') {
    const targets = argv.slice(1).filter((a, i, all) => !a.startsWith('-') && !a.includes('=') && !/^-[CfIo]$/.test(all[i - 1] ?? ''));
    const mk = scripts.filter((s) => s.kind === 'makefile');
    if (targets.length === 0) return mk.slice(0, 1);
    return mk.filter((s) => targets.includes(s.id));
  }
  let prog = argv[0]!;
  if (/^(ba|da|z|k)?sh$/.test(c.cmd.name) && argv[1] && !argv[1].startsWith('-')) prog = argv[1];
  const clean = prog.replace(/^\.\//, '').replace(/^\$\{?(GITHUB_WORKSPACE|CI_PROJECT_DIR)\}?\//, '');
  return scripts.filter((s) => s.kind === 'script' && s.file === clean);
}

/**
 * Every job with its effective sequence: CI jobs (with the commands of the scripts and Makefile targets they run
 * inlined) and each build script / Makefile target on its own.
 */
export const jobSequences = projectFact((project: Project): { job: CiJob; ci: boolean; entries: CiEntry[] }[] => {
  const { workflows, scripts } = ciFacts(project);
  const out: { job: CiJob; ci: boolean; entries: CiEntry[] }[] = [];
  const expand = (job: CiJob, into: CiEntry[], depth: number, seen: Set<CiJob>): void => {
    seen.add(job);
    const byStep = new Map<CiStep, CiCommand[]>();
    for (const c of job.commands) if (c.step) byStep.set(c.step, [...(byStep.get(c.step) ?? []), c]);
    const emit = (c: CiCommand): void => {
      into.push({ file: c.file, order: into.length, command: c });
      if (depth < 3) for (const s of invoked(c, scripts)) if (!seen.has(s)) expand(s, into, depth + 1, seen);
    };
    if (job.kind === 'github') {
      for (const step of job.steps) {
        if (step.uses) into.push({ file: job.file, order: into.length, step });
        for (const c of byStep.get(step) ?? []) emit(c);
      }
    } else for (const c of job.commands) emit(c);
  };
  for (const wf of workflows) {
    for (const job of wf.jobs) {
      const entries: CiEntry[] = [];
      expand(job, entries, 0, new Set());
      out.push({ job, ci: true, entries });
    }
  }
  for (const s of scripts) {
    const entries: CiEntry[] = [];
    expand(s, entries, 1, new Set());
    out.push({ job: s, ci: false, entries });
  }
  return out;
});

// ————————————————————————————————————————————————————————— classification

const SHA = /GITHUB_SHA|github\.sha|github_sha|CI_COMMIT_SHA|CI_COMMIT_SHORT_SHA|BITBUCKET_COMMIT|CIRCLE_SHA1|GIT_COMMIT|COMMIT_SHA|SHORT_SHA|rev-parse|git\s+describe|git\s+log|event\.pull_request\.head\.sha|steps\.[\w-]+\.outputs\.(sha|version|tags?)\b|outputs\.tags?\b|\bSHA\b|_SHA\b|_SHA_/i;
const BRANCH = /GITHUB_REF_NAME|GITHUB_REF|GITHUB_HEAD_REF|github\.ref_name|github\.ref|github\.head_ref|github_ref|CI_COMMIT_REF_SLUG|CI_COMMIT_REF_NAME|CI_COMMIT_BRANCH|CI_COMMIT_TAG|BRANCH|rev-parse\s+--abbrev-ref|branch\s+--show-current|outputs\.tags?\b/i;

export function classifyTag(raw: string, span: Span): ImageTag {
  const dynamic = /\$|`/.test(raw);
  let tag: string | undefined;
  if (!dynamic) {
    const slash = raw.lastIndexOf('/');
    const colon = raw.lastIndexOf(':');
    const at = raw.indexOf('@');
    if (at >= 0) tag = raw.slice(at + 1);
    else tag = colon > slash ? raw.slice(colon + 1) : 'latest';
  } else {
    // `$IMAGE:latest`: the tag part is literal
    const m = /:([A-Za-z0-9_][A-Za-z0-9_.-]*)$/.exec(raw);
    if (m && !/[${}]/.test(m[1]!)) tag = m[1];
  }
  return { raw, span, dynamic, usesSha: dynamic && SHA.test(raw), usesBranch: dynamic && BRANCH.test(raw), tag };
}

function parseCache(raw: string, span: Span): CacheSpec {
  const attrs: Record<string, string> = {};
  const isKv = /(^|,)\s*type=/.test(raw) || /^[a-z-]+=/.test(raw);
  if (isKv) {
    for (const part of raw.split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) attrs[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    }
    return { raw, span, type: attrs.type ?? 'registry', mode: attrs.mode, ref: attrs.ref ?? attrs.src ?? attrs.dest };
  }
  return { raw, span, type: 'registry', ref: raw };
}

/** `${{ secrets.X }}`, `$SECRET_TOKEN`, `${{ env.API_KEY }}`… (the caller decides whether the arg name is secret). */
function looksSecretRef(raw: string): boolean {
  return /secrets\.|__secrets_/i.test(raw);
}

function splitList(v: string): { text: string; offset: number }[] {
  const out: { text: string; offset: number }[] = [];
  const re = /[^,\n]+/g;
  for (const m of v.matchAll(re)) {
    const t = m[0];
    const lead = t.length - t.trimStart().length;
    const trimmed = t.trim();
    if (trimmed !== '' && !trimmed.startsWith('#')) out.push({ text: trimmed, offset: m.index! + lead });
  }
  return out;
}

/** Items of a multi-line/comma `with:` input, with spans (approximate for quoted or escaped scalars). */
function withItems(project: Project, file: string, v: CiValue, lines = false): { text: string; span: Span }[] {
  const f = project.file(file);
  const src = f?.text ?? '';
  const raw = src.slice(v.span.start, v.span.end);
  const idx = raw.indexOf(v.value.split('\n')[0]!.trim());
  const items = lines ? v.value.split('\n').map((t, i, all) => ({ text: t.trim(), offset: all.slice(0, i).join('\n').length + (i ? 1 : 0) + (t.length - t.trimStart().length) })).filter((x) => x.text !== '' && !x.text.startsWith('#')) : splitList(v.value);
  return items.map((it) => {
    const found = raw.indexOf(it.text);
    const start = found >= 0 ? v.span.start + found : v.span.start + Math.max(idx, 0);
    return { text: it.text, span: { start, end: found >= 0 ? start + it.text.length : v.span.end } };
  });
}

const truthy = (v: string | undefined): boolean => v !== undefined && !/^(false|0|no|)$/i.test(v.trim());

const BUILD_VALUE_FLAGS = new Set([
  '-t', '--tag', '-f', '--file', '--label', '--build-arg', '--cache-from', '--cache-to', '--target', '--secret', '--ssh',
  '--platform', '-o', '--output', '--progress', '--network', '--iidfile', '--metadata-file', '--add-host', '--build-context',
  '--builder', '--shm-size', '--ulimit', '--attest', '--sbom', '--provenance', '--annotation', '--memory', '-m', '--cpu-shares',
  '--isolation', '--squash-all', '--format', '--layers', '--jobs', '--creds', '--authfile',
]);

/** The docker/podman subcommand after global options, and the index of the first word after it. */
function dockerSub(cmd: ShCommand): { sub: string[]; rest: number } | undefined {
  const a = cmd.argv.map((w) => w.value);
  let i = 1;
  while (i < a.length && a[i]!.startsWith('-')) i += /^(-H|--host|--context|-c|--config|-l|--log-level)$/.test(a[i]!) ? 2 : 1;
  const sub: string[] = [];
  if (a[i] === 'buildx' || a[i] === 'image' || a[i] === 'container' || a[i] === 'compose' || a[i] === 'scout') {
    sub.push(a[i]!);
    i++;
    if (sub[0] === 'compose') while (i < a.length && a[i]!.startsWith('-')) i += /^(-f|--file|-p|--project-name|--profile|--env-file|--project-directory)$/.test(a[i]!) ? 2 : 1;
  }
  if (i < a.length) sub.push(a[i]!);
  return { sub, rest: i + 1 };
}

function buildFromCommand(c: CiCommand, job: CiJob, ci: boolean, order: number, env: Record<string, string>): BuildCommand | undefined {
  const cmd = c.cmd;
  const name = cmd.name;
  let tool: BuildTool | undefined;
  let from = 0;
  if (name === 'docker' || name === 'podman' || name === 'nerdctl') {
    const s = dockerSub(cmd);
    if (!s) return undefined;
    const sub = s.sub.join(' ');
    if (sub === 'build' || sub === 'image build') tool = name === 'podman' ? 'podman' : 'docker';
    else if (sub === 'buildx build' || sub === 'builder build') tool = 'buildx';
    else if (sub === 'buildx bake') tool = 'bake';
    else if (sub === 'compose build' || (s.sub[0] === 'compose' && s.sub[1] === 'up' && cmd.argv.some((w) => w.value === '--build'))) tool = 'compose';
    else return undefined;
    from = s.rest;
  } else if (name === 'buildah' && cmd.argv[1] && /^(bud|build|build-using-dockerfile)$/.test(cmd.argv[1].value)) {
    tool = 'buildah';
    from = 2;
  } else if (name === 'docker-compose' || name === 'podman-compose') {
    const a = cmd.argv.map((w) => w.value);
    if (!(a.includes('build') || (a.includes('up') && a.includes('--build')))) return undefined;
    tool = 'compose-v1';
    from = 1;
  } else if (name === 'pyship' && cmd.argv[1]?.value === 'build') {
    tool = 'pyship';
    from = 2;
  } else return undefined;
  const b: BuildCommand = {
    file: c.file, span: cmd.span, tool, job, ci, order, tags: [], tagsKnown: tool !== 'compose' && tool !== 'compose-v1' && tool !== 'bake' && tool !== 'pyship',
    push: false, labels: [], buildArgs: [], cacheFrom: [], cacheTo: [], noCache: false, pull: false, fresh: false, secrets: [], ssh: false,
    buildkitDisabled: false,
  };
  const buildkitVar = cmd.assignments.find((a) => a.name === 'DOCKER_BUILDKIT')?.value ?? env.DOCKER_BUILDKIT;
  if (buildkitVar !== undefined && /^(0|false)$/i.test(buildkitVar.trim())) b.buildkitDisabled = tool === 'docker' || tool === 'compose' || tool === 'compose-v1';
  const argv = cmd.argv;
  const positional: ShWord[] = [];
  for (let i = from; i < argv.length; i++) {
    const w = argv[i]!;
    const v = c.value(w);
    let flag = v;
    let val: ShWord | undefined;
    let valText: string | undefined;
    let valSpan: Span | undefined;
    if (v.startsWith('--') && v.includes('=')) {
      flag = v.slice(0, v.indexOf('='));
      valText = v.slice(v.indexOf('=') + 1);
      const rawEq = w.raw.indexOf('=');
      valSpan = { start: w.span.start + rawEq + 1, end: w.span.end };
    } else if (/^-[tf]./.test(v) && !v.startsWith('--')) {
      flag = v.slice(0, 2);
      valText = v.slice(2);
      valSpan = { start: w.span.start + 2, end: w.span.end };
    } else if (BUILD_VALUE_FLAGS.has(v)) {
      val = argv[i + 1];
      if (val) {
        valText = c.value(val);
        valSpan = val.span;
        i++;
      }
    } else if (!v.startsWith('-')) {
      positional.push(w);
      continue;
    }
    const text = valText ?? '';
    switch (flag) {
      case '-t': case '--tag':
        if (valSpan) b.tags.push(classifyTag(text, valSpan));
        break;
      case '-f': case '--file':
        if (tool !== 'compose' && tool !== 'compose-v1' && tool !== 'bake') b.dockerfile = text;
        break;
      case '--label': {
        const n = text.split('=')[0]!;
        if (valSpan) b.labels.push({ name: n, span: valSpan });
        break;
      }
      case '--build-arg': {
        if (!valSpan) break;
        const eq = text.indexOf('=');
        const n = eq >= 0 ? text.slice(0, eq) : text;
        const value = eq >= 0 ? text.slice(eq + 1) : undefined;
        const rawValue = value ?? '';
        b.buildArgs.push({
          name: n, span: valSpan, hasValue: value !== undefined, value,
          literal: value !== undefined && value !== '' && !/[$`]/.test(rawValue),
          secretRef: value !== undefined && looksSecretRef(rawValue),
        });
        break;
      }
      case '--cache-from': if (valSpan) b.cacheFrom.push(parseCache(text, valSpan)); break;
      case '--cache-to': if (valSpan) b.cacheTo.push(parseCache(text, valSpan)); break;
      case '--target': b.target = text; break;
      case '--no-cache': b.noCache = true; break;
      case '--pull': b.pull = !/^(false|0)$/.test(text); break;
      case '--fresh': b.fresh = true; b.noCache = true; b.pull = true; break;
      case '--push': b.push = true; break;
      case '--load': break;
      case '-o': case '--output': if (/type=registry|push=true/.test(text)) b.push = true; break;
      case '--secret': b.secrets.push(text); break;
      case '--ssh': b.ssh = true; break;
      default: break;
    }
  }
  if (tool === 'pyship') {
    // pyship build tags by branch and commit, warms the cache, labels the revision and smokes the image
    b.push = b.push || argv.some((w) => w.value === '--push');
  }
  if (tool === 'compose' || tool === 'compose-v1') b.push = false;
  if (tool !== 'compose' && tool !== 'compose-v1' && tool !== 'pyship' && tool !== 'bake') {
    const ctxWord = positional[0];
    if (ctxWord) b.context = ctxWord.value;
  }
  return b;
}

function buildFromStep(project: Project, job: CiJob, step: CiStep, ci: boolean, order: number): BuildCommand | undefined {
  const uses = step.uses?.value ?? '';
  const isBuild = /^docker\/build-push-action@/i.test(uses);
  const isBake = /^docker\/bake-action@/i.test(uses);
  if (!isBuild && !isBake) return undefined;
  const w = step.with;
  const b: BuildCommand = {
    file: job.file, span: step.uses!.span, tool: isBake ? 'bake' : 'action', job, ci, order, tags: [], tagsKnown: isBuild,
    push: truthy(w.push?.value), labels: [], buildArgs: [], cacheFrom: [], cacheTo: [], noCache: truthy(w['no-cache']?.value),
    pull: truthy(w.pull?.value), fresh: false, secrets: [], ssh: w.ssh !== undefined, buildkitDisabled: false,
    target: w.target?.value, dockerfile: w.file?.value, context: w.context?.value,
  };
  if (w.outputs && /type=registry|push=true/.test(w.outputs.value)) b.push = true;
  if (w.tags) for (const t of withItems(project, job.file, w.tags)) b.tags.push(classifyTag(t.text, t.span));
  if (w.labels) {
    for (const t of withItems(project, job.file, w.labels, true)) {
      // `${{ steps.meta.outputs.labels }}` from docker/metadata-action carries org.opencontainers.image.revision
      const name = /outputs\.labels/.test(t.text) ? 'org.opencontainers.image.revision' : t.text.split('=')[0]!;
      b.labels.push({ name, span: t.span });
    }
  }
  if (w['build-args']) {
    for (const t of withItems(project, job.file, w['build-args'], true)) {
      const eq = t.text.indexOf('=');
      const value = eq >= 0 ? t.text.slice(eq + 1) : undefined;
      b.buildArgs.push({
        name: eq >= 0 ? t.text.slice(0, eq) : t.text, span: t.span, hasValue: value !== undefined, value,
        literal: value !== undefined && value !== '' && !/[$`]/.test(value), secretRef: value !== undefined && looksSecretRef(value),
      });
    }
  }
  if (w['cache-from']) for (const t of withItems(project, job.file, w['cache-from'], true)) b.cacheFrom.push(parseCache(t.text, t.span));
  if (w['cache-to']) for (const t of withItems(project, job.file, w['cache-to'], true)) b.cacheTo.push(parseCache(t.text, t.span));
  if (w.secrets || w['secret-files'] || w['secret-envs']) b.secrets.push('…');
  if (isBake) b.push = truthy(w.push?.value);
  return b;
}

/** A later `docker push` / `docker tag` in the same job adds to the most recent build's push and tags. */
function afterBuild(c: CiCommand, last: BuildCommand | undefined): void {
  if (!last) return;
  const cmd = c.cmd;
  if (cmd.name !== 'docker' && cmd.name !== 'podman' && cmd.name !== 'buildah') return;
  const s = dockerSub(cmd);
  const sub = s?.sub.join(' ');
  const args = cmd.argv.slice(s?.rest ?? 1).filter((w) => !w.value.startsWith('-'));
  if (sub === 'push' || sub === 'image push') {
    last.push = true;
    const ref = args[0];
    if (ref && last.tags.length === 0 && last.tagsKnown) last.tags.push(classifyTag(c.value(ref), ref.span));
  } else if ((sub === 'tag' || sub === 'image tag') && args[1]) {
    const ref = args[1];
    last.tags.push(classifyTag(c.value(ref), ref.span));
  }
}

interface Derived {
  builds: BuildCommand[];
  runs: RunCommand[];
  linters: ToolUse[];
  scanners: ScannerUse[];
}

const CODE_SCANNERS = /^(bandit|semgrep|codeql|snyk)$/;
const DEPS_SCANNERS = /^(pip-audit|safety|trivy|grype|snyk|osv-scanner|dependency-check)$/;

function ruffSelectsS(project: Project, cmd: ShCommand): boolean {
  const args = cmd.argv.map((w) => w.value);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const val = a.startsWith('--select=') || a.startsWith('--extend-select=') ? a.slice(a.indexOf('=') + 1) : (a === '--select' || a === '--extend-select') ? args[i + 1] ?? '' : undefined;
    if (val !== undefined && /(^|,)\s*(S\d*|ALL)\s*(,|$)/.test(val)) return true;
  }
  for (const f of ['pyproject.toml', 'ruff.toml', '.ruff.toml']) {
    const text = project.file(f)?.text ?? '';
    const sect = f === 'pyproject.toml' ? /\[tool\.ruff(\.lint)?\][\s\S]*?(?=\n\[(?!tool\.ruff)|$)/.exec(text)?.[0] ?? '' : text;
    if (/(extend-)?select\s*=\s*\[[^\]]*["'](S\d*|ALL)["']/.test(sect)) return true;
  }
  return false;
}

function preCommitTools(project: Project): string[] {
  const text = project.file('.pre-commit-config.yaml')?.text ?? project.file('.pre-commit-config.yml')?.text ?? '';
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*-?\s*id:\s*["']?([\w.-]+)/gm)) out.push(m[1]!);
  return out;
}

const derived = projectFact((project: Project): Derived => {
  const out: Derived = { builds: [], runs: [], linters: [], scanners: [] };
  const pre = preCommitTools(project);
  for (const { job, ci, entries } of jobSequences(project)) {
    let last: BuildCommand | undefined;
    const add = (list: ToolUse[], file: string, span: Span, tool: string): void => {
      list.push({ file, span, job, ci, tool });
    };
    const scan = (file: string, span: Span, tool: string, kind: 'code' | 'deps'): void => {
      out.scanners.push({ file, span, job, ci, tool, kind });
    };
    for (const e of entries) {
      if (e.step) {
        const b = buildFromStep(project, job, e.step, ci, e.order);
        if (b) {
          out.builds.push(b);
          last = b;
          continue;
        }
        const uses = (e.step.uses?.value ?? '').toLowerCase();
        const span = e.step.uses!.span;
        if (/^hadolint\/hadolint-action@|^jbergstroem\/hadolint-gh-action@|super-linter|megalinter|^reviewdog\/action-hadolint@/.test(uses)) add(out.linters, e.file, span, 'hadolint');
        if (/^aquasecurity\/trivy-action@|^aquasecurity\/setup-trivy@/.test(uses)) scan(e.file, span, 'trivy', 'deps');
        if (/^anchore\/scan-action@|^anchore\/sbom-action@/.test(uses)) scan(e.file, span, 'grype', 'deps');
        if (/^docker\/scout-action@/.test(uses)) scan(e.file, span, 'docker scout', 'deps');
        if (/^pypa\/gh-action-pip-audit@/.test(uses)) scan(e.file, span, 'pip-audit', 'deps');
        if (/^pyupio\/safety(-action)?@/.test(uses)) scan(e.file, span, 'safety', 'deps');
        if (/^actions\/dependency-review-action@|^google\/osv-scanner-action/.test(uses)) scan(e.file, span, 'dependency-review', 'deps');
        if (/^snyk\/actions\//.test(uses)) { scan(e.file, span, 'snyk', 'deps'); scan(e.file, span, 'snyk', 'code'); }
        if (/^github\/codeql-action\/(analyze|init)@/.test(uses)) scan(e.file, span, 'codeql', 'code');
        if (/semgrep/.test(uses)) scan(e.file, span, 'semgrep', 'code');
        if (/bandit/.test(uses)) scan(e.file, span, 'bandit', 'code');
        if (/^pre-commit\/action@|^pre-commit-ci\//.test(uses)) preCommit(e.file, span);
        if (/^(astral-sh|chartboost)\/ruff-action@/.test(uses) && ruffSelectsS(project, { argv: [], name: 'ruff' } as unknown as ShCommand)) scan(e.file, span, 'ruff', 'code');
        continue;
      }
      const c = e.command!;
      const cmd = c.cmd;
      const env = { ...job.env, ...(c.step?.env ?? {}) };
      const b = buildFromCommand(c, job, ci, e.order, env);
      if (b) {
        out.builds.push(b);
        last = b;
        if (b.tool === 'pyship') {
          out.runs.push({ file: c.file, span: cmd.span, job, ci, order: e.order, tool: 'pyship-build' });
          add(out.linters, c.file, cmd.span, 'pyship');
        }
        if (b.tool === 'buildx' || b.tool === 'docker') if (cmd.argv.some((w) => w.value === '--check' || w.value.startsWith('--call=check'))) add(out.linters, c.file, cmd.span, 'buildkit-check');
        continue;
      }
      afterBuild(c, last);
      const a = cmd.argv.map((w) => w.value);
      const name = cmd.name;
      const s = name === 'docker' || name === 'podman' || name === 'nerdctl' ? dockerSub(cmd) : undefined;
      const sub = s?.sub.join(' ');
      if (sub === 'run' || sub === 'container run') {
        let image: string | undefined;
        for (let i = s!.rest; i < cmd.argv.length; i++) {
          const v = c.value(cmd.argv[i]!);
          if (v.startsWith('-')) {
            if (RUN_VALUE_FLAGS.has(v)) i++;
            continue;
          }
          image = v;
          break;
        }
        out.runs.push({ file: c.file, span: cmd.span, job, ci, order: e.order, tool: name === 'podman' ? 'podman-run' : 'docker-run', image });
      }
      if (sub === 'compose run' || sub === 'compose up' || sub === 'compose exec') out.runs.push({ file: c.file, span: cmd.span, job, ci, order: e.order, tool: 'compose-run' });
      if (name === 'docker-compose' && /^(run|up|exec)$/.test(a.find((x, i) => i > 0 && !x.startsWith('-')) ?? '')) out.runs.push({ file: c.file, span: cmd.span, job, ci, order: e.order, tool: 'compose-run' });
      if (name === 'container-structure-test') out.runs.push({ file: c.file, span: cmd.span, job, ci, order: e.order, tool: 'container-structure-test' });
      if (name === 'pyship' && a[1] === 'smoke') out.runs.push({ file: c.file, span: cmd.span, job, ci, order: e.order, tool: 'pyship-smoke' });
      if (name === 'pyship' && (a[1] === 'check' || a[1] === undefined || a[1] === 'lint')) add(out.linters, c.file, cmd.span, 'pyship');
      if (name === 'hadolint' || (sub === 'run' && a.some((x) => /hadolint\/hadolint/.test(x)))) add(out.linters, c.file, cmd.span, 'hadolint');
      if (sub === 'run' && a.some((x) => /aquasec\/trivy/.test(x))) scan(c.file, cmd.span, 'trivy', 'deps');
      if (sub === 'scout' || sub === 'scout cves' || sub === 'scout quickview' || (s?.sub[0] === 'scout')) scan(c.file, cmd.span, 'docker scout', 'deps');
      if (CODE_SCANNERS.test(name)) scan(c.file, cmd.span, name, 'code');
      if (DEPS_SCANNERS.test(name)) scan(c.file, cmd.span, name, 'deps');
      // `python -m bandit`, `uvx pip-audit`, `uv run bandit`, `poetry run safety`, `pipx run semgrep`
      const tools = a.slice(1).filter((x) => !x.startsWith('-'));
      const via = /^(python\d?(\.\d+)?|uvx|uv|poetry|pipx|pipenv|pdm|hatch|nox|tox)$/.test(name) ? tools.find((x) => CODE_SCANNERS.test(x) || DEPS_SCANNERS.test(x) || x === 'ruff') : undefined;
      if (via && CODE_SCANNERS.test(via)) scan(c.file, cmd.span, via, 'code');
      if (via && DEPS_SCANNERS.test(via)) scan(c.file, cmd.span, via, 'deps');
      if ((name === 'ruff' || via === 'ruff') && ruffSelectsS(project, cmd)) scan(c.file, cmd.span, 'ruff', 'code');
      if (name === 'pre-commit' || (via === undefined && tools[0] === 'pre-commit') || a.includes('pre-commit')) preCommit(c.file, cmd.span);
    }
    function preCommit(file: string, span: Span): void {
      for (const id of pre) {
        if (/^hadolint/.test(id)) add(out.linters, file, span, 'hadolint');
        if (/^(bandit|semgrep)/.test(id)) scan(file, span, id, 'code');
        if (/^(pip-audit|safety|python-safety-dependencies-check)/.test(id)) scan(file, span, id, 'deps');
        if (/^ruff(-check)?$/.test(id) && ruffSelectsS(project, { argv: [], name: 'ruff' } as unknown as ShCommand)) scan(file, span, 'ruff', 'code');
      }
    }
  }
  return out;
});

/** Every image build in CI and build scripts (a script run from CI appears twice: `ci` true and false). */
export function buildCommands(project: Project): BuildCommand[] {
  return derived(project).builds;
}

/** Runs of the built image: `docker run`, `pyship smoke`, `pyship build` (it smokes), container-structure-test. */
export function runCommands(project: Project): RunCommand[] {
  return derived(project).runs;
}

/** Dockerfile linters run in CI or scripts: pyship, hadolint, hadolint-action, `docker build --check`. */
export function lintersRun(project: Project): ToolUse[] {
  return derived(project).linters;
}

/** Security scanners run in CI or scripts, by kind: code (bandit, ruff S, semgrep…) or deps/image (pip-audit, trivy…). */
export function scannersRun(project: Project): ScannerUse[] {
  return derived(project).scanners;
}

// ————————————————————————————————————————————————————————— Dependabot / Renovate

const dependencyBotFacts = projectFact((project: Project): { bots: DependencyBot[]; problems: CiProblem[] } => {
  const problems: CiProblem[] = [];
  const bots: DependencyBot[] = [];
  for (const p of ['.github/dependabot.yml', '.github/dependabot.yaml']) {
    const f = project.file(p);
    if (!f) continue;
    const doc = parseYaml(p, f.text, problems);
    const bot: DependencyBot = { kind: 'dependabot', file: p, updates: [] };
    const updates = doc ? get(doc.contents, 'updates') : undefined;
    if (yaml().isSeq(updates)) {
      for (const u of updates.items) {
        const eco = get(u, 'package-ecosystem');
        if (str(eco) === undefined) continue;
        const dirs: string[] = [];
        if (str(get(u, 'directory')) !== undefined) dirs.push(str(get(u, 'directory'))!);
        const many = get(u, 'directories');
        if (yaml().isSeq(many)) for (const d of many.items) if (str(d) !== undefined) dirs.push(str(d)!);
        bot.updates.push({ ecosystem: { value: str(eco)!, span: rangeSpan(eco) }, directories: dirs, interval: str(get(get(u, 'schedule'), 'interval')), span: rangeSpan(u as YamlNode) });
      }
    }
    bots.push(bot);
  }
  for (const p of ['renovate.json', 'renovate.json5', '.renovaterc', '.renovaterc.json', '.renovaterc.json5', '.github/renovate.json', '.github/renovate.json5', '.gitlab/renovate.json']) {
    const f = project.file(p);
    if (!f) continue;
    const bot: DependencyBot = { kind: 'renovate', file: p, updates: [] };
    const m = /["']?enabledManagers["']?\s*:\s*\[([^\]]*)\]/.exec(f.text);
    if (m) bot.enabledManagers = [...m[1]!.matchAll(/["']([\w-]+)["']/g)].map((x) => x[1]!);
    bots.push(bot);
  }
  const pkg = project.file('package.json');
  if (pkg && /"renovate"\s*:\s*\{/.test(pkg.text)) bots.push({ kind: 'renovate', file: 'package.json', updates: [] });
  return { bots, problems };
});

/** Dependabot and Renovate configurations. */
export function dependencyBots(project: Project): DependencyBot[] {
  return dependencyBotFacts(project).bots;
}

export const PYTHON_ECOSYSTEMS = new Set(['pip', 'uv', 'pipenv', 'poetry', 'pip-compile', 'pdm', 'conda']);
const RENOVATE_PYTHON = new Set(['pip_requirements', 'pip_setup', 'pipenv', 'poetry', 'pep621', 'pip-compile', 'pep723', 'setup-cfg']);
const RENOVATE_DOCKER = new Set(['dockerfile', 'docker-compose', 'kubernetes', 'helm-values']);

/** Does a bot keep this kind of dependency up to date (optionally for a root-relative directory)? */
export function botCovers(bot: DependencyBot, kind: 'python' | 'docker', dir?: string): boolean {
  if (bot.kind === 'renovate') {
    if (!bot.enabledManagers) return true;
    return bot.enabledManagers.some((m) => (kind === 'python' ? RENOVATE_PYTHON : RENOVATE_DOCKER).has(m));
  }
  return bot.updates.some((u) => {
    const eco = u.ecosystem.value;
    const ok = kind === 'python' ? PYTHON_ECOSYSTEMS.has(eco) : eco === 'docker' || eco === 'docker-compose';
    if (!ok) return false;
    if (dir === undefined) return true;
    const want = '/' + dir.replace(/^\/+|\/+$/g, '');
    return u.directories.length === 0 || u.directories.some((d) => {
      const norm = '/' + d.replace(/^\.?\/+|\/+$/g, '');
      if (norm === want || norm === '/' + want.slice(1)) return true;
      if (d.includes('*')) {
        const re = new RegExp('^' + norm.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '.*').replace(/\*/g, '[^/]*') + '$');
        return re.test(want);
      }
      return false;
    });
  });
}
