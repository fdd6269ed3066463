// The keys of `[tool.pyship]` / pyship.toml: the one list the config loader accepts keys from, and the source of the
// README's configuration reference (`npm run docs` writes it; test/dist/readme.test.ts fails when the README drifts).

export interface ConfigKey {
  key: string;
  /** `rules`: rule selection and exit code (every command that reports findings); `settings`: read by one feature. */
  group: 'rules' | 'settings';
  type: string;
  default: string;
  description: string;
}

export const CONFIG_KEYS: readonly ConfigKey[] = [
  {
    key: 'select', group: 'rules', type: 'list of codes or prefixes', default: 'every rule that is not opt-in',
    description: 'Run only these rules: codes (`"SEC001"`), prefixes (`"SEC"`, `"OPS00"`) or `"ALL"`. `--select` replaces it.',
  },
  {
    key: 'ignore', group: 'rules', type: 'list of codes or prefixes', default: '`[]`',
    description: 'Skip these rules (`"SC"` turns off ShellCheck findings). `--ignore` adds to it.',
  },
  {
    key: 'extend-select', group: 'rules', type: 'list of codes or prefixes', default: '`[]`',
    description: 'Also run these, e.g. the off-by-default `REP003`, `REP007` or `DBG004`. `--extend-select` adds to it.',
  },
  {
    key: 'severity', group: 'rules', type: 'table: code or prefix → `"error"` \\| `"warning"` \\| `"info"`', default: '`{}`',
    description: 'Change the severity of rules; the most specific key wins (`{ SEC005 = "warning" }`).',
  },
  {
    key: 'fail-on', group: 'rules', type: '`"error"` \\| `"warning"` \\| `"info"`', default: '`"warning"`',
    description: 'Exit 1 when a finding is at or above this severity. `--fail-on` overrides it.',
  },
  {
    key: 'per-file-ignores', group: 'rules', type: 'table: glob → list of codes', default: '`{}`',
    description: "Skip rules for the files a glob matches; globs are relative to the config file's directory.",
  },
  {
    key: 'image', group: 'settings', type: 'string', default: 'none (`pyship init` writes the project name)',
    description: '`pyship build`: the image name, tagged `:<branch>` and `:<short-sha>`; `--base` builds `IMAGE-base`.',
  },
  {
    key: 'production-tag', group: 'settings', type: 'string', default: '`"production"`',
    description: "`pyship build`: the tag whose cache a branch build also reads; CI001 counts it as a production cache source.",
  },
  {
    key: 'max-image-size', group: 'settings', type: 'size: bytes or `"450MB"`, `"1.2GiB"`', default: 'no budget',
    description: 'CI002: the size budget `pyship build` and `pyship audit` hold the image to.',
  },
  {
    key: 'health-path', group: 'settings', type: 'string', default: '`"/"`',
    description: '`pyship smoke` (and the smoke in `pyship build`): the path the HTTP checks request.',
  },
  {
    key: 'stop-timeout', group: 'settings', type: 'seconds, or a duration like `"10s"`', default: '`5`',
    description: '`pyship smoke`, OPS005: the longest acceptable `docker stop`.',
  },
  {
    key: 'stale-days', group: 'settings', type: 'number', default: '`7`',
    description: '`pyship audit`, SEC006: the age in days at which an image counts as stale.',
  },
  {
    key: 'min-efficiency', group: 'settings', type: 'number from 0 to 1', default: '`0.95`',
    description: '`pyship audit`, SIZE001: the lowest acceptable layer efficiency (bytes kept / bytes written).',
  },
  {
    key: 'max-wasted-bytes', group: 'settings', type: 'size: bytes or `"20MB"`', default: 'no limit',
    description: '`pyship audit`, SIZE001: the most bytes the layers may waste (overwritten or deleted later).',
  },
  {
    key: 'base-dockerfile', group: 'settings', type: 'path', default: '`Dockerfile.base` in the build context',
    description: "`pyship build --base`: the custom base image's Dockerfile, relative to the config file.",
  },
];

export const CONFIG_KEY_NAMES: readonly string[] = CONFIG_KEYS.map((k) => k.key);

/** The README's configuration reference: a Markdown table of every key (between the config-reference markers). */
export function configReference(): string {
  const rows = CONFIG_KEYS.map((k) => `| \`${k.key}\` | ${k.type} | ${k.default} | ${k.description} |`);
  return [
    '| key | type | default | what it does |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
