// The explicit registry of every rule, sorted by code: the one list commands, docs and tests read.
import type { Rule } from '../lint/rule.js';
import { rules as app } from './app/index.js';
import { rules as debug } from './debug/index.js';
import { rules as df } from './df/index.js';
import { rules as fast } from './fast/index.js';
import { rules as ms } from './ms/index.js';
import { rules as ops } from './ops/index.js';
import { rules as rep } from './rep/index.js';
import { rules as security } from './security/index.js';
import { rules as size } from './size/index.js';

export const allRules: readonly Rule[] = [...security, ...debug, ...ops, ...rep, ...fast, ...size, ...app, ...ms, ...df]
  .sort((a, b) => a.code.localeCompare(b.code));

export const rulesByCode: ReadonlyMap<string, Rule> = new Map(allRules.map((r) => [r.code, r]));
