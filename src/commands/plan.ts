// `pyship plan`: flags → planProject → the phases as a table or JSON. Informational: exit 0 (2 on usage/config/IO errors).
import pc from 'picocolors';
import { planProject, type Plan, type PlanCheck } from '../plan/plan.js';
import { UsageError, type Io } from './io.js';

export interface PlanFlags {
  format?: string;
  config?: string;
  context?: string;
  color?: boolean;
}

export function runPlan(path: string | undefined, flags: PlanFlags, io: Io): number {
  const format = flags.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json (got "${format}")`);
  const target = path ?? '.';
  const plan = planProject(target, { cwd: io.cwd, configFile: flags.config, context: flags.context });
  for (const n of plan.notes) io.err(n + '\n');
  io.out(format === 'json' ? formatPlanJson(plan) : formatPlanText(plan, target, flags.color ?? io.color));
  return 0;
}

/** The stable version-1 JSON shape. */
export function formatPlanJson(plan: Plan): string {
  const json = {
    version: 1,
    phases: plan.phases.map((p) => ({
      number: p.number,
      name: p.name,
      complete: p.complete,
      checks: p.checks.map((c) => ({ code: c.code, title: c.title, status: c.status, findings: c.findings, first: c.first, reason: c.reason })),
    })),
    completedPhases: plan.completedPhases,
    completedThrough: plan.completedThrough,
    nextSteps: plan.nextSteps.map((s) => ({ code: s.code, title: s.title, file: s.file, line: s.line, message: s.message })),
    otherFindings: plan.otherFindings,
  };
  return JSON.stringify(json, null, 2) + '\n';
}

const MAX_MESSAGE = 90;

function short(message: string): string {
  const line = message.split('\n')[0]!;
  return line.length > MAX_MESSAGE ? line.slice(0, MAX_MESSAGE - 1).trimEnd() + '…' : line;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export function formatPlanText(plan: Plan, target: string, color: boolean): string {
  const c = pc.createColors(color);
  const mark = (s: PlanCheck['status']): string => (s === 'passed' ? c.green('✓') : s === 'failed' ? c.red('✗') : c.dim('·'));
  const codeW = Math.max(...plan.phases.flatMap((p) => p.checks.map((k) => k.code.length)));
  const titleW = Math.min(44, Math.max(...plan.phases.flatMap((p) => p.checks.map((k) => k.title.length))));
  const out: string[] = [`${c.bold('pyship plan')} ${target} (${plural(plan.dockerfiles, 'Dockerfile')})`, ''];
  for (const p of plan.phases) {
    const count = (s: PlanCheck['status']): number => p.checks.filter((k) => k.status === s).length;
    const state = plan.dockerfiles === 0 ? c.dim('· nothing checked') : !p.complete ? c.red('✗ incomplete') : count('passed') > 0 ? c.green('✓ complete') : c.dim('· complete (nothing checked yet)');
    const counts = [`${count('passed')} passed`, `${count('failed')} failed`, `${count('unchecked')} not checked`].filter((s) => !s.startsWith('0 '));
    out.push(`${c.bold(`${p.number}. ${p.name}`)}  ${state}  ${c.dim(counts.join(', '))}`);
    for (const k of p.checks) {
      const title = k.title.length > titleW ? k.title.slice(0, titleW - 1) + '…' : k.title;
      const detail = k.status === 'failed' && k.first
        ? `${plural(k.findings, 'finding')}, first ${k.first.file}:${k.first.line}`
        : k.status === 'unchecked' ? c.dim(k.reason ?? 'not checked') : '';
      out.push(`  ${mark(k.status)} ${k.code.padEnd(codeW)}  ${title.padEnd(titleW)}  ${detail}`.trimEnd());
    }
    out.push('');
  }
  const done = plan.completedPhases;
  const empty = new Set(plan.phases.filter((p) => !p.checks.some((k) => k.status === 'passed')).map((p) => p.number));
  const doneText = done.map((n) => (empty.has(n) ? `${n} (nothing checked)` : String(n))).join(', ');
  const through = plan.completedThrough === 0 ? 'phase 1 is not complete yet' : plan.completedThrough === 1 ? 'phase 1 done' : `phases 1–${plan.completedThrough} done`;
  out.push(`Complete: ${done.length === 0 ? 'no phase' : `phase${done.length === 1 ? '' : 's'} ${doneText}`}; in order, ${through}.`);
  if (plan.nextSteps.length > 0) {
    out.push('', c.bold('Next steps:'));
    plan.nextSteps.forEach((s, i) => out.push(`  ${i + 1}. ${s.code} ${s.title} — ${s.file}:${s.line}: ${short(s.message)}`));
  } else if (plan.dockerfiles > 0) {
    out.push('', 'Next steps: none that `pyship check` can see; the codes marked · are not checked yet.');
  }
  if (plan.otherFindings > 0) out.push('', c.dim(`${plural(plan.otherFindings, 'other finding')} outside the phases: \`pyship check\` lists them.`));
  return out.join('\n') + '\n';
}
