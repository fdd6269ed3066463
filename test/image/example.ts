// Test helper: an image rule's example (config, history, files per layer) as a real `docker save` archive built in
// memory, read by the real reader and audited with that one rule, so examples exercise the reader too.
import { Readable } from 'node:stream';
import { auditImage, type AuditResult } from '../../src/audit/audit.js';
import { readImage } from '../../src/image/read.js';
import type { AnyRule, ImageExample, ImageSettings } from '../../src/lint/rule.js';
import { dockerSave, type ImageSpec } from './archive.js';

export const EXAMPLE_NOW = new Date('2026-06-15T12:00:00Z');

/** The example as an archive spec: Docker's config keys, one history entry per step, a layer for each with files. */
export function exampleSpec(ex: ImageExample, now = EXAMPLE_NOW): ImageSpec {
  const c = ex.config ?? {};
  const created = new Date(now.getTime() - (ex.ageDays ?? 0) * 86_400_000).toISOString();
  const config: Record<string, unknown> = {};
  if (c.user !== undefined) config.User = c.user;
  if (c.exposedPorts) config.ExposedPorts = Object.fromEntries(c.exposedPorts.map((p) => [p, {}]));
  if (c.env) config.Env = c.env;
  if (c.entrypoint) config.Entrypoint = c.entrypoint;
  if (c.cmd) config.Cmd = c.cmd;
  if (c.healthcheck) config.Healthcheck = { Test: c.healthcheck.test };
  if (c.labels) config.Labels = c.labels;
  if (c.stopSignal) config.StopSignal = c.stopSignal;
  if (c.workingDir) config.WorkingDir = c.workingDir;
  return {
    created,
    config,
    layers: ex.history.filter((h) => h.files !== undefined).map((h) => h.files!),
    history: ex.history.map((h) => ({ created_by: h.by, created, ...(h.files === undefined ? { empty_layer: true } : {}) })),
  };
}

/** Audit the example image with only this rule enabled. */
export async function auditExample(rule: AnyRule, ex: ImageExample, settings: Omit<ImageSettings, 'now'> = {}): Promise<AuditResult> {
  const img = await readImage({ kind: 'stream', stream: Readable.from([dockerSave(exampleSpec(ex))]), ref: 'example:latest' });
  return auditImage(img, { ...settings, now: EXAMPLE_NOW, rules: [rule], enabled: new Set([rule.code]) });
}
