// pyship as users receive it: the checkout installed exactly as pre-commit installs a `language: node` hook (npm install
// in the clone, npm pack, npm install -g of the tarball into a clean prefix), then the tarball's contents, the installed
// `pyship` command, and the two hooks of .pre-commit-hooks.yaml run the way pre-commit runs them.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli.js';
import { filesFor, installHookRepo, loadHooks, runHook, type Hook } from './pre-commit.js';
import { distTests, removeTree, ROOT, skipNote, stageCheckout } from './stage.js';

skipNote('the npm package and pre-commit hook tests');

const COMMANDS = buildProgram({ out() {}, err() {}, cwd: ROOT, color: false }, () => {}).commands.map((c) => c.name());

/** A repository with two services, the way a team's monorepo looks to the hooks. */
const SHOP: Record<string, string> = {
  'pyproject.toml': '[project]\nname = "shop"\nversion = "1.0"\n',
  'services/api/Dockerfile': readFileSync(join(ROOT, 'examples', 'naive', 'Dockerfile'), 'utf8'),
  'services/api/requirements.txt': 'flask\ngunicorn\n',
  'services/api/app.py': 'print("api")\n',
  // warnings only: passes with --fail-on error
  'services/worker/Dockerfile': [
    'FROM python:3.13-slim-trixie',
    'ENV PYTHONFAULTHANDLER=1',
    'WORKDIR /app',
    'COPY requirements.txt ./',
    'RUN pip install --no-cache-dir -r requirements.txt',
    'COPY worker.py ./',
    'RUN useradd --uid 10001 worker',
    'USER 10001',
    'CMD ["python", "worker.py"]',
    '',
  ].join('\n'),
  'services/worker/requirements.txt': 'redis==5.0.1\n',
  'services/worker/worker.py': 'print("worker")\n',
  'docs/readme.md': '# shop\n',
  '.github/workflows/ci.yml': 'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo test\n',
};

/** Lines of text output that head a file's findings: the path alone. */
const headers = (output: string, path: string) => output.split('\n').filter((l) => l === path).length;

describe.runIf(distTests)('the npm package, installed as pre-commit installs a node hook', () => {
  let base = '';
  let clone = '';
  let envDir = '';
  let tarball = '';
  let packStdout = '';
  let hooks: Hook[] = [];
  let fixtures = 0;
  const hook = (id: string) => hooks.find((h) => h.id === id)!;
  const bin = (name: string) => join(envDir, 'bin', name);
  const run = (name: string, args: string[], cwd: string) =>
    spawnSync(bin(name), args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });

  function shop(): string {
    const dir = join(base, `shop-${++fixtures}`);
    for (const [p, text] of Object.entries(SHOP)) {
      mkdirSync(join(dir, p, '..'), { recursive: true });
      writeFileSync(join(dir, p), text);
    }
    return dir;
  }

  beforeAll(() => {
    ({ dir: clone, base } = stageCheckout('pyship-dist-'));
    envDir = join(base, 'node_env');
    const installed = installHookRepo(clone, envDir);
    packStdout = installed.packStdout;
    // pre-commit then deletes the clone's node_modules and the tarball; keep a copy for the content checks
    tarball = join(base, basename(installed.tarball));
    copyFileSync(installed.tarball, tarball);
    rmSync(join(clone, 'node_modules'), { recursive: true, force: true });
    rmSync(installed.tarball);
    hooks = loadHooks(clone);
  }, 900_000);
  afterAll(() => removeTree(base));

  it('npm pack prints nothing but the tarball name: pre-commit installs whatever it prints', () => {
    // a prepare/prepack script would print its banner here and break every pre-commit install
    expect(packStdout.trim()).toMatch(/^pyship-\d+\.\d+\.\d+\.tgz$/);
  });

  it('the tarball holds the compiled code, the rule pages, README and LICENSE, and nothing else', () => {
    const list = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map((p) => p.replace(/^package\//, ''));
    const allowed = /^(package\.json|README\.md|LICENSE|bin\/pyship(-pre-commit)?\.js|dist\/bundle\/(cli|chunks\/[\w-]+)\.js|docs\/rules\.md|docs\/rules\/[A-Z]+\d+\.md)$/;
    expect(list.filter((p) => !allowed.test(p))).toEqual([]);
    for (const must of ['dist/bundle/cli.js', 'docs/rules.md', 'docs/rules/SEC001.md', 'bin/pyship.js', 'bin/pyship-pre-commit.js', 'README.md', 'LICENSE']) {
      expect(list, must).toContain(must);
    }
    // the lazily loaded commands are their own chunks: `pyship check` does not load the engine, init or the audit
    for (const chunk of ['init', 'build', 'smoke', 'audit', 'completion']) expect(list.some((p) => p.startsWith(`dist/bundle/chunks/${chunk}-`)), chunk).toBe(true);
    const pkg = JSON.parse(readFileSync(join(clone, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.bin).sort()).toEqual(['pyship', 'pyship-pre-commit']);
    console.log(`npm package: ${basename(tarball)} ${statSync(tarball).size} bytes packed, ${list.length} files`);
  });

  it('pyship --version, and --help for every command, through the installed bin', () => {
    const version = run('pyship', ['--version'], base);
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    const top = run('pyship', ['--help'], base);
    expect(top.status).toBe(0);
    for (const c of COMMANDS) {
      expect(top.stdout, c).toContain(c);
      const help = run('pyship', [c, '--help'], base);
      expect(help.status, `${c} --help: ${help.stderr}`).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: pyship ${c}\\b`));
    }
    expect(COMMANDS).toContain('completion');
  });

  it('pyship check examples/naive through the installed bin: findings, exit 1', () => {
    const r = run('pyship', ['check', 'examples/naive', '--format', 'json'], clone);
    expect(r.status, r.stderr).toBe(1);
    const codes = (JSON.parse(r.stdout).findings as { code: string }[]).map((f) => f.code);
    expect(codes).toEqual(expect.arrayContaining(['REP001', 'SEC001', 'OPS003', 'REP004']));
    const clean = run('pyship', ['check', 'examples/naive/Dockerfile', '--select', 'REP001', '--ignore', 'REP001'], clone);
    expect(clean.status).toBe(0);
  });

  it('pyship completion bash|zsh|fish through the installed bin', () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const r = run('pyship', ['completion', shell], base);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('pyship');
    }
    const bash = spawnSync('bash', ['-c', 'source <(pyship completion bash); COMP_WORDS=(pyship check --fail-on ""); COMP_CWORD=3; _pyship; echo "${COMPREPLY[*]}"'], {
      encoding: 'utf8', env: { ...process.env, PATH: `${join(envDir, 'bin')}:${process.env.PATH}` },
    });
    expect(bash.stdout.trim()).toBe('error warning info');
    expect(run('pyship', ['completion', 'tcsh'], base).status).toBe(2);
  });

  describe('the pre-commit hooks', () => {
    it('define pyship-check and pyship-fix as node hooks on one serial batch', () => {
      expect(hooks.map((h) => h.id)).toEqual(['pyship-check', 'pyship-fix']);
      for (const h of hooks) {
        expect(h.language).toBe('node');
        expect(h.require_serial).toBe(true);
        expect(h.pass_filenames ?? true).toBe(true);
      }
    });

    it('pass Dockerfiles and the project files pyship reads, and nothing else', () => {
      const dir = shop();
      const staged = Object.keys(SHOP);
      expect(filesFor(hook('pyship-check'), staged, dir).sort()).toEqual([
        '.github/workflows/ci.yml', 'pyproject.toml', 'services/api/Dockerfile', 'services/api/requirements.txt',
        'services/worker/Dockerfile', 'services/worker/requirements.txt',
      ]);
      const names = ['Dockerfile.prod', 'api.Dockerfile', 'Containerfile', '.dockerignore', 'requirements-dev.in', 'constraints.txt', 'uv.lock', 'poetry.lock', 'Pipfile.lock', 'compose.yaml', 'gunicorn.conf.py', 'uwsgi.ini', 'entrypoint.sh', 'Procfile', 'fly.toml', 'renovate.json', '.python-version', 'pyship.toml', 'k8s/deployment.yaml', '.github/dependabot.yml'];
      const re = hook('pyship-check').files!;
      const extra = names.map((n) => join('extra', n));
      for (const n of extra) {
        mkdirSync(join(dir, n, '..'), { recursive: true });
        writeFileSync(join(dir, n), '');
      }
      expect(filesFor(hook('pyship-check'), extra, dir), re).toEqual(extra);
      expect(filesFor(hook('pyship-check'), ['docs/readme.md', 'services/api/app.py'], dir)).toEqual([]);
    });

    it("a changed requirements.txt checks its directory's Dockerfile, and no other", async () => {
      const dir = shop();
      const files = filesFor(hook('pyship-check'), ['services/api/requirements.txt', 'docs/readme.md'], dir);
      const r = await runHook(hook('pyship-check'), files, dir, envDir);
      expect(r.code, r.output).toBe(1);
      expect(headers(r.output, 'services/api/Dockerfile')).toBe(1);
      expect(r.output).toContain('REP004');
      expect(r.output).not.toContain('services/worker');
    });

    it('several changed files of one project check its Dockerfile once', async () => {
      const dir = shop();
      const files = filesFor(hook('pyship-check'), ['services/api/Dockerfile', 'services/api/requirements.txt', 'services/api/app.py'], dir);
      expect(files).toEqual(['services/api/Dockerfile', 'services/api/requirements.txt']);
      const r = await runHook(hook('pyship-check'), files, dir, envDir);
      expect(r.batches).toHaveLength(1);
      expect(r.code).toBe(1);
      expect(headers(r.output, 'services/api/Dockerfile')).toBe(1);
      expect(r.output).not.toContain('services/worker');
    });

    it('a changed CI workflow checks every Dockerfile of the project; args reach pyship', async () => {
      const dir = shop();
      const r = await runHook({ ...hook('pyship-check'), args: ['--fail-on', 'error'] }, ['.github/workflows/ci.yml'], dir, envDir);
      expect(headers(r.output, 'services/api/Dockerfile')).toBe(1);
      expect(headers(r.output, 'services/worker/Dockerfile')).toBe(1);
      expect(r.code).toBe(1);
      const worker = await runHook({ ...hook('pyship-check'), args: ['--fail-on', 'error'] }, ['services/worker/requirements.txt'], dir, envDir);
      expect(worker.code, worker.output).toBe(0);
      expect(worker.output).toContain('services/worker/Dockerfile');
      const bad = await runHook({ ...hook('pyship-check'), args: ['--fail-on', 'nope'] }, ['services/worker/Dockerfile'], dir, envDir);
      expect(bad.code).toBe(2);
    });

    it('split into parallel batches (a hook without require_serial), nothing is lost, project findings repeat', async () => {
      const dir = shop();
      const files = filesFor(hook('pyship-check'), Object.keys(SHOP), dir);
      const github = { ...hook('pyship-check'), args: ['--format', 'github'] };
      const findings = (out: string) => [...new Set(out.split('\n').filter((l) => l.startsWith('::')))].sort();
      const serial = await runHook(github, files, dir, envDir);
      const parallel = await runHook({ ...github, require_serial: false }, files, dir, envDir, 2);
      expect(serial.batches).toHaveLength(1);
      expect(parallel.batches.length).toBeGreaterThan(1);
      expect(parallel.code).toBe(serial.code);
      const one = findings(serial.output);
      const many = findings(parallel.output);
      expect(many).toEqual(expect.arrayContaining(one));
      // the extras are the project's own findings (CI, Dependabot), reported again by each batch: why require_serial
      const message = (l: string) => l.slice(l.indexOf(',title='));
      const extras = many.filter((l) => !one.includes(l));
      for (const e of extras) expect(one.map(message), e).toContain(message(e));
    });

    it('pyship-fix applies the safe fixes once, then reports what is left', async () => {
      const dir = shop();
      const before = readFileSync(join(dir, 'services/api/Dockerfile'), 'utf8');
      const first = await runHook(hook('pyship-fix'), ['services/api/Dockerfile'], dir, envDir);
      const fixed = readFileSync(join(dir, 'services/api/Dockerfile'), 'utf8');
      expect(first.code).toBe(1); // errors no safe fix can remove remain
      expect(fixed).not.toBe(before);
      expect(fixed).toContain('--no-cache-dir');
      const second = await runHook(hook('pyship-fix'), ['services/api/Dockerfile'], dir, envDir);
      expect(readFileSync(join(dir, 'services/api/Dockerfile'), 'utf8')).toBe(fixed);
      expect(second.code).toBe(1);
      // requirements.txt is not rewritten: only Dockerfiles get fixes
      expect(readFileSync(join(dir, 'services/api/requirements.txt'), 'utf8')).toBe(SHOP['services/api/requirements.txt']);
    });

    it('pyship-fix never rewrites a Dockerfile pre-commit did not pass: a changed requirements.txt only checks it', async () => {
      const dir = shop();
      const r = await runHook(hook('pyship-fix'), ['services/api/requirements.txt'], dir, envDir);
      expect(r.code).toBe(1);
      expect(r.output).toContain('services/api/Dockerfile');
      expect(readFileSync(join(dir, 'services/api/Dockerfile'), 'utf8')).toBe(SHOP['services/api/Dockerfile']);
    });

    it('succeeds when the changed files lead to no Dockerfile at all', async () => {
      const dir = shop();
      cpSync(join(dir, 'docs'), join(dir, 'lonely'), { recursive: true });
      rmSync(join(dir, 'services'), { recursive: true });
      const r = await runHook(hook('pyship-check'), ['pyproject.toml'], dir, envDir);
      expect(r.code).toBe(0);
      expect(r.output).toBe('');
    });
  });
});
