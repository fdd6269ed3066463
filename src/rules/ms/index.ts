// ms rules, sorted by code.
import type { AnyRule } from '../../lint/rule.js';
import noBuildToolsAtRuntime from './no-build-tools-at-runtime.js';
import copyTheVenv from './copy-the-venv.js';
import cacheEveryStage from './cache-every-stage.js';
import buildkit from './buildkit.js';

export const rules: AnyRule[] = [noBuildToolsAtRuntime, copyTheVenv, cacheEveryStage, buildkit];
