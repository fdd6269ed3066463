// Reading the engine's `inspect` answers for smoke: the image's EXPOSE, HEALTHCHECK, user and command.
export class SmokeError extends Error {}

export function first(value: unknown): Record<string, unknown> | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
}

export function obj(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export interface ImageConfig {
  exposed: number[];
  healthcheck?: string[];
  user: string;
  entrypoint: string[];
  cmd: string[];
}

export function imageConfig(inspected: unknown): ImageConfig {
  const root = first(inspected);
  if (!root) throw new SmokeError('the engine returned no image metadata');
  const config = obj(root.Config ?? root.config);
  const exposed = Object.keys(obj(config.ExposedPorts))
    .map((k) => /^(\d+)(?:\/(tcp|udp|sctp))?$/.exec(k))
    .filter((m): m is RegExpExecArray => m !== null && (m[2] ?? 'tcp') === 'tcp')
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  const test = strings(obj(config.Healthcheck).Test);
  const healthcheck = test.length > 0 && test[0] !== 'NONE' ? test : undefined;
  return { exposed, healthcheck, user: typeof config.User === 'string' ? config.User : '', entrypoint: strings(config.Entrypoint), cmd: strings(config.Cmd) };
}

/** The argv that runs a HEALTHCHECK test in the container (`CMD-SHELL` goes through /bin/sh like the engine does). */
export function healthcheckArgv(test: readonly string[]): string[] | undefined {
  if (test[0] === 'CMD' && test.length > 1) return test.slice(1);
  if (test[0] === 'CMD-SHELL' && test.length > 1) return ['/bin/sh', '-c', test[1]!];
  return undefined;
}
