// What the commands that judge with rules share (check, audit, smoke, build): the checks of their common flags, the
// configuration an image command runs with, and the rule metadata every report carries.
import { resolve } from 'node:path';
import { everyRule, registry } from '../rules/index.js';
import { findConfig, loadConfig, mergeCli, SEVERITIES, validateSelectors, type CliOverrides, type Config } from '../lint/config.js';
import type { Severity } from '../lint/rule.js';
import { isFormat, type Format } from '../report/index.js';
import type { RuleMeta } from '../report/types.js';
import { ruleDocUrl } from '../meta.js';
import { UsageError } from './io.js';

/** Every rule's documentation as reports cite it (image and runtime codes included). */
export function ruleMetas(): Map<string, RuleMeta> {
  return new Map(everyRule.map((r) => [r.code, {
    code: r.code, name: r.name, title: r.title, severity: r.severity, why: r.why, sources: r.sources, fix: r.fix, helpUri: ruleDocUrl(r.code),
  }]));
}

/** `--format` of a report (default text). */
export function reportFormat(value: string | undefined): Format {
  const format = value ?? 'text';
  if (!isFormat(format)) throw new UsageError(`--format must be one of text, json, sarif, github, junit (got "${format}")`);
  return format;
}

/** `--fail-on`, when given. */
export function failOnFlag(value: string | undefined): Severity | undefined {
  if (value !== undefined && !(SEVERITIES as readonly string[]).includes(value)) throw new UsageError(`--fail-on must be error, warning or info (got "${value}")`);
  return value as Severity | undefined;
}

/** `--engine`, when given. */
export function engineFlag(value: string | undefined): 'docker' | 'podman' | undefined {
  if (value !== undefined && value !== 'docker' && value !== 'podman') throw new UsageError(`--engine must be docker or podman (got "${value}")`);
  return value;
}

/** The configuration of a command about one image: `--config`, else the nearest to `dir`, with the selection flags. */
export function imageCommandConfig(cwd: string, configFlag: string | undefined, dir: string, cli: CliOverrides): Config {
  for (const [name, codes] of [['--select', cli.select], ['--ignore', cli.ignore], ['--extend-select', cli.extendSelect]] as const) {
    if (codes) validateSelectors(codes, registry.known, name);
  }
  const file = configFlag ? resolve(cwd, configFlag) : findConfig(dir);
  return mergeCli(loadConfig(file, registry.known), cli);
}
