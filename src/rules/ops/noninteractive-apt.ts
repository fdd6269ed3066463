// OPS007: apt never waits for an answer in a build: `-y` and DEBIAN_FRONTEND=noninteractive, the latter not baked into the image.
import { defineRule } from '../../lint/rule.js';
import type { Dockerfile, Instruction, Stage } from '../../dockerfile/model.js';
import { memo, memo2 } from '../../dockerfile/memo.js';
import { keyValues } from '../../dockerfile/arguments.js';
import { expandWord } from '../../dockerfile/words.js';
import { stageCommands, type ShCommand, type ShellScript } from '../../dockerfile/shell.js';
import { aptCall, findFlag } from '../../dockerfile/commands.js';
import { chainInstructions, finalEnv, finalStage, fromChain, instructionEdit } from '../../dockerfile/query.js';

/**
 * `-y`, `--yes`, `--assume-yes`, quiet level 2 (`-qq`, `-q=2`, `-q -q`), or `-o APT::Get::Assume-Yes=true`.
 * Words from variables (`apt-get install $APT_OPTS …`) are expanded with ARG/ENV; unresolved ones may hold `-y`.
 */
function assumesYes(instr: Instruction, cmd: ShCommand): boolean {
  if (findFlag(cmd, '-y', '--yes', '--assume-yes')) return true;
  for (const w of cmd.argv.slice(1)) {
    if (!w.dynamic) continue;
    const e = expandWord(w.raw, (n) => instr.state.env.get(n) ?? instr.state.args.get(n) ?? undefined);
    if (e.unresolved.length > 0) return true;
    if (e.value.split(/\s+/).some((v) => /^(-[a-zA-Z]*y[a-zA-Z]*|--yes|--assume-yes|-[a-zA-Z]*q[a-zA-Z]*q[a-zA-Z]*)$/.test(v))) return true;
  }
  let q = 0;
  const a = cmd.argv;
  for (let i = 1; i < a.length; i++) {
    const v = a[i]!.value;
    if (v === '--') break;
    if (/^-[a-zA-Z]+$/.test(v) && !v.startsWith('--')) {
      if (v === '-o' || v === '-c' || v === '-t' || v === '-a') {
        const opt = a[i + 1]?.value ?? '';
        if (v === '-o' && /^APT::Get::(Assume-Yes|Yes)=(true|1|yes)$/i.test(opt)) return true;
        i++;
        continue;
      }
      q += (v.match(/q/g) ?? []).length;
    } else if (/^(-q|--quiet)=(\d+)$/.test(v)) q += Number(v.split('=')[1]);
    else if (v === '--quiet') q++;
    else if (/^(-o|--option)=?APT::Get::(Assume-Yes|Yes)=(true|1|yes)$/i.test(v)) return true;
    else if (/^-o.+/.test(v) && /APT::Get::(Assume-Yes|Yes)=(true|1|yes)$/i.test(v)) return true;
  }
  return q >= 2;
}

/** Is DEBIAN_FRONTEND=noninteractive exported to this command (inline, `env`, `export` earlier in the RUN, ARG or ENV)? */
function frontendSet(instr: Instruction, script: ShellScript, cmd: ShCommand): boolean {
  const ok = (v: string | undefined): boolean => v !== undefined && (v === 'noninteractive' || v.includes('$'));
  if (cmd.assignments.some((a) => a.name === 'DEBIAN_FRONTEND' && ok(a.value))) return true;
  if (ok(instr.state.env.get('DEBIAN_FRONTEND')) || ok(instr.state.args.get('DEBIAN_FRONTEND'))) return true;
  const { firstExport, position } = exportsOf(script);
  return firstExport < (position.get(cmd) ?? Infinity);
}

/**
 * Where the script first exports DEBIAN_FRONTEND (`export DEBIAN_FRONTEND=noninteractive`, or a bare `export
 * DEBIAN_FRONTEND` after an assignment: any export of it counts), and each command's position: once per script,
 * not a walk from its start for each apt-get in it.
 */
const exportsOf = memo((script: ShellScript): { firstExport: number; position: Map<ShCommand, number> } => {
  const ok = (v: string): boolean => v === 'noninteractive' || v.includes('$');
  let firstExport = Infinity;
  const position = new Map<ShCommand, number>();
  script.commands.forEach((c, k) => {
    if (!position.has(c)) position.set(c, k);
    if (firstExport === Infinity && c.name === 'export' &&
        c.argv.slice(1).some((w) => (/^DEBIAN_FRONTEND=/.test(w.value) && ok(w.value.slice('DEBIAN_FRONTEND='.length))) || w.value === 'DEBIAN_FRONTEND')) firstExport = k;
  });
  return { firstExport, position };
});

/** Index of the first instruction of the stage's FROM chain that configures apt (or debconf) non-interactive. */
const firstConfig = memo2((stage: Stage, df: Dockerfile): { assumeYes: number; debconf: number } => {
  let assumeYes = Infinity;
  let debconf = Infinity;
  for (const i of chainInstructions(df, stage)) {
    if (assumeYes === Infinity && (i.keyword === 'RUN' || i.keyword === 'COPY') && /Assume-Yes/i.test(i.args)) assumeYes = i.index;
    if (debconf === Infinity && i.keyword === 'RUN' && /debconf\/frontend/.test(i.args) && /noninteractive/i.test(i.args)) debconf = i.index;
  }
  return { assumeYes, debconf };
});

export default defineRule({
  code: 'OPS007',
  name: 'noninteractive-apt',
  title: 'Non-interactive apt',
  area: 'ops',
  severity: 'warning',
  scope: ['D'],
  fix: 'safe',
  sources: ['hadolint:DL3014'],
  why: `A build has no one to answer prompts. \`apt-get install\` without \`-y\` stops at "Do you want to continue?"
and aborts as soon as a package pulls in a dependency; without \`DEBIAN_FRONTEND=noninteractive\` debconf tries to
ask its questions (tzdata's time zone is the classic one), prints warnings and can hang the build.

Set \`DEBIAN_FRONTEND=noninteractive\` inline (\`DEBIAN_FRONTEND=noninteractive apt-get install -y …\`), with
\`export\` earlier in the same RUN, or with \`ARG DEBIAN_FRONTEND=noninteractive\` — not with \`ENV\`: an ENV stays in
the final image, where it changes the behaviour of anyone who later runs \`apt-get\` or \`dpkg-reconfigure\` in the
container. \`-qq\` counts as \`-y\` (apt-get's quiet level 2 implies it), as hadolint's DL3014 also accepts.

Both fixes are safe: \`-y\` is inserted after \`install\`, \`DEBIAN_FRONTEND=noninteractive\` in front of \`apt-get\`.
Turning \`ENV DEBIAN_FRONTEND\` into an \`ARG\` is offered as an unsafe fix (an ARG does not reach stages built
\`FROM\` this one).`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install --no-install-recommends curl\n',
      good: 'FROM python:3.13-slim-trixie\nRUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN apt-get update && apt-get install -y --no-install-recommends tzdata\n',
      good: 'FROM python:3.13-slim-trixie\nRUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends tzdata\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nENV DEBIAN_FRONTEND=noninteractive\nRUN apt-get update && apt-get install -y --no-install-recommends tzdata\n',
      good: 'FROM python:3.13-slim-trixie\nARG DEBIAN_FRONTEND=noninteractive\nRUN apt-get update && apt-get install -qq --no-install-recommends tzdata\n',
      fixed: 'FROM python:3.13-slim-trixie\nARG DEBIAN_FRONTEND=noninteractive\nRUN apt-get update && apt-get install -y --no-install-recommends tzdata\n',
    },
  ],
  check({ dockerfile: df, report }) {
    // Fixes replace the whole instruction, so all of this rule's edits in one RUN travel together in one fix:
    // one pass fixes the RUN, instead of one apt-get per pass.
    type Edit = { start: number; end: number; text: string };
    const pending: { instr: Instruction; span: { start: number; end: number }; message: string; description: string; fixable: boolean }[] = [];
    const inner = new Map<Instruction, Edit[]>();
    const addEdit = (instr: Instruction, e: Edit): void => {
      const list = inner.get(instr) ?? [];
      list.push(e);
      inner.set(instr, list);
    };
    const frontendReported = new Set<Instruction>();
    for (const { instr, cmd, script } of stageCommands(df)) {
      if (cmd.substitution) continue;
      const call = aptCall(cmd);
      if (!call || call.subcommand !== 'install' || call.tool === 'aptitude') continue;
      const stage = df.stages[instr.stage];
      if (!stage) continue;
      const editable = !instr.json && !cmd.nested && cmd.wrappers.length === 0 && df.instructions[instr.index] === instr;
      const tool = call.tool;
      if (!assumesYes(instr, cmd) && !(cmd.pipeIndex > 0)) {
        const sub = cmd.argv.find((w, k) => k > 0 && w.value === 'install');
        const aptConf = firstConfig(stage, df).assumeYes <= instr.index;
        if (!aptConf) {
          const fixable = editable && sub !== undefined && sub.raw === 'install';
          if (fixable) addEdit(instr, { start: sub.span.end, end: sub.span.end, text: ' -y' });
          pending.push({
            instr, span: sub?.span ?? cmd.span, fixable, description: 'add `-y` after `install`',
            message: `\`${tool} install\` without \`-y\`: the build cannot answer its prompt and aborts when a dependency is added`,
          });
        }
      }
      if (!frontendSet(instr, script, cmd) && !(firstConfig(stage, df).debconf <= instr.index)) {
        const first = cmd.argv[0]!;
        const fixable = editable && cmd.assignments.length === 0 && df.text.slice(first.span.start, first.span.end) === first.raw;
        if (fixable) addEdit(instr, { start: first.span.start, end: first.span.start, text: 'DEBIAN_FRONTEND=noninteractive ' });
        // one DEBIAN_FRONTEND finding per RUN (its fix covers every apt-get install in it)
        if (frontendReported.has(instr)) continue;
        frontendReported.add(instr);
        pending.push({
          instr, span: first.span, fixable, description: 'prefix `apt-get install` with `DEBIAN_FRONTEND=noninteractive`',
          message: `\`${tool} install\` without \`DEBIAN_FRONTEND=noninteractive\`: debconf may prompt and hang the build; prefix it inline or use \`ARG DEBIAN_FRONTEND=noninteractive\``,
        });
      }
    }
    for (const p of pending) {
      const edits = inner.get(p.instr);
      report({
        span: p.span,
        message: p.message,
        fix: p.fixable && edits ? { description: p.description, edits: [instructionEdit(df, p.instr, edits)] } : undefined,
      });
    }

    // ENV DEBIAN_FRONTEND=noninteractive that stays in the final image
    const final = finalStage(df);
    if (!final) return;
    if (finalEnv(df, final).get('DEBIAN_FRONTEND') !== 'noninteractive') return;
    const envs = [...fromChain(df, final)].reverse().flatMap((s) => s.instructions).filter((i) => i.keyword === 'ENV');
    for (let k = envs.length - 1; k >= 0; k--) {
      const env = envs[k]!;
      const kvs = keyValues(env, df.escape);
      const kv = kvs.find((p) => p.key === 'DEBIAN_FRONTEND');
      if (!kv) continue;
      const only = kvs.length === 1;
      const stageOfEnv = df.stages[env.stage];
      // an ARG only reaches its own stage: offer the rewrite when nothing builds FROM this stage
      const inherited = df.stages.some((s) => s.base.stage === env.stage);
      const fix = only && !inherited && stageOfEnv
        ? { description: 'make it an `ARG`', safety: 'unsafe' as const, edits: [{ start: env.span.start, end: env.span.end, text: `ARG DEBIAN_FRONTEND=${kv.rawValue ?? 'noninteractive'}` }] }
        : undefined;
      report({
        span: kv.span,
        message: '`ENV DEBIAN_FRONTEND=noninteractive` stays in the final image and changes `apt-get`/`dpkg` for anyone using the container: use `ARG DEBIAN_FRONTEND=noninteractive` or set it inline',
        fix,
      });
      break;
    }
  },
});
