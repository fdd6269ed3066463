// Property-based fuzzing of the parser, every rule and every report format: mutated real Dockerfiles, Dockerfiles from
// a grammar, and mutated project files never crash, never hang, keep spans inside the text, and never print a secret.
// Seeded and bounded (see fuzz-harness.ts for PYSHIP_FUZZ_RUNS / PYSHIP_FUZZ_SEED); fix properties: fuzz-fix.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkText } from '../src/lint/check.js';
import { dockerfileRules, registry } from '../src/rules/index.js';
import { corpusPresent, dockerfileArb, grammarArb, mutatedCorpusArb, projectFilesArb, type Case } from './fuzz-arbitraries.js';
import { assertFindingsSane, assertParsedSane, bounded, fuzzFile, params, renderAll, withInput } from './fuzz-harness.js';
import { memoryProject } from './helpers.js';

const enabled = new Set(dockerfileRules.map((r) => r.code)); // opt-in rules too

/** Parse, run every rule, render every format: the whole path a Dockerfile takes through `pyship check`. */
function checkCase(c: Case, files?: Record<string, string>): void {
  bounded(c.label, c.text, () => {
    try {
      assertParsedSane(c.text);
      const { findings } = checkText(c.text, { ruleSet: registry, path: 'Dockerfile', mode: files ? 'project' : 'dockerfile', project: files ? memoryProject(files) : undefined, enabled });
      assertFindingsSane(c.text, findings);
      renderAll('Dockerfile', c.text, findings);
    } catch (e) {
      throw withInput(e, c.text, files);
    }
  });
}

fuzzFile('fuzz.test.ts');

describe('fuzz: parser, rules and report formats', () => {
  it('a continuation with no instruction gives sane spans', () => checkCase({ label: 'fixed', text: 'FROM x\n\\\n\\\n' }));

  it.skipIf(!corpusPresent)('mutated real Dockerfiles never crash, hang or leave the text', () => {
    fc.assert(fc.property(mutatedCorpusArb, (c) => checkCase(c)), params(500));
  });

  it('Dockerfiles from the grammar never crash, hang or leave the text', () => {
    fc.assert(fc.property(grammarArb, (c) => checkCase(c)), params(500));
  });

  it('rules in project mode survive mutated .dockerignore, requirements, compose and pyproject files', () => {
    fc.assert(fc.property(dockerfileArb, projectFilesArb, (c, files) => checkCase(c, files)), params(250));
  });

  // The spec: findings never print a secret's value, in any format (code frames included).
  const secretArb = fc.record({
    value: fc.stringMatching(/^[A-Za-z0-9]{12,24}$/).map((v) => `Zq9${v}`),
    form: fc.constantFrom(
      (v: string) => `ENV AWS_SECRET_ACCESS_KEY=${v}`,
      (v: string) => `ARG DB_PASSWORD=${v}`,
      (v: string) => `ENV API_TOKEN ${v}`,
      (v: string) => `RUN pip install --index-url https://user:${v}@pypi.example.com/simple app`,
      (v: string) => `RUN curl -H "Authorization: Bearer ${v}" https://api.example.com`,
      (v: string) => `RUN <<EOF\necho "-----BEGIN RSA PRIVATE KEY-----\nMIIE${v}\n-----END RSA PRIVATE KEY-----" > /k\nEOF`,
    ),
  });
  it('no report format prints the value of a secret the Dockerfile holds', () => {
    fc.assert(
      fc.property(grammarArb, secretArb, fc.nat(), ({ text }, { value, form }, at) => {
        const lines = text.split('\n');
        const i = lines.length <= 1 ? lines.length : 1 + (at % lines.length);
        lines.splice(i, 0, form(value));
        const planted = lines.join('\n');
        bounded('secret', planted, () => {
          const { findings } = checkText(planted, { ruleSet: registry, path: 'Dockerfile', mode: 'dockerfile', enabled });
          expect(findings.length, 'a planted secret is found').toBeGreaterThan(0);
          for (const [k, out] of renderAll('Dockerfile', planted, findings).entries()) {
            expect(out.includes(value), `format ${k} prints the secret value ${value} of: ${form('…')}`).toBe(false);
          }
        });
      }),
      params(150),
    );
  });
});
