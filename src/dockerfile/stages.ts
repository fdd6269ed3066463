// Stages and the effective state of each instruction (ENV, ARG, USER, WORKDIR, SHELL in effect), from parsed instructions.
import type { BaseImage, BuildState, Dockerfile, Instruction, Span, Stage } from './model.js';
import { expandWord, type Lookup } from './words.js';
import { resolveIn } from './paths.js';
import { PersistentMap } from './pmap.js';
import { memo2 } from './memo.js';
import { keyValues } from './arguments.js';

/** Parse an image reference: [registry/]repository[:tag][@digest]. */
export function parseImageRef(ref: string): Pick<BaseImage, 'registry' | 'repository' | 'tag' | 'digest'> {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let registry: string | undefined;
  const slash = rest.indexOf('/');
  if (slash > 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let repository = rest.toLowerCase() === rest ? rest : rest;
  if ((registry === undefined || registry === 'docker.io' || registry === 'index.docker.io') && repository.startsWith('library/')) {
    repository = repository.slice('library/'.length);
  }
  return { registry, repository, tag, digest };
}

const STATEFUL = new Set(['ARG', 'ENV', 'USER', 'WORKDIR', 'SHELL']);

/** Fill `df.stages`, `df.globalArgs` and each instruction's `state`, in file order (the parser's last step). */
export function buildStages(df: Dockerfile): void {
  const globalArgs = new Map<string, string | undefined>();
  const esc = df.escape;
  const stages: Stage[] = [];
  const stageByName = new Map<string, number>();
  // persistent maps: each instruction's state is a snapshot that costs O(log n) to derive from the one before
  let env = PersistentMap.empty<string>();
  let args = PersistentMap.empty<string | undefined>();
  let user: string | undefined;
  let workdir: string | undefined;
  let shell: readonly string[] = ['/bin/sh', '-c'];
  let current: Stage | undefined;
  let state: BuildState | undefined;
  let dirty = false;
  const lookup: Lookup = (name) => env.get(name) ?? args.get(name);

  for (const instr of df.instructions) {
    if (instr.keyword === 'FROM') {
      const globalLookup: Lookup = (name) => globalArgs.get(name);
      const words = instr.words;
      const imageWord = words[0];
      const raw = imageWord?.raw ?? '';
      const exp = expandWord(raw, globalLookup, esc);
      const resolved = exp.unresolved.length > 0 ? undefined : exp.value;
      const ref = resolved ?? raw;
      const parsedRef = parseImageRef(ref);
      const stageIdx = stageByName.get(ref.toLowerCase());
      const platformFlag = instr.flags.find((f) => f.name === 'platform');
      const base: BaseImage = {
        raw,
        resolved,
        ...parsedRef,
        stage: stageIdx,
        scratch: ref.toLowerCase() === 'scratch',
        platform: platformFlag?.value ?? undefined,
        span: imageWord?.span ?? instr.argsSpan,
      };
      let name: string | undefined;
      let nameSpan: Span | undefined;
      if (words.length >= 3 && words[1]!.value.toLowerCase() === 'as') {
        name = words[2]!.value;
        nameSpan = words[2]!.span;
      }
      current = { index: stages.length, name, nameSpan, from: instr, base, instructions: [] };
      stages.push(current);
      if (name !== undefined && !stageByName.has(name.toLowerCase())) stageByName.set(name.toLowerCase(), current.index);
      // state inherited through FROM <stage>
      if (stageIdx !== undefined) {
        const parent = stages[stageIdx]!;
        const last = parent.instructions[parent.instructions.length - 1]!;
        const ps = endState(last, df);
        env = ps.env;
        user = ps.user;
        workdir = ps.workdir;
        shell = ps.shell;
      } else {
        env = PersistentMap.empty();
        user = undefined;
        workdir = undefined;
        shell = ['/bin/sh', '-c'];
      }
      args = PersistentMap.empty();
    }
    // instructions share one state object until something changes it
    if (!state || instr.keyword === 'FROM' || dirty) {
      state = { env, args, user, workdir, shell };
      dirty = false;
    }
    instr.state = state;
    instr.stage = current ? current.index : -1;
    if (current) current.instructions.push(instr);
    if (instr.onbuild) {
      instr.onbuild.state = state;
      instr.onbuild.stage = instr.stage;
      instr.onbuild.index = instr.index;
    }
    if (STATEFUL.has(instr.keyword)) dirty = true;
    switch (instr.keyword) {
      case 'ARG':
        for (const kv of keyValues(instr, esc, current ? lookup : (n) => globalArgs.get(n))) {
          if (!current) globalArgs.set(kv.key, kv.value);
          else args = args.with(kv.key, kv.value ?? globalArgs.get(kv.key));
        }
        break;
      case 'ENV':
        for (const kv of keyValues(instr, esc, lookup)) env = env.with(kv.key, kv.value ?? '');
        break;
      case 'USER':
        user = expandWord(instr.args, lookup, esc).value;
        break;
      case 'WORKDIR':
        workdir = resolveIn(workdir, expandWord(instr.args, lookup, esc).value);
        break;
      case 'SHELL':
        if (instr.json) shell = instr.json;
        break;
    }
  }
  df.stages = stages;
  df.globalArgs = globalArgs;
}

/** The state after an instruction has applied (used for FROM <stage> inheritance). Memoized: rules ask per stage. */
export function endState(instr: Instruction, df: Dockerfile): BuildState {
  return endStateMemo(instr, df);
}

const endStateMemo = memo2((instr: Instruction, df: Dockerfile): BuildState => {
  const s = instr.state;
  let { env, args, user, workdir, shell } = s;
  const lookup: Lookup = (name) => env.get(name) ?? args.get(name);
  switch (instr.keyword) {
    case 'ENV':
      for (const kv of keyValues(instr, df.escape, lookup)) env = env.with(kv.key, kv.value ?? '');
      break;
    case 'ARG':
      for (const kv of keyValues(instr, df.escape, lookup)) args = args.with(kv.key, kv.value);
      break;
    case 'USER':
      user = expandWord(instr.args, lookup, df.escape).value;
      break;
    case 'WORKDIR':
      workdir = resolveIn(workdir, expandWord(instr.args, lookup, df.escape).value);
      break;
    case 'SHELL':
      if (instr.json) shell = instr.json;
      break;
  }
  return { env, args, user, workdir, shell };
});
