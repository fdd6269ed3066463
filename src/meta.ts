// Version and documentation links, read once from package.json so every output names the same version.
import { readFileSync } from 'node:fs';

/** Inlined by scripts/bundle.mjs (the bundle does not sit beside package.json); undefined in the tsc output. */
declare const __PYSHIP_VERSION__: string | undefined;

export const VERSION: string = typeof __PYSHIP_VERSION__ === 'string'
  ? __PYSHIP_VERSION__
  : (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
export const DOCS_BASE = 'https://github.com/pyship/pyship/blob/main/docs/rules';

export function ruleDocUrl(code: string): string {
  return `${DOCS_BASE}/${code}.md`;
}
