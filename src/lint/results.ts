// A run's findings by the file they point into: each Dockerfile checked, and each project file a rule flagged.
import { join } from 'node:path';
import type { Project } from '../project/model.js';
import type { Finding } from './rule.js';
import { display } from './targets.js';

/** One file's findings, as every report format takes them. */
export interface FileResult {
  /** Display path (POSIX separators, relative to where pyship ran), as used in findings' `file`. */
  file: string;
  text: string;
  findings: Finding[];
}

export class RunResults {
  readonly list: FileResult[] = [];
  /** By absolute path: the files findings from elsewhere land on (stdin has none). */
  private readonly byAbs = new Map<string, FileResult>();

  constructor(private readonly cwd: string) {}

  /** A checked file (`path` undefined: stdin) with its findings; those pointing into other project files go there. */
  addChecked(shown: string, path: string | undefined, text: string, findings: readonly Finding[], project: Project | undefined): void {
    const result: FileResult = { file: shown, text, findings: findings.filter((f) => f.projectPath === undefined) };
    this.list.push(result);
    if (path) this.byAbs.set(path, result);
    if (project) for (const f of findings) if (f.projectPath !== undefined) this.addElsewhere(project, f);
  }

  /** A finding in a project file (`projectPath`, relative to the project's root): on that file's result, once. */
  addElsewhere(project: Project, f: Finding): void {
    const abs = join(project.root, f.projectPath!);
    let r = this.byAbs.get(abs);
    if (!r) {
      const src = project.file(f.projectPath!);
      r = { file: display(this.cwd, abs), text: src?.text ?? '', findings: [] };
      this.byAbs.set(abs, r);
      this.list.push(r);
    }
    const finding = { ...f, file: r.file };
    if (!r.findings.some((x) => x.code === finding.code && x.span.start === finding.span.start && x.message === finding.message)) r.findings.push(finding);
  }

  /** The results, each file's findings by position (what arrived from several rules and files, in order). */
  sorted(): FileResult[] {
    for (const r of this.byAbs.values()) r.findings.sort((a, b) => a.span.start - b.span.start || a.code.localeCompare(b.code));
    return this.list;
  }
}
