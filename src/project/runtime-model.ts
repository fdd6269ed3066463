// Where and how the project's image runs, as types: compose services, Kubernetes / Knative containers, PaaS targets,
// Procfile entries and Python code that logs to files. Spans are offsets into each file's text.
import type { Span } from '../dockerfile/model.js';
import type { FileProblem } from './model.js';

/** A value read from a file, with the span of its node (offsets into that file's text). */
export interface Located<T> {
  value: T;
  span: Span;
}

export interface ComposeBuild {
  /** The build context as written (relative to the compose file's directory). */
  context: string | undefined;
  /** The Dockerfile as written (relative to the context). */
  dockerfile: string | undefined;
  /** Root-relative path of the Dockerfile the service builds; undefined for remote contexts, inline Dockerfiles, variables. */
  dockerfilePath: string | undefined;
  /** Root-relative context directory ('' for the root); undefined when unknown. */
  contextPath: string | undefined;
  args: { name: string; value: string | undefined; span: Span }[];
  secrets: Located<string>[];
  span: Span;
}

export interface ComposeService {
  /** Root-relative path of the compose file. */
  file: string;
  name: string;
  /** The service's key (its name) in the file. */
  span: Span;
  build?: ComposeBuild;
  image?: Located<string>;
  command?: Located<string | string[]>;
  entrypoint?: Located<string | string[]>;
  capDrop?: Located<string[]>;
  capAdd?: Located<string[]>;
  init?: Located<boolean>;
  healthcheck?: { span: Span; disabled: boolean; test: string | string[] | undefined };
  readOnly?: Located<boolean>;
  user?: Located<string>;
  securityOpt?: Located<string[]>;
  ports: Located<string>[];
  /** Root-relative host directories bind-mounted into the container (`.:/app`, `./src:/code`); '' for the root. */
  bindMounts: Located<string>[];
  /** Key → span of the key, for every key of the service (to point at `cap_add:` and friends). */
  keys: Map<string, Span>;
}

export interface ComposeFile {
  path: string;
  services: ComposeService[];
}

export interface Probe {
  kind: 'liveness' | 'readiness' | 'startup';
  span: Span;
}

export interface K8sContainer {
  /** Root-relative manifest path. */
  file: string;
  /** Workload kind (Deployment, Pod, Service for Knative…) and name. */
  kind: string;
  workload: string;
  name: string;
  /** The container's `name:` value (or the `- ` item when it has none). */
  span: Span;
  initContainer: boolean;
  image?: Located<string>;
  capDrop?: Located<string[]>;
  capAdd?: Located<string[]>;
  /** runAsNonRoot from the container or, failing that, the pod securityContext. */
  runAsNonRoot?: Located<boolean>;
  readOnlyRootFilesystem?: Located<boolean>;
  allowPrivilegeEscalation?: Located<boolean>;
  probes: Probe[];
  shareProcessNamespace?: Located<boolean>;
  command?: Located<string[]>;
  args?: Located<string[]>;
  /** The whole container mapping. */
  containerSpan: Span;
  /** Knative / Cloud Run service (`serving.knative.dev`). */
  knative: boolean;
}

export interface ProcfileEntry {
  file: string;
  type: string;
  command: string;
  /** The whole line. */
  span: Span;
  /** The command part of the line. */
  commandSpan: Span;
}

export type PaasKind = 'heroku' | 'cloud-run' | 'railway' | 'fly' | 'procfile';

export interface PaasTarget {
  kind: PaasKind;
  /** The file that says so. */
  file: string;
  /** Commands the platform runs (heroku.yml run/web, railway startCommand, app.json scripts…): text spans in `file`. */
  commands: { command: string; span: Span; label: string }[];
  /** fly.toml internal ports (`[http_service] internal_port`, `[[services]] internal_port`). */
  internalPorts: Located<number>[];
  /** The platform builds the Dockerfile (heroku.yml build, fly, railway, Cloud Run), so its CMD serves the port. */
  usesDockerfile: boolean;
}

export interface FileLogging {
  file: string;
  span: Span;
  /** `logging.basicConfig(filename=…)`, `FileHandler(`, `RotatingFileHandler(`, `TimedRotatingFileHandler(`, `WatchedFileHandler(`. */
  what: string;
  /** The same module also logs to a stream (`basicConfig()` without a file, `StreamHandler(`): the file is a copy. */
  alsoStream: boolean;
}

/** A malformed file (reported under DF026). */
export type RuntimeProblem = FileProblem;

export interface RuntimeFacts {
  compose: ComposeFile[];
  k8s: K8sContainer[];
  procfile: ProcfileEntry[];
  paas: PaasTarget[];
  problems: RuntimeProblem[];
}
