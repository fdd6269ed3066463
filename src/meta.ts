// Version and documentation links, read once from package.json so every output names the same version.
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

export const VERSION: string = pkg.version;
export const DOCS_BASE = 'https://github.com/pyship/pyship/blob/main/docs/rules';

export function ruleDocUrl(code: string): string {
  return `${DOCS_BASE}/${code}.md`;
}
