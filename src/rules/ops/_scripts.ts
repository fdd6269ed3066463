// Helpers the OPS rules share (not a rule): which shell scripts the image runs on start, where they come from
// (a `COPY <<EOF` heredoc, a COPY'd context file in project mode, an `sh -c` string), and what `/bin/sh` the base has.
import { memo2, memo3 } from '../../dockerfile/memo.js';
import type { Dockerfile, Instruction, Span, Stage } from '../../dockerfile/model.js';
import type { ProjectFiles } from '../../lint/rule.js';
import { parseShell, type ShCommand, type ShellScript, type ShWord } from '../../dockerfile/shell.js';
import { chainInstructions, finalEnv, fromChain, startCommand } from '../../dockerfile/query.js';
import { expandWord } from '../../dockerfile/words.js';
import { normalizePosix as normalizePath, resolveIn } from '../../dockerfile/paths.js';

export const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'busybox']);

/** A shell script the image runs from ENTRYPOINT/CMD. */
export interface StartScript {
  kind: 'heredoc' | 'file' | 'inline';
  /** Path in the image (heredoc/file), or undefined for an `sh -c` string. */
  path?: string;
  /** Context path of a COPY'd file (project mode). */
  contextPath?: string;
  text: string;
  script: ShellScript;
  /** Interpreter by basename: sh, bash, dash, ash, zsh… */
  shell: string;
  /** Options given on the interpreter's command line or the shebang (`bash -e x.sh`, `#!/bin/sh -eu`). */
  shellOptions: Set<string>;
  /** The ENTRYPOINT/CMD that runs it. */
  instr: Instruction;
  /** The COPY that put it in the image (heredoc/file). */
  copy?: Instruction;
  /** Where findings go when a position inside the script is not in the Dockerfile. */
  anchor: Span;
  /** Do the script's spans point into the Dockerfile? */
  exact: boolean;
}

function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i >= 0 ? p.slice(i + 1) : p;
}

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

function longOption(o: string): string {
  if (o === 'errexit') return 'e';
  if (o === 'nounset') return 'u';
  if (o === 'xtrace') return 'x';
  return o;
}

/** Strict-mode options a script turns on: shebang/interpreter options plus top-level `set`. */
export function strictOptions(s: StartScript | { script: ShellScript; shellOptions: Set<string> }): Set<string> {
  const out = new Set<string>(s.shellOptions);
  for (const o of s.script.setOptions) out.add(longOption(o));
  return out;
}

/** The interpreter a shebang names (basename, `env` skipped) and its options; undefined without a shebang. */
export function shebang(text: string): { shell: string; options: Set<string> } | undefined {
  const first = text.split('\n', 1)[0] ?? '';
  if (!first.startsWith('#!')) return undefined;
  const parts = first.slice(2).trim().split(/\s+/).filter((p) => p !== '');
  let k = 0;
  if (parts[k] && basename(parts[k]!) === 'env') {
    k++;
    while (parts[k]?.startsWith('-')) k++;
  }
  const prog = parts[k];
  if (!prog) return undefined;
  return { shell: basename(prog), options: shellOptionsOf(parts.slice(k + 1)) };
}

/** The image a stage's FROM chain starts from (not a stage of this file). */
export function rootBase(df: Dockerfile, stage: Stage): Stage {
  const chain = fromChain(df, stage);
  return chain[chain.length - 1]!;
}

export type OsFamily = 'debian' | 'alpine' | 'rhel' | 'distroless' | 'windows';

/** What the base image is, when the reference says so; undefined when unknown (custom images, unresolved ARGs). */
type OsInfo = { family: OsFamily; slim: boolean; python: boolean } | undefined;

/** Memoized per stage: see osFamilyUncached. */
export function osFamily(df: Dockerfile, stage: Stage): OsInfo {
  return osFamilyMemo(stage, df);
}
const osFamilyMemo = memo2((stage: Stage, df: Dockerfile) => osFamilyUncached(df, stage));

function osFamilyUncached(df: Dockerfile, stage: Stage): OsInfo {
  const root = rootBase(df, stage);
  const b = root.base;
  if (b.scratch || b.stage !== undefined || b.resolved === undefined || !b.repository) return undefined;
  const repo = b.repository.toLowerCase();
  const last = repo.slice(repo.lastIndexOf('/') + 1);
  const tag = (b.tag ?? '').toLowerCase();
  const reg = (b.registry ?? '').toLowerCase();
  if (repo.startsWith('distroless/') || (reg.endsWith('gcr.io') && repo.includes('distroless'))) return { family: 'distroless', slim: true, python: last.startsWith('python') };
  if (/windowsservercore|nanoserver|ltsc/.test(tag)) return { family: 'windows', slim: false, python: false };
  if (last === 'python' || last === 'pypy') {
    if (tag.includes('alpine')) return { family: 'alpine', slim: true, python: true };
    return { family: 'debian', slim: tag.includes('slim'), python: true };
  }
  if (last === 'alpine' && !repo.includes('/')) return { family: 'alpine', slim: true, python: false };
  if ((last === 'debian' || last === 'ubuntu') && !repo.includes('/')) return { family: 'debian', slim: true, python: false };
  if (last === 'buildpack-deps' && !repo.includes('/')) return { family: 'debian', slim: false, python: false };
  if (['fedora', 'centos', 'rockylinux', 'almalinux', 'amazonlinux', 'oraclelinux'].includes(last) && !repo.includes('/')) {
    return { family: 'rhel', slim: false, python: false };
  }
  if (/^(redhat|rhel\d*|ubi\d*)\//.test(repo) || /^ubi\d*(-minimal|-micro)?$/.test(last)) return { family: 'rhel', slim: false, python: false };
  return undefined;
}

/** Which shell `/bin/sh` is on the stage's base: dash (Debian/Ubuntu), busybox ash (Alpine), bash (RHEL family). */
export function binSh(df: Dockerfile, stage: Stage): 'dash' | 'ash' | 'bash' | undefined {
  const os = osFamily(df, stage);
  if (!os) return undefined;
  if (os.family === 'debian') return 'dash';
  if (os.family === 'alpine') return 'ash';
  if (os.family === 'rhel') return 'bash';
  return undefined;
}

/** Does a shell (by basename) support `set -o pipefail`? `sh` depends on the base image. */
export function supportsPipefail(shell: string, sh: 'dash' | 'ash' | 'bash' | undefined): boolean | undefined {
  if (shell === 'bash' || shell === 'zsh' || shell === 'ksh' || shell === 'mksh' || shell === 'ash' || shell === 'busybox') return true;
  if (shell === 'dash') return false;
  if (shell === 'sh') return sh === undefined ? undefined : sh !== 'dash';
  return undefined;
}

/** Sources and destination of a COPY/ADD, values expanded with the instruction's ARG/ENV (undefined when unresolved). */
export function copyParts(instr: Instruction, escape: '\\' | '`'): { sources: string[]; dest: string; destWord: string } | undefined {
  const lookup = (n: string): string | undefined => instr.state.env.get(n) ?? instr.state.args.get(n) ?? undefined;
  let raws: string[];
  let json = false;
  if (instr.json) {
    raws = instr.json;
    json = true;
  } else raws = instr.words.filter((w) => !/^\d*<<-?/.test(w.raw)).map((w) => w.raw);
  if (instr.heredocs.length === 0 && raws.length < 2) return undefined;
  if (instr.heredocs.length > 0 && raws.length < 1) return undefined;
  const vals: string[] = [];
  for (const r of raws) {
    if (json) {
      if (r.includes('$')) {
        const e = expandWord(r.replace(/(["'\\])/g, '\\$1'), lookup, '\\');
        if (e.unresolved.length > 0) return undefined;
        vals.push(e.value);
      } else vals.push(r);
      continue;
    }
    const e = expandWord(r, lookup, escape);
    if (e.unresolved.length > 0) return undefined;
    vals.push(e.value);
  }
  const destWord = vals[vals.length - 1]!;
  return { sources: vals.slice(0, -1), dest: resolveIn(instr.state.workdir, destWord), destWord };
}

/** Context path a COPY brings to image path `target`, or the heredoc that does; undefined when it does not. */
function provides(instr: Instruction, escape: '\\' | '`', target: string, project?: ProjectFiles):
  { heredoc?: Instruction['heredocs'][number]; contextPath?: string; fromStage?: boolean; maybe?: boolean } | undefined {
  const parts = copyParts(instr, escape);
  if (!parts) return undefined;
  const { sources, dest, destWord } = parts;
  const dirDest = destWord.endsWith('/') || sources.length + instr.heredocs.length > 1;
  if (instr.heredocs.length > 0) {
    for (const h of instr.heredocs) {
      const file = dirDest ? normalizePath(dest + '/' + h.name) : dest;
      if (file === target) return { heredoc: h };
    }
  }
  const fromStage = instr.flags.some((f) => f.name === 'from');
  for (const raw of sources) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) continue;
    const src = raw.replace(/^\.\/+/, '').replace(/\/+$/, '');
    const wild = /[*?[]/.test(src);
    const base = basename(src);
    const archive = instr.keyword === 'ADD' && !fromStage && /\.(tar|tgz|tbz2?|txz|tar\.[a-z0-9]+)$/i.test(src);
    if (archive && (target === dest || target.startsWith(dest === '/' ? '/' : dest + '/'))) return { maybe: true };
    const file = !fromStage && !raw.endsWith('/') && !wild && looksLikeFile(base, project, src);
    if (!dirDest && target === dest) return wild ? { maybe: true } : { contextPath: src === '.' ? '' : src, fromStage };
    if (!wild && base !== '' && base !== '.' && target === normalizePath(dest + '/' + base)) return { contextPath: src, fromStage };
    if (wild && target.startsWith(dest + '/') && !target.slice(dest.length + 1).includes('/')) return { maybe: true };
    if (!file && target.startsWith(dest === '/' ? '/' : dest + '/')) {
      const rel = target.slice(dest === '/' ? 1 : dest.length + 1);
      if (wild) return { maybe: true };
      const ctx = src === '.' || src === '' ? rel : src + '/' + rel;
      return { contextPath: ctx, fromStage, maybe: true };
    }
  }
  return undefined;
}

const FILE_NAMES = new Set(['Pipfile', 'Makefile', 'Procfile', 'Dockerfile', 'LICENSE', 'README', 'Gemfile', 'Justfile']);

/** Is a COPY source a single file (not a directory whose contents land under the destination)? */
function looksLikeFile(base: string, project: ProjectFiles | undefined, src: string): boolean {
  if (project) {
    if (project.read(src) !== undefined) return true;
    if (project.exists(src)) return false;
  }
  if (FILE_NAMES.has(base)) return true;
  return !base.startsWith('.') && /\.[A-Za-z0-9_-]{1,10}$/.test(base);
}

export interface Provider {
  copy: Instruction;
  heredoc?: Instruction['heredocs'][number];
  /** Context path of the file (project mode can read it). */
  contextPath?: string;
  /** The COPY may or may not bring this path (directory copy, wildcard, another stage). */
  uncertain: boolean;
  fromStage: boolean;
}

/** The last COPY/ADD in the stage's FROM chain that may put a file at `target`. */
/** Memoized per stage, project and target: see providerOfUncached. */
export function providerOf(df: Dockerfile, stage: Stage, target: string, project?: ProjectFiles): Provider | undefined {
  let byProject = providerCache.get(stage);
  if (!byProject) providerCache.set(stage, (byProject = new Map()));
  const key: object = project ?? byProject;
  let inner = byProject.get(key);
  if (!inner) byProject.set(key, (inner = new Map()));
  if (!inner.has(target)) inner.set(target, providerOfUncached(df, stage, target, project));
  return inner.get(target);
}
const providerCache = new WeakMap<Stage, Map<object, Map<string, Provider | undefined>>>();

function providerOfUncached(df: Dockerfile, stage: Stage, target: string, project?: ProjectFiles): Provider | undefined {
  const all = chainInstructions(df, stage).filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD');
  for (let k = all.length - 1; k >= 0; k--) {
    const copy = all[k]!;
    const p = provides(copy, df.escape, target, project);
    if (!p) continue;
    if (p.heredoc) return { copy, heredoc: p.heredoc, uncertain: false, fromStage: false };
    if (p.fromStage) return { copy, uncertain: true, fromStage: true };
    if (p.contextPath !== undefined) {
      if (project) {
        if (project.read(p.contextPath) !== undefined) return { copy, contextPath: p.contextPath, uncertain: false, fromStage: false };
        if (p.maybe) continue; // the directory copied does not hold it: an earlier COPY may
      }
      return { copy, contextPath: p.contextPath, uncertain: true, fromStage: false };
    }
    if (p.maybe) return { copy, uncertain: true, fromStage: false };
  }
  return undefined;
}

const DEFAULT_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Image paths a program word may refer to: absolute, relative to WORKDIR, or looked up in PATH. */
export function candidatePaths(df: Dockerfile, stage: Stage, instr: Instruction, word: string, viaShell: boolean): string[] {
  if (word.includes('/')) return [resolveIn(instr.state.workdir, word)];
  const out: string[] = [];
  if (viaShell) out.push(resolveIn(instr.state.workdir, word));
  const path = finalEnv(df, stage).get('PATH');
  const dirs = path ? path.split(':').filter((d) => d.startsWith('/')) : DEFAULT_PATH;
  for (const d of dirs) out.push(normalizePath(d + '/' + word));
  return out;
}

/** The script file an ENTRYPOINT/CMD command runs: `/entrypoint.sh args`, `sh /x.sh`, `bash -e x.sh`. */
export function scriptWord(cmd: ShCommand): { word: ShWord; shell?: string; options: Set<string> } | undefined {
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

function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') out.push(i + 1);
  return out;
}

/** 1-based line of an index into a script's text. */
export function lineOf(text: string, index: number): number {
  const starts = lineStarts(text);
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/**
 * The shell scripts the final image runs from ENTRYPOINT/CMD: `COPY <<EOF` heredoc scripts always, COPY'd context
 * files in project mode, and (with `inline`) `sh -c '…'` strings. Non-shell scripts (python shebang) are left out.
 */
/** Memoized per file, project and option: see startScriptsUncached. */
export function startScripts(df: Dockerfile, project: ProjectFiles | undefined, options: { inline?: boolean } = {}): StartScript[] {
  return startScriptsMemo(df, project, options.inline === true);
}
const startScriptsMemo = memo3((df: Dockerfile, project: ProjectFiles | undefined, inline: boolean) => startScriptsUncached(df, project, { inline }));

function startScriptsUncached(df: Dockerfile, project: ProjectFiles | undefined, options: { inline?: boolean } = {}): StartScript[] {
  const final = df.stages[df.stages.length - 1];
  if (!final) return [];
  const start = startCommand(df, final);
  const out: StartScript[] = [];
  const seen = new Set<string>();
  for (const { instr, cmd } of start.commands) {
    if (cmd.nested || cmd.depth > 0 || cmd.substitution) continue;
    if (options.inline && SHELLS.has(cmd.name)) {
      const ci = cmd.argv.findIndex((w, i) => i > 0 && /^-[a-z]*c[a-z]*$/i.test(w.value));
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
        out.push({ kind: 'inline', text: w.value, script, shell: cmd.name, shellOptions: opts, instr, anchor: w.span, exact });
        continue;
      }
    }
    const sw = scriptWord(cmd);
    if (!sw) continue;
    const viaShell = sw.shell !== undefined;
    for (const target of candidatePaths(df, final, instr, sw.word.value, viaShell)) {
      const prov = providerOf(df, final, target, project);
      if (!prov) continue;
      const key = `${instr.index}:${target}`;
      if (seen.has(key)) break;
      seen.add(key);
      let text: string | undefined;
      let kind: StartScript['kind'];
      let exact = false;
      let map: (i: number) => number;
      const anchorWord = prov.copy.words.find((w) => prov.contextPath !== undefined && w.value.replace(/^\.\/+/, '').replace(/\/+$/, '') === prov.contextPath);
      let anchor: Span = anchorWord?.span ?? prov.copy.span;
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
        map = exact ? (i) => h.contentSpan.start + i : () => h.markerSpan.start;
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
      if (!shell || !SHELLS.has(shell)) break;
      if (shell === 'busybox') shell = 'ash';
      const opts = new Set<string>([...sw.options, ...(sw.shell ? [] : bang?.options ?? [])]);
      const script = parseShell(text, map);
      out.push({
        kind, path: target, contextPath: prov.contextPath, text, script, shell, shellOptions: opts, instr, copy: prov.copy, anchor, exact,
      });
      break;
    }
  }
  return out;
}

/** A command the image runs on start, wherever it is written (ENTRYPOINT/CMD, `sh -c` string, start script). */
export interface StartSite {
  cmd: ShCommand;
  instr: Instruction;
  /** ENV at run time, plus what a script exported before the command and the command's own assignments. */
  env: ReadonlyMap<string, string>;
  /** Span to report when the command's spans are not in the Dockerfile (a COPY'd script in project mode). */
  anchor?: Span;
  /** "`scripts/start.sh` line 4" for such commands. */
  where?: string;
  /** A `cd` ran before it in the same script: the working directory is not WORKDIR. */
  cd: boolean;
  /** From a start script (heredoc or COPY'd file), not ENTRYPOINT/CMD themselves. */
  script?: StartScript;
}

/**
 * The commands the final image starts with: ENTRYPOINT's and CMD's (an exec-form ENTRYPOINT program gets CMD's words
 * appended, as Docker does), `sh -c` strings, and the commands of start scripts (heredocs; COPY'd files in project mode).
 */
function startSitesUncached(df: Dockerfile, project: ProjectFiles | undefined): StartSite[] {
  const final = df.stages[df.stages.length - 1];
  if (!final) return [];
  const env = finalEnv(df, final);
  const start = startCommand(df, final);
  const sites: StartSite[] = [];
  const withAssignments = (base: ReadonlyMap<string, string>, cmd: ShCommand): Map<string, string> => {
    const m = new Map(base);
    for (const a of cmd.assignments) m.set(a.name, a.value);
    return m;
  };
  const ep = start.entrypoint;
  const cmdInstr = ep && !ep.json ? undefined : start.cmd; // a shell-form ENTRYPOINT ignores CMD
  let cmdWords: ShWord[] | undefined;
  if (ep?.json && cmdInstr?.json) cmdWords = cmdInstr.words.map((w) => ({ value: w.value, raw: w.raw, span: w.span, dynamic: false }));
  for (const instr of [ep, cmdInstr]) {
    if (!instr) continue;
    let cd = false;
    for (const { instr: i, cmd } of start.commands) {
      if (i !== instr || cmd.substitution) continue;
      if (cmd.name === 'cd' || cmd.name === 'pushd') cd = true;
      let c = cmd;
      if (instr === ep && cmdWords && !cmd.nested && cmd.depth === 0 && cmd.argv.length > 0) c = { ...cmd, argv: [...cmd.argv, ...cmdWords] };
      sites.push({ cmd: c, instr, env: withAssignments(env, c), cd });
    }
  }
  for (const s of startScripts(df, project)) {
    const scriptEnv = new Map(env);
    let cd = false;
    for (const cmd of s.script.commands) {
      if (cmd.substitution) continue;
      if (cmd.name === 'cd' || cmd.name === 'pushd') cd = true;
      if (cmd.name === '' && cmd.depth === 0) for (const a of cmd.assignments) scriptEnv.set(a.name, a.value);
      if (cmd.name === 'export') {
        for (const w of cmd.argv.slice(1)) {
          const eq = w.value.indexOf('=');
          if (eq > 0) scriptEnv.set(w.value.slice(0, eq), w.value.slice(eq + 1));
        }
      }
      sites.push({
        cmd, instr: s.instr, env: withAssignments(scriptEnv, cmd), cd, script: s,
        anchor: s.exact ? undefined : s.anchor,
        where: s.exact ? undefined : `\`${s.contextPath ?? s.path}\` line ${lineOf(s.text, cmd.span.start)}`,
      });
    }
  }
  return sites;
}

/** Memoized: see startSitesUncached. */
export function startSites(df: Dockerfile, project: ProjectFiles | undefined): StartSite[] {
  return startSitesMemo(df, project);
}
const startSitesMemo = memo2((df: Dockerfile, project: ProjectFiles | undefined) => startSitesUncached(df, project));

/**
 * Turn edits inside one instruction into a single edit replacing the whole instruction: the fixer re-parses inserted
 * text as instructions, so a bare ` -y` or `["a", "b"]` must travel inside its instruction.
 */
export function instructionEdit(df: Dockerfile, instr: Instruction, edits: { start: number; end: number; text: string }[]): { start: number; end: number; text: string } {
  const { start, end } = instr.span;
  let text = df.text.slice(start, end);
  for (const e of [...edits].sort((a, b) => b.start - a.start)) {
    text = text.slice(0, e.start - start) + e.text + text.slice(e.end - start);
  }
  return { start, end, text };
}
