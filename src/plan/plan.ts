// `pyship plan`: the guide's phases with each phase's checks passed/failed for a project, and the next steps.
import { dirname, resolve } from 'node:path';
import { statSync } from 'node:fs';
import { checkFiles } from '../lint/files.js';
import { gatherTargets } from '../lint/targets.js';
import { resolveEnabled } from '../lint/config.js';
import { ConfigLookup } from '../lint/config-lookup.js';
import { everyRule, registry } from '../rules/index.js';
import type { Scope } from '../lint/rule.js';
import { LineIndex } from '../report/lines.js';
import { redact } from '../redact.js';
import type { FileResult } from '../lint/results.js';
import { findProjectRoot } from '../project/project.js';
import { PHASES, type Phase } from '../rules/phases.js';

export type CheckStatus = 'passed' | 'failed' | 'unchecked';

export interface FindingLocation {
  file: string;
  line: number;
  message: string;
}

export interface PlanCheck {
  code: string;
  title: string;
  status: CheckStatus;
  /** Number of findings of this code (0 unless failed). */
  findings: number;
  /** The first finding (file order, then position), when failed. */
  first: FindingLocation | null;
  /** Why the code was not checked, when unchecked. */
  reason: string | null;
}

export interface PlanPhase {
  number: number;
  name: string;
  /** No failed check (unchecked ones don't count against it); never when no Dockerfile was checked at all. */
  complete: boolean;
  checks: PlanCheck[];
}

export interface NextStep {
  code: string;
  title: string;
  file: string;
  line: number;
  message: string;
}

export interface Plan {
  phases: PlanPhase[];
  /** Numbers of the complete phases. */
  completedPhases: number[];
  /** The last phase of the unbroken run of complete phases from phase 1 (0: phase 1 is not complete). */
  completedThrough: number;
  nextSteps: NextStep[];
  /** Findings of codes that are in no phase (the Dockerfile syntax rules, …): `pyship check` lists them. */
  otherFindings: number;
  /** Dockerfiles checked. */
  dockerfiles: number;
}

/** What a rule in the registry needs to be for the plan. */
export interface PlanRule {
  code: string;
  title: string;
  scope: readonly Scope[];
  optIn?: boolean;
}

export interface PlanInput {
  /** `checkFiles` results (Dockerfiles and the project files findings point into). */
  results: readonly FileResult[];
  /** Codes the configuration enables (for at least one Dockerfile or the project). */
  enabled: ReadonlySet<string>;
  /** Number of Dockerfiles checked: with none, nothing ran. */
  dockerfiles: number;
  /** The rule registry (default: every rule). */
  rules?: readonly PlanRule[];
  /** The phases (default: the guide's). */
  phases?: readonly Phase[];
}

export const NEXT_STEPS = 3;

const NEEDS_AUDIT = 'not checked yet (needs pyship audit/smoke)';

/** The plan from a check result: a pure function, so tests can feed it findings directly. */
export function buildPlan(input: PlanInput): Plan {
  const rules = new Map((input.rules ?? everyRule).map((r) => [r.code, r]));
  const byCode = new Map<string, FindingLocation[]>();
  const inPhase = new Set((input.phases ?? PHASES).flatMap((p) => p.codes));
  let otherFindings = 0;
  for (const r of input.results) {
    let lines: LineIndex | undefined;
    const sorted = [...r.findings].sort((a, b) => a.span.start - b.span.start || a.code.localeCompare(b.code));
    for (const f of sorted) {
      if (!inPhase.has(f.code)) {
        otherFindings++;
        continue;
      }
      lines ??= new LineIndex(r.text);
      const list = byCode.get(f.code) ?? [];
      // printed by both plan formats: masked like every report
      list.push({ file: f.file, line: lines.position(f.span.start).line, message: redact(f.message) });
      byCode.set(f.code, list);
    }
  }

  const checkOf = (code: string): PlanCheck => {
    const rule = rules.get(code);
    const title = rule?.title ?? code;
    const found = byCode.get(code) ?? [];
    const base = { code, title, findings: found.length, first: null, reason: null };
    if (found.length > 0) return { ...base, status: 'failed', first: found[0]! };
    // a code with no rule is one only `pyship audit`/`smoke` will check
    if (!rule || !(rule.scope.includes('D') || rule.scope.includes('P'))) return { ...base, status: 'unchecked', reason: NEEDS_AUDIT };
    if (!input.enabled.has(code)) {
      return { ...base, status: 'unchecked', reason: rule.optIn ? `off by default (extend-select = ["${code}"] turns it on)` : 'disabled by the configuration' };
    }
    if (input.dockerfiles === 0) return { ...base, status: 'unchecked', reason: 'no Dockerfile found' };
    return { ...base, status: 'passed' };
  };

  const phases: PlanPhase[] = (input.phases ?? PHASES).map((p) => {
    const checks = p.codes.map(checkOf);
    return { number: p.number, name: p.name, // complete: something was checked and nothing failed (a phase whose checks don't exist yet is not done)
      complete: input.dockerfiles > 0 && checks.some((c) => c.status === 'passed') && !checks.some((c) => c.status === 'failed'), checks };
  });
  const completedPhases = phases.filter((p) => p.complete).map((p) => p.number);
  let completedThrough = 0;
  for (const p of phases) {
    if (!p.complete) break;
    completedThrough = p.number;
  }
  const nextSteps: NextStep[] = [];
  for (const p of phases) {
    for (const c of p.checks) {
      if (nextSteps.length >= NEXT_STEPS || c.status !== 'failed' || !c.first) continue;
      // a code may be in two phases: one step per code
      if (!nextSteps.some((s) => s.code === c.code)) nextSteps.push({ code: c.code, title: c.title, ...c.first });
    }
  }
  return { phases, completedPhases, completedThrough, nextSteps, otherFindings, dockerfiles: input.dockerfiles };
}

export interface PlanOptions {
  cwd: string;
  /** Use this config file instead of the nearest one. */
  configFile?: string;
  /** Build context for the Dockerfiles (default: each Dockerfile's directory). */
  context?: string;
}

/** Check the project at `path` (project mode, the normal configuration) and plan from the result. */
export function planProject(path: string, options: PlanOptions): Plan & { notes: string[] } {
  // gatherTargets throws InputError for a missing path, before any work
  const targets = gatherTargets([path], options.cwd).filter((t) => t.path !== undefined);
  const result = checkFiles({ ruleSet: registry, paths: [path], cwd: options.cwd, configFile: options.configFile, context: options.context, cli: {} });

  // what ran: the same configuration checkFiles uses (the nearest config of each Dockerfile's directory)
  const configs = new ConfigLookup(options.cwd, options.configFile, {}, registry.known);
  const configAt = (dir: string) => configs.at(dir);
  const enabled = new Set<string>();
  const add = (s: Set<string>): void => s.forEach((c) => enabled.add(c));
  for (const t of targets) {
    const config = configAt(dirname(t.path!));
    add(resolveEnabled(config, everyRule, t.path!));
    // project rules run with the configuration of the project root
    const root = findProjectRoot(options.context ? resolve(options.cwd, options.context) : dirname(t.path!));
    add(resolveEnabled(configAt(root), everyRule));
  }
  const abs = resolve(options.cwd, path);
  if (targets.length === 0) add(resolveEnabled(configAt(isDir(abs) ? abs : dirname(abs)), everyRule));

  const plan = buildPlan({ results: result.results, enabled, dockerfiles: targets.length });
  const notes = [...result.notes];
  if (targets.length === 0) notes.push(`${path}: no Dockerfiles found: nothing was checked`);
  return { ...plan, notes };
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
