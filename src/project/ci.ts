// CI and build scripts as typed facts with positions: the image builds, smoke runs, Dockerfile linters and security
// scanners that GitHub Actions workflows, .gitlab-ci.yml, build scripts and Makefile recipes run. The readers, the
// container CLI vocabulary and the Dependabot/Renovate facts live beside this in ci-*.ts, docker-cli.ts and
// dependency-bots.ts; what the rules and init read is exported here.
import type { Span } from '../dockerfile/model.js';
import type { ShCommand } from '../dockerfile/shell.js';
import { projectFact, type Project } from './model.js';
import type { BuildCommand, RunCommand, ScannerUse, ToolUse } from './ci-model.js';
import { jobSequences } from './ci-jobs.js';
import { afterBuild, buildFromCommand, buildFromStep, containerRun, dockerSub } from './docker-cli.js';

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
      const run = containerRun(c, s);
      if (run) out.runs.push({ file: c.file, span: cmd.span, job, ci, order: e.order, ...run });
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
