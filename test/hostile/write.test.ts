// Issue 13, failures 8 and 9 (writing): --fix and init never break a symlink, a line ending, a BOM, a mode or an
// owner, refuse read-only files unless told, and turn every write failure into a message naming the file (exit 2, no
// temp file left). Drives the built CLI (bin/pyship.js) on temp dirs.
import { spawnSync } from 'node:child_process';
import {
  chmodSync, chownSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync,
  rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { failure, WriteError } from '../../src/io/write.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'pyship.js');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function temp(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'pyship-write-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

interface Run { code: number | null; out: string; err: string }

/** The CLI, bounded: a regression fails instead of hanging. `prefix` runs it under another command (setpriv). */
function pyship(args: string[], cwd: string, prefix: string[] = []): Run {
  const cmd = [...prefix, process.execPath, BIN, ...args];
  const r = spawnSync(cmd[0]!, cmd.slice(1), { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A fix that changes a line, inserts one and rewrites another (safe and unsafe fixes), stable across rule changes. */
const FIX = ['--fix', '--unsafe-fixes', '--no-project', '--select', 'DF024,DF010,DBG002'];
const BEFORE = ['from python:3.13-slim-trixie', 'maintainer me', 'CMD ["python", "app.py"]', ''];
const AFTER = ['from python:3.13-slim-trixie', 'env PYTHONFAULTHANDLER=1', 'label org.opencontainers.image.authors="me"', 'cmd ["python", "app.py"]', ''];

const tempFilesIn = (dir: string): string[] => readdirSync(dir).filter((n) => n.includes('.pyship-') && n.endsWith('.tmp'));

describe('--fix through symlinks', () => {
  it('fixes the target of a symlink inside the project and keeps the link', () => {
    const dir = temp({ 'docker/Dockerfile.real': BEFORE.join('\n') });
    symlinkSync('docker/Dockerfile.real', join(dir, 'Dockerfile'));
    const r = pyship(['check', 'Dockerfile', ...FIX], dir);
    expect(r.err).not.toMatch(/internal error/);
    expect(lstatSync(join(dir, 'Dockerfile')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'Dockerfile'))).toBe('docker/Dockerfile.real');
    expect(readFileSync(join(dir, 'docker/Dockerfile.real'), 'utf8')).toBe(AFTER.join('\n'));
    expect(r.err).toMatch(/Fixed Dockerfile/);
  });

  it('refuses a link that leaves the project: the link stays, the file outside is unchanged, and it says why', () => {
    const outside = temp({ Dockerfile: BEFORE.join('\n') });
    const dir = temp({ 'pyproject.toml': '[project]\nname = "x"\n' });
    symlinkSync(join(outside, 'Dockerfile'), join(dir, 'Dockerfile'));
    const r = pyship(['check', 'Dockerfile', ...FIX], dir);
    expect(lstatSync(join(dir, 'Dockerfile')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(outside, 'Dockerfile'), 'utf8')).toBe(BEFORE.join('\n'));
    expect(r.err).toMatch(/Dockerfile.*outside the project/);
    expect(r.err).not.toMatch(/internal error|Fixed Dockerfile/);
  });
});

describe('--fix keeps the bytes it does not change', () => {
  it('a CRLF file stays CRLF, the lines fixes insert included (byte-exact)', () => {
    const dir = temp({ Dockerfile: BEFORE.join('\r\n') });
    pyship(['check', 'Dockerfile', ...FIX], dir);
    expect(readFileSync(join(dir, 'Dockerfile'), 'latin1')).toBe(AFTER.join('\r\n'));
  });

  it('a mixed file keeps each untouched line\'s ending; new and changed lines take the most common one', () => {
    // CRLF, LF, CRLF, CRLF: CRLF is the most common; the LF line is untouched by the fixes
    const dir = temp({ Dockerfile: 'from python:3.13-slim-trixie\r\nworkdir /app\nmaintainer me\r\nCMD ["python", "app.py"]\r\n' });
    pyship(['check', 'Dockerfile', ...FIX], dir);
    expect(readFileSync(join(dir, 'Dockerfile'), 'latin1')).toBe(
      'from python:3.13-slim-trixie\r\nenv PYTHONFAULTHANDLER=1\r\nworkdir /app\nlabel org.opencontainers.image.authors="me"\r\ncmd ["python", "app.py"]\r\n',
    );
  });

  it('--diff on a CRLF file is a patch of the file as it is (CRLF lines), and stdin comes back CRLF', () => {
    const dir = temp({ Dockerfile: BEFORE.join('\r\n') });
    const d = pyship(['check', 'Dockerfile', '--diff', '--unsafe-fixes', '--no-project', '--select', 'DF024,DF010,DBG002'], dir);
    expect(d.out).toContain('\n-maintainer me\r\n');
    expect(d.out).toContain('\n+label org.opencontainers.image.authors="me"\r\n');
    const r = spawnSync(process.execPath, [BIN, 'check', '-', ...FIX], { cwd: dir, input: BEFORE.join('\r\n'), encoding: 'latin1', timeout: 60_000 });
    expect(r.stdout).toBe(AFTER.join('\r\n'));
  });

  it('a UTF-8 byte order mark is kept', () => {
    const dir = temp();
    writeFileSync(join(dir, 'Dockerfile'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(BEFORE.join('\n'))]));
    pyship(['check', 'Dockerfile', ...FIX], dir);
    const bytes = readFileSync(join(dir, 'Dockerfile'));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8')).toBe(AFTER.join('\n'));
  });

  it('the mode is kept (0640)', () => {
    const dir = temp({ Dockerfile: BEFORE.join('\n') });
    chmodSync(join(dir, 'Dockerfile'), 0o640);
    pyship(['check', 'Dockerfile', ...FIX], dir);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(AFTER.join('\n'));
    expect(statSync(join(dir, 'Dockerfile')).mode & 0o7777).toBe(0o640);
  });

  it.runIf(process.getuid?.() === 0)('run as root (a container fixing a mounted checkout), the owner is kept', () => {
    const dir = temp({ Dockerfile: BEFORE.join('\n') });
    chownSync(join(dir, 'Dockerfile'), 1234, 2345);
    pyship(['check', 'Dockerfile', ...FIX], dir);
    const st = statSync(join(dir, 'Dockerfile'));
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(AFTER.join('\n'));
    expect([st.uid, st.gid]).toEqual([1234, 2345]);
  });

  it('CRLF input reports what LF input reports, at the same lines and columns (heredoc scripts included)', () => {
    // a heredoc's `set -ex` and a continued RUN quoted in a message were read with their \r on main
    const lines = ['FROM python:3.13-slim-trixie', 'RUN <<EOT', '  set -ex', '  apt-get update', 'EOT', 'COPY . /app', 'RUN pip install --no-cache-dir \\', '    -r /app/requirements.txt', 'CMD ["python", "app.py"]', ''];
    const dir = temp({ 'lf/Dockerfile': lines.join('\n'), 'crlf/Dockerfile': lines.join('\r\n') });
    const report = (sub: string): unknown => JSON.parse(pyship(['check', 'Dockerfile', '--format', 'json', '--no-project'], join(dir, sub)).out).findings;
    const lf = report('lf');
    expect(report('crlf')).toEqual(lf);
    expect(JSON.stringify(lf)).not.toMatch(/\\r/);
  });
});

describe('read-only files', () => {
  // as root, the kernel lets any file be written: the refusal is pyship's own reading of the mode bits
  it('a 0444 file is not fixed, and a note says why and how; its findings stay', () => {
    const dir = temp({ Dockerfile: BEFORE.join('\n') });
    chmodSync(join(dir, 'Dockerfile'), 0o444);
    const r = pyship(['check', 'Dockerfile', ...FIX], dir);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(BEFORE.join('\n'));
    expect(statSync(join(dir, 'Dockerfile')).mode & 0o777).toBe(0o444);
    expect(r.err).toContain('Dockerfile: not fixed: it is read-only (mode 0444); make it writable (chmod u+w Dockerfile) or pass --force-write');
    expect(r.out).toMatch(/DF010/);
    expect(r.code).toBe(1);
  });

  it('--force-write fixes it and keeps it read-only', () => {
    const dir = temp({ Dockerfile: BEFORE.join('\n') });
    chmodSync(join(dir, 'Dockerfile'), 0o444);
    pyship(['check', 'Dockerfile', ...FIX, '--force-write'], dir);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(AFTER.join('\n'));
    expect(statSync(join(dir, 'Dockerfile')).mode & 0o777).toBe(0o444);
  });

  it('--help says how fixes treat links, endings and read-only files', () => {
    const r = pyship(['check', '--help'], ROOT);
    expect(r.out).toMatch(/--force-write/);
    expect(r.out).toMatch(/line endings/);
  });
});

/** Runs `args` as user nobody (root can write any directory); as another user, directly. */
const unprivileged = (): string[] => (process.getuid?.() === 0 ? ['setpriv', '--reuid', '65534', '--regid', '65534', '--clear-groups'] : []);
/** A directory the user of unprivileged() may read but not write: root's 0755 for nobody, else 0555. */
const readOnlyDir = (dir: string): void => chmodSync(dir, process.getuid?.() === 0 ? 0o755 : 0o555);
const canDrop = process.getuid?.() !== 0 || spawnSync('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', 'true']).status === 0;

/** A user and mount namespace (unshare -rm) lets a test mount its own tmpfs: read-only (EROFS) or full (ENOSPC). */
const canMount = spawnSync('unshare', ['-rm', 'sh', '-c', 'd=$(mktemp -d) && mount -t tmpfs -o size=4k tmpfs "$d" && umount "$d"; s=$?; rmdir "$d"; exit $s'], { timeout: 10_000 }).status === 0;

describe('a temp file left by a killed run', () => {
  it('is removed by the next write of the same file (a dead pid only; a live run keeps its own)', () => {
    const dir = temp({ Dockerfile: BEFORE.join('\n') });
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(join(dir, `.Dockerfile.pyship-${dead}-1.tmp`), 'half of a fix');
    writeFileSync(join(dir, `.Dockerfile.pyship-${process.pid}-2.tmp`), 'a live run is writing');
    const r = pyship(['check', 'Dockerfile', ...FIX], dir);
    expect(r.code).toBe(0);
    expect(tempFilesIn(dir)).toEqual([`.Dockerfile.pyship-${process.pid}-2.tmp`]);
  });
});

describe('write failures are messages naming the file, exit 2, no temp file left', () => {
  it.runIf(canDrop)('--fix in a directory the user cannot write (EACCES, the real errno)', () => {
    const dir = temp({ Dockerfile: BEFORE.join('\n') });
    readOnlyDir(dir);
    chmodSync(join(dir, 'Dockerfile'), 0o666); // the file is writable by anyone: only the directory is not
    const r = pyship(['check', 'Dockerfile', ...FIX], dir, unprivileged());
    chmodSync(dir, 0o755);
    expect(r.err).not.toMatch(/internal error/);
    expect(r.err).toMatch(/^pyship: Dockerfile: cannot write it: permission denied .*\(nothing was changed\)$/m);
    expect(r.code).toBe(2);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(BEFORE.join('\n'));
    expect(tempFilesIn(dir)).toEqual([]);
  });

  it.runIf(canDrop)('one file whose fixes cannot be written does not stop the others: they are fixed, the run ends with exit 2', () => {
    const dir = temp({ 'a/Dockerfile': BEFORE.join('\n'), 'b/Dockerfile': BEFORE.join('\n') });
    chmodSync(dir, 0o777);
    chmodSync(join(dir, 'b'), 0o777);
    chmodSync(join(dir, 'b', 'Dockerfile'), 0o666);
    readOnlyDir(join(dir, 'a'));
    chmodSync(join(dir, 'a', 'Dockerfile'), 0o666);
    const r = pyship(['check', '.', ...FIX], dir, unprivileged());
    chmodSync(join(dir, 'a'), 0o755);
    expect(r.err).toMatch(/^pyship: a\/Dockerfile: cannot write it: permission denied/m);
    expect(r.err).toMatch(/^pyship: not fixed: a\/Dockerfile /m);
    expect(r.code).toBe(2);
    expect(readFileSync(join(dir, 'a', 'Dockerfile'), 'utf8')).toBe(BEFORE.join('\n'));
    expect(readFileSync(join(dir, 'b', 'Dockerfile'), 'utf8')).not.toBe(BEFORE.join('\n'));
  });

  it.runIf(canDrop)('init in a directory the user cannot write (EACCES)', () => {
    const dir = temp();
    cpSync(join(ROOT, 'test/init/fixtures/pip-flask'), dir, { recursive: true });
    readOnlyDir(dir);
    const r = pyship(['init', '--no-input', '--ci', 'none', '.'], dir, unprivileged());
    chmodSync(dir, 0o755);
    expect(r.err).not.toMatch(/internal error/);
    expect(r.err).toMatch(/^pyship: Dockerfile: cannot write it: permission denied .*; init wrote no file$/m);
    expect(r.code).toBe(2);
    expect(existsSync(join(dir, 'Dockerfile'))).toBe(false);
    expect(tempFilesIn(dir)).toEqual([]);
  });

  it('init where a directory it needs is a file (ENOTDIR)', () => {
    const dir = temp();
    cpSync(join(ROOT, 'test/init/fixtures/pip-flask'), dir, { recursive: true });
    writeFileSync(join(dir, '.github'), 'not a directory\n');
    const r = pyship(['init', '--no-input', '--ci', 'github', '.'], dir);
    expect(r.err).not.toMatch(/internal error/);
    expect(r.err).toMatch(/^pyship: \.github\/workflows\/docker\.yml: cannot write it: a part of .*\.github\/workflows is a file, not a directory; move it away and run again \(nothing was changed\); init wrote Dockerfile, .* before it, and nothing after$/m);
    expect(r.code).toBe(2);
    expect(readFileSync(join(dir, '.github'), 'utf8')).toBe('not a directory\n');
  });

  // inside `unshare -rm`: the test's own tmpfs, read-only or full; the CLI runs in the same namespace
  const inNamespace = (setup: string, args: string[]): Run & { files: string[]; text: string } => {
    const [mnt, res] = [temp(), temp()];
    const script = `set -e; mount -t tmpfs -o size=4k tmpfs "$1"; cd "$1"; printf '%s' "$2" > Dockerfile; ${setup}
set +e; "$3" "$4" ${args.map((a) => `'${a}'`).join(' ')} >/dev/null 2>"$5/err"; echo $? >"$5/code"; ls -a >"$5/files"; cat Dockerfile >"$5/text"`;
    spawnSync('unshare', ['-rm', 'sh', '-c', script, 'sh', mnt, BEFORE.join('\n'), process.execPath, BIN, res], { timeout: 60_000 });
    const read = (n: string): string => readFileSync(join(res, n), 'utf8');
    return { out: '', err: read('err'), code: Number(read('code').trim()), files: read('files').split('\n'), text: read('text') };
  };

  it.runIf(canMount)('--fix on a read-only file system (EROFS)', () => {
    const r = inNamespace('mount -o remount,ro "$1"', ['check', 'Dockerfile', ...FIX]);
    expect(r.err).not.toMatch(/internal error/);
    expect(r.err).toMatch(/^pyship: Dockerfile: cannot write it: .* is on a read-only file system; mount it read-write, or run with --diff .*\(nothing was changed\)$/m);
    expect(r.code).toBe(2);
    expect(r.text).toBe(BEFORE.join('\n'));
  });

  it.runIf(canMount)('--fix on a full file system (ENOSPC): the file is unchanged and no temp file is left', () => {
    const r = inNamespace('', ['check', 'Dockerfile', ...FIX]);
    expect(r.err).not.toMatch(/internal error/);
    expect(r.err).toMatch(/^pyship: Dockerfile: cannot write it: no space left on the device .*\(nothing was changed\)$/m);
    expect(r.code).toBe(2);
    expect(r.text).toBe(BEFORE.join('\n'));
    expect(r.files.filter((n) => n.includes('.pyship-'))).toEqual([]);
  });

  it('every errno a write meets reads as what happened and what to do (the mapping, for systems without unshare)', () => {
    const msg = (code: string): string => {
      const e = failure('api/Dockerfile', '/p/api/Dockerfile', Object.assign(new Error(`${code}: x`), { code }));
      expect(e).toBeInstanceOf(WriteError);
      return e.message;
    };
    expect(msg('EACCES')).toMatch(/^api\/Dockerfile: cannot write it: permission denied .*\/p\/api.*\(nothing was changed\)$/);
    expect(msg('EROFS')).toMatch(/^api\/Dockerfile: cannot write it: \/p\/api is on a read-only file system; .*--diff/);
    expect(msg('ENOSPC')).toMatch(/no space left on the device holding \/p\/api/);
    expect(msg('EDQUOT')).toMatch(/quota/);
    expect(msg('ENOTDIR')).toMatch(/is a file, not a directory/);
    expect(msg('EIO')).toMatch(/^api\/Dockerfile: cannot write it: EIO: EIO: x/);
  });
});

describe('init and symlinks', () => {
  const project = (): string => {
    const dir = temp();
    cpSync(join(ROOT, 'test/init/fixtures/pip-flask'), dir, { recursive: true });
    return dir;
  };

  it('a dangling Dockerfile link is the project\'s file: init does not replace it', () => {
    const dir = project();
    symlinkSync('docker/Dockerfile.prod', join(dir, 'Dockerfile'));
    const r = pyship(['init', '--no-input', '--ci', 'none', '.'], dir);
    expect(lstatSync(join(dir, 'Dockerfile')).isSymbolicLink()).toBe(true);
    expect(existsSync(join(dir, 'docker'))).toBe(false);
    expect(r.err).toMatch(/Dockerfile: skip {2}\(it is a symlink to docker\/Dockerfile\.prod, which does not exist; remove the link or create its target/);
  });

  it('--force Dockerfile does not write over a dangling link or through it either, and says so', () => {
    const dir = project();
    symlinkSync('docker/Dockerfile.prod', join(dir, 'Dockerfile'));
    const r = pyship(['init', '--no-input', '--ci', 'none', '--force', 'Dockerfile', '.'], dir);
    expect(lstatSync(join(dir, 'Dockerfile')).isSymbolicLink()).toBe(true);
    expect(existsSync(join(dir, 'docker'))).toBe(false);
    expect(r.err).toMatch(/init writes neither through the link nor over it, with or without --force/);
  });

  it('--force writes through a link inside the project (the link is kept, the summary says so)', () => {
    const dir = project();
    mkdirSync(join(dir, 'docker'));
    writeFileSync(join(dir, 'docker/Dockerfile.prod'), 'FROM python:3.12\n');
    symlinkSync('docker/Dockerfile.prod', join(dir, 'Dockerfile'));
    const r = pyship(['init', '--no-input', '--ci', 'none', '--force', 'Dockerfile', '.'], dir);
    expect(r.err).not.toMatch(/internal error/);
    expect(lstatSync(join(dir, 'Dockerfile')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'docker/Dockerfile.prod'), 'utf8')).toMatch(/Written by pyship init/);
    expect(r.err).toMatch(/replaced +Dockerfile .*\(through the symlink, at docker\/Dockerfile\.prod; the link is kept\)/);
  });

  it('--force does not write through a link that leaves the project', () => {
    const outside = temp({ Dockerfile: 'FROM python:3.12\n' });
    const dir = project();
    symlinkSync(join(outside, 'Dockerfile'), join(dir, 'Dockerfile'));
    const r = pyship(['init', '--no-input', '--ci', 'none', '--force', '.'], dir);
    expect(readFileSync(join(outside, 'Dockerfile'), 'utf8')).toBe('FROM python:3.12\n');
    expect(lstatSync(join(dir, 'Dockerfile')).isSymbolicLink()).toBe(true);
    expect(r.err).toMatch(/skipped +Dockerfile: it is a symlink to .*, outside the project/);
  });

  it('--force over a read-only file keeps its mode and says so', () => {
    const dir = project();
    writeFileSync(join(dir, 'Dockerfile'), 'FROM python:3.12\n');
    chmodSync(join(dir, 'Dockerfile'), 0o444);
    const r = pyship(['init', '--no-input', '--ci', 'none', '--force', '.'], dir);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toMatch(/Written by pyship init/);
    expect(statSync(join(dir, 'Dockerfile')).mode & 0o777).toBe(0o444);
    expect(r.err).toMatch(/replaced +Dockerfile .*read-only \(mode 0444\): replaced because --force names it, mode kept/);
  });
});
