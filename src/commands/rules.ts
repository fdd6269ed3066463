// `pyship rules`: every rule with its code, severity, default and fix, as a table or JSON.
import { everyRule } from '../rules/index.js';
import { ruleDocUrl } from '../meta.js';
import { UsageError, type Io } from './io.js';

export function runRules(flags: { format?: string }, io: Io): number {
  const format = flags.format ?? 'text';
  if (format === 'json') {
    const list = everyRule.map((r) => ({
      code: r.code, name: r.name, title: r.title, area: r.area, severity: r.severity, scope: r.scope, fix: r.fix ?? null,
      level: 'level' in r ? r.level : 'dockerfile',
      default: !r.optIn, sources: r.sources, url: ruleDocUrl(r.code),
    }));
    io.out(JSON.stringify(list, null, 2) + '\n');
    return 0;
  }
  if (format !== 'text') throw new UsageError(`--format must be text or json (got "${format}")`);
  const w = Math.max(...everyRule.map((r) => r.name.length), 4);
  const lines = [`${'CODE'.padEnd(8)}${'SEVERITY'.padEnd(9)}${'FIX'.padEnd(7)}${'NAME'.padEnd(w + 2)}TITLE`];
  for (const r of everyRule) {
    const title = r.title + (r.optIn ? ' (off by default)' : '');
    lines.push(`${r.code.padEnd(8)}${r.severity.padEnd(9)}${(r.fix ?? '-').padEnd(7)}${r.name.padEnd(w + 2)}${title}`);
  }
  io.out(`${lines.join('\n')}\n\n${everyRule.length} rules. \`pyship explain CODE\` prints one rule's documentation.\n`);
  return 0;
}
