// `pyship explain CODE`: the rule's documentation, the same text as docs/rules/CODE.md.
import { ruleDoc } from '../docs/rule-doc.js';
import { rulesByCode } from '../rules/index.js';
import { UsageError, type Io } from './io.js';

export function runExplain(code: string, io: Io): number {
  const rule = rulesByCode.get(code.toUpperCase());
  if (!rule) {
    const near = [...rulesByCode.keys()].filter((c) => c.startsWith(code.toUpperCase().replace(/\d+$/, '')));
    throw new UsageError(`unknown rule code "${code}"${near.length ? ` (codes starting alike: ${near.slice(0, 8).join(', ')})` : ''}; \`pyship rules\` lists them all`);
  }
  io.out(ruleDoc(rule));
  return 0;
}
