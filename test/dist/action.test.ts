// The GitHub Action (action.yml), run as the runner runs a composite action: each `run` step in bash
// (`bash --noprofile --norc -eo pipefail`), `${{ inputs.* }}` and `${{ github.action_path }}` filled in, GITHUB_OUTPUT
// and GITHUB_ACTION_PATH set, the workspace as the working directory. The action's directory is a fresh copy of the
// checkout (no node_modules/, no dist/), so its first step really builds pyship from this commit.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { distTests, removeTree, ROOT, skipNote, stageCheckout } from './stage.js';

skipNote('the GitHub Action tests');

interface Step {
  name?: string;
  id?: string;
  shell?: string;
  run?: string;
  env?: Record<string, string>;
  'working-directory'?: string;
}
interface Action {
  inputs: Record<string, { default?: string; required?: boolean; description: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parseYaml(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as Action;

/** Fill in the expressions a composite step may use; any other expression fails the test (the emulation must know it). */
function expand(text: string, inputs: Record<string, string>, actionPath: string): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
    if (expr === 'github.action_path') return actionPath;
    const m = /^inputs\.([\w-]+)$/.exec(expr);
    if (m) {
      if (!(m[1]! in action.inputs)) throw new Error(`action.yml uses undeclared input ${m[1]}`);
      return inputs[m[1]!] ?? action.inputs[m[1]!]!.default ?? '';
    }
    throw new Error(`expression not emulated: ${expr}`);
  });
}

interface StepRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
}

function runStep(step: Step, inputs: Record<string, string>, actionPath: string, workspace: string): StepRun {
  expect(step.shell).toBe('bash');
  const outFile = join(workspace, '..', `github-output-${Math.random().toString(36).slice(2)}`);
  writeFileSync(outFile, '');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_ACTION_PATH: actionPath,
    GITHUB_OUTPUT: outFile,
    npm_config_prefer_offline: 'true',
  };
  for (const [k, v] of Object.entries(step.env ?? {})) env[k] = expand(String(v), inputs, actionPath);
  const cwd = step['working-directory'] ? expand(step['working-directory'], inputs, actionPath) : workspace;
  const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', expand(step.run!, inputs, actionPath)], { cwd, env, encoding: 'utf8', timeout: 600_000 });
  const outputs = Object.fromEntries(readFileSync(outFile, 'utf8').split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr, outputs };
}

describe('action.yml', () => {
  it('is a composite action with the inputs path, format, fail-on and sarif-file, taken through env', () => {
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs).sort()).toEqual(['fail-on', 'format', 'path', 'sarif-file']);
    for (const s of action.runs.steps) expect(s.run ?? '', 'inputs reach the scripts as env, never spliced into them').not.toMatch(/\$\{\{\s*inputs\./);
    expect(action.runs.steps.map((s) => s.id)).toContain('check');
    expect(action.outputs['exit-code']!.value).toContain('steps.check.outputs.exit-code');
  });
});

describe.runIf(distTests)('the GitHub Action, run locally with the same inputs', () => {
  let base = '';
  let actionPath = '';
  let workspace = '';
  const check = () => action.runs.steps.find((s) => s.id === 'check')!;
  const run = (inputs: Record<string, string>) => runStep(check(), inputs, actionPath, workspace);

  beforeAll(() => {
    ({ dir: actionPath, base } = stageCheckout('pyship-action-', 'action'));
    workspace = join(base, 'workspace');
    cpSync(join(ROOT, 'examples', 'naive'), join(workspace, 'naive'), { recursive: true });
    mkdirSync(join(workspace, 'worker'), { recursive: true });
    writeFileSync(join(workspace, 'worker', 'Dockerfile'), 'FROM python:3.13-slim-trixie\nENV PYTHONFAULTHANDLER=1\nRUN useradd --uid 10001 app\nUSER 10001\nCMD ["python", "-c", "print(1)"]\n');
    writeFileSync(join(workspace, 'pyproject.toml'), '[project]\nname = "ws"\nversion = "1"\n');
    // every step before the check: the build from the action's commit
    for (const step of action.runs.steps.filter((s) => s.id !== 'check')) {
      const r = runStep(step, {}, actionPath, workspace);
      if (r.code !== 0) throw new Error(`step "${step.name}" failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
    }
  }, 900_000);
  afterAll(() => removeTree(base));

  it('the first step compiled pyship in the action directory', () => {
    expect(existsSync(join(actionPath, 'dist', 'bundle', 'cli.js'))).toBe(true);
  });

  it('default inputs: annotations for the whole workspace, exit 1, outputs set', () => {
    const r = run({});
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^::error file=naive\/Dockerfile,line=2,col=6,endLine=2,endColumn=12,title=REP001::/m);
    expect(r.stdout).toContain('file=worker/Dockerfile');
    expect(r.outputs).toEqual({ 'exit-code': '1' });
  });

  it('path and fail-on: a Dockerfile with warnings only passes at fail-on error', () => {
    const r = run({ path: 'worker', 'fail-on': 'error' });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^::warning file=worker\/Dockerfile/m);
    expect(r.stdout).not.toContain('naive/');
    expect(run({ path: 'naive\nworker', 'fail-on': 'error' }).code).toBe(1);
  });

  it('sarif-file: SARIF 2.1.0 for upload-sarif with paths relative to the repository, a text log, fail-on never', () => {
    const r = run({ path: 'naive', 'sarif-file': 'reports/pyship.sarif', 'fail-on': 'never' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.outputs).toEqual({ 'exit-code': '1', 'sarif-file': 'reports/pyship.sarif' });
    const sarif = JSON.parse(readFileSync(join(workspace, 'reports', 'pyship.sarif'), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    const results = sarif.runs[0].results as { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } }[] }[];
    expect(results.map((x) => x.ruleId)).toContain('REP001');
    const loc = results[0]!.locations[0]!.physicalLocation.artifactLocation;
    expect(loc.uri.startsWith('naive/')).toBe(true);
    expect(loc.uriBaseId).toBe('%SRCROOT%');
    // the log is text, not annotations: code scanning shows the findings once
    expect(r.stdout).not.toMatch(/^::(error|warning) file=/m);
    expect(r.stdout).toContain('naive/Dockerfile:2:6');
  });

  it('format sarif with sarif-file: only the file; format json: JSON in the log', () => {
    const s = run({ path: 'naive', format: 'sarif', 'sarif-file': 'only.sarif' });
    expect(s.code).toBe(1);
    expect(JSON.parse(readFileSync(join(workspace, 'only.sarif'), 'utf8')).version).toBe('2.1.0');
    expect(s.stdout).not.toContain('"$schema"');
    const j = run({ path: 'naive', format: 'json' });
    expect(JSON.parse(j.stdout).findings.length).toBeGreaterThan(5);
  });

  it('bad inputs fail the step with an error annotation, exit 2', () => {
    const f = run({ format: 'xml' });
    expect(f.code).toBe(2);
    expect(f.stdout).toMatch(/^::error title=pyship::format must be one of/m);
    expect(run({ 'fail-on': 'sometimes' }).code).toBe(2);
    const missing = run({ path: 'no-such-dir' });
    expect(missing.code).toBe(2);
    expect(missing.outputs['exit-code']).toBe('2');
  });
});
