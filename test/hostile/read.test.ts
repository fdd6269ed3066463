// Issue 13, failures 1, 4 and 7: a tree from a stranger (links to /dev/zero, FIFOs, links out of the project, a file
// pyship may not read, a huge file) never hangs pyship, never gets a file outside the project read or printed, and
// never hides the findings of the other files. The CLI cases run the real bin/pyship.js (built dist) in a child
// process with a hard timeout, so a regression fails instead of hanging CI.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_BYTES, readRegular } from '../../src/io/regular.js';
import { walkFiles } from '../../src/io/discover.js';
import { loadProject } from '../../src/project/project.js';
import { ConfigError, findConfig, loadConfig } from '../../src/lint/config.js';

// PYSHIP_BIN runs the same cases against another build (how this file was shown to fail on main)
const BIN = process.env.PYSHIP_BIN ?? join(import.meta.dirname, '..', '..', 'bin', 'pyship.js');
const LIMIT_MS = 15_000;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) {
    try {
      chmodSync(d, 0o755);
    } catch {
      // already gone
    }
    rmSync(d, { recursive: true, force: true });
  }
});

function tree(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'pyship-hostile-read-'));
  dirs.push(dir);
  // readable by `nobody` too (the unreadable-file case runs the CLI as another user)
  chmodSync(dir, 0o755);
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), c);
  }
  return dir;
}

function mkfifo(path: string): void {
  const r = spawnSync('mkfifo', [path]);
  if (r.status !== 0) throw new Error(`mkfifo failed: ${r.stderr}`);
}

interface Run {
  code: number | null;
  out: string;
  err: string;
  ms: number;
  timedOut: boolean;
}

/** The real CLI in a child process, SIGKILLed past LIMIT_MS (a read of /dev/zero ignores nothing gentler). */
function cli(args: string[], cwd: string, asUser?: string[]): Run {
  const start = Date.now();
  const argv = [...(asUser ?? []), process.execPath, BIN, ...args];
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd, timeout: LIMIT_MS, killSignal: 'SIGKILL', encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout ?? '', err: r.stderr ?? '', ms: Date.now() - start, timedOut: r.signal === 'SIGKILL' };
}

const GOOD = 'FROM python:3.12-slim\nRUN pip install flask\nCMD ["python", "app.py"]\n';
const SECRET = 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETVALUE';

function jsonFindings(out: string): { file: string; code: string; message: string }[] {
  return (JSON.parse(out) as { findings: { file: string; code: string; message: string }[] }).findings;
}

describe('check on a hostile tree (real CLI)', () => {
  it('a Dockerfile-named link to /dev/zero or /dev/urandom, or a FIFO, ends promptly: reported, never read', { timeout: 30_000 }, () => {
    const dir = tree({ Dockerfile: GOOD });
    symlinkSync('/dev/zero', join(dir, 'Dockerfile.ci'));
    symlinkSync('/dev/urandom', join(dir, 'Dockerfile.rand'));
    mkfifo(join(dir, 'Dockerfile.pipe'));
    const r = cli(['check', '.', '--format', 'json'], dir);
    expect(r.timedOut).toBe(false);
    expect(r.ms).toBeLessThan(LIMIT_MS);
    const findings = jsonFindings(r.out);
    // the real Dockerfile is still checked
    expect(findings.some((f) => f.file === 'Dockerfile' && f.code === 'SEC001')).toBe(true);
    for (const f of ['Dockerfile.ci', 'Dockerfile.rand']) {
      expect(findings.filter((x) => x.file === f)).toEqual([expect.objectContaining({ code: 'DF022', message: expect.stringMatching(/not checked: a symbolic link to \/dev\/(zero|urandom)/) })]);
    }
    expect(r.err).toContain('note: Dockerfile.pipe: a FIFO (named pipe), not a regular file: skipped');
    // a link out of the project is a finding on what the file is (like a binary file), not an I/O error
    expect(r.code).toBe(1);
  });

  it('project files (requirements, .dockerignore, compose, pyproject) and the config linked to devices never hang', { timeout: 30_000 }, () => {
    const dir = tree({ Dockerfile: 'FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n', '.git/HEAD': 'ref: refs/heads/main\n' });
    symlinkSync('/dev/urandom', join(dir, 'requirements.txt'));
    symlinkSync('/dev/zero', join(dir, '.dockerignore'));
    symlinkSync('/dev/zero', join(dir, 'compose.yaml'));
    symlinkSync('/dev/zero', join(dir, 'pyproject.toml'));
    const r = cli(['check', '.'], dir);
    expect(r.timedOut).toBe(false);
    expect(r.err).toContain('note: requirements.txt: a symbolic link to /dev/urandom, outside the project: not read');
    expect(r.err).toContain('note: .dockerignore: a symbolic link to /dev/zero, outside the project: not read');
    expect(r.out).toContain('SEC001');
    expect(r.code).toBe(1);

    symlinkSync('/dev/zero', join(dir, '.pyship.toml'));
    const c = cli(['check', '.'], dir);
    expect(c.timedOut).toBe(false);
    expect(c.err).toContain(`cannot read config file ${join(dir, '.pyship.toml')}: a symbolic link to /dev/zero`);
    expect(c.code).toBe(2);
  });

  it('init on a project whose manifests, Procfile, package.json and settings are links to devices: no hang, no internal error', { timeout: 60_000 }, () => {
    const dir = tree({ 'app.py': 'from flask import Flask\napp = Flask(__name__)\n', 'requirements.txt': 'flask==3.0.0\ngunicorn==23.0.0\n' });
    for (const f of ['pyproject.toml', 'Procfile', 'package.json', 'Makefile', 'setup.cfg', 'manage.py']) symlinkSync('/dev/zero', join(dir, f));
    const r = cli(['init', '--no-input', '--dry-run', '.'], dir);
    expect(r.timedOut).toBe(false);
    expect(r.err).not.toMatch(/internal error/);
    expect(r.code === 0 || r.code === 2).toBe(true);
  });

  it('init names a manifest that links out of the project as not read, and never prints its target', { timeout: 30_000 }, () => {
    const dir = tree({ 'app.py': 'from flask import Flask\napp = Flask(__name__)\n' });
    symlinkSync('/etc/passwd', join(dir, 'requirements.txt'));
    const r = cli(['init', '--no-input', '--dry-run', '.'], dir);
    expect(r.err).toContain('note: requirements.txt: a symbolic link to /etc/passwd, outside the project: not read');
    expect(r.out + r.err).not.toMatch(/root:x:0/);
    expect(r.err).not.toMatch(/internal error/);
  });

  it('a FIFO or device named on the command line is a clear error on that file, not a hang', { timeout: 30_000 }, () => {
    const dir = tree({ Dockerfile: GOOD });
    mkfifo(join(dir, 'Dockerfile.pipe'));
    const r = cli(['check', 'Dockerfile.pipe', 'Dockerfile', '--format', 'json'], dir);
    expect(r.timedOut).toBe(false);
    const findings = jsonFindings(r.out);
    expect(findings.find((f) => f.file === 'Dockerfile.pipe')?.message).toBe('not checked: a FIFO (named pipe), not a regular file');
    expect(findings.some((f) => f.file === 'Dockerfile' && f.code === 'SEC001')).toBe(true);
    expect(r.code).toBe(2);
    const z = cli(['check', '/dev/zero'], dir);
    expect(z.timedOut).toBe(false);
    expect(z.out).toContain('/dev/zero:1:1  error  DF022  not checked: a character device, not a regular file');
    expect(z.code).toBe(2);
  });

  it('links out of the project are reported, never read or printed, in any format; links inside are followed', { timeout: 60_000 }, () => {
    const home = tree({ '.aws/credentials': `[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n${SECRET}\n` });
    const dir = tree({ Dockerfile: GOOD, 'docker/Dockerfile.shared': GOOD, '.git/HEAD': 'ref: refs/heads/main\n' });
    symlinkSync(join(home, '.aws/credentials'), join(dir, 'Dockerfile.ci'));
    symlinkSync('/etc/passwd', join(dir, 'Dockerfile.passwd'));
    symlinkSync('docker/Dockerfile.shared', join(dir, 'Dockerfile.dev'));
    symlinkSync(join(home, '.aws/credentials'), join(dir, 'requirements.txt'));
    for (const format of ['text', 'json', 'sarif', 'github', 'junit']) {
      const r = cli(['check', '.', '--format', format], dir);
      expect(r.timedOut).toBe(false);
      const all = r.out + r.err;
      expect(all).not.toContain('SECRETVALUE');
      expect(all).not.toContain('AKIAIOSFODNN7EXAMPLE');
      expect(all).not.toContain('root:x:0:0');
      expect(r.code).toBe(1);
    }
    const findings = jsonFindings(cli(['check', '.', '--format', 'json'], dir).out);
    expect(findings.filter((f) => f.file === 'Dockerfile.ci')).toEqual([expect.objectContaining({ code: 'DF022', message: expect.stringContaining('outside the project: pyship does not follow it') })]);
    expect(findings.filter((f) => f.file === 'Dockerfile.passwd')).toEqual([expect.objectContaining({ code: 'DF022', message: expect.stringContaining('a symbolic link to /etc/passwd, outside the project') })]);
    // a link inside the project is followed like the file itself
    expect(findings.some((f) => f.file === 'Dockerfile.dev' && f.code === 'SEC001')).toBe(true);
    // named on the command line: still not followed out of the project (CI names `Dockerfile`; the PR picks the target)
    const named = cli(['check', 'Dockerfile.ci'], dir);
    expect(named.out + named.err).not.toContain('SECRETVALUE');
    expect(named.out).toContain('Dockerfile.ci:1:1  error  DF022  not checked: a symbolic link to');
    expect(named.code).toBe(1);
    // --fix says it did not fix it, and why
    const fixed = cli(['check', 'Dockerfile.ci', '--fix'], dir);
    expect(fixed.err).toContain(`Dockerfile.ci: not fixed: a symbolic link to ${join(home, '.aws/credentials')}, outside the project`);
  });

  it('one unreadable file does not hide the others: reported by name, the rest checked, exit 2', { timeout: 30_000 }, () => {
    const dir = tree({ Dockerfile: `${GOOD}COPY requirements.txt .\n`, 'Dockerfile.locked': GOOD, 'requirements.txt': 'flask\n' });
    chmodSync(join(dir, 'Dockerfile.locked'), 0o000);
    chmodSync(join(dir, 'requirements.txt'), 0o000);
    // root reads mode 000 anyway: run the CLI as nobody (setpriv, util-linux) when we are root
    const asUser = process.getuid?.() === 0 ? ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'] : undefined;
    const r = cli(['check', '.', '--format', 'json'], dir, asUser);
    expect(r.timedOut).toBe(false);
    expect(r.err).not.toContain('EACCES');
    const findings = jsonFindings(r.out);
    expect(findings.filter((f) => f.file === 'Dockerfile.locked')).toEqual([expect.objectContaining({ code: 'DF022', message: 'not checked: permission denied (check its mode and owner)' })]);
    expect(findings.some((f) => f.file === 'Dockerfile' && f.code === 'SEC001')).toBe(true);
    expect(r.err).toContain('pyship: not checked: Dockerfile.locked');
    // a project file pyship may not read is a note (its rules then see no such file)
    expect(r.err).toContain('note: requirements.txt: permission denied (check its mode and owner): not read');
    expect(r.code).toBe(2);
  });

  it('a dangling link found by the walk is reported on that file; the others are checked', { timeout: 30_000 }, () => {
    const dir = tree({ Dockerfile: GOOD });
    symlinkSync('gone/Dockerfile', join(dir, 'Dockerfile.old'));
    const r = cli(['check', '.', '--format', 'json'], dir);
    const findings = jsonFindings(r.out);
    expect(findings.find((f) => f.file === 'Dockerfile.old')?.message).toBe('not checked: a symbolic link to gone/Dockerfile, which does not exist');
    expect(findings.some((f) => f.file === 'Dockerfile' && f.code === 'SEC001')).toBe(true);
    expect(r.code).toBe(2);
  });

  it('a file past the byte cap is a finding on that file, fast, not a 30 s parse or an aborted run', { timeout: 30_000 }, () => {
    const dir = tree({ Dockerfile: GOOD });
    writeFileSync(join(dir, 'Dockerfile.huge'), 'FROM python:3.12-slim\n' + 'RUN echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n'.repeat(60_000));
    const r = cli(['check', '.', '--format', 'json'], dir);
    expect(r.timedOut).toBe(false);
    expect(r.ms).toBeLessThan(10_000);
    const findings = jsonFindings(r.out);
    expect(findings.filter((f) => f.file === 'Dockerfile.huge')).toEqual([expect.objectContaining({ code: 'DF022', message: expect.stringMatching(/^not checked: 3\.2 MiB, past the 2 MiB pyship reads of a file/) })]);
    expect(findings.some((f) => f.file === 'Dockerfile' && f.code === 'SEC001')).toBe(true);
    expect(r.code).toBe(1);
  });
});

describe('readRegular', () => {
  it('refuses a FIFO, a device and a socket without opening them for long', { timeout: 10_000 }, async () => {
    const dir = tree();
    mkfifo(join(dir, 'pipe'));
    expect(readRegular(join(dir, 'pipe')).refusal).toEqual({ kind: 'special', reason: 'a FIFO (named pipe), not a regular file' });
    expect(readRegular('/dev/zero').refusal?.kind).toBe('special');
    symlinkSync('/dev/urandom', join(dir, 'rand'));
    expect(readRegular(join(dir, 'rand')).refusal).toEqual({ kind: 'special', reason: 'a character device, not a regular file' });
    const server = createServer();
    await new Promise<void>((ok) => server.listen(join(dir, 'sock'), ok));
    try {
      expect(readRegular(join(dir, 'sock')).refusal).toEqual({ kind: 'special', reason: 'a socket, not a regular file' });
    } finally {
      server.close();
    }
  });

  it('follows links inside `within`, refuses links that leave it, names dangling links', () => {
    const out = tree({ secret: SECRET });
    const dir = tree({ 'a/real': 'hello' });
    symlinkSync('a/real', join(dir, 'inside'));
    symlinkSync(join(out, 'secret'), join(dir, 'outside'));
    symlinkSync(out, join(dir, 'outdir'));
    symlinkSync('nowhere', join(dir, 'dangling'));
    expect(readRegular(join(dir, 'inside'), { within: [dir] }).bytes?.toString()).toBe('hello');
    expect(readRegular(join(dir, 'outside'), { within: [dir] }).refusal).toEqual({ kind: 'outside', reason: `a symbolic link to ${join(out, 'secret')}, outside the project` });
    // a linked directory on the way out counts too
    expect(readRegular(join(dir, 'outdir', 'secret'), { within: [dir] }).refusal?.kind).toBe('outside');
    expect(readRegular(join(dir, 'dangling'), { within: [dir] }).refusal).toEqual({ kind: 'missing', reason: 'a symbolic link to nowhere, which does not exist' });
    // a path through a file is simply absent (project readers probe such paths and must stay quiet about them)
    expect(readRegular(join(dir, 'a/real/requirements.txt'), { within: [dir] }).refusal?.kind).toBe('missing');
    // no bound: the user named the file itself
    expect(readRegular(join(dir, 'outside')).bytes?.toString()).toBe(SECRET);
  });

  it('caps the bytes read, whatever stat says (procfs reports 0 bytes and has more)', () => {
    const dir = tree({ big: 'x'.repeat(1001), small: 'x'.repeat(1000) });
    expect(readRegular(join(dir, 'big'), { maxBytes: 1000 }).refusal?.kind).toBe('too-large');
    expect(readRegular(join(dir, 'small'), { maxBytes: 1000 }).bytes?.length).toBe(1000);
    const status = readRegular('/proc/self/status');
    expect(status.bytes?.toString()).toMatch(/^Name:/);
    expect(readRegular('/proc/self/status', { maxBytes: 10 }).refusal?.kind).toBe('too-large');
    expect(MAX_BYTES).toBe(2 * 1024 * 1024);
  });
});

describe('the readers of project files go through it', () => {
  it('walkFiles shows FIFOs and links to the reader instead of skipping them silently', () => {
    const dir = tree({ Dockerfile: GOOD });
    mkfifo(join(dir, 'Dockerfile.pipe'));
    symlinkSync('/dev/zero', join(dir, 'Dockerfile.zero'));
    const seen: string[] = [];
    walkFiles(dir, new Set(), (_abs, rel) => void seen.push(rel));
    expect(seen).toEqual(['Dockerfile', 'Dockerfile.pipe', 'Dockerfile.zero']);
  });

  it('loadProject reads no link out of its root nor a device, and says which files it skipped', { timeout: 10_000 }, () => {
    const out = tree({ secret: SECRET });
    const dir = tree({ 'pyproject.toml': '[project]\nname = "x"\n', 'shared/requirements.txt': 'flask\n' });
    symlinkSync(join(out, 'secret'), join(dir, 'requirements.txt'));
    symlinkSync('/dev/zero', join(dir, '.dockerignore'));
    symlinkSync('shared/requirements.txt', join(dir, 'requirements-dev.txt'));
    const p = loadProject(dir);
    expect(p.file('requirements.txt')).toBeUndefined();
    expect(p.dockerignore).toBeUndefined();
    expect(p.file('requirements-dev.txt')?.text).toBe('flask\n');
    expect([...p.skipped.keys()].sort()).toEqual([join(dir, '.dockerignore'), join(dir, 'requirements.txt')]);
  });

  // (devices: the CLI cases above; in-process, main's read of /dev/zero would hang the test worker past any timeout)
  it('config discovery and loading follow no link out of the project, and print none of it', () => {
    const out = tree({ 'pyproject.toml': `[tool.pyship]\nfail-on = "error"\n${SECRET}\n` });
    const dir = tree({ '.git/HEAD': 'ref: refs/heads/main\n' });
    symlinkSync(join(out, 'pyproject.toml'), join(dir, 'pyproject.toml'));
    expect(findConfig(dir)).toBeUndefined();
    symlinkSync(join(out, 'pyproject.toml'), join(dir, '.pyship.toml'));
    let error: unknown;
    try {
      loadConfig(join(dir, '.pyship.toml'), new Set());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(`cannot read config file ${join(dir, '.pyship.toml')}: a symbolic link to ${join(out, 'pyproject.toml')}, outside the project`);
  });
});
