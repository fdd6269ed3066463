// size rules, sorted by code.
import type { AnyRule } from '../../lint/rule.js';
import dockerignore from './dockerignore.js';
import noRecursiveChown from './no-recursive-chown.js';
import minimalSystemPackages from './minimal-system-packages.js';
import noPipCache from './no-pip-cache.js';
import largeLayers from './large-layers.js';
import noBuildArtefacts from './no-build-artefacts.js';

export const rules: AnyRule[] = [
  largeLayers, noBuildArtefacts,dockerignore, noRecursiveChown, minimalSystemPackages, noPipCache];
