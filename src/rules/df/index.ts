// df rules, sorted by code.
import type { Rule } from '../../lint/rule.js';

export const rules: Rule[] = [];
