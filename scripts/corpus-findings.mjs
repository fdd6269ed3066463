// Developer probe: run some rule codes over ../shared/corpus/real-world and print counts and samples to review.
// Usage: npx tsc -p tsconfig.json && node scripts/corpus-findings.mjs SEC002 OPS001 [--samples 10]
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkText } from '../dist/lint/check.js';
import { dockerfileRules, registry } from '../dist/rules/index.js';

const args = process.argv.slice(2);
const si = args.indexOf('--samples');
const samples = si >= 0 ? Number(args[si + 1]) : 8;
const codes = args.filter((a, i) => !a.startsWith('--') && (si < 0 || i !== si + 1));
const dir = join(import.meta.dirname, '..', '..', 'shared', 'corpus', 'real-world');
if (!existsSync(dir)) {
  console.error(`no corpus at ${dir}`);
  process.exit(2);
}
const rules = dockerfileRules.filter((r) => codes.length === 0 || codes.some((c) => r.code.startsWith(c)));
const files = readdirSync(dir).filter((f) => f !== 'MANIFEST.tsv').sort();
const byCode = new Map();
let crashes = 0;
for (const f of files) {
  const text = readFileSync(join(dir, f), 'utf8');
  let findings;
  try {
    findings = checkText(text, { ruleSet: registry, path: f, mode: 'dockerfile', rules, enabled: new Set(rules.map((r) => r.code)) }).findings;
  } catch (e) {
    crashes++;
    console.log(`CRASH ${f}: ${e.stack}`);
    continue;
  }
  for (const x of findings) {
    if (!byCode.has(x.code)) byCode.set(x.code, []);
    const line = text.slice(0, x.span.start).split('\n').length;
    const src = text.slice(x.span.start, Math.min(x.span.end, x.span.start + 120)).replace(/\n/g, '⏎');
    byCode.get(x.code).push(`${f}:${line}  ${x.message}  «${src}»`);
  }
}
for (const r of rules) {
  const list = byCode.get(r.code) ?? [];
  const nfiles = new Set(list.map((l) => l.split(':')[0])).size;
  console.log(`\n== ${r.code} ${r.name}: ${list.length} findings in ${nfiles} files`);
  // spread the samples over the list so they are not all from one file
  const step = Math.max(1, Math.floor(list.length / samples));
  for (let i = 0; i < list.length && i / step < samples; i += step) console.log('  ' + list[i]);
}
console.log(`\n${files.length} files, ${crashes} crashes`);
