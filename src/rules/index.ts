// The explicit registry of every rule, sorted by code: the one list commands, docs and tests read.
import { isImageRule, type AnyRule, type ImageRule, type ProjectRule, type Rule } from '../lint/rule.js';
import { ruleSet, type RuleSet } from '../lint/rule-set.js';
import { rules as app } from './app/index.js';
import { rules as ci } from './ci/index.js';
import { rules as debug } from './debug/index.js';
import { rules as df } from './df/index.js';
import { rules as fast } from './fast/index.js';
import { rules as ms } from './ms/index.js';
import { rules as ops } from './ops/index.js';
import { rules as rep } from './rep/index.js';
import { rules as security } from './security/index.js';
import { rules as size } from './size/index.js';

const every: AnyRule[] = [...security, ...ci, ...debug, ...ops, ...rep, ...fast, ...size, ...app, ...ms, ...df]
  .sort((a, b) => a.code.localeCompare(b.code));

/** Every rule, as the engine is handed it (`checkFiles`, `checkText`). */
export const registry: RuleSet = ruleSet(every);

/** Every rule: Dockerfile, project and image rules. */
export const everyRule: readonly AnyRule[] = every;

/** Rules that judge one Dockerfile (run per file). */
export const dockerfileRules: readonly Rule[] = registry.dockerfile;

/** Rules that judge the project around the Dockerfiles (run once per project, in project mode). */
export const projectRules: readonly ProjectRule[] = registry.project;

/** Rules checked only by `pyship audit` on a built image. */
export const imageRules: readonly ImageRule[] = every.filter(isImageRule);

export const rulesByCode: ReadonlyMap<string, AnyRule> = new Map(every.map((r) => [r.code, r]));

/** Rules that judge a running container (`pyship smoke`), ordered by a list of codes; the unlisted follow, by code. */
function runtimeOrder(codes: readonly string[]): readonly AnyRule[] {
  const at = (r: AnyRule): number => (codes.includes(r.code) ? codes.indexOf(r.code) : codes.length);
  return every.filter((r) => r.checkRuntime).sort((a, b) => at(a) - at(b));
}

/** The runtime rules in the order smoke measures what they read: the order of their findings and notes. */
export const runtimeRules = runtimeOrder(['SEC004', 'DBG001', 'SEC001', 'SEC003', 'OPS001', 'OPS009', 'OPS008', 'APP004', 'OPS006', 'APP008', 'OPS005', 'APP005']);

/** The runtime rules in the order of smoke's summary table. */
export const runtimeTable = runtimeOrder(['SEC001', 'SEC003', 'OPS001', 'SEC004', 'DBG001', 'OPS008', 'OPS009', 'APP004', 'APP008', 'OPS006', 'OPS005', 'APP005']);
