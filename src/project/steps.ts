// Startup steps a project runs besides its server (migrations, translation compiles, schema setup), read from every
// place a project states them (Procfile, start scripts, Dockerfiles, compose, Makefiles, pyproject scripts, build
// hooks) so init can place each one instead of dropping it. Text only: nothing is executed; the work is bounded.
import { parseShell, runScript, type ShCommand } from '../dockerfile/shell.js';
import { parseProcfile } from './app.js';
import { projectDockerfiles, projectFact, type Project } from './model.js';
import { yaml } from './yaml.js';
import { lineAt, lineIndex } from './py/source.js';
import { relative, sep } from 'node:path';

export type StepKind = 'migration' | 'translations' | 'setup';
/** start: with the server (entrypoint, Procfile web, CMD); release: a Procfile `release:` or a one-off service;
 * build: a Dockerfile RUN or a package build hook; task: a Makefile target, a script, a README-like helper. */
export type StepWhen = 'start' | 'release' | 'build' | 'task';

export interface FoundStep {
  kind: StepKind;
  /** What it is, for the summary: `manage.py migrate`, `alembic upgrade`, `flask deploy (calls upgrade())`… */
  name: string;
  /** The command as the project writes it (words), empty for steps in code. */
  argv: string[];
  /** Root-relative `path:line`. */
  at: string;
  when: StepWhen;
  /** The step drops or recreates data (init_db, create_db, flush): never automated. */
  destructive: boolean;
  /** The Procfile line is commented out: a suggestion, not a step the project runs. */
  commented?: boolean;
}

const MAX_SCRIPTS = 40;
const MAX_PY = 400;
const DESTRUCTIVE = /^(init|create|setup|reset|recreate|drop|seed)[-_]?(db|database|schema|tables)$|^(flush|reset_db|drop_all)$/i;

const basename = (p: string): string => p.slice(p.lastIndexOf('/') + 1);
const dirOf = (p: string): string => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');

/** What the Python code says about steps: its CLI commands that migrate, migrations it runs itself, steps it declares. */
interface CodeFacts {
  /** Custom CLI command name (dashes and underscores both) → where its body calls upgrade(). */
  upgradeCommands: Map<string, string>;
  /** Migrations the app runs in its own code at start (an app factory calling `upgrade()`). */
  inApp: FoundStep[];
  /** Package build hooks that compile translations, CLI commands that create the schema. */
  declared: FoundStep[];
}

function codeFacts(p: Project): CodeFacts {
  const upgradeCommands = new Map<string, string>();
  const inApp: FoundStep[] = [];
  const declared: FoundStep[] = [];
  const files = p.find((f) => f.endsWith('.py') && !/(^|\/)(tests?|migrations|alembic|versions|docs)\//.test(f)).slice(0, MAX_PY);
  for (const f of files) {
    const text = p.file(f)?.text;
    if (!text) continue;
    if (/compile_catalogs?\b|pybabel['"]?,\s*['"]compile|\bbabel\.messages\.frontend\b.*compile/.test(text) && /(^|\/)(hatch_build|setup|build)\.py$/.test(f)) {
      const i = text.search(/compile_catalogs?\b|compile/);
      declared.push({ kind: 'translations', name: 'Babel catalogs compiled by the package build hook', argv: [], at: `${f}:${lineAt(text, i)}`, when: 'build', destructive: false });
    }
    // a custom command (`flask translate compile`) that shells out to pybabel: the image can run pybabel itself
    for (const m of text.matchAll(/["'](pybabel compile [^"'\n]*)["']/g)) {
      const argv = m[1]!.trim().split(/\s+/);
      if (!argv.some((w) => /[{}%$]/.test(w))) declared.push({ kind: 'translations', name: 'pybabel compile', argv, at: `${f}:${lineAt(text, m.index!)}`, when: 'task', destructive: false });
    }
    // CLI commands named like schema creators (`@click.command("init-db")`): setup steps a user runs by hand
    for (const m of text.matchAll(/@[\w.]*command\(\s*["']([\w-]+)["']/g)) {
      if (DESTRUCTIVE.test(m[1]!)) declared.push({ kind: 'setup', name: `flask ${m[1]} (a CLI command)`, argv: ['flask', m[1]!], at: `${f}:${lineAt(text, m.index!)}`, when: 'task', destructive: true });
    }
    if (!/\bupgrade\(/.test(text) || !/flask_migrate|alembic/.test(text)) continue;
    const lines = text.split('\n');
    const indent = (l: string): number => /^[ \t]*/.exec(l)![0].length;
    lines.forEach((l, i) => {
      if (!/^(?![ \t]*#).*\bupgrade\(/.test(l) || /def\s+upgrade\(/.test(l)) return;
      // the innermost def around the call: walk up to a def indented less than the call, then past nested helpers
      let need = indent(l);
      let def: RegExpExecArray | null = null;
      let k = i - 1;
      for (; k >= 0; k--) {
        const t = lines[k]!;
        if (t.trim() === '' || indent(t) >= need) continue;
        def = /^[ \t]*(?:async\s+)?def\s+(\w+)/.exec(t);
        if (def) break;
        need = indent(t);
      }
      if (!def) return;
      const at = `${f}:${i + 1}`;
      const decos = lines.slice(Math.max(0, k - 4), k).join('\n');
      const deco = /@[\w.]*command\(\s*(?:["']([\w-]+)["'])?[^\n]*$/m.exec(decos);
      if (deco) {
        const name = deco[1] ?? def[1]!;
        upgradeCommands.set(name.replace(/_/g, '-'), at);
        upgradeCommands.set(name.replace(/-/g, '_'), at);
      } else if (!/^(test_|upgrade$|downgrade$)/.test(def[1]!) && !/^if __name__ == ["']__main__["']/m.test(text)) {
        // (a file with a __main__ block is a script someone runs, not the app starting)
        inApp.push({ kind: 'migration', name: `upgrade() in ${def[1]}(), run by the app itself`, argv: [], at, when: 'start', destructive: false });
      }
    });
  }
  return { upgradeCommands, inApp, declared };
}

/** Runner prefixes whose rest is the real command: `poetry run X`, `uv run X`, `pipenv run X`, `pdm run X`. */
function unwrap(a: string[]): string[] {
  let argv = a;
  for (let guard = 0; guard < 3; guard++) {
    const n = basename(argv[0] ?? '');
    if ((n === 'poetry' || n === 'uv' || n === 'pipenv' || n === 'pdm' || n === 'hatch' || n === 'rye') && argv[1] === 'run') {
      let i = 2;
      while (argv[i]?.startsWith('-')) i += /^--(with|python|env|extra|group|package|directory|project)$/.test(argv[i]!) ? 2 : 1;
      argv = argv.slice(i);
    } else break;
  }
  return argv;
}

/** The program and its arguments, `python -m X` read as X and `python script.py` as script.py. */
function programOf(raw: string[]): { prog: string; rest: string[] } | undefined {
  const a = unwrap(raw);
  if (a.length === 0) return undefined;
  const name = basename(a[0]!);
  if (/^python(\d+(\.\d+)?)?$/.test(name)) {
    let i = 1;
    while (i < a.length && a[i]!.startsWith('-')) {
      if (a[i] === '-m') return a[i + 1] ? { prog: a[i + 1]!, rest: a.slice(i + 2) } : undefined;
      if (a[i] === '-c') return undefined;
      i += a[i] === '-X' || a[i] === '-W' ? 2 : 1;
    }
    return a[i] ? { prog: basename(a[i]!), rest: a.slice(i + 1) } : undefined;
  }
  return { prog: name, rest: a.slice(1) };
}

const positional = (rest: string[], valueOpts: ReadonlySet<string> = new Set()): string[] => {
  const out: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const v = rest[i]!;
    if (v.startsWith('-')) {
      if (valueOpts.has(v)) i++;
      continue;
    }
    out.push(v);
  }
  return out;
};
const FLASK_OPTS = new Set(['--app', '-A', '-e', '--env-file']);

/** One command → the step it is, if any. `upgradeCommands`: the project's own CLI commands that migrate. */
export function classifyCommand(argv: string[], upgradeCommands: ReadonlyMap<string, string> = new Map()): Pick<FoundStep, 'kind' | 'name' | 'destructive'> | undefined {
  const pr = programOf(argv);
  if (!pr) return undefined;
  const { prog, rest } = pr;
  const pos = positional(rest, prog === 'flask' ? FLASK_OPTS : new Set(['--settings', '--pythonpath', '-c', '--config', '--ini', '--name', '-n', '-x']));
  const flags = rest.filter((v) => v.startsWith('-'));
  const setup = (what: string): Pick<FoundStep, 'kind' | 'name' | 'destructive'> => ({ kind: 'setup', name: what, destructive: true });
  if (prog === 'manage.py' || prog === 'django-admin' || prog === 'django-admin.py' || prog === 'django' || prog === 'manage') {
    const sub = pos[0];
    if (!sub) return undefined;
    if (sub === 'migrate' && !flags.some((f) => f === '--check' || f === '--plan' || f === '--help')) return { kind: 'migration', name: `${prog === 'manage' ? 'manage.py' : prog} migrate`, destructive: false };
    if (sub === 'compilemessages') return { kind: 'translations', name: 'compilemessages', destructive: false };
    if (DESTRUCTIVE.test(sub)) return setup(`${prog} ${sub}`);
    if (sub === 'db' && pos[1] === 'upgrade') return { kind: 'migration', name: `${prog} db upgrade`, destructive: false };
    return undefined;
  }
  if (prog === 'alembic' && pos.includes('upgrade') && !flags.includes('--sql')) return { kind: 'migration', name: 'alembic upgrade', destructive: false };
  if (prog === 'aerich' && pos[0] === 'upgrade') return { kind: 'migration', name: 'aerich upgrade', destructive: false };
  if (prog === 'kinto' && pos[0] === 'migrate' && !flags.includes('--dry-run')) return { kind: 'migration', name: 'kinto migrate', destructive: false };
  if (prog === 'pybabel' && pos[0] === 'compile') return { kind: 'translations', name: 'pybabel compile', destructive: false };
  if (prog === 'setup.py' && pos[0] === 'compile_catalog') return { kind: 'translations', name: 'setup.py compile_catalog', destructive: false };
  if (pos[0] === 'database' && pos[1] === 'upgrade') return { kind: 'migration', name: `${prog} database upgrade`, destructive: false };
  if (prog === 'flask' || prog === 'quart') {
    const [a, b] = pos;
    if (a === 'db' && b === 'upgrade' && !flags.includes('--sql')) return { kind: 'migration', name: `${prog} db upgrade`, destructive: false };
    if (a === 'db' && b && /^(reset|create|init-db|drop)$/.test(b)) return setup(`${prog} db ${b}`);
    if (a === 'translate' && b === 'compile') return { kind: 'translations', name: `${prog} translate compile`, destructive: false };
    if (a && DESTRUCTIVE.test(a)) return setup(`${prog} ${a}`);
    if (a && upgradeCommands.has(a)) return { kind: 'migration', name: `${prog} ${a} (calls upgrade() at ${upgradeCommands.get(a)})`, destructive: false };
    return undefined;
  }
  // `python init_db.py`, `python create_db.py`: a schema creator, not a migration
  const stem = prog.replace(/\.py$/, '');
  if (prog.endsWith('.py') && DESTRUCTIVE.test(stem)) return setup(`python ${prog}`);
  if (DESTRUCTIVE.test(stem) && pos.length === 0) return setup(prog);
  return undefined;
}

interface Ctx {
  p: Project;
  code: CodeFacts;
  out: FoundStep[];
  seen: Set<string>;
  scripts: number;
}

function add(ctx: Ctx, argv: string[], at: string, when: StepWhen, commented = false): void {
  const c = classifyCommand(argv, ctx.code.upgradeCommands);
  if (!c) return;
  const key = `${at} ${argv.join(' ')}`;
  if (ctx.seen.has(key)) return;
  ctx.seen.add(key);
  ctx.out.push({ ...c, argv: unwrap(argv), at, when, ...(commented ? { commented } : {}) });
}

/** A script path a command runs (`bash Procfile.sh`, `./startup_checks.sh`, `/entrypoint.sh`), resolved in the project. */
function scriptOf(ctx: Ctx, argv: string[], from: string): string | undefined {
  let a = argv;
  if (/^(ba|da|z)?sh$/.test(basename(a[0] ?? '')) && a[1] && !a[1].startsWith('-')) a = a.slice(1);
  const w = a[0];
  if (!w || w.includes('$') || !/\.sh$|\//.test(w)) return undefined;
  if (!w.startsWith('/')) {
    const rel = w.replace(/^\.\//, '');
    for (const c of [dirOf(from) ? `${dirOf(from)}/${rel}` : rel, rel]) if (ctx.p.file(c)) return c;
  }
  // an absolute path inside an image (`/entrypoint.sh`, `/app/bin/run`): the project file with that name
  const named = ctx.p.find((f) => basename(f) === basename(w) && f.split('/').length <= 4);
  return named.length === 1 ? named[0] : undefined;
}

/** Make targets a command runs (`make run`), with their recipe lines, from the Makefile beside it. */
function makeTargets(ctx: Ctx, argv: string[], from: string, when: StepWhen, depth: number): void {
  if (basename(argv[0] ?? '') !== 'make') return;
  const mf = [`${dirOf(from)}/Makefile`.replace(/^\//, ''), 'Makefile'].find((f) => ctx.p.file(f));
  if (!mf) return;
  const targets = positional(argv.slice(1), new Set(['-C', '-f', '-j']));
  const text = ctx.p.textOf(mf);
  for (const t of targets) {
    const m = new RegExp(`^${t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*:(?!=)`, 'm').exec(text);
    if (!m) continue;
    const first = lineAt(text, m.index);
    const lines = text.slice(m.index).split('\n');
    for (let i = 1; i < lines.length && lines[i]!.startsWith('\t'); i++) {
      shell(ctx, lines[i]!.slice(1).replace(/^[@-]+/, ''), mf, first + i, when, depth + 1);
    }
  }
}

/** Every command of a shell string, classified; scripts and make targets it runs are followed. */
function shell(ctx: Ctx, source: string, file: string, line: number, when: StepWhen, depth = 0, commented = false): void {
  let script;
  try {
    script = parseShell(source);
  } catch {
    return;
  }
  const lineOf = lineIndex(source);
  for (const cmd of script.commands) visit(ctx, cmd, lineOf, file, line, when, depth, commented);
}

function visit(ctx: Ctx, cmd: ShCommand, lineOf: (offset: number) => number, file: string, line: number, when: StepWhen, depth: number, commented = false): void {
  const argv = cmd.argv.map((w) => w.value);
  if (argv.length === 0) return;
  const at = `${file}:${line + lineOf(cmd.span.start) - 1}`;
  add(ctx, argv, at, when, commented);
  if (depth >= 3) return;
  makeTargets(ctx, argv, file, when, depth);
  const s = scriptOf(ctx, argv, file);
  if (s && ctx.scripts < MAX_SCRIPTS) {
    ctx.scripts++;
    scriptFile(ctx, s, when, depth + 1);
  }
}

function scriptFile(ctx: Ctx, path: string, when: StepWhen, depth: number): void {
  const text = ctx.p.file(path)?.text;
  if (!text || /^#!.*python/.test(text)) return;
  // a task runner (a script of many functions, `./run manage migrate`) runs one of them per call, not all at start
  const functions = text.match(/^\s*(function\s+)?[\w:-]+\s*\(\)\s*\{?\s*$/gm)?.length ?? 0;
  shell(ctx, text, path, 1, functions >= 3 ? 'task' : when, depth);
}

function procfiles(ctx: Ctx): void {
  const found = ctx.p.find((x) => /(^|\/)Procfile$/.test(x) && x.split('/').length <= 2).map((f) => ({ f, text: ctx.p.textOf(f) }));
  // a monorepo's Procfile sits at the repository root, above the service: Heroku-like platforms read it there
  const repo = ctx.p.repository();
  const up = relative(ctx.p.root, repo.root).split(sep).join('/');
  if (repo !== ctx.p && up.split('/').every((s) => s === '..')) {
    const text = repo.file('Procfile')?.text;
    if (text !== undefined) found.push({ f: `${up}/Procfile`, text });
  }
  for (const { f, text } of found) {
    for (const l of parseProcfile(text)) shell(ctx, l.command, f, l.line, l.name === 'release' ? 'release' : 'start');
    // a commented-out `#release:` line is the project's own suggestion: reported, never taken as a running step
    text.split('\n').forEach((raw, i) => {
      const m = /^#\s*release\s*:\s*(.+)$/.exec(raw.trim());
      if (m) shell(ctx, m[1]!, f, i + 1, 'release', 0, true);
    });
  }
}

function dockerfiles(ctx: Ctx): void {
  for (const { path: f, text, parsed } of projectDockerfiles(ctx.p).slice(0, 20)) {
    const df = parsed();
    if (!df) continue;
    const lineOf = lineIndex(text);
    for (const instr of df.instructions) {
      const k = instr.keyword;
      if (k !== 'RUN' && k !== 'CMD' && k !== 'ENTRYPOINT') continue;
      const script = runScript(instr);
      if (!script) continue;
      for (const cmd of script.commands) {
        const argv = cmd.argv.map((w) => w.value);
        if (argv.length === 0) continue;
        const at = `${f}:${lineOf(cmd.span.start)}`;
        const when: StepWhen = k === 'RUN' ? 'build' : 'start';
        add(ctx, argv, at, when);
        if (k !== 'RUN' && ctx.scripts < MAX_SCRIPTS) {
          const s = scriptOf(ctx, argv, f);
          if (s) {
            ctx.scripts++;
            scriptFile(ctx, s, when, 1);
          }
        }
      }
    }
  }
}

function composeFiles(ctx: Ctx): void {
  const files = ctx.p.find((x) => /(^|\/)(docker-)?compose[\w.-]*\.ya?ml$/.test(x) && x.split('/').length <= 5).slice(0, 12);
  for (const f of files) {
    const text = ctx.p.textOf(f);
    let doc;
    try {
      doc = yaml().parseDocument(text);
    } catch {
      continue;
    }
    const services = doc.get('services', true);
    if (!yaml().isMap(services)) continue;
    for (const item of services.items) {
      const name = String((item.key as { value?: unknown })?.value ?? item.key);
      const svc = item.value;
      if (!yaml().isMap(svc)) continue;
      // a service that only migrates is the project's own one-off
      const oneOff = /migrat|release|init|setup/i.test(name);
      for (const key of ['entrypoint', 'command']) {
        const node = svc.get(key, true) as { range?: [number, number, number]; toJSON(): unknown } | undefined;
        if (!node) continue;
        const v = node.toJSON();
        const line = lineAt(text, node.range?.[0] ?? 0);
        const when: StepWhen = oneOff ? 'release' : 'start';
        if (typeof v === 'string') shell(ctx, v, f, line, when);
        else if (Array.isArray(v)) {
          const argv = v.map(String);
          if (/^(ba|da)?sh$/.test(basename(argv[0] ?? '')) && argv[1] === '-c' && argv[2]) shell(ctx, argv[2], f, line, when);
          else shell(ctx, argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' '), f, line, when);
        }
      }
    }
  }
}

/** Makefile targets and start-like scripts nothing else names: the project's own tasks. */
function tasks(ctx: Ctx): void {
  for (const mf of ctx.p.find((x) => /(^|\/)(GNU)?[Mm]akefile$/.test(x) && x.split('/').length <= 3 && !/(^|\/)docs\//.test(x)).slice(0, 5)) {
    ctx.p.textOf(mf).split('\n').forEach((l, i) => {
      if (l.startsWith('\t')) shell(ctx, l.slice(1).replace(/^[@-]+/, ''), mf, i + 1, 'task', 3);
    });
  }
  const START = /(^|\/)(docker-)?(entrypoint|start|boot|bootstrap|startup[\w-]*|run[_-]?web|release|prestart|pre[_-]?start)[\w.-]*\.sh$/;
  for (const s of ctx.p.find((x) => START.test(x) && x.split('/').length <= 5).slice(0, 20)) scriptFile(ctx, s, 'task', 2);
}

/** pyproject scripts named like schema creators (`init_db = "blog:init_db"`): setup steps a user runs. */
function pyprojectScripts(ctx: Ctx): void {
  for (const f of ctx.p.find((x) => basename(x) === 'pyproject.toml' && x.split('/').length <= 3)) {
    const text = ctx.p.textOf(f);
    const re = /^\[(tool\.poetry\.scripts|project\.scripts)\]\s*$/gm;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const body = text.slice(m.index + m[0].length).split(/^\[/m)[0]!;
      const first = lineAt(text, m.index);
      body.split('\n').forEach((l, i) => {
        const e = /^\s*["']?([\w.-]+)["']?\s*=/.exec(l);
        if (e && DESTRUCTIVE.test(e[1]!)) {
          ctx.out.push({ kind: 'setup', name: `${e[1]} (${m[1]})`, argv: [e[1]!], at: `${f}:${first + i}`, when: 'task', destructive: true });
        }
      });
    }
  }
}

/**
 * Migrations the project has but runs by hand (a README step): Django migration modules, an alembic.ini, Flask-Migrate's
 * migrations folder, `[tool.aerich]`; and schema creators by file name (`init_db.py`). Reported as tasks.
 */
function present(ctx: Ctx): void {
  const p = ctx.p;
  const push = (kind: StepKind, name: string, argv: string[], at: string, destructive = false): void => {
    ctx.out.push({ kind, name, argv, at, when: 'task', destructive });
  };
  const shallow = (f: string, n: number): boolean => f.split('/').length <= n && !/(^|\/)(tests?|docs|node_modules)\//.test(f);
  const manage = p.find((f) => basename(f) === 'manage.py' && shallow(f, 3));
  const djangoMig = p.find((f) => /\/migrations\/0001_\w+\.py$/.test(f) && shallow(f, 6))[0];
  if (manage.length > 0 && djangoMig && /django/i.test(p.file(manage[0]!)?.text ?? '')) push('migration', 'manage.py migrate', ['python', 'manage.py', 'migrate'], `${djangoMig}:1`);
  for (const ini of p.find((f) => basename(f) === 'alembic.ini' && shallow(f, 4)).slice(0, 3)) {
    const text = p.textOf(ini);
    const i = text.search(/^script_location/m);
    // Flask-Migrate keeps its alembic.ini inside migrations/: `flask db upgrade` runs it
    if (/(^|\/)migrations\/alembic\.ini$/.test(ini)) push('migration', 'flask db upgrade', ['flask', 'db', 'upgrade'], `${ini}:1`);
    else push('migration', 'alembic upgrade', ['alembic', 'upgrade', 'head'], `${ini}:${i >= 0 ? lineAt(text, i) : 1}`);
  }
  for (const f of p.find((x) => basename(x) === 'pyproject.toml' && shallow(x, 3))) {
    const text = p.textOf(f);
    const i = text.search(/^\[tool\.aerich\]/m);
    if (i >= 0) push('migration', 'aerich upgrade', ['aerich', 'upgrade'], `${f}:${lineAt(text, i)}`);
  }
  // message catalogs (.po) without their compiled .mo: the image must compile them (the .mo are not committed)
  const pos = p.find((f) => /\/LC_MESSAGES\/[\w-]+\.po$/.test(f) && shallow(f, 7));
  const uncompiled = pos.filter((f) => !p.file(f.replace(/\.po$/, '.mo'))).slice(0, 200);
  const django = uncompiled.find((f) => basename(f) === 'django.po');
  if (django) push('translations', 'compilemessages', ['python', 'manage.py', 'compilemessages'], `${django}:1 (no .mo beside it)`);
  const babel = uncompiled.find((f) => basename(f) !== 'django.po' && basename(f) !== 'djangojs.po');
  if (babel) {
    const root = babel.replace(/\/[^/]+\/LC_MESSAGES\/[^/]+$/, '');
    push('translations', 'pybabel compile', ['pybabel', 'compile', '-d', root], `${babel}:1 (no .mo beside it)`);
  }
  for (const f of p.find((x) => /^(init|create|setup|reset)[-_]?(db|database|schema)\.py$/i.test(basename(x)) && shallow(x, 3))) {
    push('setup', `python ${basename(f)}`, ['python', f], `${f}:1`, true);
  }
}

/** Every startup step the project states, with where it states it. */
export const detectSteps = projectFact((p: Project): FoundStep[] => {
  const ctx: Ctx = { p, code: codeFacts(p), out: [], seen: new Set(), scripts: 0 };
  procfiles(ctx);
  dockerfiles(ctx);
  composeFiles(ctx);
  tasks(ctx);
  pyprojectScripts(ctx);
  present(ctx);
  ctx.out.push(...ctx.code.inApp, ...ctx.code.declared);
  return ctx.out;
});
