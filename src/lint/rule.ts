// The rule contract every check, audit and smoke rule implements: one object per rule, pure check().
import type { Dockerfile, Span } from '../dockerfile/model.js';
import type { ImageFacts } from '../image/facts.js';
import type { ImageConfig } from '../image/model.js';
import type { RuntimeRecord, RuntimeSettings, SmokeFigures } from '../runtime/record.js';
import type { Project } from '../project/model.js';

export type Severity = 'error' | 'warning' | 'info';
export type Scope = 'D' | 'P' | 'I' | 'R';
export type FixSafety = 'safe' | 'unsafe';
/** The areas in practices.md's order: its sections, and the order the audit runs its checks in. */
export const AREAS = ['security', 'ci', 'debug', 'ops', 'rep', 'fast', 'size', 'app', 'ms', 'df'] as const;
export type Area = (typeof AREAS)[number];

/** A text edit at offsets into the original file: replace [start, end) with text. */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

export interface Fix {
  safety: FixSafety;
  /** One line saying what the fix does, e.g. "add --no-install-recommends". */
  description: string;
  edits: Edit[];
}

/** What a rule reports: a span in the file being checked, a message naming the token, an optional fix. */
export interface Report {
  span: Span;
  message: string;
  fix?: { description: string; edits: Edit[]; safety?: FixSafety };
  /** Severity override for this one finding (rare: e.g. a secret in a URL is worse than a name). */
  severity?: Severity;
  /**
   * The finding is in another project file (path relative to the project root, POSIX): the span is then an offset
   * into that file's text. Findings point where the problem is: the script's line, the workflow step.
   */
  file?: string;
  /**
   * A sub-code reported under this rule, for tools whose own codes pass through (ShellCheck's `SC2086` under OPS002).
   * Must match `SUBCODE`; config `ignore` can name it like any code.
   */
  code?: string;
}

/** Codes of tools whose findings pyship passes through under a rule (ShellCheck). */
export const SUBCODE = /^SC\d{4}$/;

/** A finding as the engine produces it: the report plus rule identity, resolved severity and file. */
export interface Finding {
  code: string;
  severity: Severity;
  file: string;
  span: Span;
  message: string;
  fix: Fix | null;
  /** Set when the finding is in a project file other than the Dockerfile: its path relative to the project root. */
  projectPath?: string;
}

export type Mode = 'project' | 'dockerfile';

export interface RuleContext {
  dockerfile: Dockerfile;
  /** 'dockerfile' for stdin / --no-project: never guess about files that cannot be seen. */
  mode: Mode;
  /** The project around the Dockerfile (its build context): present in project mode only. */
  project?: Project;
  report(report: Report): void;
}

/** What the engine itself learns checking a file, handed to the rule that judges it (config applies as to any rule). */
export interface FactContext<F> {
  facts: F;
  report(report: Report): void;
}

export interface RuleExample {
  bad: string;
  good: string;
  /** Expected result of applying the rule's fixes to `bad`, when it differs from `good`. */
  fixed?: string;
  /** Run this example in project mode with these context files (path → content). */
  files?: Record<string, string>;
}

/**
 * The checks of one code in the scopes beyond the Dockerfile and the project: a built image (`pyship audit`, scope I)
 * and a running container (`pyship smoke`, scope R). A code keeps one rule file whatever it reads; each scope's check is
 * pure and its examples run as tests without an engine.
 */
export interface ScopeChecks {
  /** The image part (`pyship audit`, scope I): judges the image's config, history and files. */
  checkImage?(ctx: ImageRuleContext): void;
  /** Examples for `checkImage`, run as tests on small images built in memory. */
  imageExamples?: ImageRuleExample[];
  // runtime scope (R): checkRuntime + runtimeExamples
  /** Judges what `pyship smoke` measured in a running container: the record is filled before any rule runs. */
  checkRuntime?(ctx: RuntimeRuleContext): void;
  /** The line(s) this code shows in smoke's summary table, in its order: what was measured and whether it was judged. */
  runtimeRows?(ctx: RuntimeRowContext): RuntimeRow[];
  /** Records that must be flagged and records that pass, run as tests like the other examples. */
  runtimeExamples?: RuntimeRuleExample[];
}

/** What a runtime rule sees: the measurements, the limits, and where its findings and notes go. */
export interface RuntimeRuleContext {
  record: Readonly<RuntimeRecord>;
  settings: Readonly<RuntimeSettings>;
  /** A finding about the image (no span: the container is the subject). */
  report(message: string, severity?: Severity): void;
  /** A fact worth a line in smoke's output: a check skipped and why. */
  note(text: string): void;
}

/** What a summary row is built from: the figures (as smoke returned them), the limits, and whether the code failed. */
export interface RuntimeRowContext {
  figures: Readonly<SmokeFigures>;
  settings: { healthPath: string; stopTimeout: number; liveness?: boolean };
  /** A finding of this code survived the configuration. */
  failed: boolean;
}

export interface RuntimeRow {
  /** What was measured, e.g. "uid of PID 1 (gunicorn)". */
  label: string;
  /** The figure, e.g. "10001". */
  value: string;
  /** false: nothing was measured for this check (shown as skipped). */
  judged?: boolean;
  /** Still shown when the container exited in its start window (otherwise "-", skipped). */
  afterExit?: boolean;
}

export interface RuntimeRuleExample {
  /** Measurements laid over a record where nothing was measured (runtimeRecord) that must be flagged… */
  bad: Partial<RuntimeRecord>;
  /** …and that must pass. */
  good: Partial<RuntimeRecord>;
  /** Limits other than the defaults (DEFAULT_RUNTIME_SETTINGS). */
  settings?: Partial<RuntimeSettings>;
}

/**
 * What an image finding points at, named rather than placed: the audit maps it to the line of its listing of the
 * image (`USER …`, `EXPOSE 80/tcp`, the history entry that made a layer…). `image` is the listing's head line.
 */
export type ImageAnchor =
  | 'image' | 'user' | 'labels' | 'entrypoint' | 'cmd' | 'healthcheck'
  | { port: string } | { env: string } | { layer: number } | { history: number };

export interface ImageReport {
  at: ImageAnchor;
  message: string;
  /** Severity override for this one finding. */
  severity?: Severity;
}

/** The audit's settings an image rule may read (`[tool.pyship]` keys or `pyship audit` flags); unset means the rule's default. */
export interface ImageSettings {
  /** The audit's clock. */
  now: Date;
  staleDays?: number;
  minEfficiency?: number;
  maxWastedBytes?: number;
  maxImageSize?: number;
  siteTestsMinBytes?: number;
  /** The project's .dockerignore (`--project`): what it leaves out of the build context cannot have been copied. */
  dockerignore?: { ignores(path: string): boolean };
}

export interface ImageRuleContext {
  image: ImageFacts;
  settings: ImageSettings;
  report(report: ImageReport): void;
}

/** A file of an example image's layer; `.wh.<name>` deletes `<name>` from the layers below. */
export interface ImageExampleFile {
  path: string;
  type?: 'file' | 'dir' | 'symlink' | 'hardlink';
  /** Content (else `size` zero bytes). */
  data?: string;
  size?: number;
  mode?: number;
  uid?: number;
  gid?: number;
  linkname?: string;
  xattrs?: Record<string, string>;
}

/** A small image described as its build left it: config, and history entries oldest first (with `files`, a layer). */
export interface ImageExample {
  config?: Partial<ImageConfig>;
  history: { by: string; files?: ImageExampleFile[] }[];
  /** Days between the image's creation and the audit (default 0). */
  ageDays?: number;
}

export interface ImageRuleExample {
  bad: ImageExample;
  good: ImageExample;
  /** Audit settings both images are judged with. */
  settings?: Omit<ImageSettings, 'now' | 'dockerignore'>;
}

export interface RuleDefinition extends ScopeChecks {
  /** Stable code from practices.md (SEC001…), never reused. */
  code: string;
  /** kebab-case, equals the file name. */
  name: string;
  /** Short imperative title, as in practices.md. */
  title: string;
  area: Area;
  severity: Severity;
  scope: Scope[];
  /** Whether the rule can fix what it finds, and how safely. */
  fix?: FixSafety;
  /** Off by default (turned on with extend-select). */
  optIn?: boolean;
  /** Peer ids it corresponds to: 'hadolint:DL3002', 'buildkit:JSONArgsRecommended', 'trivy:DS-0002'. */
  sources: string[];
  /** Markdown: why this matters, and where pyship deliberately differs from a peer. */
  why: string;
  examples: RuleExample[];
  check(ctx: RuleContext): void;
  /** Judges a file the engine could not read whole (unreadable, past the size cap, not UTF-8): once, after `check`. */
  checkUnread?(ctx: FactContext<{ message: string; offset: number }>): void;
  /** Judges the suppressions that suppressed nothing: after every rule's `check`, once the engine knows which. */
  checkSuppressions?(ctx: FactContext<readonly { span: Span; message: string }[]>): void;
  /**
   * The project part of a code whose practice is seen in Dockerfiles and project files alike (SEC009's secrets in
   * CI scripts, OPS006's compose `init: true`…): runs once per project in project mode, like a project rule.
   */
  checkProject?(ctx: ProjectRuleContext): void;
  /** Examples for `checkProject`, run as tests like a project rule's. */
  projectExamples?: ProjectRuleExample[];
}

export type Rule = Readonly<RuleDefinition>;

export function defineRule(rule: RuleDefinition): Rule {
  return Object.freeze(rule);
}

/** A project file as rules see it: its path relative to the project root and its text. */
export interface ProjectSource {
  path: string;
  text: string;
}

/** What a project-level rule sees: the project (files, parsed facts) and the Dockerfiles checked in it. */
export interface ProjectRuleContext {
  project: Project;
  /** The Dockerfiles checked in the project: root-relative path, model, and the project of their build context. */
  dockerfiles: { path: string; dockerfile: Dockerfile; context: Project }[];
  /** `[tool.pyship]` settings beyond rule selection, by key (`production-tag`, `health-path`…). */
  settings: Readonly<Record<string, unknown>>;
  report(report: Report & { file: string }): void;
  /** What the rule could not judge, and why (no git history): a note after the project's path, never a finding. */
  note(message: string): void;
}

export interface ProjectRuleExample {
  /** Project files (root-relative path → content) that must be flagged. */
  bad: Record<string, string>;
  good: Record<string, string>;
  /** Expected files after the fix, when it differs from `good`. */
  fixed?: Record<string, string>;
}

/**
 * A rule about the project rather than one Dockerfile (CI workflows, Dependabot, compose files…): it runs once per
 * project, and its findings point into the project's files.
 */
export interface ProjectRuleDefinition extends Omit<RuleDefinition, 'examples' | 'check'> {
  level: 'project';
  examples: ProjectRuleExample[];
  check(ctx: ProjectRuleContext): void;
}

export type ProjectRule = Readonly<ProjectRuleDefinition>;

export function defineProjectRule(rule: ProjectRuleDefinition): ProjectRule {
  return Object.freeze(rule);
}

/**
 * A rule seen only in a built image (SIZE001's layer table, SIZE006's build artefacts, DBG004's debug tools): its one
 * check is `checkImage`, and its examples are images.
 */
export interface ImageRuleDefinition extends Omit<RuleDefinition, 'examples' | 'check' | 'checkProject' | 'projectExamples' | 'checkImage' | 'imageExamples'> {
  level: 'image';
  examples: ImageRuleExample[];
  checkImage(ctx: ImageRuleContext): void;
}

export type ImageRule = Readonly<ImageRuleDefinition>;

export function defineImageRule(rule: ImageRuleDefinition): ImageRule {
  return Object.freeze(rule);
}

export type AnyRule = Rule | ProjectRule | ImageRule;

export function isProjectRule(rule: AnyRule): rule is ProjectRule {
  return (rule as ProjectRule).level === 'project';
}

export function isImageRule(rule: AnyRule): rule is ImageRule {
  return (rule as ImageRule).level === 'image';
}
