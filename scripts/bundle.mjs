// `npm run build`, second step: the CLI as a few ES modules (dist/bundle/) instead of ~180, so a cold `pyship check`
// loads one file for the rules and the linter (lazy commands — init, build, smoke, audit, plan — stay separate
// chunks). npm packages stay external. The version is inlined: the bundle does not sit where package.json is expected.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const ROOT = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const outdir = join(ROOT, 'dist', 'bundle');
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(ROOT, 'src', 'cli.ts')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  define: { __PYSHIP_VERSION__: JSON.stringify(pkg.version) },
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
