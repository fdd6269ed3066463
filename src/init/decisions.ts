// Every choice `pyship init` makes, with what chose it: the summary and `init --dry-run --format json` show them.

/** One decision: a field, its value, and the evidence (`path:line what is there`) or the default (`default: why`). */
export interface Decision {
  /**
   * framework, entry, server, package-manager, lock, python, base-image, port, health-check, settings, static-files,
   * system-packages, build-steps, migrations, compose-mounts, file:<path>
   */
  field: string;
  value: string;
  evidence: string[];
}

/** `path:line` of evidence, or `path` alone when the whole file is the evidence. */
export const at = (file: string, line?: number, what?: string): string => `${file}${line ? `:${line}` : ''}${what ? ` ${what}` : ''}`;

/** A running list of decisions; a later decision of the same field replaces the earlier one. */
export class Decisions {
  readonly list: Decision[] = [];
  decide(field: string, value: string, ...evidence: string[]): void {
    const i = this.list.findIndex((d) => d.field === field);
    const d = { field, value, evidence };
    if (i >= 0) this.list[i] = d;
    else this.list.push(d);
  }
  get(field: string): Decision | undefined {
    return this.list.find((d) => d.field === field);
  }
}
