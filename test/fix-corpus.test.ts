// --unsafe-fixes over every real-world Dockerfile: the result parses as well as before, and checking it again
// finds nothing a fix could still address (fixes converge and don't fight each other).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../src/dockerfile/parse.js';
import { checkText } from '../src/lint/check.js';
import { applyEdits, fixUntilStable, verifyEdits } from '../src/lint/fix.js';
import { dockerfileRules, registry } from '../src/rules/index.js';

const DIR = join(import.meta.dirname, '..', '..', 'shared', 'corpus', 'real-world');

describe.skipIf(!existsSync(DIR))('fixes over the real-world corpus', () => {
  it('converge: a fixed file has no fixable finding left and parses with no new errors', () => {
    const files = readdirSync(DIR).filter((f) => f !== 'MANIFEST.tsv').sort();
    const enabled = new Set(dockerfileRules.filter((r) => !r.optIn).map((r) => r.code));
    const lint = (t: string) => checkText(t, { ruleSet: registry, path: 'Dockerfile', mode: 'dockerfile', enabled }).findings;
    const problems: string[] = [];
    let changed = 0;
    for (const f of files) {
      const text = readFileSync(join(DIR, f), 'utf8');
      const fixed = fixUntilStable(text, lint, new Set(['safe', 'unsafe'])).text;
      if (fixed === text) continue;
      changed++;
      const errors = (t: string) => parseDockerfile(t).problems.filter((p) => p.level === 'error').length;
      if (errors(fixed) > errors(text)) problems.push(`${f}: fixing added parse errors`);
      // a fix the verifier refuses here (text after a trailing continuation) stays a finding, rightly unfixed
      const left = lint(fixed).filter((x) => x.fix && verifyEdits(fixed, x.fix.edits, applyEdits(fixed, x.fix.edits)));
      if (left.length > 0) problems.push(`${f}: still fixable after fixing: ${left.map((x) => `${x.code} ${x.message}`).join('; ')}`);
    }
    expect(problems).toEqual([]);
    expect(changed).toBeGreaterThan(0);
  });
});
