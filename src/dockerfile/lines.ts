// Line numbers for offsets: messages name the line of an instruction, and counting newlines from the file's start for
// each of thousands of findings was quadratic in the file's size. One index per text, kept for the last few texts.
const CACHE = 8;
const indexes = new Map<string, readonly number[]>();

function lineStarts(text: string): readonly number[] {
  let starts = indexes.get(text);
  if (!starts) {
    const s = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) s.push(i + 1);
    if (indexes.size >= CACHE) indexes.delete(indexes.keys().next().value!);
    indexes.set(text, (starts = s));
  }
  return starts;
}

/** 1-based line of `index` in `text` (an offset past the end is on the last line; a negative one on the first). */
export function lineOf(text: string, index: number): number {
  const starts = lineStarts(text);
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}
