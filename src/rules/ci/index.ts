// CI rules (CI), sorted by code: how the image is built, tagged, tested and kept fresh in CI.
import type { AnyRule } from '../../lint/rule.js';

export const rules: AnyRule[] = [];
