// The project's .dockerignore files that Docker would refuse, as DF026 problems: one bad line fails every build of
// its context, while pyship keeps judging the other lines.
import { parseDockerignore } from './dockerignore.js';
import { projectFact, type Project } from './project.js';

export interface DockerignoreFileProblem {
  file: string;
  span: { start: number; end: number };
  message: string;
}

const IGNORE_FILE = /(^|\/)([^/]*\.)?dockerignore$/;

export const dockerignoreProblems = projectFact((project: Project): DockerignoreFileProblem[] => {
  const out: DockerignoreFileProblem[] = [];
  for (const path of project.find((p) => IGNORE_FILE.test(p))) {
    const text = project.file(path)?.text;
    if (text === undefined) continue;
    for (const p of parseDockerignore(text).problems) out.push({ file: path, span: p.span, message: p.message });
  }
  return out;
});
