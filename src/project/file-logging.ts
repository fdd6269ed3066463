// Python code that logs to files instead of the container's stdout: `logging.basicConfig(filename=…)` and file handlers.
import { projectFact, type Project } from './model.js';
import type { FileLogging } from './runtime-model.js';
import { callArgs } from './py/source.js';

const TEST_OR_VENV = /(^|\/)(tests?|testing|venv|\.venv|env|site-packages|node_modules|\.tox|\.nox|build|dist)(\/|$)/;

/** Python code that logs to files: `logging.basicConfig(filename=…)` and file handlers, outside tests and venvs. */
export const fileLogging = projectFact((p: Project): FileLogging[] => {
  const out: FileLogging[] = [];
  for (const path of p.find((f) => f.endsWith('.py') && !TEST_OR_VENV.test(f) && !/(^|\/)(test_[^/]*|[^/]*_test|conftest|setup|noxfile)\.py$/.test(f))) {
    const f = p.file(path);
    if (!f || !/basicConfig|FileHandler\(/.test(f.text)) continue;
    const alsoStream = /\bStreamHandler\s*\(/.test(f.text) ||
      [...f.text.matchAll(/\blogging\.basicConfig\s*\(/g)].some((m) => !/\bfilename\s*=\s*(?!None\b)/.test(argsText(f.text, m.index! + m[0].length)));
    const re = /\blogging\.basicConfig\s*\(|\b(?:logging\.(?:handlers\.)?|handlers\.)?((?:Timed)?RotatingFileHandler|WatchedFileHandler|FileHandler)\s*\(/g;
    for (const m of f.text.matchAll(re)) {
      const lineStart = f.text.lastIndexOf('\n', m.index!) + 1;
      const before = f.text.slice(lineStart, m.index);
      if (before.includes('#') || /^\s*(def|class|import|from)\b/.test(before)) continue;
      // inside a string or docstring? skip lines that start quoted text
      if ((before.match(/["']/g) ?? []).length % 2 === 1) continue;
      if (m[0].includes('basicConfig')) {
        const args = argsText(f.text, m.index! + m[0].length);
        const fn = /\bfilename\s*=\s*([^,)]+)/.exec(args);
        if (!fn || /^None\b/.test(fn[1]!.trim())) continue;
        out.push({ file: path, span: { start: m.index!, end: m.index! + m[0].length - 1 }, what: 'logging.basicConfig(filename=…)', alsoStream });
      } else {
        // `StreamHandler` subclasses are fine; a class named FooFileHandler isn't matched thanks to \b
        const prev = f.text[m.index! - 1];
        if (prev && /[\w]/.test(prev)) continue;
        out.push({ file: path, span: { start: m.index!, end: m.index! + m[0].length - 1 }, what: `${m[1]}(…)`, alsoStream });
      }
    }
  }
  return out;
});

/** The text of a call's arguments, the call's `(` just before `from` (the start of the rest when it never closes). */
function argsText(text: string, from: number): string {
  return callArgs(text, from - 1)?.args.join(', ') ?? text.slice(from, from + 2000);
}
