// Configuration discovery, validation and rule resolution, on real files in temp directories.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  atOrAbove,
  effectiveSeverity,
  findConfig,
  loadConfig,
  mergeCli,
  parseSize,
  resolveEnabled,
  severityRank,
  validateSelectors,
} from '../src/lint/config.js';

const RULES = [
  { code: 'SEC001' },
  { code: 'SEC002' },
  { code: 'SEC010' },
  { code: 'SEC011', optIn: true },
  { code: 'DF001' },
  { code: 'DF003' },
  { code: 'SIZE001' },
];
const KNOWN: ReadonlySet<string> = new Set(RULES.map((r) => r.code));

const dirs: string[] = [];
function tmp(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pyship-config-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    const p = path.join(dir, name);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function load(files: Record<string, string>, name: string) {
  const dir = tmp(files);
  return loadConfig(path.join(dir, name), KNOWN);
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

function sorted(s: Set<string>): string[] {
  return [...s].sort();
}

describe('findConfig', () => {
  it('finds [tool.pyship] in pyproject.toml from a subdirectory', () => {
    const dir = tmp({ 'pyproject.toml': '[tool.pyship]\nselect = ["SEC"]\n', 'app/docker/.keep': '' });
    expect(findConfig(path.join(dir, 'app/docker'))).toBe(path.join(dir, 'pyproject.toml'));
  });

  it('the nearest directory wins', () => {
    const dir = tmp({
      'pyship.toml': 'select = ["SEC"]\n',
      'svc/pyproject.toml': '[tool.pyship]\nselect = ["DF"]\n',
      'svc/sub/.keep': '',
    });
    expect(findConfig(path.join(dir, 'svc/sub'))).toBe(path.join(dir, 'svc/pyproject.toml'));
    expect(findConfig(dir)).toBe(path.join(dir, 'pyship.toml'));
  });

  it('skips a pyproject.toml without [tool.pyship] but still sees pyship.toml beside it', () => {
    const dir = tmp({
      '.pyship.toml': 'ignore = ["DF001"]\n',
      'svc/pyproject.toml': '[project]\nname = "x"\n',
      'svc/.pyship.toml': 'ignore = ["DF003"]\n',
      'other/pyproject.toml': '[tool.ruff]\nline-length = 100\n',
    });
    expect(findConfig(path.join(dir, 'svc'))).toBe(path.join(dir, 'svc/.pyship.toml'));
    expect(findConfig(path.join(dir, 'other'))).toBe(path.join(dir, '.pyship.toml'));
  });

  it('prefers pyship.toml over pyproject.toml in the same directory', () => {
    const dir = tmp({ 'pyproject.toml': '[tool.pyship]\n', 'pyship.toml': '' });
    expect(findConfig(dir)).toBe(path.join(dir, 'pyship.toml'));
  });

  it('returns a broken pyproject.toml that mentions tool.pyship, so its error is reported', () => {
    const dir = tmp({ 'pyproject.toml': '[tool.pyship]\nselect = [\n' });
    expect(findConfig(dir)).toBe(path.join(dir, 'pyproject.toml'));
  });
});

describe('loadConfig', () => {
  it('returns defaults without a file', () => {
    const c = loadConfig(undefined, KNOWN);
    expect(c).toMatchObject({ ignore: [], extendSelect: [], failOn: 'warning', baseDir: process.cwd() });
    expect(c.select).toBeUndefined();
  });

  it('reads every key from [tool.pyship]', () => {
    const c = load(
      {
        'pyproject.toml': [
          '[project]',
          'name = "app"',
          '',
          '[tool.pyship]',
          'select = ["sec", "DF001"]',
          'ignore = ["SEC002"]',
          'extend-select = ["SEC011"]',
          'fail-on = "error"',
          'max-image-size = "450MB"',
          'image = "ghcr.io/acme/app"',
          'stale-days = 30',
          '',
          '[tool.pyship.severity]',
          'DF001 = "info"',
          '',
          '[tool.pyship.per-file-ignores]',
          '"docker/dev.Dockerfile" = ["SEC"]',
        ].join('\n'),
      },
      'pyproject.toml',
    );
    expect(c.select).toEqual(['SEC', 'DF001']);
    expect(c.ignore).toEqual(['SEC002']);
    expect(c.extendSelect).toEqual(['SEC011']);
    expect(c.failOn).toBe('error');
    expect(c.severity).toEqual({ DF001: 'info' });
    expect(c.perFileIgnores).toEqual([{ pattern: 'docker/dev.Dockerfile', codes: ['SEC'] }]);
    expect(c.extra).toEqual({ 'max-image-size': '450MB', image: 'ghcr.io/acme/app', 'stale-days': 30 });
    expect(c.source).toMatch(/pyproject\.toml$/);
    expect(c.baseDir).toBe(path.dirname(c.source!));
  });

  it('accepts top-level keys and a [tool.pyship] table in pyship.toml', () => {
    expect(load({ 'pyship.toml': 'select = ["DF"]\n' }, 'pyship.toml').select).toEqual(['DF']);
    expect(load({ 'pyship.toml': '[tool.pyship]\nignore = ["DF"]\n' }, 'pyship.toml').ignore).toEqual(['DF']);
  });

  it('names key, file and line for an unknown key', () => {
    const dir = tmp({ 'pyproject.toml': '[project]\nname = "x"\n\n[tool.pyship]\nselect = ["SEC"]\nselct = ["DF"]\n' });
    const file = path.join(dir, 'pyproject.toml');
    const e = errorOf(() => loadConfig(file, KNOWN));
    expect(e.message).toContain('selct');
    expect(e.message).toContain(`${file}:6`);
    expect(e.message).toContain('did you mean "select"');
  });

  it('finds the line of an unknown key given as a sub-table header', () => {
    const dir = tmp({ 'pyship.toml': 'select = ["SEC"]\n\n[severities]\nSEC001 = "error"\n' });
    const e = errorOf(() => loadConfig(path.join(dir, 'pyship.toml'), KNOWN));
    expect(e.message).toMatch(/pyship\.toml:3: unknown configuration key "severities"/);
  });

  it('rejects unknown codes and prefixes, naming them', () => {
    let e = errorOf(() => load({ 'pyship.toml': 'select = ["SEC001", "SEC999"]\n' }, 'pyship.toml'));
    expect(e.message).toContain('SEC999');
    expect(e.message).toMatch(/pyship\.toml:1/);
    e = errorOf(() => load({ 'pyship.toml': 'ignore = ["XYZ"]\n' }, 'pyship.toml'));
    expect(e.message).toContain('"XYZ"');
    e = errorOf(() => load({ 'pyship.toml': '[severity]\nNOPE1 = "error"\n' }, 'pyship.toml'));
    expect(e.message).toContain('NOPE1');
    e = errorOf(() => load({ 'pyship.toml': '[per-file-ignores]\n"tests/*.Dockerfile" = ["SEC", "BAD9"]\n' }, 'pyship.toml'));
    expect(e.message).toContain('BAD9');
    expect(e.message).toMatch(/pyship\.toml:2/);
  });

  it('accepts prefixes and ALL', () => {
    const c = load({ 'pyship.toml': 'select = ["ALL"]\nignore = ["SEC0", "S"]\n' }, 'pyship.toml');
    expect(c.select).toEqual(['ALL']);
    expect(c.ignore).toEqual(['SEC0', 'S']);
  });

  it('rejects wrong types', () => {
    expect(errorOf(() => load({ 'pyship.toml': 'select = "SEC"\n' }, 'pyship.toml')).message).toMatch(/"select" must be a list/);
    expect(errorOf(() => load({ 'pyship.toml': 'fail-on = "fatal"\n' }, 'pyship.toml')).message).toMatch(/"fail-on" must be one of/);
    expect(errorOf(() => load({ 'pyship.toml': '[severity]\nDF001 = 3\n' }, 'pyship.toml')).message).toMatch(/pyship\.toml:2/);
    expect(errorOf(() => load({ 'pyship.toml': 'per-file-ignores = ["x"]\n' }, 'pyship.toml')).message).toMatch(/per-file-ignores/);
    expect(errorOf(() => load({ 'pyship.toml': 'max-image-size = "12 XB"\n' }, 'pyship.toml')).message).toMatch(
      /pyship\.toml:1: "max-image-size": invalid size "12 XB": unknown unit "XB"/,
    );
    expect(errorOf(() => load({ 'pyship.toml': 'image = 5\n' }, 'pyship.toml')).message).toMatch(/"image" must be/);
    expect(errorOf(() => load({ 'pyproject.toml': 'tool = { pyship = 1 }\n' }, 'pyproject.toml')).message).toMatch(/must be a table/);
  });

  it('reports TOML syntax errors with file, line and column', () => {
    const dir = tmp({ 'pyproject.toml': '[tool.pyship]\nselect = ["SEC"]\nignore = [\n"DF001",\nfail-on = "x"\n' });
    const file = path.join(dir, 'pyproject.toml');
    const e = errorOf(() => loadConfig(file, KNOWN));
    expect(e.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: invalid TOML: `));
    expect(Number(/:(\d+):\d+: invalid TOML/.exec(e.message)![1])).toBeGreaterThanOrEqual(3);
  });

  it('treats a pyproject.toml without [tool.pyship] as defaults', () => {
    const c = load({ 'pyproject.toml': '[project]\nname = "x"\n' }, 'pyproject.toml');
    expect(c.select).toBeUndefined();
    expect(c.source).toMatch(/pyproject\.toml$/);
  });

  it('reports an unreadable file', () => {
    expect(errorOf(() => loadConfig('/nonexistent/pyship.toml', KNOWN)).message).toMatch(/cannot read config file/);
  });
});

describe('resolveEnabled', () => {
  const base = (over: Partial<ReturnType<typeof loadConfig>> = {}) => ({ ...loadConfig(undefined, KNOWN), ...over });

  it('enables every non-opt-in rule by default', () => {
    expect(sorted(resolveEnabled(base(), RULES))).toEqual(['DF001', 'DF003', 'SEC001', 'SEC002', 'SEC010', 'SIZE001']);
  });

  it('selects by prefix', () => {
    expect(sorted(resolveEnabled(base({ select: ['SEC'] }), RULES))).toEqual(['SEC001', 'SEC002', 'SEC010']);
    expect(sorted(resolveEnabled(base({ select: ['SEC00'] }), RULES))).toEqual(['SEC001', 'SEC002']);
    // "S" is a prefix of SEC and SIZE: plain string prefixes, like Ruff's.
    expect(sorted(resolveEnabled(base({ select: ['S'] }), RULES))).toEqual(['SEC001', 'SEC002', 'SEC010', 'SIZE001']);
  });

  it('turns on opt-in rules only by their full code', () => {
    expect(resolveEnabled(base({ select: ['ALL'] }), RULES).has('SEC011')).toBe(false);
    expect(resolveEnabled(base({ extendSelect: ['SEC01'] }), RULES).has('SEC011')).toBe(false);
    const c = base({ extendSelect: ['SEC011'] });
    expect(sorted(resolveEnabled(c, RULES))).toEqual(['DF001', 'DF003', 'SEC001', 'SEC002', 'SEC010', 'SEC011', 'SIZE001']);
    expect(resolveEnabled(base({ select: ['SEC011'] }), RULES)).toEqual(new Set(['SEC011']));
    expect(resolveEnabled(base({ extendSelect: ['SEC011'], ignore: ['SEC'] }), RULES).has('SEC011')).toBe(true);
  });

  it('lets the more specific selector win between select and ignore', () => {
    expect(sorted(resolveEnabled(base({ ignore: ['SEC'], select: ['SEC001', 'DF'] }), RULES))).toEqual(['DF001', 'DF003', 'SEC001']);
    expect(sorted(resolveEnabled(base({ ignore: ['SEC'], extendSelect: ['SEC001'] }), RULES))).toEqual([
      'DF001', 'DF003', 'SEC001', 'SIZE001',
    ]);
    expect(sorted(resolveEnabled(base({ select: ['SEC'], ignore: ['SEC001'] }), RULES))).toEqual(['SEC002', 'SEC010']);
    // Same specificity: ignore wins.
    expect(resolveEnabled(base({ select: ['SEC001'], ignore: ['SEC001'] }), RULES).size).toBe(0);
    expect(resolveEnabled(base({ ignore: ['ALL'] }), RULES).size).toBe(0);
  });

  it('applies per-file-ignores by glob relative to the config directory', () => {
    const dir = tmp({
      'pyship.toml': [
        '[per-file-ignores]',
        '"docker/dev/**" = ["SEC"]',
        '"*.test.Dockerfile" = ["DF001"]',
        '"./Dockerfile" = ["SIZE"]',
      ].join('\n'),
    });
    const c = loadConfig(path.join(dir, 'pyship.toml'), KNOWN);
    const on = (rel: string) => sorted(resolveEnabled(c, RULES, path.join(dir, rel)));
    const all = ['DF001', 'DF003', 'SEC001', 'SEC002', 'SEC010', 'SIZE001'];
    expect(on('docker/dev/Dockerfile')).toEqual(['DF001', 'DF003', 'SIZE001']);
    expect(on('docker/dev/.hidden/Dockerfile')).toEqual(['DF001', 'DF003', 'SIZE001']);
    expect(on('docker/prod/Dockerfile')).toEqual(all);
    // A glob without "/" matches the file name at any depth.
    expect(on('a/b/app.test.Dockerfile')).toEqual(['DF003', 'SEC001', 'SEC002', 'SEC010', 'SIZE001']);
    // "./" anchors a bare name at the config directory.
    expect(on('Dockerfile')).toEqual(['DF001', 'DF003', 'SEC001', 'SEC002', 'SEC010']);
    expect(on('svc/Dockerfile')).toEqual(all);
    expect(sorted(resolveEnabled(c, RULES))).toEqual(all);
  });

  it('per-file-ignores beat even an exact select', () => {
    const c = base({ select: ['SEC001'], perFileIgnores: [{ pattern: '**', codes: ['SEC'] }], baseDir: '/proj' });
    expect(resolveEnabled(c, RULES, '/proj/Dockerfile').size).toBe(0);
  });
});

describe('mergeCli', () => {
  it('replaces select, adds ignore and extend-select, overrides fail-on', () => {
    const c = { ...loadConfig(undefined, KNOWN), select: ['SEC'], ignore: ['SEC001'], extendSelect: ['SEC011'] };
    const m = mergeCli(c, { select: ['DF'], ignore: ['DF003'], extendSelect: ['SIZE001'], failOn: 'error' });
    expect(m).toMatchObject({ select: ['DF'], ignore: ['SEC001', 'DF003'], extendSelect: ['SEC011', 'SIZE001'], failOn: 'error' });
    expect(mergeCli(c, {}).select).toEqual(['SEC']);
    expect(c.ignore).toEqual(['SEC001']);
  });

  it('validateSelectors checks CLI codes', () => {
    expect(validateSelectors(['sec', 'DF001'], KNOWN, '--select')).toEqual(['SEC', 'DF001']);
    expect(() => validateSelectors(['SEC01X'], KNOWN, '--select')).toThrow(/--select: unknown rule code or prefix "SEC01X"/);
  });
});

describe('severity', () => {
  it('overrides per code, most specific key winning', () => {
    const c = load({ 'pyship.toml': '[severity]\nSEC = "info"\nSEC001 = "error"\n' }, 'pyship.toml');
    expect(effectiveSeverity(c, 'SEC001', 'warning')).toBe('error');
    expect(effectiveSeverity(c, 'SEC002', 'warning')).toBe('info');
    expect(effectiveSeverity(c, 'DF001', 'warning')).toBe('warning');
  });

  it('ranks severities', () => {
    expect(severityRank('error')).toBeGreaterThan(severityRank('warning'));
    expect(severityRank('warning')).toBeGreaterThan(severityRank('info'));
    expect(atOrAbove('error', 'warning')).toBe(true);
    expect(atOrAbove('warning', 'warning')).toBe(true);
    expect(atOrAbove('info', 'warning')).toBe(false);
  });
});

describe('parseSize', () => {
  it('parses numbers and SI / IEC strings', () => {
    expect(parseSize('450MB')).toBe(450e6);
    expect(parseSize('1.2GiB')).toBe(Math.round(1.2 * 1024 ** 3));
    expect(parseSize(1000)).toBe(1000);
    expect(parseSize('1000')).toBe(1000);
    expect(parseSize('800 kB')).toBe(800_000);
    expect(parseSize('2mib')).toBe(2 * 1024 ** 2);
    expect(parseSize('1.5G')).toBe(1.5e9);
  });

  it('rejects garbage with a clear error', () => {
    expect(() => parseSize('12 XB')).toThrow(ConfigError);
    expect(() => parseSize('12 XB')).toThrow(/unknown unit "XB"/);
    expect(() => parseSize('big')).toThrow(/invalid size "big"/);
    expect(() => parseSize(-1)).toThrow(/non-negative/);
    expect(() => parseSize(true)).toThrow(/invalid size/);
  });
});
