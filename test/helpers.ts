// Test helpers: lint a Dockerfile text with chosen rules, in Dockerfile-only or project mode with in-memory files.
import { checkText } from '../src/lint/check.js';
import { fixUntilStable } from '../src/lint/fix.js';
import type { Finding, FixSafety, ProjectFiles, Rule } from '../src/lint/rule.js';

export function memoryProject(files: Record<string, string>): ProjectFiles {
  const norm = (p: string) => p.replace(/^\.\//, '').replace(/\/+$/, '');
  const map = new Map(Object.entries(files).map(([k, v]) => [norm(k), v]));
  return {
    exists: (p) => map.has(norm(p)) || [...map.keys()].some((k) => k.startsWith(norm(p) + '/')),
    read: (p) => map.get(norm(p)),
  };
}

export function lint(text: string, rules: readonly Rule[], files?: Record<string, string>): Finding[] {
  return checkText(text, {
    path: 'Dockerfile',
    mode: files ? 'project' : 'dockerfile',
    project: files ? memoryProject(files) : undefined,
    rules,
    enabled: new Set(rules.map((r) => r.code)),
  }).findings;
}

export function fix(text: string, rules: readonly Rule[], files?: Record<string, string>, allow: FixSafety[] = ['safe', 'unsafe']): string {
  return fixUntilStable(text, (t) => lint(t, rules, files), new Set(allow)).text;
}
