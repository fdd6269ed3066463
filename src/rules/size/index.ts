// size rules, sorted by code.
import type { AnyRule } from '../../lint/rule.js';
import dockerignore from './dockerignore.js';
import noRecursiveChown from './no-recursive-chown.js';
import minimalSystemPackages from './minimal-system-packages.js';
import noPipCache from './no-pip-cache.js';

export const rules: AnyRule[] = [dockerignore, noRecursiveChown, minimalSystemPackages, noPipCache];
