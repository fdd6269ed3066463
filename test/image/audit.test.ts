import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { readImage, type ImageData } from '../../src/image/read.js';
import { auditImage, type AuditOptions } from '../../src/audit/audit.js';
import { baseBoundary } from '../../src/image/history.js';
import { maskSecrets } from '../../src/image/facts.js';
import { runAudit } from '../../src/commands/audit.js';
import type { Io } from '../../src/commands/io.js';
import { rulesByCode } from '../../src/rules/index.js';
import { dockerSave, tar, type ImageSpec } from './archive.js';
import { badImage, baseHistory, baseLayers, ENV_FILE_SECRET, goodImage, NOW, SECRET_VALUE } from './fixtures.js';

const read = (spec: ImageSpec): Promise<ImageData> => readImage({ kind: 'stream', stream: Readable.from([dockerSave(spec)]), ref: 'test/image:1' });
const audit = async (spec: ImageSpec, opts: AuditOptions = {}) => auditImage(await read(spec), { now: NOW, ...opts });
const codes = (r: { findings: { code: string }[] }): string[] => [...new Set(r.findings.map((f) => f.code))].sort();

/** A fresh directory with an empty pyship.toml, so no configuration file above it (in /tmp) applies. */
const tmp = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'pyship-audit-'));
  writeFileSync(join(dir, 'pyship.toml'), '');
  return dir;
};

function io(cwd: string): Io & { stdout: string; stderr: string } {
  const o = { stdout: '', stderr: '', cwd, color: false, out: (t: string) => void (o.stdout += t), err: (t: string) => void (o.stderr += t) };
  return o;
}

const noEngine = () => {
  throw new Error('the engine must not be used for tar/OCI paths');
};

describe('auditImage', () => {
  it('catches every I-scope problem of the bad image, each with its figure', async () => {
    const r = await audit(badImage(), { maxImageSize: 1_000_000 });
    expect(codes(r)).toEqual([
      'CI002', 'DBG002', 'DBG003', 'MS001', 'OPS006', 'OPS008', 'OPS009', 'SEC001', 'SEC003', 'SEC004', 'SEC006', 'SEC009',
      'SIZE001', 'SIZE002', 'SIZE003', 'SIZE004', 'SIZE005', 'SIZE006',
    ]);
    const msg = (code: string): string[] => r.findings.filter((f) => f.code === code).map((f) => f.message);
    expect(msg('SEC001')).toEqual(['the image runs as root: Config.User is empty']);
    expect(msg('SEC003')[0]).toMatch(/port 80\/tcp \(< 1024\)/);
    // the image's own setuid file and capability; the base's /usr/bin/passwd is not the image's doing
    expect(msg('SEC004')).toHaveLength(2);
    expect(msg('SEC004').join('\n')).toMatch(/\/usr\/local\/bin\/suidtool has setuid root \(mode 4755\)/);
    expect(msg('SEC004').join('\n')).toMatch(/\/usr\/local\/bin\/capped has file capabilities/);
    expect(msg('SEC004').join('\n')).not.toMatch(/passwd/);
    expect(msg('SEC006')[0]).toMatch(/created 45\.5 days ago .*> 7 days/);
    expect(msg('SEC009').join('\n')).toMatch(/GITHUB_TOKEN/);
    expect(msg('SEC009').join('\n')).toMatch(/DATABASE_URL holds a URL with a password/);
    expect(msg('SEC009').join('\n')).toMatch(/secret file \/app\/\.env/);
    expect(msg('SEC009').join('\n')).toMatch(/secret file \/app\/id_rsa .*deleted by a later layer but still shipped/);
    expect(msg('SEC009').join('\n')).not.toMatch(/ca\.pem/);
    expect(msg('CI002')[0]).toMatch(/the image is 5\.1 MB \(> max-image-size 1\.0 MB\)/);
    expect(msg('OPS006')[0]).toMatch(/no init process as PID 1 \(it runs "gunicorn"\)/);
    expect(msg('OPS008')).toEqual([expect.stringMatching(/HEALTHCHECK runs curl, which the image does not contain/)]);
    expect(msg('OPS009')[0]).toMatch(/^33% of the 3 \.py files in site-packages have a \.pyc/);
    expect(msg('SIZE001')[0]).toMatch(/^efficiency 0\.317 \(< min-efficiency 0\.95\): 3\.5 MB of 5\.1 MB are files later layers overwrite or delete; most in layer 4 \(RUN pip install flask==3\.1\.0\) 3\.5 MB/);
    expect(msg('SIZE002').join('\n')).toMatch(/\.git directory in the image: \/app\/\.git/);
    expect(msg('SIZE002').join('\n')).toMatch(/__pycache__ copied from the build context: \/app\/__pycache__/);
    expect(msg('SIZE003')[0]).toMatch(/rewrites 1\.5 MB of files only to change owner or mode/);
    expect(msg('SIZE004')[0]).toMatch(/\/var\/lib\/apt\/lists holds 1 files \(100\.0 kB\)/);
    expect(msg('SIZE005')[0]).toMatch(/\/root\/\.cache\/pip is in the image: 1 files, 5\.0 kB/);
    expect(msg('SIZE006')[0]).toMatch(/1 C\/Cython sources .* next to compiled extensions/);
    expect(msg('MS001')[0]).toMatch(/gcc \(\/usr\/bin\/gcc-14\)/);
    // severities come from the registry
    for (const f of r.findings) {
      const reg = rulesByCode.get(f.code);
      if (reg) expect(f.severity).toBe(reg.severity);
      expect(f.file).toBe('test/image:1');
      expect(f.span.end).toBeGreaterThanOrEqual(f.span.start);
      expect(r.text.length).toBeGreaterThanOrEqual(f.span.end);
    }
  });

  it('finds nothing wrong with the good image', async () => {
    const r = await audit(goodImage(), { maxImageSize: 100_000_000 });
    expect(r.findings).toEqual([]);
    expect(r.bytecode).toEqual({ py: 2, compiled: 2, share: 1 });
    expect(r.efficiency).toBe(1);
    expect(r.distributions.map((d) => `${d.location} ${d.name} ${d.version}`)).toEqual([
      '/opt/venv/lib/python3.13/site-packages flask 3.1.0',
      '/opt/venv/lib/python3.13/site-packages gunicorn 23.0.0',
      '/usr/lib/python3/dist-packages pip 25.1',
    ]);
  });

  it('never puts a secret value in messages or the listing', async () => {
    const r = await audit(badImage());
    const all = r.text + r.findings.map((f) => f.message).join('\n') + r.layers.map((l) => l.createdBy).join('\n');
    expect(all).not.toContain(SECRET_VALUE);
    expect(all).not.toContain(ENV_FILE_SECRET);
    expect(maskSecrets('|2 API_TOKEN=abc123xyz DEBUG=1 /bin/sh -c pip install --index-url https://u:hunter2@pypi.example/simple x'))
      .toBe('|2 API_TOKEN=*** DEBUG=1 /bin/sh -c pip install --index-url https://u:***@pypi.example/simple x');
  });

  it('resolves user names through /etc/passwd and honours thresholds, selection and severity', async () => {
    const spec = goodImage();
    spec.config = { ...spec.config, User: 'sneaky' };
    const r = await audit(spec, { minEfficiency: 0.95, staleDays: 0.5 });
    expect(r.findings.map((f) => [f.code, f.message])).toEqual([
      ['SEC001', 'the image runs as root: user "sneaky" has uid 0 in /etc/passwd'],
      ['SEC006', expect.stringMatching(/created 1\.0 days ago .*> 0\.5 days/)],
    ]);
    const only = await audit(badImage(), { enabled: new Set(['SIZE005']), severity: () => 'error' });
    expect(only.findings.map((f) => [f.code, f.severity])).toEqual([['SIZE005', 'error']]);
    const withPs = await audit(goodImage(), { enabled: new Set(rulesByCode.keys()) });
    expect(codes(withPs)).toEqual([]);
  });

  it('finds the base boundary from history, the base label, or the root filesystem layer', async () => {
    const bad = await read(badImage());
    expect(baseBoundary(bad)).toMatchObject({ ownFrom: 2, how: expect.stringMatching(/base's last CMD/) });
    const labelled = badImage();
    labelled.config = { ...labelled.config, Labels: { 'org.opencontainers.image.base.name': 'python:3.13-slim', BASE_BUILT: '2026-06-01' } };
    const img = await read(labelled);
    const ids = img.layers.slice(0, 3).map((l) => l.diffId!);
    expect(baseBoundary(img, (n) => (n === 'python:3.13-slim' ? ids : undefined))).toMatchObject({ ownFrom: 3, name: 'python:3.13-slim', built: '2026-06-01' });
    const noCmd = badImage();
    noCmd.history = noCmd.history!.filter((h) => !h.created_by.includes('CMD'));
    const r = await read(noCmd);
    // 2026-06-01 base vs 2026-06-14 build: the time gap
    expect(baseBoundary(r)).toMatchObject({ ownFrom: 2, how: expect.stringMatching(/h between history #2 and #3/) });
  });

  // Images as the legacy builder (docker build without BuildKit) writes them: `#(nop)` history, a layer for WORKDIR,
  // and `docker build --label k=v` recorded as one more LABEL entry after the Dockerfile's last instruction (BuildKit
  // puts --label only in the config). The image's own CMD is then not the last entry and must not count as the base's.
  const legacyImage = (): ImageSpec => {
    const t = '2026-06-14T12:00:00Z';
    return {
      created: t,
      layers: [
        ...baseLayers,
        [{ path: 'app', type: 'dir' }],
        [{ path: 'app', type: 'dir' }, { path: 'app/app.py', data: 'print("hello")\n' }],
        [{ path: 'app', type: 'dir' }, { path: 'app/id_rsa', data: '-----BEGIN OPENSSH PRIVATE KEY-----\n' }],
      ],
      history: [
        ...baseHistory,
        { created_by: '/bin/sh -c #(nop)  ENV PYTHONFAULTHANDLER=1', empty_layer: true, created: t },
        { created_by: '/bin/sh -c #(nop)  LABEL org.opencontainers.image.revision=e2e', empty_layer: true, created: t },
        { created_by: '/bin/sh -c #(nop) WORKDIR /app', created: t },
        { created_by: '/bin/sh -c #(nop) COPY file:72c596748fb0bf33c03718b68b60adc5073fdbbf3322e556810d03b38999f075 in /app/ ', created: t },
        { created_by: '/bin/sh -c #(nop) COPY file:8ec417d436f51435885d4fe54d4cc1a93a509ca15239596bf7f5a3aaada59a33 in /app/id_rsa ', created: t },
        { created_by: '/bin/sh -c #(nop)  USER 10001', empty_layer: true, created: t },
        { created_by: '/bin/sh -c #(nop)  CMD ["python" "/app/app.py"]', empty_layer: true, created: t },
        { created_by: '/bin/sh -c #(nop)  LABEL dev.pyship.managed=audit-e2e', empty_layer: true, created: t },
      ],
      config: {
        User: '10001',
        Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'PYTHONFAULTHANDLER=1'],
        Cmd: ['python', '/app/app.py'],
        Labels: { 'org.opencontainers.image.revision': 'e2e', 'dev.pyship.managed': 'audit-e2e' },
        WorkingDir: '/app',
      },
    };
  };

  it('keeps a legacy-builder image\'s own layers when --label added a LABEL entry after its CMD', async () => {
    const img = await read(legacyImage());
    expect(baseBoundary(img)).toMatchObject({ ownFrom: 2, how: "history: the base's last CMD (history #3)" });
    const r = auditImage(img, { now: NOW });
    expect(r.layers.map((l) => l.base)).toEqual([true, true, false, false, false]);
    expect(r.findings.filter((f) => f.code === 'SEC009').map((f) => f.message)).toEqual([
      expect.stringMatching(/^secret file \/app\/id_rsa \(id_rsa\) is in layer 4 \(COPY file:8ec4/),
    ]);
    expect(r.findings.map((f) => f.message).join('\n')).not.toContain('OPENSSH');
  });

  it('does not take the image\'s own ENTRYPOINT/CMD or trailing metadata for the base\'s command', async () => {
    // BuildKit shape: ENTRYPOINT then CMD, then EXPOSE after CMD; only metadata follows the image's own commands
    const spec = legacyImage();
    spec.history = [
      ...baseHistory,
      { created_by: 'WORKDIR /app', created: NOW.toISOString() },
      { created_by: 'COPY app.py /app/ # buildkit', created: NOW.toISOString() },
      { created_by: 'COPY id_rsa /app/id_rsa # buildkit', created: NOW.toISOString() },
      { created_by: 'ENTRYPOINT ["python"]', empty_layer: true, created: NOW.toISOString() },
      { created_by: 'CMD ["/app/app.py"]', empty_layer: true, created: NOW.toISOString() },
      { created_by: 'EXPOSE map[8000/tcp:{}]', empty_layer: true, created: NOW.toISOString() },
    ];
    expect(baseBoundary(await read(spec))).toMatchObject({ ownFrom: 2, how: "history: the base's last CMD (history #3)" });
    // an image that adds only metadata to its base has no layers of its own: no command marks a boundary, the time
    // gap to the base's history does
    const metaOnly = legacyImage();
    metaOnly.layers = metaOnly.layers.slice(0, 2);
    metaOnly.history = [...baseHistory, { created_by: 'ENV A=1', empty_layer: true, created: NOW.toISOString() }, { created_by: 'CMD ["python3", "-V"]', empty_layer: true, created: NOW.toISOString() }];
    expect(baseBoundary(await read(metaOnly))).toMatchObject({ ownFrom: 2, how: expect.stringMatching(/h between history #3 and #4/) });
  });

  it('flags a shell-form healthcheck, a missing init binary and a host virtualenv', async () => {
    const spec = goodImage();
    spec.config = { ...spec.config, Entrypoint: ['/usr/bin/dumb-init', '--'], Healthcheck: { Test: ['CMD-SHELL', 'wget -q -O- http://127.0.0.1:8000/ || exit 1'] } };
    spec.layers.push([{ path: 'app/.venv/pyvenv.cfg', data: 'home = /Users/dev/.pyenv/versions/3.13.1/bin\n' }]);
    spec.history!.push({ created_by: 'COPY . /app # buildkit' });
    const r = await audit(spec);
    expect(r.findings.map((f) => `${f.code} ${f.severity} ${f.message}`)).toEqual([
      expect.stringMatching(/^OPS006 warning PID 1 is \/usr\/bin\/dumb-init, which the image does not contain/),
      expect.stringMatching(/^OPS008 warning HEALTHCHECK runs wget, which the image does not contain/),
      'OPS008 info HEALTHCHECK in shell form (CMD-SHELL): use the exec form ["CMD", …]',
      expect.stringMatching(/^SIZE002 warning virtualenv copied from the host: \/app\/\.venv \(home = \/Users\/dev/),
    ]);
  });
});

describe('pyship audit (command)', () => {
  it('audits a tar path: report, layer table, distributions, exit code', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'bad.tar'), dockerSave(badImage()));
    const o = io(dir);
    const code = await runAudit('bad.tar', {}, o, noEngine);
    expect(code).toBe(1);
    expect(o.stdout).toMatch(/bad\.tar:\d+:1 {2}error {2}SEC001 {2}the image runs as root/);
    expect(o.stdout).toMatch(/Layers of bad\.tar {2}\(base: layers 0-1; history: the base's last CMD \(history #3\)\)/);
    expect(o.stdout).toMatch(/\n {2}4 {7}3\.5 MB {5}3\.5 MB {5}10 {2}RUN pip install flask==3\.1\.0\n/);
    expect(o.stdout).toMatch(/total 5\.1 MB, wasted 3\.5 MB, efficiency 31\.7%/);
    expect(o.stdout).toMatch(/Python distributions \(3\)\n {2}\/usr\/lib\/python3\/dist-packages\n {4}pip 25\.1\n {2}\/usr\/local\/lib\/python3\.13\/site-packages\n {4}flask 3\.1\.0\n {4}requests 2\.32\.0/);
    expect(o.stdout).not.toContain(SECRET_VALUE);
  });

  it('speaks every format, honours --fail-on, --select and --max-image-size', async () => {
    const dir = tmp();
    // created now: the command audits with the real clock (SEC006)
    writeFileSync(join(dir, 'good.tar'), dockerSave({ ...goodImage(), created: new Date().toISOString() }));
    for (const format of ['json', 'sarif', 'github', 'junit']) {
      const o = io(dir);
      expect(await runAudit('good.tar', { format }, o, noEngine)).toBe(0);
      if (format !== 'github') expect(o.stdout.length, format).toBeGreaterThan(0);
    }
    const o = io(dir);
    expect(await runAudit('good.tar', { format: 'json', maxImageSize: '1kB', select: ['CI002'] }, o, noEngine)).toBe(1);
    const json = JSON.parse(o.stdout) as unknown;
    expect(JSON.stringify(json)).toMatch(/CI002/);
    expect(JSON.stringify(json)).toMatch(/max-image-size 1\.0 kB/);
    const info = io(dir);
    expect(await runAudit('good.tar', { select: ['CI002'], maxImageSize: '1kB', failOn: 'error' }, info, noEngine)).toBe(0);
  });

  it('compares distributions with the project lock (--project)', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'good.tar'), dockerSave(goodImage()));
    const proj = join(dir, 'proj');
    mkdirSync(proj);
    writeFileSync(join(proj, 'pyproject.toml'), '[project]\nname = "app"\nversion = "1"\ndependencies = ["flask", "gunicorn", "redis"]\n');
    writeFileSync(join(proj, 'uv.lock'), 'version = 1\n[[package]]\nname = "app"\nversion = "1"\nsource = { editable = "." }\n[[package]]\nname = "Flask"\nversion = "3.1.0"\n[[package]]\nname = "gunicorn"\nversion = "22.0.0"\n[[package]]\nname = "redis"\nversion = "5.0.0"\n');
    const o = io(dir);
    await runAudit('good.tar', { project: 'proj', select: ['SEC001'] }, o, noEngine);
    expect(o.stdout).toMatch(/Compared with uv\.lock {2}\(environment \/opt\/venv\/lib\/python3\.13\/site-packages\)/);
    expect(o.stdout).toMatch(/1 match, 1 other version, 1 not installed, 0 not locked/);
    expect(o.stdout).toMatch(/gunicorn: locked 22\.0\.0, installed 23\.0\.0/);
    expect(o.stdout).toMatch(/redis 5\.0\.0 not installed/);
    // requirements pins when there is no lock file
    writeFileSync(join(proj, 'uv.lock'), '');
    const p2 = join(dir, 'p2');
    mkdirSync(p2);
    writeFileSync(join(p2, 'requirements.txt'), 'flask==3.1.0\ngunicorn==23.0.0\n');
    const o2 = io(dir);
    await runAudit('good.tar', { project: 'p2', select: ['SEC001'] }, o2, noEngine);
    expect(o2.stdout).toMatch(/Compared with requirements\.txt[^\n]*\n {2}2 match, 0 other version, 0 not installed, 0 not locked/);
  });

  it('exits 2 with a message for unreadable input and bad flags', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'junk.tar'), tar([{ path: 'x', data: 'y' }]));
    writeFileSync(join(dir, 'cut.tar'), dockerSave(goodImage()).subarray(0, 5000));
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['junk.tar', {}, /not an image archive/],
      ['cut.tar', {}, /truncated/],
      ['good.tar', { format: 'xml' }, /--format must be/],
      ['junk.tar', { minEfficiency: '2' }, /--min-efficiency must be a number from 0 to 1/],
      ['junk.tar', { maxImageSize: 'huge' }, /max-image-size/],
    ];
    for (const [arg, flags, re] of cases) {
      const o = io(dir);
      expect(await runAudit(arg, flags, o, noEngine), `${arg} ${JSON.stringify(flags)}`).toBe(2);
      expect(o.stderr).toMatch(re);
    }
    const o = io(dir);
    const engineDown = () => ({ version: () => { throw new (await_engine_error())('no container engine answers'); } }) as never;
    expect(await runAudit('some/image:tag', {}, o, engineDown)).toBe(2);
    expect(o.stderr).toMatch(/no container engine answers/);
  });
});

import { EngineUnavailableError } from '../../src/engine/types.js';
function await_engine_error(): typeof EngineUnavailableError {
  return EngineUnavailableError;
}
