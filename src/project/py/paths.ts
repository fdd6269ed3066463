// The one evaluator of Python path expressions read as text (os.path, pathlib, environ.Path, env defaults, names).

/** What an expression names a path by; a relative path is relative to the process's working directory. */
export interface PathScope {
  /** `__file__`: the image path of the file the expression is in (undefined: not known in the image). */
  file?: string;
  /** The value of a bare or dotted name (`BASE_DIR`, `settings.MEDIA_ROOT`, `app.root_path`), if known. */
  name(name: string): string | undefined;
}

type Tok = { t: 'str'; v: string; f: boolean } | { t: 'name'; v: string } | { t: 'num'; v: number } | { t: 'op'; v: string };

const MAX_TOKENS = 400;

function tokenize(src: string): Tok[] | undefined {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    if (out.length > MAX_TOKENS) return undefined;
    const c = src[i]!;
    if (/\s/.test(c) || c === '\\') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    const str = /^([rRbBfFuU]{0,2})('''|"""|'|")/.exec(src.slice(i, i + 5));
    if (str) {
      const q = str[2]!;
      const f = /f/i.test(str[1]!);
      let j = i + str[0].length;
      let v = '';
      while (j < src.length && !src.startsWith(q, j)) {
        if (src[j] === '\\' && !/r/i.test(str[1]!)) {
          v += src[j + 1] ?? '';
          j += 2;
        } else v += src[j++];
      }
      if (j >= src.length) return undefined;
      out.push({ t: 'str', v, f });
      i = j + q.length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (name) {
      out.push({ t: 'name', v: name[0] });
      i += name[0].length;
      continue;
    }
    const num = /^\d+/.exec(src.slice(i));
    if (num) {
      out.push({ t: 'num', v: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    out.push({ t: 'op', v: c });
    i++;
  }
  return out;
}

/** A value while evaluating: a string (paths are strings), a number, or a dotted name not (yet) resolved. */
type V = { s: string } | { n: number } | { ref: string } | undefined;

const posix = {
  join(...parts: string[]): string {
    let out = '';
    for (const p of parts) out = p.startsWith('/') || out === '' ? p : `${out.replace(/\/+$/, '')}/${p}`;
    return posix.normalize(out);
  },
  normalize(p: string): string {
    const abs = p.startsWith('/');
    const segs: string[] = [];
    for (const s of p.split('/')) {
      if (s === '' || s === '.') continue;
      if (s === '..' && segs.length > 0 && segs[segs.length - 1] !== '..') segs.pop();
      else if (s !== '..' || !abs) segs.push(s);
    }
    const j = segs.join('/');
    return abs ? `/${j}` : j || '.';
  },
  dirname(p: string): string {
    const n = posix.normalize(p);
    const i = n.lastIndexOf('/');
    return i < 0 ? '.' : i === 0 ? '/' : n.slice(0, i);
  },
};
export const pathJoin = posix.join;
export const pathDirname = posix.dirname;

const ENV_GETTERS = /^(os\.environ\.get|os\.getenv|environ\.get|getenv|env|env\.str|env\.path|config|decouple\.config)$/;
const IDENTITY = /^(os\.path\.(abspath|realpath|normpath|expanduser)|str|os\.fspath|Path|pathlib\.Path|PurePath|PosixPath|environ\.Path)$/;

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[], private readonly scope: PathScope, private readonly depth: number) {}

  done(): boolean {
    return this.i >= this.toks.length;
  }

  private peek(v?: string): Tok | undefined {
    const t = this.toks[this.i];
    if (v === undefined) return t;
    return t && (t.t === 'op' || t.t === 'name') && t.v === v ? t : undefined;
  }

  private eat(v: string): boolean {
    if (this.peek(v)) {
      this.i++;
      return true;
    }
    return false;
  }

  expr(): V {
    let left = this.arith();
    while (this.peek('or')) {
      this.i++;
      const right = this.arith();
      left = left && 's' in left ? left : right;
    }
    // `A if cond else B`: B is what runs when the environment sets nothing (`X if "KEY" in os.environ else default`)
    if (this.peek('if')) {
      let depth = 0;
      for (this.i++; !this.done(); this.i++) {
        const t = this.toks[this.i]!;
        if (t.t === 'op' && '([{'.includes(t.v)) depth++;
        else if (t.t === 'op' && ')]}'.includes(t.v)) depth--;
        else if (depth === 0 && t.t === 'name' && t.v === 'else') break;
      }
      if (!this.eat('else')) return undefined;
      const other = this.expr();
      return other && 's' in other ? other : left;
    }
    return left;
  }

  private arith(): V {
    let left = this.term();
    for (;;) {
      const op = this.peek();
      if (!op || op.t !== 'op' || !['/', '+', '-'].includes(op.v)) return left;
      this.i++;
      const right = this.term();
      left = this.binary(op.v, left, right);
    }
  }

  private binary(op: string, a: V, b: V): V {
    if (!a || !b || !('s' in a)) return undefined;
    if (op === '/' && 's' in b) return { s: posix.join(a.s, b.s) };
    if (op === '+' && 's' in b) return { s: a.s + b.s };
    // django-environ: Path(__file__) - 3 is three directories up
    if (op === '-' && 'n' in b) {
      let s = a.s;
      for (let k = 0; k < b.n; k++) s = posix.dirname(s);
      return { s };
    }
    return undefined;
  }

  private term(): V {
    let v = this.atom();
    for (;;) {
      if (this.eat('.')) {
        const n = this.toks[this.i++];
        if (!n || n.t !== 'name') return undefined;
        v = this.attr(v, n.v);
      } else if (this.peek('(')) {
        this.i++;
        const args = this.args();
        if (args === undefined) return undefined;
        v = this.call(v, args.pos, args.kw);
      } else if (this.eat('[')) {
        const idx = this.expr();
        if (!this.eat(']')) return undefined;
        const parents = v && 'ref' in v ? /^\0([^]*)\0parents$/.exec(v.ref) : null;
        v = parents && idx && 'n' in idx ? this.up({ s: parents[1]! }, idx.n + 1) : undefined;
      } else return v;
    }
  }

  private up(v: V, n: number): V {
    if (!v || !('s' in v)) return undefined;
    let s = v.s;
    for (let k = 0; k < n; k++) s = posix.dirname(s);
    return { s };
  }

  private attr(v: V, name: string): V {
    if (!v) return undefined;
    if ('ref' in v) {
      const dotted = `${v.ref}.${name}`;
      const known = this.scope.name(dotted);
      return known !== undefined ? { s: known } : { ref: dotted };
    }
    if (!('s' in v)) return undefined;
    if (name === 'parent') return { s: posix.dirname(v.s) };
    // methods: resolved at the call
    return { ref: `\0${v.s}\0${name}` };
  }

  private args(): { pos: V[]; kw: Record<string, V> } | undefined {
    const pos: V[] = [];
    const kw: Record<string, V> = {};
    while (!this.eat(')')) {
      if (this.done()) return undefined;
      const t = this.toks[this.i];
      const next = this.toks[this.i + 1];
      if (t?.t === 'name' && next?.t === 'op' && next.v === '=' && this.toks[this.i + 2]?.v !== '=') {
        this.i += 2;
        kw[t.v] = this.expr();
      } else pos.push(this.expr());
      if (!this.eat(',') && !this.peek(')')) return undefined;
    }
    return { pos, kw };
  }

  private call(f: V, pos: V[], kw: Record<string, V>): V {
    // django-environ Path objects are callable: ROOT_DIR("media") joins
    if (f && 's' in f) return str(pos) ? { s: posix.join(f.s, ...str(pos)!) } : undefined;
    if (!f || !('ref' in f)) return undefined;
    const method = /^\0([^]*)\0(\w+)$/.exec(f.ref);
    if (method) {
      const [, self, m] = method as unknown as [string, string, string];
      if (['resolve', 'absolute', 'expanduser'].includes(m!)) return { s: self };
      if (m === 'joinpath' || m === 'path' || m === '__call__') return str(pos) ? { s: posix.join(self, ...str(pos)!) } : undefined;
      return undefined;
    }
    const name = f.ref;
    const strs = str(pos);
    if (name === 'os.path.join' || name === 'join' || name === 'path.join') return strs ? { s: posix.join(...strs) } : undefined;
    if (name === 'os.path.dirname' || name === 'dirname' || name === 'path.dirname') return strs?.length === 1 ? { s: posix.dirname(strs[0]!) } : undefined;
    if (ENV_GETTERS.test(name)) {
      const d = pos[1] ?? kw.default;
      return d && 's' in d ? d : undefined;
    }
    if (IDENTITY.test(name)) return pos.length === 0 ? { s: '.' } : pos[0] && 's' in pos[0] ? pos[0] : undefined;
    return undefined;
  }

  private atom(): V {
    const t = this.toks[this.i++];
    if (!t) return undefined;
    if (t.t === 'str') {
      if (!t.f) {
        // adjacent literals concatenate
        let s = t.v;
        while (this.toks[this.i]?.t === 'str' && !(this.toks[this.i] as { f: boolean }).f) s += (this.toks[this.i++] as { v: string }).v;
        return { s };
      }
      return this.fstring(t.v);
    }
    if (t.t === 'num') return { n: t.v };
    if (t.t === 'name') {
      if (t.v === '__file__') return this.scope.file === undefined ? undefined : { s: this.scope.file };
      const known = this.scope.name(t.v);
      return known !== undefined ? { s: known } : { ref: t.v };
    }
    if (t.v === '(') {
      const v = this.expr();
      return this.eat(')') ? v : undefined;
    }
    return undefined;
  }

  private fstring(body: string): V {
    let out = '';
    let k = 0;
    while (k < body.length) {
      const c = body[k]!;
      if (c === '{' && body[k + 1] === '{') {
        out += '{';
        k += 2;
      } else if (c === '{') {
        const end = body.indexOf('}', k);
        if (end < 0) return undefined;
        const v = evalPath(body.slice(k + 1, end).replace(/[!:][^}]*$/, ''), this.scope, this.depth + 1);
        if (v === undefined) return undefined;
        out += v;
        k = end + 1;
      } else {
        out += c === '}' && body[k + 1] === '}' ? (k++, '}') : c;
        k++;
      }
    }
    return { s: out };
  }
}

function str(vs: V[]): string[] | undefined {
  const out: string[] = [];
  for (const v of vs) {
    if (!v || !('s' in v)) return undefined;
    out.push(v.s);
  }
  return out;
}

/** The string or path an expression evaluates to, or undefined when it depends on something unknown. */
export function evalPath(src: string, scope: PathScope, depth = 0): string | undefined {
  if (depth > 8) return undefined;
  const toks = tokenize(src);
  if (!toks || toks.length === 0) return undefined;
  const p = new Parser(toks, scope, depth);
  const v = p.expr();
  return p.done() && v && 's' in v ? v.s : undefined;
}

/**
 * Names assigned one after another (a settings file's `BASE_DIR = …` then `STATIC_ROOT = BASE_DIR / "static"`),
 * evaluated with evalPath: `__file__` is the file's absolute path in the image; a relative result is relative to the
 * working directory, /app, where the server and manage.py run.
 */
export class PathEval {
  readonly vars = new Map<string, string>();

  private scope(file: string): PathScope {
    return { file, name: (n) => this.vars.get(n) };
  }

  /** Evaluate `expr` as written in `file` (absolute path in the image); undefined when unknown. */
  path(expr: string, file: string): string | undefined {
    const v = evalPath(expr, this.scope(file));
    return v === undefined ? undefined : posix.join('/app', v);
  }

  /** Record `name = expr` (kept only when its value is known). */
  assign(name: string, expr: string, file: string): void {
    const v = evalPath(expr, this.scope(file));
    if (v !== undefined) this.vars.set(name, v);
    else this.vars.delete(name);
  }
}
