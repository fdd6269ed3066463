// What strict mode a start script needs and can take (OPS002): `set -e` only where a failing step would go unnoticed
// and nothing handles `$?` itself, `set -u` only where a variable is expanded, and which tested variables need a
// `${VAR:-}` default first. Not a rule.
import type { ShellScript } from '../../dockerfile/shell.js';

/** Commands that cannot fail in a way `set -e` would usefully catch, or that end or steer the script themselves. */
const NEVER_FAIL = new Set([
  'echo', 'printf', ':', 'true', 'sleep', 'set', 'export', 'local', 'readonly', 'declare', 'typeset', 'shift',
  'unset', 'trap', 'break', 'continue', 'return', 'exit', 'wait', 'umask', 'ulimit', 'shopt', 'alias', 'test', '[', '[[',
]);

/** Named variables and positional parameters; `$@`, `$*`, `$#`, `$?` never trip `set -u` (`"$@"` is the usual exec). */
const NAMED_EXPANSION = /\$\{?([A-Za-z_][A-Za-z0-9_]*|[1-9])/g;

export interface ScriptNeeds {
  /** A command whose failure nothing handles: `set -e` would stop the script there. */
  unhandled: boolean;
  /** The script reads `$?` after a command: `set -e` would end it before that test (a deliberate retry loop). */
  testsStatus: boolean;
  /** The script expands named variables or positional parameters (`$NAME`, `${NAME}`, `$1`). */
  expands: boolean;
  /** Variables a `[`/`test`/`[[` condition reads without a default that neither the script nor ENV/ARG sets. */
  optional: string[];
}

/**
 * What a start script needs. `text` is the script's own text (a heredoc body or a context file); `known` holds the
 * variables the image sets (ENV, ARG), which `set -u` cannot trip on.
 */
export function scriptNeeds(script: ShellScript, text: string, known: ReadonlySet<string>): ScriptNeeds {
  const unhandled = script.commands.some((c) =>
    !c.checked && !c.substitution && !c.nested && !c.background && c.name !== '' && !NEVER_FAIL.has(c.name) && !c.wrappers.includes('exec'));
  const code = text.split('\n').filter((l) => !/^\s*#/.test(l)).join('\n');
  const testsStatus = /\$\{?\?/.test(code);
  const expanded = new Set<string>();
  for (const m of code.matchAll(NAMED_EXPANSION)) expanded.add(m[1]!);
  const assigned = new Set<string>();
  for (const m of code.matchAll(/(?:^|[\s;&|(])(?:export\s+|readonly\s+|local\s+)?([A-Za-z_][A-Za-z0-9_]*)=/g)) assigned.add(m[1]!);
  for (const m of code.matchAll(/\b(?:for|read(?:\s+-\w+)*)\s+([A-Za-z_][A-Za-z0-9_]*)/g)) assigned.add(m[1]!);
  const optional = new Set<string>();
  // a variable a condition tests bare is one the author expects may be unset: `[ "$DATABASE" = "postgres" ]`
  for (const m of code.matchAll(/(?:\[\[?|\btest)\s([^\]\n;]*)/g)) {
    // `$NAME` and `${NAME}`; `${NAME:-x}` has a default
    for (const v of m[1]!.matchAll(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g)) {
      const name = (v[1] ?? v[2])!;
      if (!assigned.has(name) && !known.has(name)) optional.add(name);
    }
  }
  return { unhandled, testsStatus, expands: expanded.size > 0, optional: [...optional].sort() };
}
