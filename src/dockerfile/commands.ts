// The shell vocabulary rules share, so a rule body reads like its title: "every pip install", "apt-get install without -y".
import { memo } from './memo.js';
import type { ShCommand, ShWord } from './shell.js';

/** Does the command carry one of these flags? Long flags match `--x` and `--x=v`; one-letter flags also match inside bundles (`-qy`). */
export function hasFlag(cmd: ShCommand, ...names: string[]): boolean {
  return findFlag(cmd, ...names) !== undefined;
}

/** The word holding a flag, if any (see hasFlag). Stops at `--`. */
export function findFlag(cmd: ShCommand, ...names: string[]): ShWord | undefined {
  // rules ask this of every command: no lists or patterns built per call
  for (let i = 1; i < cmd.argv.length; i++) {
    const w = cmd.argv[i]!;
    const v = w.value;
    if (v === '--') return undefined;
    if (v.startsWith('--')) {
      const eq = v.indexOf('=');
      if (names.includes(eq >= 0 ? v.slice(0, eq) : v)) return w;
    } else if (v.startsWith('-') && v.length > 1) {
      const bundle = SHORT_BUNDLE.test(v);
      for (const n of names) {
        if (SHORT_FLAG.test(n) ? bundle && v.indexOf(n[1]!, 1) >= 0 : n === v && !n.startsWith('--')) return w;
      }
    }
  }
  return undefined;
}

const SHORT_FLAG = /^-[A-Za-z0-9]$/;
const SHORT_BUNDLE = /^-[A-Za-z0-9]+$/;

/** The value of `--name=value`, `--name value`, `-n value` or `-nvalue`. */
export function flagValue(cmd: ShCommand, ...names: string[]): string | undefined {
  for (let i = 1; i < cmd.argv.length; i++) {
    const v = cmd.argv[i]!.value;
    if (v === '--') return undefined;
    for (const n of names) {
      if (v === n) return cmd.argv[i + 1]?.value;
      if (n.startsWith('--') && v.startsWith(n + '=')) return v.slice(n.length + 1);
      if (/^-[A-Za-z]$/.test(n) && v.startsWith(n) && v.length > 2 && !v.startsWith('--')) return v.slice(2);
    }
  }
  return undefined;
}

/** Arguments that are not flags, after argv[from]; `valueFlags` names flags whose next word is their value. */
export function positionals(cmd: ShCommand, from = 1, valueFlags: ReadonlySet<string> = new Set()): ShWord[] {
  const out: ShWord[] = [];
  let rest = false;
  for (let i = from; i < cmd.argv.length; i++) {
    const w = cmd.argv[i]!;
    if (rest) {
      out.push(w);
      continue;
    }
    if (w.value === '--') {
      rest = true;
      continue;
    }
    if (w.value.startsWith('-') && w.value.length > 1) {
      if (valueFlags.has(w.value)) i++;
      continue;
    }
    out.push(w);
  }
  return out;
}

const PIP_VALUE_FLAGS = new Set([
  '-r', '--requirement', '-c', '--constraint', '-e', '--editable', '-t', '--target', '--prefix', '--root', '-i', '--index-url',
  '--extra-index-url', '-f', '--find-links', '--trusted-host', '--cache-dir', '--src', '--upgrade-strategy', '--platform',
  '--python-version', '--implementation', '--abi', '--progress-bar', '--log', '--proxy', '--retries', '--timeout',
  '--exists-action', '--cert', '--client-cert', '--global-option', '--install-option', '--config-settings', '-C',
  '--only-binary', '--no-binary', '--python', '-p', '--report', '--root-user-action', '--keyring-provider', '--group',
]);

export interface PipCall {
  cmd: ShCommand;
  /** "pip" | "uv" (for `uv pip …`). */
  tool: 'pip' | 'uv';
  /** The pip subcommand: install, uninstall, download, wheel, freeze… */
  subcommand: string;
  /** Index in argv of the first word after the subcommand. */
  argsFrom: number;
  /** Requirement specifiers and paths given directly (not -r files). */
  packages: ShWord[];
  /** Files given with -r/--requirement. */
  requirementFiles: ShWord[];
  constraintFiles: ShWord[];
  /** Paths given with -e/--editable. */
  editables: ShWord[];
}

const PY_RE = /^python(\d+(\.\d+)?)?$/;
const PIP_RE = /^pip(\d+(\.\d+)?)?$/;

/**
 * Recognise pip however it is spelled: pip, pip3, pip3.11, /opt/venv/bin/pip, python -m pip, python3.12 -m pip, uv pip.
 * Returns the call with its subcommand, or undefined.
 */
export const pipCall = memo(readPipCall);

function readPipCall(cmd: ShCommand): PipCall | undefined {
  const a = cmd.argv;
  let i: number;
  let tool: 'pip' | 'uv' = 'pip';
  if (PIP_RE.test(cmd.name)) i = 1;
  else if (PY_RE.test(cmd.name)) {
    let k = 1;
    while (k < a.length && a[k]!.value.startsWith('-') && a[k]!.value !== '-m') k++;
    if (a[k]?.value !== '-m' || a[k + 1]?.value !== 'pip') return undefined;
    i = k + 2;
  } else if (cmd.name === 'uv' && a[1]?.value === 'pip') {
    i = 2;
    tool = 'uv';
  } else return undefined;
  while (i < a.length && a[i]!.value.startsWith('-')) i += PIP_VALUE_FLAGS.has(a[i]!.value) ? 2 : 1;
  const sub = a[i]?.value;
  if (!sub) return undefined;
  const argsFrom = i + 1;
  const packages: ShWord[] = [];
  const requirementFiles: ShWord[] = [];
  const constraintFiles: ShWord[] = [];
  const editables: ShWord[] = [];
  for (let k = argsFrom; k < a.length; k++) {
    const v = a[k]!.value;
    const take = (list: ShWord[], flag: string, short?: string): boolean => {
      if (v === flag || (short && v === short)) {
        const next = a[k + 1];
        if (next) list.push(next);
        k++;
        return true;
      }
      if (v.startsWith(flag + '=')) {
        const w = a[k]!;
        list.push({ ...w, value: v.slice(flag.length + 1) });
        return true;
      }
      if (short && v.startsWith(short) && v.length > 2 && !v.startsWith('--')) {
        const w = a[k]!;
        list.push({ ...w, value: v.slice(2) });
        return true;
      }
      return false;
    };
    if (take(requirementFiles, '--requirement', '-r')) continue;
    if (take(constraintFiles, '--constraint', '-c')) continue;
    if (take(editables, '--editable', '-e')) continue;
    if (v.startsWith('-')) {
      if (PIP_VALUE_FLAGS.has(v)) k++;
      continue;
    }
    packages.push(a[k]!);
  }
  return { cmd, tool, subcommand: sub, argsFrom, packages, requirementFiles, constraintFiles, editables };
}

/** `pip install …` in any spelling (also `uv pip install`). */
export function pipInstall(cmd: ShCommand): PipCall | undefined {
  const call = pipCall(cmd);
  return call && call.subcommand === 'install' ? call : undefined;
}

const APT_VALUE_FLAGS = new Set(['-o', '--option', '-c', '--config-file', '-t', '--target-release', '--default-release', '-a', '--host-architecture']);

export interface AptCall {
  cmd: ShCommand;
  /** apt-get | apt | aptitude */
  tool: string;
  subcommand: string;
  /** Package words after the subcommand. */
  packages: ShWord[];
}

/** `apt-get X …` / `apt X …` with its subcommand and packages. */
export const aptCall = memo(readAptCall);

function readAptCall(cmd: ShCommand): AptCall | undefined {
  if (cmd.name !== 'apt-get' && cmd.name !== 'apt' && cmd.name !== 'aptitude') return undefined;
  const pos = positionals(cmd, 1, APT_VALUE_FLAGS);
  const sub = pos[0];
  if (!sub) return undefined;
  return { cmd, tool: cmd.name, subcommand: sub.value, packages: pos.slice(1) };
}

/** The first positional argument: `poetry install`, `uv sync`, `dnf -y install`. */
export function subcommand(cmd: ShCommand, valueFlags?: ReadonlySet<string>): string | undefined {
  return positionals(cmd, 1, valueFlags)[0]?.value;
}

/** Is this the program (by basename), optionally with this subcommand? */
export function isCommand(cmd: ShCommand, name: string | RegExp, sub?: string): boolean {
  const ok = typeof name === 'string' ? cmd.name === name : name.test(cmd.name);
  if (!ok) return false;
  return sub === undefined || subcommand(cmd) === sub;
}

/** Python interpreters by basename: python, python3, python3.12, /opt/venv/bin/python. */
export function isPython(cmd: ShCommand): boolean {
  return PY_RE.test(cmd.name);
}

/** `python -m MODULE …` → MODULE. */
export function pythonModule(cmd: ShCommand): string | undefined {
  if (!isPython(cmd)) return undefined;
  const a = cmd.argv;
  for (let k = 1; k < a.length; k++) {
    const v = a[k]!.value;
    if (v === '-m') return a[k + 1]?.value;
    if (v.startsWith('-m') && v.length > 2) return v.slice(2);
    if (!v.startsWith('-')) return undefined;
    if (v === '-X' || v === '-W') k++;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Python package installs in every tool's spelling (REP/FAST rules).

export type PyTool = 'pip' | 'uv-pip' | 'uv' | 'poetry' | 'pipenv' | 'pdm' | 'pipx' | 'conda';

export interface PyInstall {
  cmd: ShCommand;
  /** pip (any spelling), `uv pip`, uv (sync / tool install), poetry, pipenv, pdm, pipx, conda (also mamba, micromamba). */
  tool: PyTool;
  /** The subcommand: install, sync, add, "tool install", "env create", create… */
  subcommand: string;
  /** Index in argv of the first word after the subcommand. */
  argsFrom: number;
  /** The pip call for pip and `uv pip`. */
  pip?: PipCall;
}

const TOOL_VALUE_FLAGS: Record<string, ReadonlySet<string>> = {
  uv: new Set(['--directory', '--project', '--cache-dir', '--python', '-p', '--config-file', '--color', '--python-preference', '--allow-insecure-host', '--index', '--default-index', '--index-url', '--extra-index-url']),
  poetry: new Set(['-C', '--directory', '-P', '--project']),
  pdm: new Set(['-p', '--project', '-c', '--config']),
  pipenv: new Set(['--python', '--site-packages']),
  pipx: new Set(),
  conda: new Set(['-n', '--name', '-p', '--prefix', '-c', '--channel', '-f', '--file', '--solver', '-r', '--root-prefix']),
};

const PY_TOOLS: Record<string, PyTool> = {
  uv: 'uv', poetry: 'poetry', pipenv: 'pipenv', pdm: 'pdm', pipx: 'pipx', conda: 'conda', mamba: 'conda', micromamba: 'conda',
};

/** Where a tool's own arguments start: `poetry install` → 1, `python -m poetry install` → 3. */
function toolStart(cmd: ShCommand): { name: string; from: number } | undefined {
  if (PY_TOOLS[cmd.name]) return { name: cmd.name, from: 1 };
  const mod = pythonModule(cmd);
  if (!mod || !PY_TOOLS[mod]) return undefined;
  const k = cmd.argv.findIndex((w, i) => i > 0 && (w.value === mod && cmd.argv[i - 1]!.value === '-m' || w.value === '-m' + mod));
  return k < 0 ? undefined : { name: mod, from: k + 1 };
}

/**
 * A command that installs Python packages: `pip install` (any spelling), `uv pip install|sync`, `uv sync`,
 * `uv tool install`, `poetry install|add`, `pipenv install|sync`, `pdm install|sync|add`, `pipx install`,
 * `conda|mamba|micromamba install|create|env create|env update`.
 */
export function pythonInstall(cmd: ShCommand): PyInstall | undefined {
  const pip = pipCall(cmd);
  if (pip) {
    if (pip.subcommand !== 'install' && !(pip.tool === 'uv' && pip.subcommand === 'sync')) return undefined;
    return { cmd, tool: pip.tool === 'uv' ? 'uv-pip' : 'pip', subcommand: pip.subcommand, argsFrom: pip.argsFrom, pip };
  }
  const start = toolStart(cmd);
  if (!start) return undefined;
  const tool = PY_TOOLS[start.name]!;
  const valueFlags = TOOL_VALUE_FLAGS[tool === 'conda' ? 'conda' : start.name] ?? new Set<string>();
  const a = cmd.argv;
  let i = start.from;
  while (i < a.length && a[i]!.value.startsWith('-')) i += valueFlags.has(a[i]!.value) ? 2 : 1;
  const sub = a[i]?.value;
  if (!sub) return undefined;
  const next = a[i + 1]?.value;
  const ok = (subcommand: string, argsFrom: number): PyInstall => ({ cmd, tool, subcommand, argsFrom });
  switch (tool) {
    case 'uv':
      if (sub === 'sync') return ok(sub, i + 1);
      if (sub === 'tool' && next === 'install') return ok('tool install', i + 2);
      return undefined;
    case 'poetry':
      return sub === 'install' || sub === 'add' ? ok(sub, i + 1) : undefined;
    case 'pipenv':
      return sub === 'install' || sub === 'sync' ? ok(sub, i + 1) : undefined;
    case 'pdm':
      return sub === 'install' || sub === 'sync' || sub === 'add' ? ok(sub, i + 1) : undefined;
    case 'pipx':
      return sub === 'install' ? ok(sub, i + 1) : undefined;
    case 'conda':
      if (sub === 'install' || sub === 'create') return ok(sub, i + 1);
      if (sub === 'env' && (next === 'create' || next === 'update')) return ok(`env ${next}`, i + 2);
      return undefined;
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Environment runners: `poetry run X`, `uv run X`, `conda run -n env X` start X.

const RUNNER_VALUE_FLAGS: Record<string, ReadonlySet<string>> = {
  conda: new Set(['-n', '--name', '-p', '--prefix', '--cwd']),
  mamba: new Set(['-n', '--name', '-p', '--prefix', '--cwd']),
  micromamba: new Set(['-n', '--name', '-p', '--prefix', '--cwd', '-r', '--root-prefix', '-a', '--attach']),
  poetry: new Set(['-C', '--directory', '-P', '--project']),
  uv: new Set([
    '--directory', '--project', '--python', '-p', '--with', '--with-requirements', '--with-editable', '--env-file', '--extra',
    '--group', '--package', '--index', '--index-url', '--extra-index-url', '--cache-dir', '--config-file', '--color',
  ]),
  pipenv: new Set(['--python']),
  pdm: new Set(['-p', '--project']),
  hatch: new Set(['-e', '--env']),
  rye: new Set(['--pyproject']),
};

/**
 * The command an environment runner starts: `poetry run gunicorn …`, `uv run --frozen uvicorn …`, `pipenv run`,
 * `pdm run`, `hatch run`, `rye run`, `conda|mamba|micromamba run -n env …` → that command (argv from the program
 * word, spans kept). `null` for a runner with nothing after it (an ENTRYPOINT prefix); undefined for anything else.
 */
export function runnerTarget(cmd: ShCommand): ShCommand | null | undefined {
  const flags = RUNNER_VALUE_FLAGS[cmd.name];
  if (!flags) return undefined;
  const a = cmd.argv;
  const run = positionals(cmd, 1, flags)[0];
  if (!run || run.value !== 'run') return undefined;
  let i = a.indexOf(run) + 1;
  while (i < a.length && a[i]!.value.startsWith('-')) {
    if (a[i]!.value === '--') {
      i++;
      break;
    }
    i += flags.has(a[i]!.value) ? 2 : 1;
  }
  if (i >= a.length) return null;
  const argv = a.slice(i);
  const name = argv[0]!.value.slice(argv[0]!.value.lastIndexOf('/') + 1);
  return { ...cmd, argv, name, wrappers: [...cmd.wrappers, cmd.name] };
}
