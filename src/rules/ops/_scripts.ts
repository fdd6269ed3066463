// Helpers the OPS rules share (not a rule): the commands the image starts, wherever they are written, strict-mode
// options of start scripts, and what `/bin/sh` the base image has.
import { memo2 } from '../../dockerfile/memo.js';
import type { Dockerfile, Instruction, Span, Stage } from '../../dockerfile/model.js';
import type { ProjectFiles } from '../../project/model.js';
import type { ShCommand, ShellScript, ShWord } from '../../dockerfile/shell.js';
import { finalEnv, rootBase, startCommand } from '../../dockerfile/query.js';
import { longOption, shellStartScripts, type ShellStartScript } from '../../dockerfile/scripts.js';

/** Strict-mode options a script turns on: shebang/interpreter options plus top-level `set`. */
export function strictOptions(s: { script: ShellScript; shellOptions: Set<string> }): Set<string> {
  const out = new Set<string>(s.shellOptions);
  for (const o of s.script.setOptions) out.add(longOption(o));
  return out;
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
  script?: ShellStartScript;
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
  for (const s of shellStartScripts(df, final, project)) {
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
        cmd, instr: s.runBy, env: withAssignments(scriptEnv, cmd), cd, script: s,
        anchor: s.exact ? undefined : s.anchor,
        where: s.exact ? undefined : s.describe(cmd.span),
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
