// Security rules (SEC), sorted by code.
import type { Rule } from '../../lint/rule.js';
import noRootUser from './no-root-user.js';

export const rules: Rule[] = [noRootUser];
