// The scripts an image's start command runs (ENTRYPOINT/CMD naming a copied file, `sh -c` strings), with the shell that
// runs them and their text, for every rule family.
import { lineOf } from './lines.js';
import { memo3, memo4 } from './memo.js';
import { basenamePosix, normalizePosix, resolveIn } from './paths.js';
import type { Dockerfile, Heredoc, Instruction, Span, Stage } from './model.js';
import { parseShell, type ShCommand, type ShellScript, type ShWord } from './shell.js';
import { finalEnv, startCommand } from './query.js';
import { providerOf, type ContextReader } from './image-files.js';

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** A script the image's start command runs, and where its text comes from. */
export interface StartScript {
  kind: 'heredoc' | 'file' | 'inline';
  /** Path in the image; undefined for an `sh -c` string. */
  path?: string;
  /** The COPY that put it in the image, from a heredoc or (project mode) the context file `contextPath`. */
  copy?: Instruction;
  heredoc?: Heredoc;
  contextPath?: string;
  text: string;
  /** The ENTRYPOINT/CMD that runs it. */
  runBy: Instruction;
  /** The parsed script (undefined for a non-shell shebang such as python). Offsets: see `exact`. */
  script: ShellScript | undefined;
  /** Do the script's spans point into the Dockerfile? When not, findings go to `anchor`. */
  exact: boolean;
  anchor: Span;
  /** A span of `script` as a span in the Dockerfile. */
  spanOf(span: Span): Span;
  /** Where a span of `script` is, for messages: "`/entrypoint.sh` line 3". */
  describe(span: Span): string;
}

/** A start script a shell runs, with the shell (by basename) and the options it is started with (`bash -e`, shebang). */
export interface ShellStartScript extends StartScript {
  script: ShellScript;
  shell: string;
  shellOptions: Set<string>;
}

function withSpans<T extends Omit<StartScript, 'spanOf' | 'describe'>>(s: T): T & StartScript {
  return {
    ...s,
    spanOf: (span) => (s.exact ? span : s.anchor),
    describe: (span) => `\`${s.contextPath ?? s.path}\` line ${lineOf(s.text, s.heredoc && s.exact ? span.start - s.heredoc.contentSpan.start : span.start)}`,
  };
}

export const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'busybox']);

/** Options from an interpreter's argv: `-e`, `-eu`, `-o pipefail`, `-euxo pipefail`, `-o errexit`. */
export function shellOptionsOf(args: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const v = args[i]!;
    if (v === '-o') {
      const o = args[i + 1];
      if (o) out.add(longOption(o));
      i++;
    } else if (/^-[a-zA-Z]+$/.test(v)) {
      for (const ch of v.slice(1)) {
        if (ch === 'o') {
          const o = args[i + 1];
          if (o) out.add(longOption(o));
          i++;
        } else out.add(ch);
      }
    }
  }
  return out;
}

export function longOption(o: string): string {
  if (o === 'errexit') return 'e';
  if (o === 'nounset') return 'u';
  if (o === 'xtrace') return 'x';
  return o;
}

/** The interpreter a shebang names (basename, `env` skipped) and its options; undefined without a shebang. */
export function shebang(text: string): { shell: string; options: Set<string> } | undefined {
  const first = text.split('\n', 1)[0] ?? '';
  if (!first.startsWith('#!')) return undefined;
  const parts = first.slice(2).trim().split(/\s+/).filter((p) => p !== '');
  let k = 0;
  if (parts[k] && basenamePosix(parts[k]!) === 'env') {
    k++;
    while (parts[k]?.startsWith('-')) k++;
  }
  const prog = parts[k];
  if (!prog) return undefined;
  return { shell: basenamePosix(prog), options: shellOptionsOf(parts.slice(k + 1)) };
}

/** Image paths a program word may refer to: absolute, relative to WORKDIR, or looked up in PATH. */
function candidatePaths(df: Dockerfile, stage: Stage, instr: Instruction, word: string, viaShell: boolean): string[] {
  if (word.includes('/')) return [resolveIn(instr.state.workdir, word)];
  const out: string[] = [];
  if (viaShell) out.push(resolveIn(instr.state.workdir, word));
  const dirs = (finalEnv(df, stage).get('PATH') || DEFAULT_PATH).split(':').filter((d) => d.startsWith('/'));
  for (const d of dirs) out.push(normalizePosix(d + '/' + word));
  return out;
}

/** The script file an ENTRYPOINT/CMD command runs: `/entrypoint.sh args`, `sh /x.sh`, `bash -e x.sh`. */
function scriptWord(cmd: ShCommand): { word: ShWord; shell?: string; options: Set<string> } | undefined {
  const a = cmd.argv;
  if (a.length === 0) return undefined;
  if (SHELLS.has(cmd.name)) {
    let i = 1;
    const opts: string[] = [];
    while (i < a.length && /^[-+]/.test(a[i]!.value)) {
      const v = a[i]!.value;
      if (/^-[a-z]*c[a-z]*$/i.test(v)) return undefined; // sh -c '…': an inline script
      if (v === '-s') return undefined;
      opts.push(v);
      if (v === '-o' || v === '+o' || (/^-[a-zA-Z]*o$/.test(v))) {
        opts.push(a[i + 1]?.value ?? '');
        i++;
      }
      i++;
    }
    const w = a[i];
    if (!w || w.dynamic) return undefined;
    return { word: w, shell: cmd.name === 'busybox' ? 'ash' : cmd.name, options: shellOptionsOf(opts) };
  }
  const w = a[0]!;
  if (w.dynamic) return undefined;
  return { word: w, options: new Set() };
}

/** Index of a shell's `-c` among its options (before the script operand: `sh x.sh -c y` runs x.sh), or -1. */
function inlineFlag(cmd: ShCommand): number {
  const a = cmd.argv;
  for (let i = 1; i < a.length && /^[-+]/.test(a[i]!.value); i++) {
    const v = a[i]!.value;
    if (/^-[a-z]*c[a-z]*$/i.test(v)) return i;
    if (v === '-o' || v === '+o' || /^-[a-zA-Z]*o$/.test(v)) i++;
  }
  return -1;
}

/** A start script with the shell that runs it: undefined for a script no shell runs (a python shebang). */
interface FoundScript extends StartScript {
  shell: string | undefined;
  shellOptions: Set<string>;
}

/**
 * Every script the stage's start command runs, in command order: the file a command names (`ENTRYPOINT
 * ["/entrypoint.sh"]`, `CMD ["bash", "-e", "start.sh"]`, a name on PATH) when a `COPY <<EOF` body or (project mode) a
 * copied context file gives its text, and each `sh -c '…'` string. The one finder behind startScripts and
 * shellStartScripts.
 */
function findStartScripts(df: Dockerfile, stage: Stage, project: ContextReader | undefined): FoundScript[] {
  const out: FoundScript[] = [];
  const seen = new Set<string>();
  for (const { instr, cmd } of startCommand(df, stage).commands) {
    if (cmd.nested || cmd.depth > 0 || cmd.substitution) continue;
    if (SHELLS.has(cmd.name)) {
      const ci = inlineFlag(cmd);
      const w = ci > 0 ? cmd.argv[ci + 1] : undefined;
      if (w && !w.dynamic) {
        const quoted = w.raw.length >= 2 && (w.raw[0] === "'" || w.raw[0] === '"') && w.raw.endsWith(w.raw[0]!) && w.raw.slice(1, -1) === w.value;
        const exact = quoted || w.raw === w.value;
        const off = quoted ? 1 : 0;
        const script = parseShell(w.value, exact ? (i) => Math.min(w.span.start + off + i, w.span.end) : () => w.span.start);
        const flags = cmd.argv.slice(1, ci).map((x) => x.value);
        const rest = cmd.argv[ci]!.value.replace(/c/g, '');
        if (rest.length > 1) flags.push(rest);
        const opts = shellOptionsOf(flags);
        out.push(withSpans({ kind: 'inline', text: w.value, script, shell: cmd.name, shellOptions: opts, runBy: instr, anchor: w.span, exact }));
        continue;
      }
    }
    const sw = scriptWord(cmd);
    if (!sw) continue;
    const viaShell = sw.shell !== undefined;
    for (const target of candidatePaths(df, stage, instr, sw.word.value, viaShell)) {
      const prov = providerOf(df, stage, target, project);
      if (!prov) continue;
      const key = `${instr.index}:${target}`;
      if (seen.has(key)) break;
      seen.add(key);
      let text: string | undefined;
      let kind: StartScript['kind'];
      let exact = false;
      let map: (i: number) => number;
      let anchor: Span = prov.word?.span ?? prov.copy.span;
      if (prov.heredoc) {
        const h = prov.heredoc;
        text = h.content;
        kind = 'heredoc';
        exact = df.text.slice(h.contentSpan.start, h.contentSpan.end) === h.content || df.text.slice(h.contentSpan.start, h.contentSpan.start + h.content.length) === h.content;
        // an unquoted delimiter: BuildKit processes `\\` and `\$` escapes before writing the file
        if (!h.quoted && /\\[\\$`]/.test(text)) {
          text = text.replace(/\\([\\$`])/g, '$1');
          exact = false;
        }
        anchor = h.markerSpan;
        // not exact: spans stay offsets into the text, so `describe` names the script's own line (findings go to `anchor`)
        map = exact ? (i) => h.contentSpan.start + i : (i) => i;
      } else {
        if (!project || prov.uncertain || prov.contextPath === undefined) break;
        text = project.read(prov.contextPath);
        kind = 'file';
        map = (i) => i;
      }
      if (text === undefined) break;
      const bang = shebang(text);
      let shell = sw.shell;
      if (!shell) {
        if (bang) shell = bang.shell;
        else if (/\.(sh|bash)$/.test(target)) shell = 'sh';
      }
      if (shell === 'busybox') shell = 'ash';
      const isShell = shell !== undefined && SHELLS.has(shell);
      const opts = new Set<string>([...sw.options, ...(sw.shell ? [] : bang?.options ?? [])]);
      out.push(withSpans({
        kind, path: target, copy: prov.copy, heredoc: prov.heredoc, contextPath: prov.contextPath, text,
        script: isShell ? parseShell(text, map) : undefined, shell: isShell ? shell : undefined, shellOptions: opts, runBy: instr, anchor, exact,
      }));
      break;
    }
  }
  return out;
}
const findMemo = memo3((stage: Stage, project: ContextReader | undefined, df: Dockerfile) => findStartScripts(df, stage, project));

/** The scripts the stage's start command runs, shell or not (a python script has no `script`); `sh -c` strings left out. Memoized. */
export function startScripts(df: Dockerfile, stage: Stage, project?: ContextReader): StartScript[] {
  return startScriptsMemo(stage, project, df);
}
const startScriptsMemo = memo3((stage: Stage, project: ContextReader | undefined, df: Dockerfile): StartScript[] =>
  findMemo(stage, project, df).filter((s) => s.kind !== 'inline'));

/**
 * The shell scripts the stage's start command runs, with their interpreter: `COPY <<EOF` heredoc scripts always, COPY'd
 * context files in project mode, and (with `inline`) `sh -c '…'` strings. Memoized.
 */
export function shellStartScripts(df: Dockerfile, stage: Stage, project: ContextReader | undefined, options: { inline?: boolean } = {}): ShellStartScript[] {
  return shellStartScriptsMemo(stage, project, options.inline === true, df);
}
const shellStartScriptsMemo = memo4((stage: Stage, project: ContextReader | undefined, inline: boolean, df: Dockerfile): ShellStartScript[] =>
  findMemo(stage, project, df).filter((s): s is FoundScript & ShellStartScript => s.shell !== undefined && (inline || s.kind !== 'inline')));
