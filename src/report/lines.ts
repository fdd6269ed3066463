// Findings carry UTF-16 offsets; every format needs 1-based line/column, so this is computed once per file.
import type { Span } from '../dockerfile/model.js';

export interface Position {
  line: number;
  column: number;
}

export interface Range {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export class LineIndex {
  readonly text: string;
  /** Offset of the first character of each line; lines end at \n (a \r before it belongs to the break). */
  private readonly starts: number[];
  /** A leading BOM is invisible in editors, so columns on line 1 start after it. */
  private readonly bom: number;

  constructor(text: string) {
    this.text = text;
    this.bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    const starts = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    this.starts = starts;
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** 1-based line and column of an offset; out-of-range offsets are clamped to the text. */
  position(offset: number): Position {
    const off = Math.max(0, Math.min(Math.trunc(offset) || 0, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= off) lo = mid;
      else hi = mid - 1;
    }
    const line = lo + 1;
    const start = this.contentStart(line);
    // An offset inside a \r\n pair still reports the line end, not a column past it.
    const column = Math.max(0, Math.min(off, this.lineEnd(line)) - start) + 1;
    return { line, column };
  }

  /** Exact range of a span: the end is the position of `span.end` (exclusive, SARIF-style). */
  range(span: Span): Range {
    const s = this.position(span.start);
    const e = this.position(Math.max(span.start, span.end));
    return { line: s.line, column: s.column, endLine: e.line, endColumn: e.column };
  }

  /**
   * Range for showing to people: a span that stops right after a line break ends on the line it covers,
   * not at column 1 of the next one.
   */
  displayRange(span: Span): Range {
    const r = this.range(span);
    if (span.end > span.start && r.endLine > r.line && r.endColumn === 1) {
      const endLine = r.endLine - 1;
      return { line: r.line, column: r.column, endLine, endColumn: this.lineEnd(endLine) - this.contentStart(endLine) + 1 };
    }
    return r;
  }

  /** Offset where line `line` (1-based) starts. */
  lineStart(line: number): number {
    return this.starts[this.clampLine(line) - 1]!;
  }

  /** Offset just past the line's content, before its \n or \r\n. */
  lineEnd(line: number): number {
    const l = this.clampLine(line);
    let end = l < this.starts.length ? this.starts[l]! - 1 : this.text.length;
    if (end > this.starts[l - 1]! && this.text.charCodeAt(end - 1) === 13 && l < this.starts.length) end--;
    return end;
  }

  /** The line's text without its line break (and without a leading BOM on line 1). */
  lineText(line: number): string {
    return this.text.slice(this.contentStart(line), this.lineEnd(line));
  }

  private contentStart(line: number): number {
    const l = this.clampLine(line);
    return l === 1 ? Math.min(this.bom, this.lineEnd(1)) : this.starts[l - 1]!;
  }

  private clampLine(line: number): number {
    return Math.max(1, Math.min(Math.trunc(line) || 1, this.starts.length));
  }
}
