// `pyship plan`: the phases match practices.md, the plan is computed right from check results, and the CLI prints it.
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempFiles } from './helpers.js';
import type { Finding } from '../src/lint/rule.js';
import { buildPlan, type Plan, type PlanRule } from '../src/plan/plan.js';
import { expandItem, PHASE_SPECS, PHASES } from '../src/rules/phases.js';
import { everyRule, rulesByCode } from '../src/rules/index.js';

const ROOT = join(import.meta.dirname, '..');
const PRACTICES = join(ROOT, '..', 'shared', 'docs', 'practices.md');

const run = runCli;
const tmp = (files: Record<string, string>): string => tempFiles(files, 'pyship-plan-');

/** examples/naive in a temp dir of its own (in the repo, its project root would be pyship's own checkout). */
function naive(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pyship-plan-naive-'));
  cpSync(join(ROOT, 'examples', 'naive'), dir, { recursive: true });
  return dir;
}

/** A production-like project that passes phases 1–2, with one deliberate phase-7 problem: no pip cache mount. */
const PRODUCTION: Record<string, string> = {
  'Dockerfile': `# syntax=docker/dockerfile:1
FROM python:3.13-slim-trixie AS build
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get -y upgrade && rm -rf /var/lib/apt/lists/*
RUN python -m venv /venv
ENV PATH=/venv/bin:$PATH
WORKDIR /src
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY app/ /src/app/
RUN python -m compileall /src/app

FROM python:3.13-slim-trixie
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get -y upgrade && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 app
COPY --from=build /venv /venv
COPY --from=build /src/app /app/app
ENV PATH=/venv/bin:$PATH PYTHONFAULTHANDLER=1
WORKDIR /app
USER app
EXPOSE 8000
HEALTHCHECK CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:8000/health')"]
ENTRYPOINT ["tini", "--"]
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--worker-tmp-dir", "/dev/shm", "--workers", "2", "--threads", "4", "--access-logfile", "-", "app.wsgi:app"]
`,
  '.dockerignore': '.git\n__pycache__\n*.pyc\n.env\n.venv\n',
  '.github/dependabot.yml': 'version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n    schedule: { interval: monthly }\n  - package-ecosystem: docker\n    directory: /\n    schedule: { interval: monthly }\n  - package-ecosystem: github-actions\n    directory: /\n    schedule: { interval: monthly }\n',
  '.github/workflows/docker.yml': `on:
  push:
  schedule:
    - cron: "0 3 * * 1"
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npx pyship check
      - run: ruff check --select S .
      - run: pip-audit -r requirements.txt
      - run: docker build --pull --cache-from demo:\${{ github.ref_name }} --cache-from demo:production --label org.opencontainers.image.revision=\${{ github.sha }} -t demo:\${{ github.ref_name }} -t demo:\${{ github.sha }} .
      - run: docker run --rm demo:\${{ github.sha }} python -c "import app"
      - run: trivy image demo:\${{ github.sha }}
      - run: docker push demo:\${{ github.ref_name }} && docker push demo:\${{ github.sha }}
  weekly:
    if: github.event_name == 'schedule'
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: docker build --pull --no-cache -t demo:\${{ github.sha }} .
`,
  'requirements.txt': 'flask==3.1.0 --hash=sha256:aaaa\ngunicorn==23.0.0 --hash=sha256:bbbb\n',
  'pyproject.toml': '[project]\nname = "demo"\nversion = "1"\n',
  'app/__init__.py': '',
  'app/wsgi.py': 'from flask import Flask\napp = Flask(__name__)\n',
};

const phaseOf = (plan: Plan, code: string): number => plan.phases.find((p) => p.checks.some((c) => c.code === code))!.number;

describe('phases', () => {
  it.skipIf(!existsSync(PRACTICES))('are practices.md "Phased plan", item for item', () => {
    const text = readFileSync(PRACTICES, 'utf8');
    const section = text.slice(text.indexOf('## Phased plan'));
    const listed = [...section.matchAll(/^(\d+)\. ([^:]+): (.+?)\.?$/gm)].map((m) => ({
      number: Number(m[1]),
      name: m[2]!,
      items: m[3]!.split(/,\s*/).map((s) => s.replace(/\s*\(.*\)$/, '')),
    }));
    expect(listed).toHaveLength(8);
    expect(PHASE_SPECS.map((p) => ({ number: p.number, name: p.name, items: [...p.items] }))).toEqual(listed);
  });
  if (!existsSync(PRACTICES)) it.skip(`practices.md not found at ${PRACTICES}: phases not compared with the guide`, () => {});

  it.skipIf(!existsSync(PRACTICES))("every phase code is in practices.md's tables", () => {
    const text = readFileSync(PRACTICES, 'utf8');
    const rows = new Set([...text.matchAll(/^\| ([A-Z]+\d+) \| \w+ \| ([DPIR ]+) \| [^*]*\*\*([^*]+)\*\*/gm)].map((m) => m[1]!));
    for (const code of PHASES.flatMap((p) => p.codes)) expect(rows.has(code), code).toBe(true);
  });

  it('expand ranges; every code appears once; every code has a rule (its title and scope are what the plan shows)', async () => {
    expect(expandItem('SEC009–SEC012')).toEqual(['SEC009', 'SEC010', 'SEC011', 'SEC012']);
    expect(expandItem('APP006-APP009')).toEqual(['APP006', 'APP007', 'APP008', 'APP009']);
    expect(expandItem('FAST001')).toEqual(['FAST001']);
    expect(() => expandItem('SEC012–SEC009')).toThrow();
    const codes = PHASES.flatMap((p) => p.codes);
    expect(new Set(codes).size).toBe(codes.length - 1); // SIZE002 is in phase 2 (secrets) and phase 8
    for (const c of codes) expect(rulesByCode.get(c), c).toBeDefined();
  });
});

describe('buildPlan', () => {
  const rules: PlanRule[] = [
    { code: 'A001', title: 'first', scope: ['D'] },
    { code: 'A002', title: 'second', scope: ['P'] },
    { code: 'A003', title: 'opt-in', scope: ['D'], optIn: true },
    { code: 'B001', title: 'third', scope: ['D'] },
    { code: 'B002', title: 'image', scope: ['I'] },
    { code: 'C001', title: 'fourth', scope: ['D'] },
  ];
  const phases = [
    { number: 1, name: 'One', codes: ['A001', 'A002', 'A003', 'A009'] },
    { number: 2, name: 'Two', codes: ['B002', 'B001'] },
    { number: 3, name: 'Three', codes: ['C001'] },
  ];
  const finding = (code: string, start: number, file = 'Dockerfile'): Finding =>
    ({ code, severity: 'warning', file, span: { start, end: start }, message: `${code} at ${start}`, fix: null });
  const text = 'FROM x\nRUN a\nRUN b\n';

  it('passed, failed (count, first location), unchecked with a reason; complete phases; next steps in phase order', async () => {
    const plan = buildPlan({
      results: [
        { file: 'Dockerfile', text, findings: [finding('C001', 7), finding('B001', 13), finding('B001', 7), finding('DF001', 0)] },
        { file: '.github/workflows/ci.yml', text: 'on: push\n', findings: [finding('A002', 0, '.github/workflows/ci.yml')] },
      ],
      enabled: new Set(['A001', 'A002', 'B001', 'C001', 'DF001']),
      dockerfiles: 1,
      rules,
      phases,
    });
    const [one, two, three] = plan.phases;
    expect(one!.checks.map((c) => [c.code, c.status])).toEqual([['A001', 'passed'], ['A002', 'failed'], ['A003', 'unchecked'], ['A009', 'unchecked']]);
    expect(one!.checks[2]!.reason).toContain('extend-select');
    expect(one!.checks[3]!.reason).toBe('not checked yet (needs pyship audit/smoke)'); // in no table, no rule
    expect(two!.checks[0]).toMatchObject({ code: 'B002', status: 'unchecked', reason: 'not checked yet (needs pyship audit/smoke)' });
    expect(two!.checks[1]).toMatchObject({ code: 'B001', status: 'failed', findings: 2, first: { file: 'Dockerfile', line: 2, message: 'B001 at 7' } });
    expect(plan.phases.map((p) => p.complete)).toEqual([false, false, false]);
    expect(plan.completedPhases).toEqual([]);
    expect(plan.nextSteps.map((s) => `${s.code} ${s.file}:${s.line}`)).toEqual(['A002 .github/workflows/ci.yml:1', 'B001 Dockerfile:2', 'C001 Dockerfile:2']);
    expect(plan.otherFindings).toBe(1);
    void three;
  });

  it('a phase with no failed code is complete; completedThrough is the unbroken run from phase 1', async () => {
    const plan = buildPlan({
      results: [{ file: 'Dockerfile', text, findings: [finding('B001', 7)] }],
      enabled: new Set(['A001', 'A002', 'B001', 'C001']), dockerfiles: 1, rules, phases,
    });
    expect(plan.completedPhases).toEqual([1, 3]);
    expect(plan.completedThrough).toBe(1);
    expect(plan.nextSteps.map((s) => s.code)).toEqual(['B001']);
  });

  it('disabled rules are unchecked; with no Dockerfile nothing ran and no phase is complete', async () => {
    const plan = buildPlan({ results: [], enabled: new Set(['A001']), dockerfiles: 0, rules, phases });
    expect(plan.phases[0]!.checks[0]).toMatchObject({ status: 'unchecked', reason: 'no Dockerfile found' });
    expect(plan.phases[0]!.checks[1]).toMatchObject({ status: 'unchecked', reason: 'disabled by the configuration' });
    expect(plan.completedPhases).toEqual([]);
  });

  it('at most three next steps', async () => {
    const plan = buildPlan({
      results: [{ file: 'Dockerfile', text, findings: ['A001', 'A002', 'B001', 'C001'].map((c) => finding(c, 0)) }],
      enabled: new Set(['A001', 'A002', 'B001', 'C001']), dockerfiles: 1, rules, phases,
    });
    expect(plan.nextSteps.map((s) => s.code)).toEqual(['A001', 'A002', 'B001']);
  });

  it('uses the real registry by default: codes without a rule that only an image shows need audit/smoke', async () => {
    const plan = buildPlan({ results: [], enabled: new Set(everyRule.map((r) => r.code)), dockerfiles: 1 });
    const size001 = plan.phases[7]!.checks.find((c) => c.code === 'SIZE001')!;
    expect(size001).toMatchObject({ status: 'unchecked', reason: 'not checked yet (needs pyship audit/smoke)', title: 'Find large layers' });
    expect(plan.phases[0]!.checks.every((c) => c.status === 'passed')).toBe(true);
  });
});

describe('pyship plan', () => {
  it('naive example: phase 1 incomplete, next steps from the first incomplete phases, in phase order', async () => {
    const dir = naive();
    const text = (await run(['plan', dir], dir));
    expect(text.code).toBe(0);
    for (const p of PHASES) expect(text.out).toContain(`${p.number}. ${p.name}`);
    expect(text.out).toMatch(/✗ REP001 +Tag the base image +1 finding, first Dockerfile:2/);
    expect(text.out).toMatch(/· SIZE001 .*not checked yet \(needs pyship audit\/smoke\)/);
    expect(text.out).toMatch(/Next steps:\n {2}1\. REP001 Tag the base image — Dockerfile:2: /);

    const { code, out } = (await run(['plan', '.', '--format', 'json'], dir));
    expect(code).toBe(0);
    const json = JSON.parse(out) as { phases: { number: number; complete: boolean }[]; nextSteps: { code: string }[]; completedPhases: number[] };
    expect(json.phases[0]!.complete).toBe(false);
    expect(json.nextSteps).toHaveLength(3);
    expect(json.nextSteps[0]!.code).toBe('REP001');
    const plan = json as unknown as Plan;
    const order = json.nextSteps.map((s) => phaseOf(plan, s.code));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order[0]).toBe(json.phases.find((p) => !p.complete)!.number);
  });

  it('json has the stable version-1 shape', async () => {
    const dir = naive();
    const json = JSON.parse((await run(['plan', '--format', 'json'], dir)).out);
    expect(Object.keys(json)).toEqual(['version', 'phases', 'completedPhases', 'completedThrough', 'nextSteps', 'otherFindings']);
    expect(json.version).toBe(1);
    expect(json.phases.map((p: { number: number; name: string }) => `${p.number} ${p.name}`)).toEqual(PHASES.map((p) => `${p.number} ${p.name}`));
    for (const p of json.phases) {
      expect(Object.keys(p)).toEqual(['number', 'name', 'complete', 'checks']);
      for (const c of p.checks) {
        expect(Object.keys(c)).toEqual(['code', 'title', 'status', 'findings', 'first', 'reason']);
        expect(['passed', 'failed', 'unchecked']).toContain(c.status);
        if (c.status === 'failed') expect(c.first).toEqual({ file: expect.any(String), line: expect.any(Number), message: expect.any(String) });
        else expect(c.first).toBeNull();
        expect(c.reason === null).toBe(c.status !== 'unchecked');
      }
    }
    expect(Object.keys(json.nextSteps[0])).toEqual(['code', 'title', 'file', 'line', 'message']);
    expect(json.nextSteps[0]).toMatchObject({ code: 'REP001', file: 'Dockerfile', line: 2 });
  });

  it('production-like project: the early phases are complete, the one problem is the next step', async () => {
    const dir = tmp(PRODUCTION);
    const { code, out } = (await run(['plan', dir, '--format', 'json'], dir));
    expect(code).toBe(0);
    const plan = JSON.parse(out) as Plan;
    expect(plan.phases[0]!.complete).toBe(true);
    expect(plan.phases[1]!.complete).toBe(true);
    expect(plan.completedThrough).toBeGreaterThanOrEqual(2);
    const fast005 = plan.phases[6]!.checks.find((c) => c.code === 'FAST005')!;
    expect(fast005).toMatchObject({ status: 'failed', findings: 1, first: { file: 'Dockerfile', line: 9 } });
    expect(plan.nextSteps.map((s) => s.code)).toContain('FAST005');
    const order = plan.nextSteps.map((s) => phaseOf(plan, s.code));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    const text = (await run(['plan', dir], dir)).out;
    expect(text).toMatch(/1\. It works {2}✓ complete/);
    expect(text).toMatch(/FAST005 .* — Dockerfile:9: /);
  });

  it('respects the project configuration: an ignored code is not checked', async () => {
    const dir = naive();
    writeFileSync(join(dir, 'pyship.toml'), 'ignore = ["REP001"]\n');
    const json = JSON.parse((await run(['plan', '--format', 'json'], dir)).out) as Plan;
    expect(json.phases[0]!.checks.find((c) => c.code === 'REP001')).toMatchObject({ status: 'unchecked', reason: 'disabled by the configuration' });
    expect(json.nextSteps[0]!.code).not.toBe('REP001');
  });

  it('exit 2 on an unknown path, a bad format or a broken config; 0 with a note when there is no Dockerfile', async () => {
    const dir = tmp({ 'README.md': '# nothing\n' });
    const missing = (await run(['plan', 'no-such-dir'], dir));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no-such-dir: no such file or directory');
    expect((await run(['plan', '--format', 'sarif'], dir)).code).toBe(2);
    writeFileSync(join(dir, 'broken.toml'), 'select = [\n');
    expect((await run(['plan', '--config', 'broken.toml'], dir)).code).toBe(2);
    const empty = (await run(['plan'], dir));
    expect(empty.code).toBe(0);
    expect(empty.err).toContain('no Dockerfiles found');
    expect(empty.out).toContain('Complete: no phase');
  });
});
