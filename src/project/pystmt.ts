// Python source as logical statements (brackets and continuations joined, strings and comments respected) and a tiny
// evaluator of the path expressions settings files use (`BASE_DIR / "static"`, `os.path.join(BASE_DIR, "static")`):
// Django settings are read as text, never imported, and these are the two things a line regex cannot do.
import { posix } from 'node:path';

/** One logical statement: its first line (1-based), the indentation of that line, its text without comments. */
export interface Statement {
  line: number;
  indent: number;
  text: string;
}

/** Split Python source into logical statements. Bounded by the text's length; never throws. */
export function statements(src: string): Statement[] {
  const out: Statement[] = [];
  let buf = '';
  let depth = 0;
  let line = 1;
  let start = 1;
  let indent = 0;
  let atLineStart = true;
  let i = 0;
  const flush = (): void => {
    if (buf.trim() !== '') out.push({ line: start, indent, text: buf.trim() });
    buf = '';
  };
  while (i < src.length) {
    const c = src[i]!;
    if (atLineStart && depth === 0 && buf.trim() === '') {
      let j = i;
      while (j < src.length && (src[j] === ' ' || src[j] === '\t')) j++;
      indent = j - i;
      start = line;
      atLineStart = false;
      i = j;
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const triple = src.startsWith(c.repeat(3), i);
      const q = triple ? c.repeat(3) : c;
      let j = i + q.length;
      let open = false;
      while (j < src.length && !src.startsWith(q, j)) {
        if (src[j] === '\\') j++;
        else if (src[j] === '\n') {
          // an unterminated one-line string ends at the line break (which still counts as one)
          if (!triple) {
            open = true;
            break;
          }
          line++;
        }
        j++;
      }
      buf += src.slice(i, open ? j : Math.min(j + q.length, src.length));
      i = open ? j : j + q.length;
      continue;
    }
    if (c === '\\' && src[i + 1] === '\n') {
      buf += ' ';
      line++;
      i += 2;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
    if (c === '\n') {
      line++;
      if (depth === 0) {
        flush();
        atLineStart = true;
      } else buf += ' ';
      i++;
      continue;
    }
    if (c === ';' && depth === 0) {
      flush();
      start = line;
      i++;
      continue;
    }
    buf += c;
    i++;
  }
  flush();
  return out;
}

/** The arguments of the call whose `(` is at `open` in `s`: positional texts and keyword texts, and where it ends. */
export function callArgs(s: string, open: number): { args: string[]; kwargs: Record<string, string>; end: number } {
  const args: string[] = [];
  const kwargs: Record<string, string> = {};
  let depth = 0;
  let cur = '';
  let i = open;
  const push = (): void => {
    const t = cur.trim();
    cur = '';
    if (t === '') return;
    const kw = /^([A-Za-z_]\w*)\s*=(?!=)\s*([\s\S]*)$/.exec(t);
    if (kw) kwargs[kw[1]!] = kw[2]!;
    else args.push(t);
  };
  for (; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < s.length && s[j] !== c) j += s[j] === '\\' ? 2 : 1;
      cur += s.slice(i, j + 1);
      i = j;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') {
      depth++;
      if (depth === 1) continue;
    }
    if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) {
        push();
        return { args, kwargs, end: i + 1 };
      }
    }
    if (c === ',' && depth === 1) {
      push();
      continue;
    }
    cur += c;
  }
  push();
  return { args, kwargs, end: s.length };
}

/** A Python string literal's value (`"a"`, `r'b'`, `f"c"` without braces), else undefined. */
export function stringValue(s: string): string | undefined {
  const m = /^[rRbBuU]?(["'])((?:\\.|(?!\1).)*)\1$/s.exec(s.trim()) ?? /^[fF](["'])([^{}]*?)\1$/s.exec(s.trim());
  return m ? m[2]!.replace(/\\(.)/g, '$1') : undefined;
}

// --- path evaluator --------------------------------------------------------------------------------------------

type Val =
  | { k: 'path'; v: string }
  | { k: 'str'; v: string }
  | { k: 'num'; v: number }
  | { k: 'name'; v: string }
  | { k: 'method'; of: string; m: string }
  | { k: 'parents'; of: string }
  | { k: 'unknown' };

const UNKNOWN: Val = { k: 'unknown' };
const PATH_FNS = new Set(['Path', 'pathlib.Path', 'PurePath', 'environ.Path', 'str', 'os.path.abspath', 'os.path.realpath', 'os.path.normpath', 'os.fspath', 'os.path.expanduser']);
const ENV_FNS = /^(os\.environ\.get|os\.getenv|environ\.get|env|env\.str|env\.path|config)$/;

/**
 * Evaluates path-valued Python expressions: `__file__` is the file's absolute path in the image; variables are those
 * assigned before (BASE_DIR…); an environment lookup takes its default (the build sets none); `a if c else b` takes
 * `b`. Anything else is unknown.
 */
export class PathEval {
  readonly vars = new Map<string, Val>();
  private s = '';
  private i = 0;
  private file = '/';

  /** Evaluate `expr` as written in `file` (absolute path in the image); undefined when unknown. */
  path(expr: string, file: string): string | undefined {
    const v = this.eval(expr, file);
    if (v.k === 'path') return v.v;
    // a relative string is relative to the working directory: /app, where the server and manage.py run
    if (v.k === 'str') return posix.resolve('/app', v.v);
    return undefined;
  }

  /** Record `name = expr` (only values that are paths or strings are kept). */
  assign(name: string, expr: string, file: string): void {
    const v = this.eval(expr, file);
    if (v.k === 'path' || v.k === 'str' || v.k === 'num') this.vars.set(name, v);
    else this.vars.delete(name);
  }

  private eval(expr: string, file: string): Val {
    this.s = expr;
    this.i = 0;
    this.file = file;
    try {
      const v = this.ternary();
      return v;
    } catch {
      return UNKNOWN;
    }
  }

  private ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  private peek(re: RegExp): RegExpExecArray | null {
    this.ws();
    re.lastIndex = this.i;
    const m = re.exec(this.s);
    return m && m.index === this.i ? m : null;
  }

  private ternary(): Val {
    const a = this.binary();
    if (this.peek(/if\b/y)) {
      // `a if cond else b`: the build sets no environment, so the usual `env-var-set` condition is false
      const rest = this.s.slice(this.i);
      const m = /\belse\b/.exec(rest);
      if (!m) return UNKNOWN;
      this.i += m.index + 4;
      return this.ternary();
    }
    return a;
  }

  private binary(): Val {
    let a = this.postfix();
    for (;;) {
      const op = this.peek(/[/+-](?![=/])/y);
      if (!op) return a;
      this.i++;
      const b = this.postfix();
      a = this.op(op[0], a, b);
    }
  }

  private op(op: string, a: Val, b: Val): Val {
    if (op === '/' && a.k === 'path' && (b.k === 'str' || b.k === 'path')) return { k: 'path', v: posix.resolve(a.v, b.v) };
    if (op === '-' && a.k === 'path' && b.k === 'num') return { k: 'path', v: up(a.v, b.v) };
    if (op === '+' && a.k === 'str' && b.k === 'str') return { k: 'str', v: a.v + b.v };
    if (op === '+' && a.k === 'path' && b.k === 'str') return { k: 'path', v: a.v + b.v };
    return UNKNOWN;
  }

  private postfix(): Val {
    let v = this.atom();
    for (;;) {
      const dot = this.peek(/\.\s*([A-Za-z_]\w*)/y);
      if (dot) {
        this.i += dot[0].length;
        v = this.attr(v, dot[1]!);
        continue;
      }
      if (this.peek(/\(/y)) {
        const { args, kwargs, end } = callArgs(this.s, this.i);
        this.i = end;
        v = this.call(v, args, kwargs);
        continue;
      }
      if (this.peek(/\[/y)) {
        const { args, end } = callArgs(this.s, this.i);
        this.i = end;
        const n = Number(args[0]);
        v = v.k === 'parents' && Number.isInteger(n) ? { k: 'path', v: up(v.of, n + 1) } : UNKNOWN;
        continue;
      }
      return v;
    }
  }

  private attr(v: Val, a: string): Val {
    if (v.k === 'name') return { k: 'name', v: `${v.v}.${a}` };
    if (v.k === 'path') {
      if (a === 'parent') return { k: 'path', v: posix.dirname(v.v) };
      if (a === 'parents') return { k: 'parents', of: v.v };
      return { k: 'method', of: v.v, m: a };
    }
    return UNKNOWN;
  }

  private call(f: Val, args: string[], kwargs: Record<string, string>): Val {
    const sub = (e: string | undefined): Val => (e === undefined ? UNKNOWN : new PathEval().withVars(this.vars).evalIn(e, this.file));
    if (f.k === 'method') {
      if (['resolve', 'absolute', 'expanduser'].includes(f.m)) return { k: 'path', v: f.of };
      // django-environ: `ROOT_DIR.path("x")`
      if (f.m === 'path') return joinAll({ k: 'path', v: f.of }, args.map(sub));
      return UNKNOWN;
    }
    // django-environ: an environ.Path called with parts joins them
    if (f.k === 'path') return joinAll(f, args.map(sub));
    if (f.k !== 'name') return UNKNOWN;
    // `from os.path import join, dirname`: the bare names mean the same
    const name = /^(join|dirname|abspath|realpath|normpath)$/.test(f.v) ? `os.path.${f.v}` : f.v;
    if (PATH_FNS.has(name)) {
      const a = sub(args[0]);
      return a.k === 'str' ? { k: 'path', v: posix.resolve('/app', a.v) } : a;
    }
    if (name === 'os.path.dirname') {
      const a = sub(args[0]);
      return a.k === 'path' ? { k: 'path', v: posix.dirname(a.v) } : UNKNOWN;
    }
    if (name === 'os.path.join') {
      const [first, ...rest] = args.map(sub);
      if (!first) return UNKNOWN;
      return joinAll(first.k === 'str' ? { k: 'path', v: posix.resolve('/app', first.v) } : first, rest);
    }
    if (ENV_FNS.test(name)) return sub(kwargs.default ?? args[1]);
    return UNKNOWN;
  }

  private withVars(vars: Map<string, Val>): this {
    for (const [k, v] of vars) this.vars.set(k, v);
    return this;
  }

  private evalIn(expr: string, file: string): Val {
    return this.eval(expr, file);
  }

  private atom(): Val {
    this.ws();
    const str = this.peek(/[rRbBuUfF]?("""|'''|"|')/y);
    if (str) {
      const q = str[1]!;
      const from = this.i + str[0].length;
      let j = from;
      while (j < this.s.length && !this.s.startsWith(q, j)) j += this.s[j] === '\\' ? 2 : 1;
      const raw = this.s.slice(this.i, j + q.length);
      this.i = j + q.length;
      const v = stringValue(raw.replace(/^([rRbBuUfF]?)("""|''')/, '$1"').replace(/("""|''')$/, '"'));
      return v === undefined ? UNKNOWN : { k: 'str', v };
    }
    const num = this.peek(/\d+/y);
    if (num) {
      this.i += num[0].length;
      return { k: 'num', v: Number(num[0]) };
    }
    if (this.peek(/\(/y)) {
      this.i++;
      const v = this.ternary();
      this.ws();
      if (this.s[this.i] === ')') this.i++;
      return v;
    }
    const name = this.peek(/[A-Za-z_]\w*/y);
    if (name) {
      this.i += name[0].length;
      if (name[0] === '__file__') return { k: 'path', v: this.file };
      return this.vars.get(name[0]) ?? { k: 'name', v: name[0] };
    }
    throw new Error('unexpected');
  }
}

function up(p: string, n: number): string {
  let out = p;
  for (let i = 0; i < n; i++) out = posix.dirname(out);
  return out;
}

function joinAll(base: Val, parts: Val[]): Val {
  if (base.k !== 'path') return UNKNOWN;
  let v = base.v;
  for (const p of parts) {
    if (p.k !== 'str' && p.k !== 'path') return UNKNOWN;
    v = posix.resolve(v, p.v);
  }
  return { k: 'path', v };
}
