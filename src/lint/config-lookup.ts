// The configuration each directory of a run is checked with: --config or the nearest config file, loaded once, with
// the command-line flags applied; and the strictest fail-on among those used.
import { resolve } from 'node:path';
import { findConfig, loadConfig, mergeCli, severityRank, type CliOverrides, type Config } from './config.js';
import type { Severity } from './rule.js';

export class ConfigLookup {
  private readonly byFile = new Map<string, Config>();
  private readonly fileOfDir = new Map<string, string | undefined>();
  private strictest: Severity | undefined;

  /** `configFile`: --config (relative to `cwd`); `known`: every code config may name. */
  constructor(
    private readonly cwd: string,
    private readonly configFile: string | undefined,
    private readonly cli: CliOverrides,
    private readonly known: ReadonlySet<string>,
  ) {}

  /** The configuration of a directory; counts towards `failOn`. */
  at(dir: string): Config {
    let file: string | undefined;
    if (this.configFile) file = resolve(this.cwd, this.configFile);
    else {
      if (!this.fileOfDir.has(dir)) this.fileOfDir.set(dir, findConfig(dir));
      file = this.fileOfDir.get(dir);
    }
    const key = file ?? '';
    let cfg = this.byFile.get(key);
    if (!cfg) {
      cfg = mergeCli(loadConfig(file, this.known), this.cli);
      if (!file) cfg = { ...cfg, baseDir: this.cwd };
      this.byFile.set(key, cfg);
    }
    // the lowest threshold fails the run soonest: of the configs used, the strictest decides (a --fail-on is in each)
    if (this.strictest === undefined || severityRank(cfg.failOn) < severityRank(this.strictest)) this.strictest = cfg.failOn;
    return cfg;
  }

  /** The strictest fail-on among the configurations used (the CLI's when given), else warning. */
  get failOn(): Severity {
    return this.cli.failOn ?? this.strictest ?? 'warning';
  }
}
