// Project files pyship reads loosely (by pattern) while their own tools parse them strictly: .dockerignore files,
// pre-commit configs, lock files. A broken one is reported (DF026) at its line instead of being read as if it were fine.
import { parseDockerignore } from './dockerignore.js';
import { projectFact, type Project, type FileProblem } from './model.js';
import { detectPython } from './python.js';
import { tomlParse } from './toml.js';
import { yaml } from './yaml.js';

const IGNORE_FILE = /(^|\/)([^/]*\.)?dockerignore$/;
const PRE_COMMIT = ['.pre-commit-config.yaml', '.pre-commit-config.yml'];

/** The first error of a YAML file, without the position the finding shows anyway. */
function yamlProblem(file: string, text: string): FileProblem | undefined {
  const err = yaml().parseAllDocuments(text, { uniqueKeys: false, prettyErrors: false }) as unknown;
  const docs = (Array.isArray(err) ? err : [err]) as { errors: { pos: [number, number]; message: string }[] }[];
  const first = docs.flatMap((d) => d.errors)[0];
  if (!first) return undefined;
  const message = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return { file, span: { start: first.pos[0], end: Math.max(first.pos[0], first.pos[1]) }, message: `invalid YAML: ${message}` };
}

/** Pipfile.lock is JSON: V8 names the offset of the error. */
function jsonProblem(file: string, text: string): FileProblem | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    const msg = (e as Error).message;
    const at = Math.min(Number(/at position (\d+)/.exec(msg)?.[1] ?? text.length), text.length);
    return { file, span: { start: at, end: at }, message: `invalid JSON: ${msg.replace(/ in JSON at position \d+.*$/s, '')}` };
  }
}

export const brokenFileProblems = projectFact((project: Project): FileProblem[] => {
  const out: FileProblem[] = [];
  for (const path of project.find((p) => IGNORE_FILE.test(p))) {
    const text = project.file(path)?.text;
    if (text === undefined) continue;
    for (const p of parseDockerignore(text).problems) out.push({ file: path, span: p.span, message: p.message });
  }
  for (const path of PRE_COMMIT) {
    const text = project.file(path)?.text;
    const p = text === undefined ? undefined : yamlProblem(path, text);
    if (p) out.push({ ...p, message: `${p.message}: pre-commit cannot run its hooks` });
  }
  for (const path of detectPython(project).lockFiles) {
    const text = project.file(path)?.text;
    if (text === undefined) continue;
    const name = path.split('/').pop()!;
    const p = name === 'Pipfile.lock' ? jsonProblem(path, text) : name.endsWith('.yml') ? yamlProblem(path, text) : tomlParse(text, path).problem;
    if (p) out.push({ ...p, message: `${p.message}: the lock file cannot be installed from; regenerate it with its tool` });
  }
  return out;
});
