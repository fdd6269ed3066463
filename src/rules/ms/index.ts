// ms rules, sorted by code.
import type { Rule } from '../../lint/rule.js';
import noBuildToolsAtRuntime from './no-build-tools-at-runtime.js';
import copyTheVenv from './copy-the-venv.js';

export const rules: Rule[] = [noBuildToolsAtRuntime, copyTheVenv];
