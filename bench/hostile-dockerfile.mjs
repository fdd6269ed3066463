// Builds large Dockerfiles for the linear-time bench (issue 13): real corpus files concatenated, plus the shapes that
// once made check or --fix quadratic (many ENV, ARG, stages, LABEL, continued RUNs, one huge RUN).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const CORPUS = join(import.meta.dirname, '..', '..', 'shared', 'corpus', 'real-world');

/** Lines of real Dockerfiles, in a fixed order; empty when the corpus is absent. */
function corpusLines() {
  if (!existsSync(CORPUS)) return [];
  const out = [];
  for (const f of readdirSync(CORPUS).filter((x) => x !== 'MANIFEST.tsv').sort()) {
    out.push(...readFileSync(join(CORPUS, f), 'utf8').split('\n'), '');
  }
  return out;
}

let cached;

/**
 * About `lines` lines: half real corpus text (repeated when needed), half pathological shapes in equal parts.
 * Deterministic, so two runs (and the N and 2N files) have the same mix.
 */
export function hostileDockerfile(lines) {
  cached ??= corpusLines();
  const real = cached;
  const out = [];
  const realBudget = real.length > 0 ? Math.floor(lines / 2) : 0;
  for (let i = 0; out.length < realBudget; i++) out.push(real[i % real.length]);
  const part = Math.max(1, Math.floor((lines - out.length) / 6));
  out.push('FROM python:3.13-slim AS envs');
  for (let i = 0; i < part; i++) out.push(`ENV VAR_${i}=value_${i} PATH=/opt/v${i}/bin:$PATH`);
  out.push('FROM python:3.13-slim AS args');
  for (let i = 0; i < part; i++) out.push(`ARG ARG_${i}=${i}`);
  for (let i = 0; i * 4 < part; i++) {
    out.push(`FROM python:3.13-slim AS s${i}`, `WORKDIR /app/${i}`, `COPY --from=s${Math.max(0, i - 1)} /app /app`, 'RUN pip install flask');
  }
  out.push('FROM python:3.13-slim AS runs');
  for (let i = 0; i * 3 < part; i++) out.push(`RUN apt-get update && \\`, `    apt-get install -y curl${i} && \\`, '    rm -rf /var/lib/apt/lists/*');
  out.push('RUN set -eux; \\');
  for (let i = 0; i < part; i++) out.push(`    echo step ${i} >> /tmp/log; \\`);
  out.push('    true');
  for (let i = 0; i < part; i++) out.push(`LABEL org.example.k${i}="v${i}"`);
  out.push('USER 10001', 'CMD ["python", "-m", "app"]');
  return out.join('\n') + '\n';
}

/** `count` ENV lines in one stage: the shape whose memory grew with the square of the count. */
export function manyEnv(count) {
  const out = ['FROM python:3.13-slim'];
  for (let i = 0; i < count; i++) out.push(`ENV VAR_${i}=value_${i}`);
  out.push('CMD ["python"]');
  return out.join('\n') + '\n';
}
