// e2e: `pyship audit` on real images through the engine's `docker save` stream: the offline python base, and small
// images built here, each with one deliberate defect that must add exactly its code to a clean variant's findings.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine.js';
import { PYSHIP_LABEL } from '../../src/engine/types.js';
import { runAudit } from '../../src/commands/audit.js';
import type { Io } from '../../src/commands/io.js';

const e2e = process.env.PYSHIP_E2E === '1';
const docker = process.env.PYSHIP_DOCKER || 'docker';
const engineUp = spawnSync(docker, ['info', '--format', '{{.ServerVersion}}'], { timeout: 15_000, stdio: 'ignore' }).status === 0;
if (!engineUp && !e2e) console.warn('note: no container engine answers `docker info`: the audit e2e tests are skipped (PYSHIP_E2E=1 makes them fail instead)');

const BASE = 'python:3.13-slim-trixie';
const TAG = `pyship-audit-e2e-${process.pid}`;

/** A fresh directory with an empty pyship.toml as cwd, so no configuration file around the test run applies. */
function io(): Io & { stdout: string; stderr: string } {
  const cwd = mkdtempSync(join(tmpdir(), 'pyship-audit-cwd-'));
  writeFileSync(join(cwd, 'pyship.toml'), '');
  const o = { stdout: '', stderr: '', cwd, color: false, out: (t: string) => void (o.stdout += t), err: (t: string) => void (o.stderr += t) };
  return o;
}

const CLEAN = [
  `FROM ${BASE}`,
  'ENV PYTHONFAULTHANDLER=1',
  'LABEL org.opencontainers.image.revision=e2e',
  'WORKDIR /app',
  'COPY app.py /app/',
  'USER 10001',
  'CMD ["python", "/app/app.py"]',
];

/** variant → [Dockerfile lines, the one code its defect must add] */
const VARIANTS: Record<string, [string[], string]> = {
  clean: [CLEAN, ''],
  root: [CLEAN.filter((l) => !l.startsWith('USER')), 'SEC001'],
  secret: [[...CLEAN.slice(0, 5), 'COPY id_rsa /app/id_rsa', ...CLEAN.slice(5)], 'SEC009'],
  pipcache: [[...CLEAN.slice(0, 5), 'RUN mkdir -p /root/.cache/pip/http && head -c 200000 /dev/urandom > /root/.cache/pip/http/blob', ...CLEAN.slice(5)], 'SIZE005'],
  curlhealth: [[...CLEAN, 'HEALTHCHECK CMD ["curl", "-f", "http://127.0.0.1:8000/"]'], 'OPS008'],
  // Debian's archive is reachable from builds here: real apt runs
  aptlists: [[...CLEAN.slice(0, 5), 'RUN apt-get update', ...CLEAN.slice(5)], 'SIZE004'],
  gcc: [[...CLEAN.slice(0, 5), 'RUN apt-get update && apt-get install -y --no-install-recommends gcc && apt-get clean && rm -rf /var/lib/apt/lists/*', ...CLEAN.slice(5)], 'MS001'],
};

describe.runIf(engineUp || e2e)('pyship audit (real engine)', () => {
  const built: string[] = [];

  /** Build a context of `files` as `TAG:name` and audit it (only `select` when given): its findings and JSON output. */
  const buildAndAudit = async (name: string, files: Record<string, string>, select?: string) => {
    const ctx = mkdtempSync(join(tmpdir(), `pyship-audit-e2e-${name}-`));
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(join(ctx, p, '..'), { recursive: true });
      writeFileSync(join(ctx, p), text);
    }
    const tag = `${TAG}:${name}`;
    const r = createEngine().build({
      context: ctx, tags: [tag], labels: { [PYSHIP_LABEL]: 'audit-e2e' }, buildArgs: {}, cacheFrom: [], cacheTo: [], inlineCache: false,
      secrets: [], ssh: [], pull: false, noCache: false, push: false,
    }, { timeoutMs: 300_000 });
    expect(r.code, r.stderr).toBe(0);
    built.push(tag);
    const o = io();
    await runAudit(tag, { format: 'json', ...(select ? { select: [select] } : {}) }, o);
    expect(o.stderr).toBe('');
    const report = JSON.parse(o.stdout) as { files?: { findings: { code: string; message: string }[] }[]; findings?: { code: string; message: string }[] };
    return { findings: report.findings ?? report.files?.flatMap((f) => f.findings) ?? [], stdout: o.stdout };
  };
  const auditMessages = async (name: string, files: Record<string, string>, code: string): Promise<string[]> =>
    (await buildAndAudit(name, files, code)).findings.filter((f) => f.code === code).map((f) => f.message);
  afterAll(() => {
    if (built.length) spawnSync(docker, ['rmi', '--force', ...built], { timeout: 60_000, stdio: 'ignore' });
  });

  it(`audits ${BASE} from a docker save stream`, async () => {
    expect(engineUp, 'PYSHIP_E2E=1 but no container engine answers `docker info`').toBe(true);
    const o = io();
    const t0 = Date.now();
    const code = await runAudit(BASE, { color: false }, o);
    expect(o.stderr).toBe('');
    expect(code).toBe(1);
    expect(Date.now() - t0).toBeLessThan(60_000);
    expect(o.stdout).toMatch(new RegExp(`${BASE.replace(/[.:]/g, '\\$&')}:2:1 {2}error {2}SEC001 {2}the image runs as root`));
    expect(o.stdout).toMatch(/Layers of python:3\.13-slim-trixie {2}\(base: layers 0-0; history: only the root filesystem layer is known to be base\)/);
    expect(o.stdout).toMatch(/Python distributions \(\d+\)\n {2}\/usr\/lib\/python3\/dist-packages\n(?: {4}\S+ \S+\n)* {4}pip \d/);
    expect(o.stdout).toMatch(/bytecode: \d+\/\d+ \.py files in site-packages have a \.pyc/);
    // a slim image: no compilers, no apt lists, no pip cache
    expect(o.stdout).not.toMatch(/MS001|SIZE004|SIZE005/);
  }, 90_000);

  it('a missing image exits 2 with the engine message', async () => {
    expect(engineUp).toBe(true);
    const o = io();
    expect(await runAudit('pyship-no-such-image:never', {}, o)).toBe(2);
    expect(o.stderr).toMatch(/pyship: .*(No such image|not found|reference does not exist)/i);
  }, 60_000);

  it('each deliberately bad image adds exactly its code to the clean variant\'s findings', async () => {
    expect(engineUp).toBe(true);
    const codes = new Map<string, string[]>();
    const outputs = new Map<string, string>();
    for (const [name, [lines]] of Object.entries(VARIANTS)) {
      const { findings, stdout } = await buildAndAudit(name, {
        Dockerfile: lines.join('\n') + '\n',
        'app.py': 'print("hello")\n',
        id_rsa: '-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key\n',
      });
      codes.set(name, [...new Set(findings.map((f) => f.code))].sort());
      outputs.set(name, stdout);
      expect(stdout).not.toContain('not-a-real-key');
    }
    const clean = codes.get('clean')!;
    expect(clean).not.toContain('SEC001');
    for (const [name, [, code]] of Object.entries(VARIANTS)) {
      if (!code) continue;
      expect(codes.get(name), `${name}: ${outputs.get(name)}`).toEqual([...new Set([...clean, code])].sort());
    }
  }, 420_000);

  it('SIZE002: __pycache__ compiled by a build stage is not a leak; one copied from the context is', async () => {
    expect(engineUp).toBe(true);
    const size002 = (name: string, files: Record<string, string>): Promise<string[]> => auditMessages(name, files, 'SIZE002');
    // the runtime stage's history says only `COPY /app /app`: the .pyc files are compileall's, with the image's tag
    expect(await size002('pyc-compiled', {
      Dockerfile: [
        `FROM ${BASE} AS build`, 'WORKDIR /app', 'COPY app.py /app/', 'COPY pkg /app/pkg', 'RUN python -m compileall -q /app',
        `FROM ${BASE}`, 'COPY --from=build --chown=10001:10001 /app /app', 'USER 10001', 'CMD ["python", "/app/app.py"]',
      ].join('\n') + '\n',
      '.dockerignore': '**/__pycache__\n**/*.py[cod]\n',
      'app.py': 'import pkg\nprint(pkg.X)\n',
      'pkg/__init__.py': 'X = 1\n',
      'pkg/util.py': 'Y = 2\n',
      'pkg/__pycache__/util.cpython-311.pyc': 'stale\n',
    })).toEqual([]);
    expect(await size002('pyc-leak', {
      Dockerfile: `FROM ${BASE}\nWORKDIR /app\nCOPY . .\nUSER 10001\nCMD ["python", "x.py"]\n`,
      'x.py': 'print(1)\n',
      '__pycache__/x.cpython-312.pyc': 'from a developer machine\n',
    })).toEqual([expect.stringMatching(/^__pycache__ copied from the build context: \/app\/__pycache__:/)]);
  }, 420_000);

  it('SIZE006: the test directories inside a venv\'s wheels are quiet; the app\'s own tests are reported', async () => {
    expect(engineUp).toBe(true);
    // the guide's shape: a venv built in one stage, copied into the runtime stage; FastAPI's h11 ships h11/tests and
    // Django its django.test module, neither of which the user can or should remove
    const messages = await auditMessages('tests-dirs', {
      Dockerfile: [
        `FROM ${BASE} AS build`, 'RUN python -m venv /opt/venv', 'RUN /opt/venv/bin/pip install --no-cache-dir fastapi uvicorn django',
        `FROM ${BASE}`, 'COPY --from=build /opt/venv /opt/venv', 'ENV PATH=/opt/venv/bin:$PATH', 'WORKDIR /app', 'COPY . .', 'USER 10001',
        'CMD ["uvicorn", "main:app"]',
      ].join('\n') + '\n',
      '.dockerignore': 'Dockerfile\n',
      'main.py': 'app = None\n',
      'tests/test_main.py': `# ${'x'.repeat(150_000)}\n`,
    }, 'SIZE006');
    expect(messages).toEqual([expect.stringMatching(/^1 test directory of the app \(150\.\d kB\) under \/app, largest \/app\/tests /)]);
  }, 420_000);
});
