// Finds, reads and validates pyship's configuration ([tool.pyship] / pyship.toml), and turns it into enabled rules and severities.
import { existsSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { parse as parseToml, TomlError } from 'smol-toml';
import type { Severity } from './rule.js';
import { CONFIG_KEY_NAMES } from './config-keys.js';
import { projectBounds, readRegular, readRegularText } from '../io/regular.js';

/** A user-facing configuration problem; the CLI prints `message` alone, so it carries file and line itself. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(message: string) {
    super(message);
  }
}

export interface Config {
  /** Undefined means "the default selection" (every rule that is not opt-in). */
  select?: string[];
  ignore: string[];
  extendSelect: string[];
  /** Code, prefix or "ALL" → severity; the most specific key wins. */
  severity: Record<string, Severity>;
  failOn: Severity;
  perFileIgnores: { pattern: string; codes: string[] }[];
  /** Directory per-file-ignores globs are relative to: the config file's directory, or cwd. */
  baseDir: string;
  /** The file the configuration came from. */
  source?: string;
  /** Keys later features read (kebab-case, as written): max-image-size, image, … */
  extra: Record<string, unknown>;
}

export interface CliOverrides {
  select?: string[];
  ignore?: string[];
  extendSelect?: string[];
  failOn?: Severity;
}

export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

// The accepted keys, with their types, defaults and meaning, live in config-keys.ts (the README's reference too).
const ALL_KEYS: readonly string[] = CONFIG_KEY_NAMES;

const DEDICATED_FILES = ['pyship.toml', '.pyship.toml'] as const;

export function severityRank(s: Severity): number {
  return s === 'error' ? 3 : s === 'warning' ? 2 : 1;
}

export function atOrAbove(s: Severity, threshold: Severity): boolean {
  return severityRank(s) >= severityRank(threshold);
}

export function defaultConfig(baseDir: string = process.cwd()): Config {
  return { ignore: [], extendSelect: [], severity: {}, failOn: 'warning', perFileIgnores: [], baseDir, extra: {} };
}

// ---------------------------------------------------------------------------------------------
// Sizes

const SIZE_UNITS: Record<string, number> = {
  '': 1, b: 1,
  k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, t: 1e12, tb: 1e12,
  ki: 2 ** 10, kib: 2 ** 10, mi: 2 ** 20, mib: 2 ** 20, gi: 2 ** 30, gib: 2 ** 30, ti: 2 ** 40, tib: 2 ** 40,
};

/**
 * Bytes from a number or a string such as "450MB", "1.2GiB", "800 kB".
 * Units are case-insensitive (image sizes are never in bits, so "Mb" means megabytes); SI units are decimal
 * like `docker images` prints them, the *iB units binary. Fractions of a byte are rounded.
 */
export function parseSize(value: unknown): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new ConfigError(`invalid size ${value}: expected a non-negative number of bytes`);
    return Math.round(value);
  }
  if (typeof value !== 'string') {
    throw new ConfigError(`invalid size ${JSON.stringify(value)}: expected bytes as a number or a string like "450MB" or "1.2GiB"`);
  }
  const m = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-z]*)\s*$/i.exec(value);
  if (!m) throw new ConfigError(`invalid size "${value}": expected a number with an optional unit, like "450MB" or "1.2GiB"`);
  const factor = SIZE_UNITS[m[2]!.toLowerCase()];
  if (factor === undefined) {
    throw new ConfigError(`invalid size "${value}": unknown unit "${m[2]}" (use B, kB, MB, GB, TB, KiB, MiB, GiB or TiB)`);
  }
  return Math.round(Number(m[1]) * factor);
}

// ---------------------------------------------------------------------------------------------
// Discovery

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function pyprojectHasPyship(file: string): boolean {
  // a pyproject.toml linked out of its project, or to a device, is not a config: never read
  const text = readRegularText(file, { within: projectBounds(path.dirname(file)) });
  if (text === undefined) return false;
  try {
    const doc = parseToml(text) as Record<string, unknown>;
    return isTable(doc.tool) && 'pyship' in doc.tool;
  } catch {
    // A broken pyproject.toml that mentions tool.pyship is still ours: pick it so loadConfig reports the syntax error
    // instead of silently falling back to a config further up.
    return /^\s*\[\s*tool\s*\.\s*pyship\b|^\s*tool\s*\.\s*pyship\s*[.=]/m.test(text);
  }
}

/**
 * The config file that applies to files in `startDir`, searching upward to the root.
 * Within one directory a dedicated pyship.toml / .pyship.toml beats pyproject.toml (as ruff.toml beats
 * pyproject.toml in Ruff: a dedicated file is the more deliberate choice); a pyproject.toml without
 * [tool.pyship] does not count as a config source at all.
 */
export function findConfig(startDir: string): string | undefined {
  let dir = path.resolve(startDir);
  for (;;) {
    for (const name of DEDICATED_FILES) {
      const candidate = path.join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
    const pyproject = path.join(dir, 'pyproject.toml');
    if (existsSync(pyproject) && pyprojectHasPyship(pyproject)) return pyproject;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

// ---------------------------------------------------------------------------------------------
// Loading

/** Where a key sits in the TOML text: good enough to point a user at the right line, not a TOML locator. */
function keyLine(text: string, key: string, startLine = 0): number | undefined {
  const lines = text.split(/\r?\n/);
  const matches = (line: string): boolean => {
    const code = line.replace(/#.*$/, '').trim();
    let keyPart: string;
    if (code.startsWith('[')) keyPart = code.replace(/^\[+|\]+$/g, '');
    else if (code.includes('=')) keyPart = code.slice(0, code.indexOf('='));
    else return false;
    // Quoted keys may hold dots (per-file-ignores globs like "tests/*.Dockerfile").
    if (keyPart.includes(`"${key}"`) || keyPart.includes(`'${key}'`)) return true;
    return keyPart.split('.').some((seg) => seg.trim().replace(/^["']|["']$/g, '') === key);
  };
  for (const from of [startLine, 0]) {
    for (let i = from; i < lines.length; i++) if (matches(lines[i]!)) return i + 1;
  }
  return undefined;
}

/** Line of the first occurrence of a quoted string value (for pointing at a bad code). */
function valueLine(text: string, value: string, startLine = 0): number | undefined {
  const lines = text.split(/\r?\n/);
  const re = new RegExp(`["']${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']`, 'i');
  for (const from of [startLine, 0]) {
    for (let i = from; i < lines.length; i++) if (re.test(lines[i]!)) return i + 1;
  }
  return undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

function suggest(word: string, candidates: Iterable<string>): string {
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  return best !== undefined && bestDist <= Math.max(2, Math.floor(word.length / 3)) ? ` (did you mean "${best}"?)` : '';
}

/** Whether a selector is "ALL", a known code, or a prefix of one. */
function isValidSelector(sel: string, knownCodes: ReadonlySet<string>): boolean {
  // ShellCheck codes pass through under OPS002: SC, SC2, SC2086…
  if (sel === 'ALL' || knownCodes.has(sel) || /^SC\d{0,4}$/.test(sel)) return true;
  for (const code of knownCodes) if (code.startsWith(sel)) return true;
  return false;
}

/**
 * Upper-cases and checks a list of codes/prefixes; for CLI flags as well as config keys.
 * `where` names the origin in the error, e.g. "--select" or "pyproject.toml:4 (select)".
 */
export function validateSelectors(codes: readonly string[], knownCodes: ReadonlySet<string>, where: string): string[] {
  return codes.map((raw) => {
    const sel = raw.trim().toUpperCase();
    if (!isValidSelector(sel, knownCodes)) {
      throw new ConfigError(`${where}: unknown rule code or prefix "${raw}"${suggest(sel, knownCodes)}`);
    }
    return sel;
  });
}

class Loader {
  private readonly headerLine: number;

  constructor(
    private readonly file: string,
    private readonly text: string,
    private readonly knownCodes: ReadonlySet<string>,
  ) {
    const idx = text.split(/\r?\n/).findIndex((l) => /^\s*\[\s*tool\s*\.\s*pyship\s*\]/.test(l));
    this.headerLine = idx < 0 ? 0 : idx;
  }

  where(key: string): string {
    const line = keyLine(this.text, key, this.headerLine);
    return line === undefined ? this.file : `${this.file}:${line}`;
  }

  fail(key: string, message: string): never {
    throw new ConfigError(`${this.where(key)}: ${message}`);
  }

  selectors(key: string, value: unknown): string[] {
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
      this.fail(key, `"${key}" must be a list of rule codes or prefixes, e.g. ["SEC", "DF001"]`);
    }
    return (value as string[]).map((raw) => {
      const sel = raw.trim().toUpperCase();
      if (!isValidSelector(sel, this.knownCodes)) {
        const line =
          valueLine(this.text, raw.trim(), this.headerLine) ??
          keyLine(this.text, raw.trim(), this.headerLine) ??
          keyLine(this.text, key, this.headerLine);
        const at = line === undefined ? this.file : `${this.file}:${line}`;
        throw new ConfigError(`${at}: unknown rule code or prefix "${raw}" in "${key}"${suggest(sel, this.knownCodes)}`);
      }
      return sel;
    });
  }

  severityValue(key: string, value: unknown): Severity {
    if (typeof value !== 'string' || !SEVERITIES.includes(value.toLowerCase() as Severity)) {
      this.fail(key, `"${key}" must be one of "error", "warning", "info" (got ${JSON.stringify(value)})`);
    }
    return (value as string).toLowerCase() as Severity;
  }

  load(table: Record<string, unknown>): Config {
    const config = defaultConfig(path.dirname(path.resolve(this.file)));
    config.source = this.file;
    for (const [key, value] of Object.entries(table)) {
      if (!ALL_KEYS.includes(key)) this.fail(key, `unknown configuration key "${key}"${suggest(key, ALL_KEYS)}`);
      switch (key) {
        case 'select':
          config.select = this.selectors(key, value);
          break;
        case 'ignore':
          config.ignore = this.selectors(key, value);
          break;
        case 'extend-select':
          config.extendSelect = this.selectors(key, value);
          break;
        case 'fail-on':
          config.failOn = this.severityValue(key, value);
          break;
        case 'severity':
          if (!isTable(value)) this.fail(key, `"severity" must be a table of rule code → "error" | "warning" | "info"`);
          for (const [code, sev] of Object.entries(value)) {
            const [sel] = this.selectors(key, [code]);
            config.severity[sel!] = this.severityValue(code, sev);
          }
          break;
        case 'per-file-ignores':
          if (!isTable(value)) this.fail(key, `"per-file-ignores" must be a table of glob → list of rule codes`);
          for (const [pattern, codes] of Object.entries(value)) {
            config.perFileIgnores.push({ pattern, codes: this.selectors(pattern, codes) });
          }
          break;
        default:
          this.checkExtra(key, value);
          config.extra[key] = value;
      }
    }
    return config;
  }

  /** Shallow checks only: the features that read these keys own their meaning, but a wrong type should fail early. */
  private checkExtra(key: string, value: unknown): void {
    switch (key) {
      case 'max-image-size':
      case 'max-wasted-bytes':
        try {
          parseSize(value);
        } catch (e) {
          this.fail(key, `"${key}": ${(e as Error).message}`);
        }
        return;
      case 'image':
      case 'production-tag':
      case 'health-path':
      case 'base-dockerfile':
        if (typeof value !== 'string' || value === '') this.fail(key, `"${key}" must be a non-empty string`);
        return;
      case 'min-efficiency':
      case 'stale-days':
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) this.fail(key, `"${key}" must be a non-negative number`);
        return;
      case 'stop-timeout':
        // A number of seconds or a duration string ("30s"): the smoke feature parses it.
        if (typeof value !== 'number' && typeof value !== 'string') this.fail(key, `"${key}" must be a number of seconds or a duration string`);
        return;
    }
  }
}

/** Read a config file (or return defaults for undefined); every problem is a ConfigError naming file and line. */
export function loadConfig(file: string | undefined, knownCodes: ReadonlySet<string>): Config {
  if (file === undefined) return defaultConfig();
  const read = readRegular(file, { within: projectBounds(path.dirname(file)) });
  if (read.refusal) throw new ConfigError(`cannot read config file ${file}: ${read.refusal.reason}`);
  const text = read.bytes.toString('utf8');
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError) {
      const reason = e.message.replace(/^Invalid TOML document:\s*/, '').split('\n')[0];
      throw new ConfigError(`${file}:${e.line}:${e.column}: invalid TOML: ${reason}\n\n${e.codeblock}`);
    }
    throw new ConfigError(`${file}: invalid TOML: ${(e as Error).message}`);
  }
  // Annotated so TypeScript treats loader.fail() (returns never) as ending control flow.
  const loader: Loader = new Loader(file, text, knownCodes);

  if (path.basename(file) === 'pyproject.toml') {
    const pyship = isTable(doc.tool) ? doc.tool.pyship : undefined;
    if (pyship === undefined) return { ...defaultConfig(path.dirname(path.resolve(file))), source: file };
    if (!isTable(pyship)) loader.fail('pyship', `[tool.pyship] must be a table`);
    return loader.load(pyship);
  }

  // pyship.toml: top-level keys, or a [tool.pyship] table (so a section copied from pyproject.toml works as is).
  const table: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) {
    if (key !== 'tool') table[key] = value;
  }
  if ('tool' in doc) {
    if (!isTable(doc.tool)) loader.fail('tool', `unknown configuration key "tool"`);
    for (const [name, value] of Object.entries(doc.tool)) {
      if (name !== 'pyship') loader.fail(name, `unknown configuration key "tool.${name}"`);
      if (!isTable(value)) loader.fail(name, `[tool.pyship] must be a table`);
      for (const [key, v] of Object.entries(value)) {
        if (key in table) loader.fail(key, `"${key}" is set both at top level and in [tool.pyship]`);
        table[key] = v;
      }
    }
  }
  return loader.load(table);
}

/** Apply command-line flags: --select replaces the configured selection; --ignore and --extend-select add to it. */
export function mergeCli(config: Config, cli: CliOverrides): Config {
  return {
    ...config,
    select: cli.select ?? config.select,
    ignore: [...config.ignore, ...(cli.ignore ?? [])],
    extendSelect: [...config.extendSelect, ...(cli.extendSelect ?? [])],
    failOn: cli.failOn ?? config.failOn,
  };
}

// ---------------------------------------------------------------------------------------------
// Resolution

/** How specific a selector is for a code, or -1 when it does not match: "ALL" < "SEC" < "SEC0" < "SEC001". */
function specificity(selector: string, code: string): number {
  if (selector === 'ALL') return 0;
  return code.startsWith(selector) ? selector.length : -1;
}

function bestMatch(selectors: readonly string[], code: string, exactOnly: boolean): number {
  let best = -1;
  for (const sel of selectors) {
    if (exactOnly && sel !== code) continue;
    best = Math.max(best, specificity(sel, code));
  }
  return best;
}

const matcherCache = new Map<string, (p: string) => boolean>();

/**
 * Ruff/gitignore-style: a glob without "/" matches the file name at any depth; one with "/" is anchored at the
 * config directory. A leading "./" anchors a bare name ("./Dockerfile" is the root one only).
 */
function globMatcher(pattern: string): (p: string) => boolean {
  let m = matcherCache.get(pattern);
  if (!m) {
    const anchored = pattern.startsWith('./');
    const glob = anchored ? pattern.slice(2) : pattern;
    m = picomatch(glob, { dot: true, basename: !anchored && !glob.includes('/') });
    matcherCache.set(pattern, m);
  }
  return m;
}

function relativePosix(baseDir: string, filePath: string): string {
  return path.relative(baseDir, path.resolve(filePath)).split(path.sep).join('/');
}

/**
 * The codes enabled for one file.
 *
 * Ruff semantics: for each rule the most specific matching selector among select + extend-select versus ignore
 * decides (ties go to ignore), so `ignore = ["SEC"]` with `extend-select = ["SEC001"]` keeps SEC001 on. No select
 * means select = ["ALL"]. Per-file ignores then always remove.
 *
 * Opt-in rules (Ruff's explicit-preview-rules behaviour): they are turned on only by their full code in select or
 * extend-select; neither a prefix nor "ALL" enables them, so `select = ["ALL"]` never starts networked or slow checks
 * by surprise. They can still be turned off by any matching ignore.
 */
export function resolveEnabled(
  config: Config,
  rules: readonly { code: string; optIn?: boolean }[],
  filePath?: string,
): Set<string> {
  const selectors = [...(config.select ?? ['ALL']), ...config.extendSelect];
  let fileIgnores: string[] = [];
  if (filePath !== undefined && config.perFileIgnores.length > 0) {
    const rel = relativePosix(config.baseDir, filePath);
    for (const { pattern, codes } of config.perFileIgnores) {
      if (globMatcher(pattern)(rel)) fileIgnores = fileIgnores.concat(codes);
    }
  }
  const enabled = new Set<string>();
  for (const { code, optIn } of rules) {
    const on = bestMatch(selectors, code, optIn === true);
    if (on < 0 || bestMatch(config.ignore, code, false) >= on) continue;
    if (bestMatch(fileIgnores, code, false) >= 0) continue;
    enabled.add(code);
  }
  return enabled;
}

/** The configured severity for a code (most specific key wins), else the rule's own. */
export function effectiveSeverity(config: Config, code: string, defaultSeverity: Severity): Severity {
  let best = -1;
  let result = defaultSeverity;
  for (const [sel, sev] of Object.entries(config.severity)) {
    const s = specificity(sel, code);
    if (s > best) {
      best = s;
      result = sev;
    }
  }
  return result;
}

/** Is a passed-through tool code (ShellCheck's SC2086) switched off by `ignore`? */
export function subcodeIgnored(config: Config, code: string): boolean {
  return config.ignore.some((sel) => sel !== 'ALL' && code.startsWith(sel));
}
