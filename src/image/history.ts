// An image's history read as the build that made it: which instruction each entry was, and where the base image ends
// and the image's own build begins.
import type { ImageData } from './model.js';

export interface BaseInfo {
  /** Index of the first layer the image's own build made (layers before it are the base's). */
  ownFrom: number;
  how: string;
  name: string | undefined;
  /** `BASE_BUILT` label (pyship build --base): the dated base the image was built on. */
  built: string | undefined;
}

const INSTRUCTION_RE = /^(?:\/bin\/sh -c #\(nop\)\s+)?([A-Z]+)\b/;

/** The Dockerfile instruction a history `created_by` records (`RUN` for shell commands), or undefined. */
export function historyInstruction(createdBy: string): string | undefined {
  const m = INSTRUCTION_RE.exec(createdBy.trim());
  if (m && /^(CMD|ENTRYPOINT|COPY|ADD|ENV|LABEL|EXPOSE|USER|WORKDIR|ARG|RUN|HEALTHCHECK|STOPSIGNAL|VOLUME|SHELL|ONBUILD|MAINTAINER)$/.test(m[1]!)) return m[1];
  if (/^(\/bin\/sh -c|\|\d+ )/.test(createdBy.trim())) return 'RUN';
  return undefined;
}

/** A history `created_by` as the instruction a reader would write: `RUN pip install …`, `COPY . /app`. */
export function instructionText(createdBy: string): string {
  return createdBy.trim()
    .replace(/\s+# buildkit$/, '')
    .replace(/^\/bin\/sh -c #\(nop\)\s+/, '')
    .replace(/^\/bin\/sh -c /, 'RUN ')
    .replace(/^RUN \/bin\/sh -c /, 'RUN ')
    .replace(/^(\|\d+ .*?)\/bin\/sh -c /, 'RUN $1')
    .replace(/\s+/g, ' ');
}

/**
 * Where the base image ends. In order:
 * 1. the `org.opencontainers.image.base.name` label, when the engine knows that image: the layers shared with it;
 * 2. the last CMD/ENTRYPOINT history entry that is followed by a layer-making entry: a base image's history ends with
 *    its command (python's `CMD ["python3"]`), the image's own build starts after it. A command followed only by
 *    metadata entries is the image's own: `ENTRYPOINT` then `CMD`, `EXPOSE`/`USER` written after `CMD`, and the
 *    `LABEL` entry the legacy builder (no BuildKit) appends for `docker build --label` after the last instruction;
 * 3. a gap of more than an hour between consecutive history entries (a build starts long after its base was made);
 * 4. else only a distribution root filesystem (first layer made by `ADD file:… in /` or an import) is base.
 */
export function baseBoundary(img: ImageData, baseLayers?: (name: string) => string[] | undefined): BaseInfo {
  const name = img.config.labels['org.opencontainers.image.base.name'];
  const built = img.config.labels.BASE_BUILT;
  const firstOwnLayer = (hIndex: number): number => {
    for (let i = hIndex + 1; i < img.history.length; i++) {
      const l = img.history[i]!.layer;
      if (l !== undefined) return l;
    }
    return img.layers.length;
  };
  if (name && baseLayers) {
    const ids = baseLayers(name);
    if (ids && ids.length > 0) {
      let n = 0;
      while (n < ids.length && n < img.layers.length && img.layers[n]!.diffId === ids[n]) n++;
      if (n > 0) return { ownFrom: n, how: `layers shared with ${name} (org.opencontainers.image.base.name)`, name, built };
    }
  }
  for (let i = img.history.length - 2; i >= 0; i--) {
    const ins = historyInstruction(img.history[i]!.createdBy);
    if (ins !== 'CMD' && ins !== 'ENTRYPOINT') continue;
    const ownFrom = firstOwnLayer(i);
    if (ownFrom < img.layers.length) return { ownFrom, how: `history: the base's last ${ins} (history #${i + 1})`, name, built };
  }
  let gapAt = -1;
  let gap = 3600 * 1000;
  for (let i = 1; i < img.history.length; i++) {
    const a = Date.parse(img.history[i - 1]!.created ?? '');
    const b = Date.parse(img.history[i]!.created ?? '');
    if (Number.isFinite(a) && Number.isFinite(b) && b - a > gap) {
      gap = b - a;
      gapAt = i;
    }
  }
  if (gapAt > 0) return { ownFrom: firstOwnLayer(gapAt - 1), how: `history: ${(gap / 3600000).toFixed(1)} h between history #${gapAt} and #${gapAt + 1}`, name, built };
  const first = img.layers[0]?.history;
  if (first && (/^\/bin\/sh -c #\(nop\) ADD file:\S+ in \/\s*$/.test(first.createdBy) || /^ADD file:\S+ in \/\s*$/.test(first.createdBy) || /import/i.test(first.comment ?? '') || (first.createdBy === '' && img.layers.length > 1))) {
    return { ownFrom: 1, how: 'history: only the root filesystem layer is known to be base', name, built };
  }
  return { ownFrom: 0, how: 'no base boundary found: every layer counts as the image\'s own', name, built };
}
