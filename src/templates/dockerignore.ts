// The generated .dockerignore: keeps local state, caches, secrets and VCS data out of the build context, and never a
// file the build needs (the lock files, what pyproject.toml's `readme` names, the server config).
import type { TemplateSpec } from './spec.js';

const ALWAYS = [
  '# version control and CI', '.git', '.github', '.gitlab-ci.yml', '',
  '# virtualenvs, caches and build output', '.venv', 'venv', 'env', '**/__pycache__', '**/*.py[cod]', '.pytest_cache', '.mypy_cache',
  '.ruff_cache', '.tox', '.nox', '.coverage', 'htmlcov', 'build', 'dist', '*.egg-info', 'node_modules', '',
  '# local secrets and settings', '.env', '.env.*', '*.pem', '*.key', '.secrets', '',
  '# editors and OS files', '.vscode', '.idea', '*.swp', '.DS_Store', '',
  '# the image does not need its own recipe', 'Dockerfile', '.dockerignore', 'compose.yaml', 'docker-compose*.yml', 'k8s',
];

/** `needs`: context-relative files the build reads (kept even if a pattern above would drop them). */
export function dockerignore(s: TemplateSpec, needs: string[]): string {
  const lines = ['# Written by pyship init: what `docker build` does not send. Keep the files the build needs.', ...ALWAYS];
  // `node_modules` matches only at the top: the asset stage installs its own, a local one anywhere would overwrite it
  if (s.assets) lines.push('', '# front-end dependencies: the asset stage installs its own', '**/node_modules');
  const keep = [...new Set([...needs, ...(s.serverConfig ? [s.serverConfig] : [])])]
    .filter((f) => /^(build|dist|env|venv)(\/|$)|\.egg-info/.test(f));
  if (keep.length > 0) lines.push('', '# needed by the build', ...keep.map((f) => `!${f}`));
  return `${lines.join('\n')}\n`;
}
