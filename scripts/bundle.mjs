// `npm run build`, second step: the CLI as a few ES modules (dist/bundle/) instead of ~180, so a cold `pyship check`
// loads one file for the rules and the linter (lazy commands — init, build, smoke, audit, plan — stay separate
// chunks). npm packages stay external. The version is inlined: the bundle does not sit where package.json is expected.
// Third step: the commands that start eagerly (check, explain, rules, --help) once more as one classic script,
// chunks/cli-script.js, which bin/pyship.js compiles with a V8 code cache (see there): Node.js 20 caches no compiled
// ES modules, and parsing the bundle is most of a cold start. The npm packages it imports are bundled in, so their
// compiled code is cached too (a classic script could not load the ES-module-only ones from node_modules anyway);
// those loaded with createRequire on first use (yaml, @balena/dockerignore) still come from node_modules.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
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

// The lazily loaded commands run from the ES modules above: here they are left out (the script's first line lists them).
const LAZY = ['plan', 'build', 'smoke', 'audit', 'init', 'completion'];
const lazyCommands = {
  name: 'lazy-commands',
  setup(b) {
    b.onResolve({ filter: new RegExp(`/commands/(${LAZY.join('|')})\\.js$`) }, (a) => ({ path: a.path, namespace: 'lazy' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (a) => ({
      contents: `throw new Error(${JSON.stringify(`${a.path} runs from the ES module bundle (see bin/pyship.js)`)});`,
      loader: 'js',
    }));
  },
};
const script = await build({
  entryPoints: [join(ROOT, 'src', 'cli.ts')],
  bundle: true,
  write: false,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  define: { __PYSHIP_VERSION__: JSON.stringify(pkg.version), 'import.meta.url': '__pyshipUrl', 'import.meta.dirname': '__dirname', 'import.meta.filename': '__filename' },
  plugins: [lazyCommands],
  logLevel: 'warning',
});
if (script.warnings.length > 0) throw new Error('the classic-script bundle must build without warnings');
const body = script.outputFiles[0].text;
// The first line names the content, which bin/pyship.js keys its code cache by (V8 itself checks only the length),
// and the commands bin/pyship.js runs from the ES modules.
const key = createHash('sha256').update(body).digest('hex').slice(0, 16);
writeFileSync(join(outdir, 'chunks', 'cli-script.js'), `// pyship-script ${key} ${LAZY.join(',')}\n"use strict";\nvar __pyshipUrl = require("node:url").pathToFileURL(__filename).href;\n${body}`);
