// rep rules, sorted by code.
import type { AnyRule } from '../../lint/rule.js';
import baseImageTag from './base-image-tag.js';
import pinOsRelease from './pin-os-release.js';
import pinBaseDigest from './pin-base-digest.js';
import pinPythonDeps from './pin-python-deps.js';
import pinSystemPackages from './pin-system-packages.js';
import requireHashes from './require-hashes.js';
import updatePinsMonthly from './update-pins-monthly.js';
import samePythonAcrossStages from './same-python-across-stages.js';

export const rules: AnyRule[] = [baseImageTag, pinOsRelease, pinBaseDigest, pinPythonDeps, requireHashes, updatePinsMonthly, pinSystemPackages, samePythonAcrossStages];
