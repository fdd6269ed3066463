// The registry is complete and consistent: unique codes, file names match rule names, every D-scope practice has
// a rule, and the generated docs are in sync with the rule objects.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ruleDoc, rulesIndex } from '../src/docs/rule-doc.js';
import { everyRule } from '../src/rules/index.js';
import { isImageRule, isProjectRule } from '../src/lint/rule.js';

const ROOT = join(import.meta.dirname, '..');
const PRACTICES = join(ROOT, '..', 'shared', 'docs', 'practices.md');

describe('rule registry', () => {
  it('codes are unique and well-formed', () => {
    const codes = everyRule.map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(c).toMatch(/^(SEC|CI|DBG|OPS|REP|FAST|SIZE|APP|MS|DF)\d{3}$/);
  });

  it('names are unique kebab-case and equal their file names', () => {
    const names = everyRule.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    const files = new Set<string>();
    for (const area of readdirSync(join(ROOT, 'src', 'rules'), { withFileTypes: true })) {
      if (!area.isDirectory()) continue;
      for (const f of readdirSync(join(ROOT, 'src', 'rules', area.name))) {
        if (f !== 'index.ts' && !f.startsWith('_') && f.endsWith('.ts')) files.add(`${area.name}/${f.replace(/\.ts$/, '')}`);
      }
    }
    const declared = new Set(everyRule.map((r) => `${r.area}/${r.name}`));
    expect([...files].sort()).toEqual([...declared].sort());
    for (const n of names) expect(n).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('every rule has why, examples, sources list, a scope with what it reads (D: a Dockerfile, P: the project, I: an image)', () => {
    for (const r of everyRule) {
      expect(r.why.trim().length, r.code).toBeGreaterThan(40);
      expect(r.examples.length, r.code).toBeGreaterThan(0);
      expect(Array.isArray(r.sources)).toBe(true);
      expect(r.scope.length, r.code).toBeGreaterThan(0);
      expect(new Set(r.scope).size, `${r.code}: a scope named twice`).toBe(r.scope.length);
      for (const s of r.scope) expect(['D', 'P', 'I', 'R'], r.code).toContain(s);
      // the scope a rule's checks read must be in its scope (docs and `pyship plan` read it to say where a code is judged)
      const reads = isProjectRule(r) ? 'P' : isImageRule(r) ? 'I' : 'D';
      expect(r.scope, `${r.code} checks scope ${reads}`).toContain(reads);
      if (!isProjectRule(r) && !isImageRule(r) && r.checkProject) expect(r.scope, `${r.code} has a project part`).toContain('P');
    }
  });

  it.skipIf(!existsSync(PRACTICES))('every practices.md code whose scope includes D has a rule', () => {
    const text = readFileSync(PRACTICES, 'utf8');
    const dCodes: string[] = [];
    for (const line of text.split('\n')) {
      const m = /^\| ([A-Z]+\d{3}) \| \w+ \| ([DPIR ]+) \|/.exec(line);
      if (m && m[2]!.split(' ').includes('D')) dCodes.push(m[1]!);
    }
    expect(dCodes.length).toBeGreaterThan(40);
    const have = new Set(everyRule.map((r) => r.code));
    expect(dCodes.filter((c) => !have.has(c))).toEqual([]);
  });

  it.skipIf(!existsSync(PRACTICES))('every practices.md code whose scope includes P has a rule (issue 3: project checks)', () => {
    const text = readFileSync(PRACTICES, 'utf8');
    const pCodes: string[] = [];
    for (const line of text.split('\n')) {
      const m = /^\| ([A-Z]+\d{3}) \| \w+ \| ([DPIR ]+) \|/.exec(line);
      if (m && m[2]!.split(' ').includes('P')) pCodes.push(m[1]!);
    }
    expect(pCodes.length).toBeGreaterThan(20);
    const have = new Set(everyRule.map((r) => r.code));
    expect(pCodes.filter((c) => !have.has(c))).toEqual([]);
  });

  it('off-by-default rules are exactly the ones practices.md marks optional', () => {
    const optIn = everyRule.filter((r) => r.optIn).map((r) => r.code).sort();
    expect(optIn).toEqual(['DBG004', 'REP003', 'REP007']);
    if (!existsSync(PRACTICES)) return;
    const marked = readFileSync(PRACTICES, 'utf8').split('\n').flatMap((line) => {
      const m = /^\| ([A-Z]+\d{3}) \|/.exec(line);
      return m && /off by default/i.test(line) ? [m[1]!] : [];
    });
    expect(optIn).toEqual(marked.sort());
  });
});

describe('generated docs', () => {
  it('docs/rules/CODE.md equals the rule object rendered (run `npm run docs` after changing a rule)', () => {
    for (const r of everyRule) {
      const file = join(ROOT, 'docs', 'rules', `${r.code}.md`);
      expect(existsSync(file), `${file} is missing`).toBe(true);
      expect(readFileSync(file, 'utf8'), `${r.code}.md is stale`).toBe(ruleDoc(r));
    }
    const extra = readdirSync(join(ROOT, 'docs', 'rules')).filter((f) => !everyRule.some((r) => `${r.code}.md` === f));
    expect(extra).toEqual([]);
  });

  it('docs/rules.md is the generated index', () => {
    expect(readFileSync(join(ROOT, 'docs', 'rules.md'), 'utf8')).toBe(rulesIndex(everyRule));
  });
});
