// .github/dependabot.yml: monthly update PRs for the Python dependencies, the asset build's, the base image and the CI actions.
import type { TemplateSpec } from './spec.js';

const ECOSYSTEM: Record<TemplateSpec['manager'], string> = {
  pip: 'pip', 'pip-tools': 'pip', poetry: 'pip', pipenv: 'pip', pdm: 'pip', uv: 'uv', conda: 'conda',
};

/** `sub`: the project directory below the repository root ('' when it is the root), where the manifests are. */
export function dependabot(s: TemplateSpec, sub = ''): string {
  const entries: string[] = [];
  const add = (eco: string, comment?: string, directory = '/'): void => {
    if (comment) entries.push(`  # ${comment}`);
    const dir = eco === 'github-actions' ? '/' : sub ? `/${sub}${directory === '/' ? '' : directory}` : directory;
    entries.push(`  - package-ecosystem: ${eco}`, `    directory: ${dir}`, '    schedule:', '      interval: monthly');
    if (eco !== 'github-actions') entries.push('    open-pull-requests-limit: 10');
  };
  const eco = ECOSYSTEM[s.manager];
  if (eco) add(eco, s.manager === 'conda' ? 'the conda environment' : 'the locked Python dependencies');
  if (s.assets) add(s.assets.image.startsWith('oven/bun') ? 'bun' : 'npm', 'the locked front-end dependencies of the asset build', `/${s.assets.dir}`);
  add('docker', 'the base images in the Dockerfile');
  if (s.ci === 'github') add('github-actions', 'the actions the workflows use');
  return `# Written by pyship init: update PRs that bring security fixes to you.\nversion: 2\nupdates:\n${entries.join('\n')}\n`;
}
