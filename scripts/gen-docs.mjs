// Writes docs/rules/CODE.md and docs/rules.md from the compiled rules (run via `npm run docs`).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ruleDoc, rulesIndex } from '../dist/docs/rule-doc.js';
import { everyRule as allRules } from '../dist/rules/index.js';

const root = join(import.meta.dirname, '..', 'docs');
mkdirSync(join(root, 'rules'), { recursive: true });
for (const f of readdirSync(join(root, 'rules'))) if (f.endsWith('.md')) rmSync(join(root, 'rules', f));
for (const r of allRules) writeFileSync(join(root, 'rules', `${r.code}.md`), ruleDoc(r));
writeFileSync(join(root, 'rules.md'), rulesIndex(allRules));
console.log(`wrote ${allRules.length} rule docs and docs/rules.md`);
