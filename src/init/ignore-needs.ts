// The files pyship's generated Dockerfile needs from the build context, and which of them a .dockerignore the project
// keeps would leave out (an allow-list starting with `*` drops the server config init adds): then the generated
// Dockerfile gets its own `<Dockerfile>.dockerignore`, which BuildKit reads for it instead of the context's.
import { parseDockerignore } from '../project/dockerignore.js';
import type { GeneratedFile, InitSpec } from './types.js';

export interface Need {
  /** Context-relative POSIX path. */
  path: string;
  why: string;
}

const clean = (p: string): string => p.replace(/^(\.\/)+/, '').replace(/\/+$/, '');

/** COPY/ADD sources from the build context in a Dockerfile text (no `--from`, no URL, no glob, not the whole context). */
function copiedSources(text: string): string[] {
  const out: string[] = [];
  for (const m of text.replace(/\\\r?\n/g, ' ').matchAll(/^\s*(?:COPY|ADD)\s+(.+)$/gim)) {
    if (/--from=/.test(m[1]!)) continue;
    const args = m[1]!.replace(/--\S+/g, '').trim();
    let words: string[];
    try {
      words = args.startsWith('[') ? JSON.parse(args) as string[] : args.split(/\s+/);
    } catch {
      continue;
    }
    for (const src of words.slice(0, -1)) {
      const c = clean(src);
      if (c && c !== '.' && !/[*?[$]|^[a-z][\w+.-]*:\/\//i.test(c)) out.push(c);
    }
  }
  return out;
}

/** Every context file the generated Dockerfile copies or its CMD reads, with why. */
export function neededFiles(spec: InitSpec, files: GeneratedFile[]): Need[] {
  const df = files.find((f) => f.path === (spec.dockerfile ?? 'Dockerfile'));
  const out: Need[] = [];
  for (const f of files) if (f.forDockerfile === 'its CMD reads it') out.push({ path: f.path, why: 'the generated CMD reads it' });
  if (spec.appModule) out.push({ path: spec.appModule.path, why: 'the generated image starts the app from it' });
  for (const d of spec.deps.files) out.push({ path: d, why: 'the build installs the dependencies from it' });
  if (df) for (const s of copiedSources(df.text)) out.push({ path: s, why: 'the generated Dockerfile copies it' });
  if (spec.app?.file) out.push({ path: spec.app.file, why: 'the app the image serves is defined there' });
  if (spec.django?.manage) out.push({ path: clean(spec.django.manage), why: 'every Django command of the image runs it' });
  const seen = new Set<string>();
  return out.filter((n) => !seen.has(n.path) && seen.add(n.path) !== undefined);
}

/** The needed files a .dockerignore text leaves out of the build context (Docker's matching), with the pattern that does. */
export function excludedNeeds(ignoreText: string, needs: Need[]): (Need & { pattern?: string })[] {
  const di = parseDockerignore(ignoreText);
  return needs.filter((n) => di.ignores(n.path)).map((n) => {
    const e = di.decidedBy(n.path);
    return e ? { ...n, pattern: `${e.pattern}${e.line ? ` (line ${e.line})` : ''}` } : n;
  });
}
