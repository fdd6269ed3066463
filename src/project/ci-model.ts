// What pyship knows of a project's CI and build scripts, as types: workflows → jobs → shell commands and action steps,
// and the image builds, runs, linters, scanners and dependency bots found in them. Every span is an offset into the
// named root-relative file.
import type { Span } from '../dockerfile/model.js';
import type { FileProblem } from './model.js';
import type { ShCommand, ShWord } from '../dockerfile/shell.js';

export type CiKind = 'github' | 'gitlab' | 'script' | 'makefile';

/** A malformed file (reported under DF026). */
export type CiProblem = FileProblem;

/** A value in a YAML file with its span. */
export interface CiValue {
  value: string;
  span: Span;
}

/** A GitHub Actions step (`uses:` or `run:`). */
export interface CiStep {
  name?: string;
  uses?: CiValue;
  with: Record<string, CiValue>;
  env: Record<string, string>;
  run?: { text: string; span: Span };
  span: Span;
}

/** A CI job, a build script or a Makefile target: an ordered list of shell commands and action steps. */
export interface CiJob {
  kind: CiKind;
  file: string;
  /** Job id, script path or Makefile target. */
  id: string;
  span: Span;
  /** Runs on a schedule (workflow `schedule:` trigger, GitLab `only: schedules` / `$CI_PIPELINE_SOURCE == "schedule"`). */
  scheduled: boolean;
  /** Runs on a fresh runner (GitHub-hosted, GitLab shared): no local build cache survives. */
  ephemeral: boolean;
  /** Variables set for the whole job (workflow/job `env:`, GitLab `variables:`). */
  env: Record<string, string>;
  steps: CiStep[];
  /** Shell commands in order (for GitHub jobs: every `run:` block's commands). */
  commands: CiCommand[];
}

/** A shell command of a job, with spans into `file`. */
export interface CiCommand {
  file: string;
  cmd: ShCommand;
  /** The step it belongs to (GitHub). */
  step?: CiStep;
  /** Text of the original file under a span (GitHub `${{ … }}` expressions are shown to the shell as `${__…}`). */
  text(span: Span): string;
  /** A word's unquoted value with GitHub expressions restored (`$IMAGE:${{ github.sha }}`). */
  value(w: ShWord): string;
}

/** One element of a job's effective sequence: a command or an action step, possibly from a script the job runs. */
export interface CiEntry {
  file: string;
  /** 0-based position in the job's sequence. */
  order: number;
  command?: CiCommand;
  step?: CiStep;
}

export interface Workflow {
  kind: 'github' | 'gitlab';
  file: string;
  triggers: { push: boolean; pullRequest: boolean; schedule: CiValue[]; workflowDispatch: boolean };
  jobs: CiJob[];
}

export interface ImageTag {
  raw: string;
  span: Span;
  /** Has a variable or expression. */
  dynamic: boolean;
  usesSha: boolean;
  usesBranch: boolean;
  /** The literal tag part after `:` (`latest` for an untagged literal name); undefined when not literal. */
  tag: string | undefined;
}

export interface CacheSpec {
  raw: string;
  span: Span;
  /** `registry`, `gha`, `inline`, `local`, `s3`…; `registry` for a bare image reference. */
  type: string;
  mode?: string;
  ref?: string;
}

export interface BuildArg {
  name: string;
  span: Span;
  /** Given a value on the command line. */
  hasValue: boolean;
  /** The value is literal text (no variable or expression). */
  literal: boolean;
  /** The value is a CI secret (`${{ secrets.X }}`) or a secret-looking variable. */
  secretRef: boolean;
  /** The value, as written (never print it in messages). */
  value?: string;
}

export type BuildTool = 'docker' | 'buildx' | 'podman' | 'buildah' | 'pyship' | 'compose' | 'compose-v1' | 'bake' | 'action';

export interface BuildCommand {
  file: string;
  span: Span;
  tool: BuildTool;
  job: CiJob;
  /** In a GitHub/GitLab job (directly or through a script/Makefile target it runs). */
  ci: boolean;
  order: number;
  tags: ImageTag[];
  /** False when the tags come from elsewhere (compose file, bake file): tag rules skip it. */
  tagsKnown: boolean;
  push: boolean;
  labels: { name: string; span: Span }[];
  buildArgs: BuildArg[];
  cacheFrom: CacheSpec[];
  cacheTo: CacheSpec[];
  target?: string;
  noCache: boolean;
  pull: boolean;
  /** `pyship build --fresh` (pull + no cache). */
  fresh: boolean;
  secrets: string[];
  ssh: boolean;
  buildkitDisabled: boolean;
  /** Dockerfile path as given (`-f`, `file:`), relative to the repository root when possible. */
  dockerfile?: string;
  context?: string;
}

export interface RunCommand {
  file: string;
  span: Span;
  job: CiJob;
  ci: boolean;
  order: number;
  tool: 'docker-run' | 'podman-run' | 'pyship-smoke' | 'pyship-build' | 'container-structure-test' | 'compose-run';
  /** The image a `docker run` starts, as written. */
  image?: string;
}

export interface ToolUse {
  file: string;
  span: Span;
  job: CiJob;
  ci: boolean;
  tool: string;
}

export interface ScannerUse extends ToolUse {
  kind: 'code' | 'deps';
}

export interface DependabotUpdate {
  ecosystem: CiValue;
  directories: string[];
  interval?: string;
  span: Span;
}

export interface DependencyBot {
  kind: 'dependabot' | 'renovate';
  file: string;
  updates: DependabotUpdate[];
  /** Renovate `enabledManagers`, when it restricts managers. */
  enabledManagers?: string[];
}
