// The only importer of the shell parser (unbash): RUN bodies, heredoc scripts and `sh -c` strings → simple commands with spans.
import { parse as parseBash } from 'unbash';
import type * as B from 'unbash';
import type { Dockerfile, Instruction, Span } from './model.js';
import { memo2 } from './memo.js';

export interface ShWord {
  /** Unquoted value (expansions kept as written, e.g. "$HOME/x"). */
  value: string;
  /** As written. */
  raw: string;
  span: Span;
  /** Contains a parameter, command or arithmetic expansion. */
  dynamic: boolean;
}

export interface ShAssignment {
  name: string;
  value: string;
  span: Span;
}

export interface ShRedirect {
  op: string;
  target: string | undefined;
  span: Span;
}

export interface ShCommand {
  /** Effective argv: wrappers such as sudo, exec, env, nohup, xargs are stripped (see `wrappers`). */
  argv: ShWord[];
  /** Basename of the program: "pip3" for "/usr/local/bin/pip3"; "" for a bare assignment. */
  name: string;
  /** Wrappers stripped from the front, by basename: ["sudo"], ["exec"], ["env"]… */
  wrappers: string[];
  /** `VAR=value cmd` prefixes and `env VAR=value` assignments. */
  assignments: ShAssignment[];
  redirects: ShRedirect[];
  span: Span;
  /** Position in its pipeline (0-based) and the pipeline's length (1 when not piped). */
  pipeIndex: number;
  pipeLength: number;
  background: boolean;
  /** Index of the top-level statement it belongs to. */
  statement: number;
  /** 0 at top level; deeper inside if/for/while/case/subshell/function/$(…) and `sh -c` strings. */
  depth: number;
  /** Inside $(…), `…` or <(…). */
  substitution: boolean;
  /** Comes from the string of a `sh -c '…'` / `bash -c "…"`. */
  nested: boolean;
  /**
   * Its exit status is handled on purpose, so `set -e` does not (or must not) stop the script there: an
   * if/while/until condition, left of `&&`/`||`, negated with `!`, or followed by a statement that reads `$?`.
   */
  checked: boolean;
}

export interface ShellScript {
  /** The source unbash parsed. */
  source: string;
  commands: ShCommand[];
  errors: { message: string; span: Span }[];
  /** Any `|` pipeline at all. */
  hasPipe: boolean;
  /** Options turned on with `set` at top level: "e", "u", "x", "pipefail"… */
  setOptions: Set<string>;
  /** Number of top-level statements. */
  statements: number;
}

type Mapper = (i: number) => number;

const WRAPPERS = new Set([
  'sudo', 'exec', 'env', 'nohup', 'time', 'command', 'nice', 'xargs', 'timeout', 'stdbuf', 'ionice', 'chronic', 'builtin',
  // init processes and privilege droppers run the rest of argv as the real program
  'tini', 'tini-static', 'dumb-init', 'catatonit', 'gosu', 'su-exec', 'setpriv', 'chpst',
  // package runners: `npx --yes pyship@1.2.0 check`, `uvx ruff==0.6.0 check` run the named tool
  'npx', 'bunx', 'uvx',
]);
/** Package runners: their program word may carry a version (`pyship@1.2.0`, `ruff==0.6.0`). */
const PACKAGE_RUNNERS = new Set(['npx', 'bunx', 'uvx']);
/** Wrappers whose first positional is a user, not the program. */
const USER_WRAPPERS = new Set(['gosu', 'su-exec', 'chpst']);
/** Wrapper options that take a value, so the value is not mistaken for the program. */
const WRAPPER_VALUE_OPTS: Record<string, Set<string>> = {
  sudo: new Set(['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U']),
  env: new Set(['-u', '-C', '-S']),
  nice: new Set(['-n']),
  xargs: new Set(['-a', '-d', '-E', '-I', '-L', '-n', '-P', '-s']),
  timeout: new Set(['-k', '-s']),
  stdbuf: new Set(['-i', '-o', '-e']),
  ionice: new Set(['-c', '-n', '-p']),
  exec: new Set(['-a']),
  tini: new Set(['-e', '-p']),
  'tini-static': new Set(['-e', '-p']),
  'dumb-init': new Set(['-r', '--rewrite']),
  setpriv: new Set(['--reuid', '--regid', '--groups', '--inh-caps', '--bounding-set']),
  chpst: new Set(['-u', '-U', '-e', '-n', '-l', '-L', '-m', '-d', '-o', '-p', '-f', '-c', '-r', '-t']),
  npx: new Set(['-p', '--package', '-c', '--call', '-w', '--workspace']),
  uvx: new Set(['--from', '--with', '-p', '--python', '--index', '--index-url']),
};

function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i >= 0 ? p.slice(i + 1) : p;
}

function isDynamic(w: B.Word): boolean {
  // most words have no `$` or backquote: answer from the text and leave unbash's lazy word parts unresolved
  if (!w.text.includes('$') && !w.text.includes('`')) return false;
  if (!w.parts) return true;
  const stack: readonly B.WordPart[][] = [w.parts as B.WordPart[]];
  const parts = [...stack[0]!];
  while (parts.length > 0) {
    const p = parts.pop()!;
    if (p.type === 'SimpleExpansion' || p.type === 'ParameterExpansion' || p.type === 'CommandExpansion' ||
        p.type === 'ArithmeticExpansion' || p.type === 'ProcessSubstitution') return true;
    if (p.type === 'DoubleQuoted' || p.type === 'LocaleString') parts.push(...(p.parts as B.WordPart[]));
  }
  return false;
}

class Walker {
  commands: ShCommand[] = [];
  hasPipe = false;
  setOptions = new Set<string>();
  constructor(private readonly map: Mapper, private readonly source: string) {}

  span(node: { pos: number; end: number }): Span {
    return { start: this.map(node.pos), end: this.map(Math.max(node.pos, node.end - 1)) + (node.end > node.pos ? 1 : 0) };
  }

  word(w: B.Word): ShWord {
    return { value: w.value, raw: w.text, span: this.span(w), dynamic: isDynamic(w) };
  }

  statements(list: readonly B.Statement[], depth: number, sub: boolean, nested: boolean, stmt: number | undefined, checked = false): void {
    list.forEach((s, i) => {
      // `cmd; if [ $? -ne 0 ]` handles cmd's status itself: `set -e` would end the script before the test
      const next = list[i + 1];
      const tested = next !== undefined && /\$\{?\?/.test(this.source.slice(next.pos, next.end));
      this.node(s.command, depth, sub, nested, stmt ?? i, s.background === true, 0, 1, checked || tested);
    });
  }

  node(n: B.PipelineNode | B.AndOr | B.CompoundList | B.CompoundCommand | B.Redirected | B.Function | B.Coproc,
    depth: number, sub: boolean, nested: boolean, stmt: number, bg: boolean, pipeIndex: number, pipeLength: number, checked: boolean): void {
    switch (n.type) {
      case 'AndOr':
        // every command but the last has its status tested by the `&&`/`||` after it
        n.commands.forEach((c, i) => this.node(c, depth, sub, nested, stmt, bg, 0, 1, checked || i < n.commands.length - 1));
        return;
      case 'Pipeline': {
        if (n.commands.length > 1) this.hasPipe = true;
        const negated = checked || n.prefixes.some((p) => p.type === 'Negation');
        n.commands.forEach((c, i) => this.node(c, depth, sub, nested, stmt, bg, i, n.commands.length, negated));
        return;
      }
      case 'Command':
        this.command(n, depth, sub, nested, stmt, bg, pipeIndex, pipeLength, checked);
        return;
      case 'CompoundList':
        this.statements(n.commands, depth + 1, sub, nested, stmt, checked);
        return;
      case 'If':
        this.node(n.clause, depth, sub, nested, stmt, bg, 0, 1, true);
        this.node(n.then, depth, sub, nested, stmt, bg, 0, 1, checked);
        for (const e of n.elif) {
          this.node(e.clause, depth, sub, nested, stmt, bg, 0, 1, true);
          this.node(e.then, depth, sub, nested, stmt, bg, 0, 1, checked);
        }
        if (n.else) this.node(n.else, depth, sub, nested, stmt, bg, 0, 1, checked);
        return;
      case 'For': case 'Select':
        for (const w of n.wordlist ?? []) this.substitutions(w, depth, nested, stmt);
        this.node(n.body, depth, sub, nested, stmt, bg, 0, 1, checked);
        return;
      case 'While':
        this.node(n.clause, depth, sub, nested, stmt, bg, 0, 1, true);
        this.node(n.body, depth, sub, nested, stmt, bg, 0, 1, checked);
        return;
      case 'Subshell': case 'BraceGroup':
        this.node(n.body, depth, sub, nested, stmt, bg, pipeIndex, pipeLength, checked);
        return;
      case 'Case':
        for (const it of n.items) this.node(it.body, depth, sub, nested, stmt, bg, 0, 1, checked);
        return;
      case 'Function':
        this.node(n.body as B.CompoundList, depth + 1, sub, nested, stmt, bg, 0, 1, false);
        return;
      case 'Redirected':
        this.node(n.command, depth, sub, nested, stmt, bg, pipeIndex, pipeLength, checked);
        return;
      case 'Coproc':
        this.node(n.body as B.CompoundList, depth + 1, sub, nested, stmt, true, 0, 1, checked);
        return;
      default:
        return;
    }
  }

  substitutions(w: B.Word, depth: number, nested: boolean, stmt: number): void {
    if (!w.parts || !w.text.includes('$(') && !w.text.includes('`') && !w.text.includes('<(') && !w.text.includes('>(')) return;
    const parts = [...(w.parts as B.WordPart[])];
    while (parts.length > 0) {
      const p = parts.pop()!;
      if ((p.type === 'CommandExpansion' || p.type === 'ProcessSubstitution') && p.script) {
        this.statements(p.script.commands, depth + 1, true, nested, stmt);
      } else if (p.type === 'DoubleQuoted' || p.type === 'LocaleString') parts.push(...(p.parts as B.WordPart[]));
    }
  }

  command(c: B.Command, depth: number, sub: boolean, nested: boolean, stmt: number, bg: boolean, pipeIndex: number, pipeLength: number, checked: boolean): void {
    const assignments: ShAssignment[] = [];
    const redirects: ShRedirect[] = [];
    for (const p of c.prefix) {
      if (p.type === 'Assignment') {
        const v = p.value.type === 'Word' ? p.value.value : '';
        assignments.push({ name: p.name, value: v, span: this.span(p) });
      } else redirects.push(this.redirect(p));
    }
    for (const r of c.redirects) if (!redirects.some((x) => x.span.start === this.map(r.pos))) redirects.push(this.redirect(r));
    const words: B.Word[] = [];
    if (c.name) words.push(c.name);
    for (const a of c.args) {
      if (a.type === 'Word') words.push(a);
      else words.push({ type: 'Word', text: a.text, value: a.text, pos: a.pos, end: a.end } as B.Word);
    }
    for (const w of words) this.substitutions(w, depth, nested, stmt);
    let argv = words.map((w) => this.word(w));
    const wrappers: string[] = [];
    // strip wrappers: sudo -u x, exec, env A=b, nohup, xargs -r …
    for (let guard = 0; guard < 8 && argv.length > 0; guard++) {
      const prog = basename(argv[0]!.value);
      if (!WRAPPERS.has(prog)) break;
      wrappers.push(prog);
      let i = 1;
      const valueOpts = WRAPPER_VALUE_OPTS[prog];
      while (i < argv.length) {
        const v = argv[i]!.value;
        if (v === '--') {
          i++;
          break;
        }
        if (prog === 'env' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(v)) {
          const eq = v.indexOf('=');
          assignments.push({ name: v.slice(0, eq), value: v.slice(eq + 1), span: argv[i]!.span });
          i++;
          continue;
        }
        if (v.startsWith('-') && v.length > 1) {
          i += valueOpts?.has(v) ? 2 : 1;
          continue;
        }
        if (prog === 'timeout' && /^\d/.test(v)) {
          i++;
          continue;
        }
        break;
      }
      if (USER_WRAPPERS.has(prog) && i < argv.length && prog !== 'chpst') i++;
      argv = argv.slice(i);
    }
    let name = argv.length > 0 ? basename(argv[0]!.value) : '';
    if (wrappers.length > 0 && PACKAGE_RUNNERS.has(wrappers[wrappers.length - 1]!)) name = name.replace(/(?<=.)(@|==)[^@=/]*$/, '');
    if (name === 'set' && depth === 0 && !nested) this.collectSet(argv);
    const cmd: ShCommand = {
      argv, name, wrappers, assignments, redirects, span: this.span(c), pipeIndex, pipeLength, background: bg,
      statement: stmt, depth, substitution: sub, nested, checked,
    };
    this.commands.push(cmd);
    // sh -c '…' / bash -c "…": parse the string too
    if ((name === 'sh' || name === 'bash' || name === 'dash' || name === 'ash' || name === 'zsh') && argv.length >= 3) {
      const ci = argv.findIndex((w, i) => i > 0 && /^-[a-z]*c[a-z]*$/.test(w.value));
      const script = ci > 0 ? argv[ci + 1] : undefined;
      if (script && !script.dynamic) {
        const w = script;
        const quoted = w.raw.length >= 2 && (w.raw[0] === "'" || w.raw[0] === '"') && w.raw.endsWith(w.raw[0]!) && w.raw.slice(1, -1) === w.value;
        const inner = parseShell(w.value, quoted ? (i) => Math.min(w.span.start + 1 + i, w.span.end) : () => w.span.start);
        for (const ic of inner.commands) {
          this.commands.push({ ...ic, depth: ic.depth + depth + 1, nested: true, statement: stmt, background: ic.background || bg, checked: ic.checked || checked });
        }
        if (inner.hasPipe) this.hasPipe = true;
      }
    }
  }

  redirect(r: B.Redirection): ShRedirect {
    if (r.type === 'HereDoc') return { op: r.operator, target: r.delimiter?.value, span: this.span(r) };
    return { op: r.operator, target: r.target?.value, span: this.span(r) };
  }

  collectSet(argv: ShWord[]): void {
    for (let i = 1; i < argv.length; i++) {
      const v = argv[i]!.value;
      if (v === '-o' || v === '+o') {
        const opt = argv[i + 1]?.value;
        if (opt && v === '-o') this.setOptions.add(opt);
        i++;
      } else if (/^-[a-zA-Z]+$/.test(v)) {
        for (const ch of v.slice(1)) {
          if (ch === 'o') {
            const opt = argv[i + 1]?.value;
            if (opt) this.setOptions.add(opt);
            i++;
          } else this.setOptions.add(ch);
        }
      }
    }
  }
}

/** Parse shell source; `map` turns an index into the source into a file offset. */
export function parseShell(source: string, map: Mapper = (i) => i): ShellScript {
  const ast = parseBash(source);
  const w = new Walker(map, source);
  w.statements(ast.commands, 0, false, false, undefined);
  return {
    source,
    commands: w.commands,
    errors: (ast.errors ?? []).map((e) => ({ message: e.message, span: { start: map(e.pos), end: map(e.pos) + 1 } })),
    hasPipe: w.hasPipe,
    setOptions: w.setOptions,
    statements: ast.commands.length,
  };
}

const cache = new WeakMap<Instruction, ShellScript | null>();

const NON_POSIX_SHELLS = /(^|[\\/])(powershell|pwsh|cmd)(\.exe)?$/i;

/** Does the instruction's shell run POSIX shell code? (SHELL ["powershell", …] or ["cmd", "/S", "/C"] does not.) */
export function isPosixShell(instr: Instruction): boolean {
  const prog = instr.state.shell[0] ?? '/bin/sh';
  return !NON_POSIX_SHELLS.test(prog);
}

/** Heredoc scripts run by themselves: `RUN <<EOF` with nothing but heredoc markers. */
function heredocOnly(instr: Instruction): boolean {
  if (instr.heredocs.length === 0) return false;
  return instr.words.every((w) => /^\d*<<-?/.test(w.raw));
}

/**
 * The shell script of a shell-form RUN (or a heredoc script), parsed once and cached. Undefined for exec form,
 * non-POSIX shells (PowerShell, cmd) and heredoc scripts with a non-shell shebang (python…).
 */
export function runScript(instr: Instruction): ShellScript | undefined {
  const target = instr.onbuild ?? instr;
  if (target.keyword !== 'RUN' && target.keyword !== 'CMD' && target.keyword !== 'ENTRYPOINT' && target.keyword !== 'HEALTHCHECK') return undefined;
  const hit = cache.get(target);
  if (hit !== undefined) return hit ?? undefined;
  const result = buildScript(target);
  cache.set(target, result ?? null);
  return result;
}

function buildScript(instr: Instruction): ShellScript | undefined {
  if (!isPosixShell(instr)) return undefined;
  if (instr.json) {
    // exec form: argv as given; `sh -c "…"` strings are parsed as scripts
    const words = instr.keyword === 'HEALTHCHECK' ? instr.words.slice(0) : instr.words;
    if (words.length === 0) return undefined;
    const src = words.map((w) => shellQuote(w.value)).join(' ');
    const offsets: number[] = [];
    let pos = 0;
    for (const w of words) {
      offsets.push(pos);
      pos += shellQuote(w.value).length + 1;
    }
    return parseShell(src, (i) => {
      let k = offsets.length - 1;
      while (k > 0 && offsets[k]! > i) k--;
      const w = words[k]!;
      // exec-form words are JSON strings: position inside the literal (exact unless it holds JSON escapes)
      const q = shellQuote(w.value);
      const rel = i - offsets[k]!;
      if (rel >= q.length) return w.span.end;
      const inner = q === w.value ? rel : rel - 1;
      return Math.min(w.span.start + 1 + inner, w.span.end - 1);
    });
  }
  if (heredocOnly(instr)) {
    const h = instr.heredocs[0]!;
    const first = h.content.split('\n', 1)[0] ?? '';
    if (first.startsWith('#!') && !/\b(sh|bash|dash|ash)\b/.test(first)) return undefined;
    return parseShell(h.content, (i) => h.contentSpan.start + i);
  }
  let args = instr.args;
  if (instr.keyword === 'HEALTHCHECK') {
    const m = /^\S+\s+/.exec(args);
    if (!m || !/^cmd$/i.test(args.slice(0, m[0].trim().length))) return undefined;
    const off = m[0].length;
    args = args.slice(off);
    return parseShell(args, (i) => instr.argOffset(off + i));
  }
  if (instr.heredocs.length === 0) return parseShell(args, instr.argOffset);
  // a command reading heredocs: bash sees the bodies after the first line
  let src = args + '\n';
  const ranges: { at: number; start: number }[] = [];
  for (const h of instr.heredocs) {
    ranges.push({ at: src.length, start: h.contentSpan.start });
    src += h.content + (h.content.endsWith('\n') || h.content === '' ? '' : '\n') + h.name + '\n';
  }
  return parseShell(src, (i) => {
    if (i < args.length) return instr.argOffset(i);
    for (let k = ranges.length - 1; k >= 0; k--) if (i >= ranges[k]!.at) return ranges[k]!.start + (i - ranges[k]!.at);
    return instr.argsSpan.end;
  });
}

function shellQuote(s: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return "'" + s.replace(/'/g, `'\\''`) + "'";
}

/** A command of a RUN, with its instruction and script. */
export interface RunCommand {
  instr: Instruction;
  cmd: ShCommand;
  script: ShellScript;
}

/** Every command of every RUN in a stage (or a whole file), in order: one list per file and stage, shared by the rules that ask. */
export function stageCommands(df: Dockerfile, stage?: number): readonly RunCommand[] {
  return commandList(df, stage);
}

const commandList = memo2((df: Dockerfile, stage: number | undefined): RunCommand[] => {
  // a stage's own list, not the whole file filtered: rules ask this once per stage
  const list = stage !== undefined && stage >= 0 ? (df.stages[stage]?.instructions ?? []) : df.instructions;
  const out: RunCommand[] = [];
  for (const instr of list) {
    if (stage !== undefined && instr.stage !== stage) continue;
    const target = instr.onbuild ?? instr;
    if (target.keyword !== 'RUN') continue;
    const script = runScript(target);
    if (!script) continue;
    for (const cmd of script.commands) out.push({ instr: target, cmd, script });
  }
  return out;
});
