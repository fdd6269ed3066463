// fast rules, sorted by code.
import type { AnyRule } from '../../lint/rule.js';
import noAlpinePython from './no-alpine-python.js';
import systemPackagesBeforeCopy from './system-packages-before-copy.js';
import argBeforeUse from './arg-before-use.js';
import depsBeforeCode from './deps-before-code.js';
import cacheMounts from './cache-mounts.js';

export const rules: AnyRule[] = [noAlpinePython, systemPackagesBeforeCopy, argBeforeUse, depsBeforeCode, cacheMounts];
