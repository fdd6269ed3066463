// `pyship completion bash|zsh|fish`: a completion script generated from the command line's own definition (commands,
// options, choices), so it cannot drift from the CLI. Rule codes complete after --select/--ignore/--extend-select and
// `explain`; files and directories where a command takes them.
import type { Command, Option } from 'commander';
import { everyRule } from '../rules/index.js';
import { UsageError, type Io } from './io.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

/** What a value is completed with. */
type Kind = { files: true } | { dirs: true } | { words: string[]; list?: boolean } | { none: true };

interface OptSpec {
  short?: string;
  long?: string;
  description: string;
  value?: Kind;
}

interface CmdSpec {
  name: string;
  description: string;
  options: OptSpec[];
  args: Kind;
}

/** Values of options whose choices live only in their help text (kept short: the CLI validates them). */
const OPTION_WORDS: Record<string, string[]> = {
  'package-manager': ['pip', 'pip-tools', 'poetry', 'pipenv', 'uv', 'pdm', 'conda'],
  server: ['gunicorn', 'uvicorn', 'uwsgi', 'hypercorn', 'daphne'],
  ci: ['github', 'gitlab', 'none'],
  debian: ['trixie', 'bookworm'],
};

function ruleCodes(): string[] {
  return [...new Set(everyRule.map((r) => r.code))].sort();
}

function selectors(): string[] {
  const codes = ruleCodes();
  const prefixes = new Set(codes.map((c) => c.replace(/\d+$/, '')));
  return ['ALL', 'SC', ...[...prefixes].sort(), ...codes];
}

function optionKind(o: Option): Kind | undefined {
  if (!o.required && !o.optional) return undefined;
  if (o.argChoices) return { words: [...o.argChoices] };
  const name = (o.long ?? '').replace(/^--/, '');
  if (OPTION_WORDS[name]) return { words: OPTION_WORDS[name]! };
  const placeholder = /<([^>]+)>|\[([^\]]+)\]/.exec(o.flags);
  const ph = (placeholder?.[1] ?? placeholder?.[2] ?? '').toLowerCase();
  if (ph === 'codes') return { words: selectors(), list: true };
  if (ph === 'dir') return { dirs: true };
  if (ph === 'file' || ph === 'dockerfile') return { files: true };
  return { none: true };
}

function argKind(cmd: Command): Kind {
  const arg = cmd.registeredArguments[0];
  if (!arg) return { none: true };
  if (arg.argChoices) return { words: [...arg.argChoices] };
  switch (arg.name()) {
    case 'shell':
      return { words: [...SHELLS] };
    case 'code':
      return { words: ruleCodes() };
    case 'context':
    case 'dir':
      return { dirs: true };
    case 'paths':
    case 'path':
      return { files: true };
    case 'image':
      // audit also reads `docker save` tars and OCI layout directories
      return cmd.name() === 'audit' ? { files: true } : { none: true };
    default:
      return { files: true };
  }
}

function optSpecs(options: readonly Option[]): OptSpec[] {
  return options.filter((o) => !o.hidden).map((o) => ({
    short: o.short,
    long: o.long,
    description: o.description,
    value: optionKind(o),
  }));
}

const HELP_OPT: OptSpec = { short: '-h', long: '--help', description: 'display help for command' };

function describe(program: Command): { global: OptSpec[]; commands: CmdSpec[] } {
  const commands = program.commands
    .filter((c) => !(c as Command & { _hidden?: boolean })._hidden)
    .map((c) => ({ name: c.name(), description: c.description(), options: [...optSpecs(c.options), HELP_OPT], args: argKind(c) }));
  commands.push({ name: 'help', description: 'display help for command', options: [], args: { words: commands.map((c) => c.name) } });
  return { global: [...optSpecs(program.options), HELP_OPT], commands };
}

/** First sentence-ish of a description, on one line. */
function short(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 90 ? one.slice(0, 87).replace(/\s+\S*$/, '') + '…' : one;
}

const flagsOf = (o: OptSpec): string[] => [o.short, o.long].filter((f): f is string => !!f);

// ---------------------------------------------------------------------------------------------
// bash

/** Long word lists (rule codes) are written once, as variables the cases refer to. */
class BashWords {
  readonly vars = new Map<string, string>();
  ref(words: string[]): string {
    if (words.length <= 12) return words.join(' ');
    const key = words.join(' ');
    if (!this.vars.has(key)) this.vars.set(key, `_pyship_words${this.vars.size}`);
    return `$${this.vars.get(key)}`;
  }
}

const BASH_NOTHING = 'compopt +o default +o bashdefault 2>/dev/null; COMPREPLY=()';

function bashValueCase(options: OptSpec[], words: BashWords, indent: string): string[] {
  const lines: string[] = [];
  for (const o of options) {
    if (!o.value || 'none' in o.value) continue;
    const pattern = flagsOf(o).join('|');
    if ('files' in o.value) lines.push(`${indent}${pattern}) return 0 ;;`);
    else if ('dirs' in o.value) lines.push(`${indent}${pattern}) COMPREPLY=( $(compgen -d -- "$cur") ); return 0 ;;`);
    else if (o.value.list) lines.push(`${indent}${pattern}) _pyship_list "${words.ref(o.value.words)}"; return 0 ;;`);
    else lines.push(`${indent}${pattern}) COMPREPLY=( $(compgen -W "${words.ref(o.value.words)}" -- "$cur") ); return 0 ;;`);
  }
  const noValue = options.filter((o) => o.value && 'none' in o.value).flatMap(flagsOf);
  if (noValue.length) lines.push(`${indent}${noValue.join('|')}) ${BASH_NOTHING}; return 0 ;;`);
  return lines;
}

function bash(spec: ReturnType<typeof describe>): string {
  const words = new BashWords();
  const body: string[] = [];
  body.push(
    '_pyship() {',
    '  local cur prev cmd="" i',
    '  cur="${COMP_WORDS[COMP_CWORD]}"',
    '  prev="${COMP_WORDS[COMP_CWORD-1]}"',
    '  # --option=value: bash splits the word at "=" (COMP_WORDBREAKS)',
    '  if [[ $cur == "=" ]]; then',
    '    cur=""',
    '  elif [[ $prev == "=" && $COMP_CWORD -ge 2 ]]; then',
    '    prev="${COMP_WORDS[COMP_CWORD-2]}"',
    '  fi',
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    '    case "${COMP_WORDS[i]}" in',
    '      -*) ;;',
    '      *) cmd="${COMP_WORDS[i]}"; break ;;',
    '    esac',
    '  done',
    '  if [[ -z $cmd ]]; then',
    `    COMPREPLY=( $(compgen -W "${[...spec.commands.map((c) => c.name), ...spec.global.flatMap(flagsOf)].join(' ')}" -- "$cur") )`,
    '    return 0',
    '  fi',
    '  case "$cmd" in',
  );
  for (const c of spec.commands) {
    body.push(`    ${c.name})`);
    const values = bashValueCase(c.options, words, '        ');
    if (values.length) body.push('      case "$prev" in', ...values, '      esac');
    body.push(`      if [[ $cur == -* ]]; then COMPREPLY=( $(compgen -W "${c.options.flatMap(flagsOf).join(' ')}" -- "$cur") ); return 0; fi`);
    const a = c.args;
    if ('dirs' in a) body.push('      COMPREPLY=( $(compgen -d -- "$cur") )');
    else if ('words' in a) body.push(`      COMPREPLY=( $(compgen -W "${words.ref(a.words)}" -- "$cur") )`);
    else if ('none' in a) body.push(`      ${BASH_NOTHING}`);
    // files: an empty reply falls back to readline's file names (complete -o default)
    body.push('      ;;');
  }
  body.push('  esac', '  return 0', '}', '', 'complete -o bashdefault -o default -F _pyship pyship', '');
  return [
    '# bash completion for pyship (generated by `pyship completion bash`)',
    '# Load it now: source <(pyship completion bash)',
    '# Or for good: pyship completion bash > ~/.local/share/bash-completion/completions/pyship',
    '',
    ...[...words.vars].map(([list, name]) => `${name}="${list}"`),
    '',
    '_pyship_list() {',
    '  # comma-separated values: complete the part after the last comma',
    '  local head="" last="$cur"',
    '  if [[ $cur == *,* ]]; then head="${cur%,*},"; last="${cur##*,}"; fi',
    '  COMPREPLY=( $(compgen -P "$head" -W "$1" -- "$last") )',
    '  compopt -o nospace 2>/dev/null',
    '}',
    '',
    ...body,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// zsh

/** Inside a single-quoted _arguments spec: escape the quote, and the characters _arguments gives meaning to. */
function zq(text: string): string {
  return text.replace(/([[\]:\\])/g, '\\$1').replace(/'/g, `'\\''`);
}

function zshAction(k: Kind | undefined): string {
  if (!k || 'none' in k) return ' ';
  if ('files' in k) return '_files';
  if ('dirs' in k) return '_files -/';
  if (k.list) return `_sequence compadd - ${k.words.join(' ')}`;
  return `(${k.words.join(' ')})`;
}

function zshOption(o: OptSpec): string[] {
  const flags = flagsOf(o);
  const desc = zq(short(o.description));
  const takes = o.value !== undefined;
  const tail = takes ? `:value:${zshAction(o.value)}` : '';
  if (flags.length === 2) {
    const [s, l] = flags as [string, string];
    const exclusion = `(${s} ${l})`;
    return takes
      ? [`'${exclusion}'{${s}+,${l}=}'[${desc}]${tail}'`]
      : [`'${exclusion}'{${s},${l}}'[${desc}]'`];
  }
  const f = flags[0]!;
  return [takes ? `'${f}=[${desc}]${tail}'` : `'${f}[${desc}]'`];
}

function zsh(spec: ReturnType<typeof describe>): string {
  const out: string[] = [];
  out.push(
    '#compdef pyship',
    '# zsh completion for pyship (generated by `pyship completion zsh`)',
    '# Load it now: source <(pyship completion zsh)',
    '# Or for good: pyship completion zsh > "${fpath[1]}/_pyship" (then restart zsh)',
    '',
    '_pyship() {',
    '  local curcontext="$curcontext" state line',
    '  typeset -A opt_args',
    '  _arguments -C \\',
    ...spec.global.flatMap(zshOption).map((l) => `    ${l} \\`),
    "    '1:command:->command' \\",
    "    '*::argument:->argument'",
    '  case $state in',
    '    command)',
    '      local -a commands',
    '      commands=(',
    ...spec.commands.map((c) => `        '${c.name.replace(/'/g, `'\\''`)}:${short(c.description).replace(/'/g, `'\\''`)}'`),
    '      )',
    "      _describe -t commands 'pyship command' commands",
    '      ;;',
    '    argument)',
    '      case $line[1] in',
  );
  for (const c of spec.commands) {
    const a = c.args;
    const positional = 'none' in a ? [] : [`'*:argument:${zshAction(a)}'`];
    out.push(`        ${c.name})`, '          _arguments \\');
    const parts = [...c.options.flatMap(zshOption), ...positional];
    parts.forEach((p, i) => out.push(`            ${p}${i < parts.length - 1 ? ' \\' : ''}`));
    if (parts.length === 0) out.push("            '*: :'");
    out.push('          ;;');
  }
  out.push('      esac', '      ;;', '  esac', '}', '', 'if [[ $zsh_eval_context[-1] == loadautofunc ]]; then', '  _pyship "$@"', 'else', '  compdef _pyship pyship', 'fi', '');
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// fish

function fq(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function fishOption(condition: string, o: OptSpec): string {
  const parts = ['complete -c pyship', `-n ${fq(condition)}`];
  if (o.short) parts.push(`-s ${o.short.replace(/^-/, '')}`);
  if (o.long) parts.push(`-l ${o.long.replace(/^--/, '')}`);
  const v = o.value;
  if (v) {
    if ('files' in v) parts.push('-r -F');
    else if ('dirs' in v) parts.push(`-x -a ${fq('(__fish_complete_directories)')}`);
    else if ('words' in v) parts.push(`-x -a ${fq(v.list ? `(__pyship_list ${v.words.join(' ')})` : v.words.join(' '))}`);
    else parts.push('-x');
  }
  parts.push(`-d ${fq(short(o.description))}`);
  return parts.join(' ');
}

function fish(spec: ReturnType<typeof describe>): string {
  const names = spec.commands.map((c) => c.name).join(' ');
  const out: string[] = [
    '# fish completion for pyship (generated by `pyship completion fish`)',
    '# Load it now: pyship completion fish | source',
    '# Or for good: pyship completion fish > ~/.config/fish/completions/pyship.fish',
    '',
    'function __pyship_list --description "comma-separated values: complete the part after the last comma"',
    '    set -l token (commandline -ct)',
    '    set -l head (string match -r -- \'^.*,\' $token)',
    '    for w in $argv',
    '        echo $head$w',
    '    end',
    'end',
    '',
    'complete -c pyship -f',
    ...spec.global.map((o) => fishOption('__fish_use_subcommand', o)),
    ...spec.commands.map((c) => `complete -c pyship -n '__fish_use_subcommand' -a ${c.name} -d ${fq(short(c.description))}`),
  ];
  for (const c of spec.commands) {
    const cond = `__fish_seen_subcommand_from ${c.name}`;
    for (const o of c.options) out.push(fishOption(cond, o));
    const a = c.args;
    if ('files' in a) out.push(`complete -c pyship -n ${fq(cond)} -F`);
    else if ('dirs' in a) out.push(`complete -c pyship -n ${fq(cond)} -a ${fq('(__fish_complete_directories)')}`);
    else if ('words' in a) out.push(`complete -c pyship -n ${fq(`${cond}; and not __fish_seen_subcommand_from ${a.words.join(' ')}`)} -a ${fq(a.words.join(' '))}`);
  }
  out.push(`# subcommands: ${names}`, '');
  return out.join('\n');
}

export function completionScript(shell: Shell, program: Command): string {
  const spec = describe(program);
  return shell === 'bash' ? bash(spec) : shell === 'zsh' ? zsh(spec) : fish(spec);
}

export function runCompletion(shell: string, program: Command, io: Io): number {
  if (!(SHELLS as readonly string[]).includes(shell)) throw new UsageError(`completion: the shell must be bash, zsh or fish (got "${shell}")`);
  io.out(completionScript(shell as Shell, program));
  return 0;
}
