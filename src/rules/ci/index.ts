// CI rules (CI), sorted by code: how the image is built, tagged, tested and kept fresh in CI.
import type { AnyRule } from '../../lint/rule.js';
import smokeTest from './smoke-test.js';
import lintInCi from './lint-in-ci.js';
import tagBranchCommit from './tag-branch-commit.js';
import noLatestOnly from './no-latest-only.js';
import warmCache from './warm-cache.js';

export const rules: AnyRule[] = [smokeTest, lintInCi, tagBranchCommit, noLatestOnly, warmCache];
