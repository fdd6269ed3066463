// What the fuzz suites share: seeded fast-check settings from the environment, a time bound per case with a watchdog
// that turns an endless loop into a failed run (not a hung CI job), and the invariants every input must keep.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { afterAll, beforeAll, expect } from 'vitest';
import { ruleMetas } from '../src/commands/shared.js';
import { parseDockerfile } from '../src/dockerfile/parse.js';
import { runScript } from '../src/dockerfile/shell.js';
import { FORMATS, formatReport } from '../src/report/index.js';
import type { Finding } from '../src/lint/rule.js';

/** PYSHIP_FUZZ_RUNS=n runs n times each property's default count; PYSHIP_FUZZ_SEED replays (or `random`). */
const scale = Math.max(1, Number(process.env.PYSHIP_FUZZ_RUNS ?? 1) || 1);
const seedEnv = process.env.PYSHIP_FUZZ_SEED;
export const SEED = seedEnv === 'random' ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : seedEnv ? Number(seedEnv) : 20261207;
/** A case slower than this fails (checked twice, so one slow moment of a shared machine does not). */
export const CASE_LIMIT_MS = Number(process.env.PYSHIP_FUZZ_CASE_MS ?? 2000);

let announced = false;
/** fast-check parameters for a property whose default (npm test) size is `runs` cases. */
export function params(runs: number): fc.Parameters<unknown> {
  if (!announced) {
    announced = true;
    console.log(`fuzz: seed ${SEED}, ${scale}× default runs (replay: PYSHIP_FUZZ_SEED=${SEED} PYSHIP_FUZZ_PATH=<path from a failure>; more: PYSHIP_FUZZ_RUNS=n)`);
  }
  const path = process.env.PYSHIP_FUZZ_PATH;
  return { seed: SEED, numRuns: runs * scale, ...(path ? { path, endOnFailure: true } : {}) };
}

/** Cases run, per suite file, for the report. */
export const stats = { cases: 0 };

// ---- watchdog: a worker thread that sees the heartbeat stop and kills this process, leaving the input behind

const HANG_MS = Number(process.env.PYSHIP_FUZZ_HANG_MS ?? 20_000);
const beat = new Int32Array(new SharedArrayBuffer(16)); // [counter, busy, length, stop]
const input = new Uint8Array(new SharedArrayBuffer(4 << 20));
let watchdog: Worker | undefined;

const WATCHDOG = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const b = new Int32Array(workerData.beat), t = new Uint8Array(workerData.input);
let last = -1, since = Date.now();
for (;;) {
  Atomics.wait(b, 3, 0, 250);
  if (Atomics.load(b, 3) !== 0) break;
  const c = Atomics.load(b, 0);
  if (c !== last || Atomics.load(b, 1) === 0) { last = c; since = Date.now(); continue; }
  if (Date.now() - since < workerData.limit) continue;
  fs.writeFileSync(workerData.file, Buffer.from(t.subarray(0, Atomics.load(b, 2))));
  fs.writeSync(2, '\\nfuzz watchdog: one case ran ' + workerData.limit + ' ms without finishing: killed. Input: ' + workerData.file + ' (seed ' + workerData.seed + ')\\n');
  process.kill(process.pid, 'SIGKILL');
}`;

export function startWatchdog(): void {
  if (watchdog) return;
  const file = join(tmpdir(), `pyship-fuzz-hang-${process.pid}.txt`);
  watchdog = new Worker(WATCHDOG, { eval: true, workerData: { beat: beat.buffer, input: input.buffer, limit: HANG_MS, file, seed: SEED } });
  watchdog.unref();
}

export async function stopWatchdog(): Promise<void> {
  Atomics.store(beat, 3, 1);
  Atomics.notify(beat, 3);
  await watchdog?.terminate();
  watchdog = undefined;
  Atomics.store(beat, 3, 0);
}

/** Run one case under the time bound and the watchdog; returns what `fn` returned. */
export function bounded<T>(label: string, text: string, fn: () => T): T {
  stats.cases++;
  const run = (): { value: T; ms: number } => {
    const { written } = new TextEncoder().encodeInto(text, input);
    Atomics.store(beat, 2, written);
    Atomics.add(beat, 0, 1);
    Atomics.store(beat, 1, 1);
    const t0 = performance.now();
    try {
      return { value: fn(), ms: performance.now() - t0 };
    } finally {
      Atomics.store(beat, 1, 0);
    }
  };
  const first = run();
  if (first.ms <= CASE_LIMIT_MS) return first.value;
  const again = run();
  if (again.ms > CASE_LIMIT_MS) {
    const file = join(tmpdir(), `pyship-fuzz-slow-${process.pid}-${stats.cases}.txt`);
    writeFileSync(file, text);
    throw new Error(`${label}: took ${Math.round(first.ms)} ms then ${Math.round(again.ms)} ms (limit ${CASE_LIMIT_MS} ms; ${text.length} chars, input in ${file})`);
  }
  return again.value;
}

// ---- invariants

/** Parser output stays inside the text and in order, and the lazy parts (words, shell scripts) can be computed. */
export function assertParsedSane(text: string): ReturnType<typeof parseDockerfile> {
  const df = parseDockerfile(text);
  let prev = -1;
  for (const i of df.instructions) {
    for (const sp of [i.span, i.keywordSpan, i.argsSpan]) {
      expect(sp.start).toBeGreaterThanOrEqual(0);
      expect(sp.end).toBeGreaterThanOrEqual(sp.start);
      expect(sp.end).toBeLessThanOrEqual(text.length);
    }
    expect(i.span.start).toBeGreaterThan(prev);
    prev = i.span.start;
    void i.words;
    runScript(i);
    if (i.onbuild) runScript(i.onbuild);
  }
  for (const p of df.problems) {
    expect(p.span.start).toBeGreaterThanOrEqual(0);
    expect(p.span.end).toBeGreaterThanOrEqual(p.span.start);
    expect(p.span.end).toBeLessThanOrEqual(text.length);
  }
  return df;
}

/** No rule crashed, and every finding in this file points inside it. */
export function assertFindingsSane(text: string, findings: readonly Finding[]): void {
  for (const f of findings) {
    expect(f.message, `${f.code}: ${f.message}`).not.toMatch(/internal error/);
    if (f.projectPath !== undefined) continue;
    expect(f.span.start, `${f.code} span`).toBeGreaterThanOrEqual(0);
    expect(f.span.end, `${f.code} span`).toBeGreaterThanOrEqual(f.span.start);
    expect(f.span.end, `${f.code} span`).toBeLessThanOrEqual(text.length);
    for (const e of f.fix?.edits ?? []) {
      expect(e.start, `${f.code} edit`).toBeGreaterThanOrEqual(0);
      expect(e.end, `${f.code} edit`).toBeGreaterThanOrEqual(e.start);
      expect(e.end, `${f.code} edit`).toBeLessThanOrEqual(text.length);
    }
  }
}

const metas = ruleMetas();

/** Every report format renders the findings (code frames included) without throwing; returns the outputs. */
export function renderAll(file: string, text: string, findings: Finding[]): string[] {
  const input = { results: [{ file, text, findings }], rules: metas, toolVersion: '0.0.0-fuzz' };
  return FORMATS.map((f) => formatReport(f, input, { color: false }));
}

/** Instruction counts by kind, where a fix may turn one kind into its sibling (ADD→COPY, MAINTAINER→LABEL, ENV→ARG). */
export function instructionKinds(text: string): Map<string, number> {
  const family: Record<string, string> = { ADD: 'COPY', MAINTAINER: 'LABEL', ARG: 'ENV' };
  const m = new Map<string, number>();
  for (const i of parseDockerfile(text).instructions) {
    const k = family[i.keyword] ?? i.keyword;
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

export const parseErrors = (text: string): number => parseDockerfile(text).problems.filter((p) => p.level === 'error').length;

/** A short view of a long input for failure messages. */
export const excerpt = (text: string): string => JSON.stringify(text.length > 3000 ? text.slice(0, 3000) + '…' : text);

/** The watchdog around a fuzz file, and its case count and time printed at the end (the figures issue 13 asks for). */
export function fuzzFile(name: string): void {
  const started = performance.now();
  beforeAll(startWatchdog);
  afterAll(async () => {
    await stopWatchdog();
    console.log(`${name}: ${stats.cases} cases in ${Math.round(performance.now() - started)} ms`);
  });
}

/** A failed property's error with the input that failed (shortened) and the project files beside it. */
export function withInput(e: unknown, text: string, files?: Record<string, string>): Error {
  return new Error(`${(e as Error).message}\ninput: ${excerpt(text)}${files ? `\nfiles: ${JSON.stringify(files)}` : ''}`, { cause: e });
}
