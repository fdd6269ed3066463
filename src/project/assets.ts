// Front-end asset builds a Python app ships (package.json with a build script and a bundler): the package manager and
// lock for an exact install, the build command, where the output goes (read from the bundler's config or the build
// command's flags), and the Node major to build with. Text only; bounded to shallow package.json files.
import { parseShell } from '../dockerfile/shell.js';
import { projectDockerfiles, projectFact, type Project, type ProjectDockerfile } from './model.js';

/** The Dockerfiles an asset build is read from: the first ten, up to three folders deep. */
const shallowDockerfiles = (p: Project): ProjectDockerfile[] => projectDockerfiles(p).filter((d) => d.path.split('/').length <= 4).slice(0, 10);

export type NodeManager = 'npm' | 'yarn' | 'pnpm' | 'bun';

export interface AssetBuild {
  /** Root-relative directory of package.json ('' = the root). */
  dir: string;
  manager: NodeManager;
  /** The lock file beside package.json, if any (without one the install is not reproducible). */
  lock?: string;
  /** The lockfile-exact install, shell form. */
  install: string;
  /** The build, shell form (`npm run build`); undefined when package.json has no build script. */
  build?: string;
  /** The bundlers and CSS tools it uses (rollup, vite, esbuild, webpack, tailwindcss, postcss, gulp…). */
  bundlers: string[];
  /** Root-relative directories the build writes, with where that was read. Empty: unknown. */
  outputs: { path: string; evidence: string }[];
  node: { major: string; evidence: string };
  /** `package.json:line` of the build script (or of the file). */
  at: string;
}

/** Node's current LTS line (Active LTS until October 2026, maintained until April 2028). */
export const NODE_LTS = '24';
const BUNDLERS = ['rollup', 'vite', 'webpack', 'esbuild', 'parcel', 'gulp', 'tailwindcss', '@tailwindcss/cli', 'postcss-cli', 'sass', 'react-scripts', '@rspack/cli', 'rspack', 'tsup'];

const join = (dir: string, rel: string): string => {
  const parts = dir ? dir.split('/') : [];
  for (const seg of rel.replace(/^\.\//, '').split('/')) {
    if (seg === '..') parts.pop();
    else if (seg !== '.' && seg !== '') parts.push(seg);
  }
  return parts.join('/');
};
const dirname = (p: string): string => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
const lineOf = (text: string, i: number): number => (i < 0 ? 1 : text.slice(0, i).split('\n').length);

/** The commands a package.json script runs, `npm run X` / `yarn X` followed into the other scripts (bounded). */
function expand(scripts: Record<string, string>, name: string, depth = 0): string[][] {
  const body = scripts[name];
  if (body === undefined || depth > 3) return [];
  let script;
  try {
    script = parseShell(body);
  } catch {
    return [];
  }
  const out: string[][] = [];
  for (const c of script.commands) {
    const a = c.argv.map((w) => w.value);
    const run = (a[0] === 'npm' || a[0] === 'pnpm' || a[0] === 'bun') && (a[1] === 'run' || a[1] === 'run-script') ? a[2]
      : a[0] === 'yarn' && a[1] && scripts[a[1] === 'run' ? a[2]! : a[1]] !== undefined ? (a[1] === 'run' ? a[2] : a[1]) : undefined;
    if (run && scripts[run] !== undefined) out.push(...expand(scripts, run, depth + 1));
    else out.push(a);
  }
  return out;
}

/** Output directories a command's flags name: `-o`/`--output`/`--outdir`/`--outfile`/`--dist-dir`. */
function flagOutputs(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const m = /^--(outdir|outfile|out-dir|out-file|dist-dir|output)=(.+)$/.exec(a);
    if (m) out.push(/file|output/.test(m[1]!) && /\.\w+$/.test(m[2]!) ? dirname(m[2]!) : m[2]!);
    else if ((a === '-o' || a === '--output' || a === '--outdir' || a === '--outfile' || a === '--out-dir' || a === '--dist-dir' || a === '-d') && argv[i + 1]) {
      const v = argv[++i]!;
      out.push(/\.\w+$/.test(v) ? dirname(v) : v);
    }
  }
  return out.filter((o) => o !== '' && !o.includes('$'));
}

const PATH_VALUE = String.raw`(?:path\.(?:resolve|join)\(\s*__dirname\s*,\s*)?["'\`]([^"'\`$]+)["'\`]`;

/** Output paths a bundler config file names (rollup output.file/dir, vite build.outDir, webpack output.path, esbuild outdir/outfile). */
function configOutputs(p: Project, dir: string): { path: string; evidence: string }[] {
  const out: { path: string; evidence: string }[] = [];
  const files = p.find((f) => dirname(f) === dir && /^(rollup|vite|webpack|esbuild|rspack)\.config\.[cm]?[jt]s$|^esbuild\.[\w.]*[cm]?js$/.test(f.slice(f.lastIndexOf('/') + 1)));
  for (const f of files) {
    const text = p.textOf(f);
    const base = f.slice(f.lastIndexOf('/') + 1);
    const keys = base.startsWith('vite') ? ['outDir'] : base.startsWith('rollup') ? ['file', 'dir'] : base.startsWith('webpack') || base.startsWith('rspack') ? ['path'] : ['outdir', 'outfile'];
    for (const k of keys) {
      for (const m of text.matchAll(new RegExp(String.raw`\b${k}\s*:\s*${PATH_VALUE}`, 'g'))) {
        const v = m[1]!;
        out.push({ path: join(dir, k === 'file' || k === 'outfile' ? dirname(v) : v), evidence: `${f}:${lineOf(text, m.index!)} ${k}: ${v}` });
      }
    }
    if (base.startsWith('vite') && keys.every((k) => !new RegExp(`\\b${k}\\s*:`).test(text))) out.push({ path: join(dir, 'dist'), evidence: `${f}: Vite's default outDir dist` });
  }
  return out;
}

function nodeMajor(p: Project, dir: string, pkg: Record<string, unknown>): { major: string; evidence: string } {
  for (const d of [...new Set([dir, ''])]) {
    for (const f of ['.nvmrc', '.node-version']) {
      const path = d ? `${d}/${f}` : f;
      const m = /^\s*v?(\d+)/.exec(p.file(path)?.text ?? '');
      if (m) return { major: m[1]!, evidence: `${path}:1 ${m[0].trim()}` };
    }
  }
  const engine = (pkg.engines as Record<string, string> | undefined)?.node;
  const em = engine ? /(\d+)/.exec(engine) : null;
  const at = p.textOf(dir ? `${dir}/package.json` : 'package.json').search(/"engines"/);
  if (em) return { major: em[1]!, evidence: `${dir ? `${dir}/` : ''}package.json:${lineOf(p.textOf(dir ? `${dir}/package.json` : 'package.json'), at)} engines.node ${engine}` };
  for (const { path: f, text } of shallowDockerfiles(p)) {
    const m = /^FROM\s+(?:--platform=\S+\s+)?(?:docker\.io\/)?(?:library\/)?node:(\d+)/im.exec(text);
    if (m) return { major: m[1]!, evidence: `${f}:${lineOf(text, m.index)} FROM node:${m[1]}` };
  }
  return { major: NODE_LTS, evidence: `default: Node ${NODE_LTS}, the current LTS line (no .nvmrc, .node-version, engines.node or node image)` };
}

/** Where an existing Dockerfile copies a node stage's output to: `COPY --from=node-build /app/static static/`. */
function dockerfileOutputs(p: Project): { path: string; evidence: string }[] {
  const out: { path: string; evidence: string }[] = [];
  for (const { path: f, text, parsed } of shallowDockerfiles(p)) {
    const df = parsed();
    if (!df) continue;
    const nodeStages = df.stages.filter((s) => /(^|\/)(node|bun)$/.test(s.base.repository ?? ''));
    for (const instr of df.instructions) {
      if (instr.keyword !== 'COPY') continue;
      const from = instr.flags.find((fl) => fl.name === 'from')?.value;
      const stage = nodeStages.find((s) => s.name === from || String(s.index) === from);
      if (!stage) continue;
      const words = instr.words.map((w) => w.value);
      const src = words[0];
      const workdir = stage.instructions.filter((i) => i.keyword === 'WORKDIR').pop()?.args.trim();
      if (!src || src.includes('$')) continue;
      let rel = src;
      if (workdir && src.startsWith(workdir + '/')) rel = src.slice(workdir.length + 1);
      else if (src.startsWith('/')) rel = src.replace(/^\/(app|src|usr\/src\/app|code)\//, '');
      out.push({ path: rel.replace(/\/+$/, ''), evidence: `${f}:${lineOf(text, instr.span.start)} COPY --from=${from} ${src}` });
    }
  }
  return out;
}

function managerOf(p: Project, dir: string): { manager: NodeManager; lock?: string; install: string } {
  const has = (f: string): boolean => p.file(dir ? `${dir}/${f}` : f) !== undefined;
  if (has('bun.lock') || has('bun.lockb')) return { manager: 'bun', lock: has('bun.lock') ? 'bun.lock' : 'bun.lockb', install: 'bun install --frozen-lockfile' };
  if (has('pnpm-lock.yaml')) return { manager: 'pnpm', lock: 'pnpm-lock.yaml', install: 'corepack enable && pnpm install --frozen-lockfile' };
  if (has('yarn.lock')) {
    return has('.yarnrc.yml')
      ? { manager: 'yarn', lock: 'yarn.lock', install: 'corepack enable && yarn install --immutable' }
      : { manager: 'yarn', lock: 'yarn.lock', install: 'yarn install --frozen-lockfile' };
  }
  if (has('package-lock.json') || has('npm-shrinkwrap.json')) return { manager: 'npm', lock: has('package-lock.json') ? 'package-lock.json' : 'npm-shrinkwrap.json', install: 'npm ci' };
  return { manager: 'npm', install: 'npm install' };
}

/** Asset builds of the project: each shallow package.json with a build script, a bundler or runtime dependencies. */
export const detectAssets = projectFact((p: Project): AssetBuild[] => {
  const out: AssetBuild[] = [];
  const fromDockerfile = dockerfileOutputs(p);
  for (const f of p.find((x) => x.endsWith('package.json') && (x === 'package.json' || x.endsWith('/package.json')) && x.split('/').length <= 4 && !/(^|\/)(docs?|tests?|e2e)\//.test(x)).slice(0, 6)) {
    const text = p.textOf(f);
    let pkg: Record<string, unknown>;
    try {
      pkg = JSON.parse(text) as Record<string, unknown>;
    } catch {
      continue;
    }
    const dir = dirname(f);
    const scripts = (pkg.scripts ?? {}) as Record<string, string>;
    const deps = Object.keys({ ...(pkg.dependencies as object ?? {}), ...(pkg.devDependencies as object ?? {}) });
    const buildName = scripts.build !== undefined ? 'build' : Object.keys(scripts).find((k) => /^build(:prod(uction)?)?$/.test(k));
    const commands = buildName ? expand(scripts, buildName) : [];
    const bundlers = BUNDLERS.filter((b) => deps.includes(b) || commands.some((c) => c[0] === b || c[0] === `${b}.js`));
    // front-end packages installed for the app to serve from node_modules (django-npm…) are reported too
    if (!buildName && bundlers.length === 0 && Object.keys(pkg.dependencies ?? {}).length === 0) continue;
    const m = managerOf(p, dir);
    const outputs = [...commands.flatMap((c) => flagOutputs(c).map((o) => ({ path: join(dir, o), evidence: `${f}:${lineOf(text, text.indexOf(o))} ${c.join(' ')}` }))), ...configOutputs(p, dir)];
    if (commands.some((c) => c[0] === 'react-scripts' && c[1] === 'build')) outputs.push({ path: join(dir, 'build'), evidence: `${f}: react-scripts build writes build/` });
    // an existing Dockerfile's asset stage says where the output goes when the bundler's config does not
    if (outputs.length === 0) outputs.push(...fromDockerfile);
    const run = m.manager === 'npm' ? 'npm run' : m.manager === 'yarn' ? 'yarn' : `${m.manager} run`;
    const at = buildName ? `${f}:${lineOf(text, text.indexOf(`"${buildName}"`))}` : `${f}:1`;
    // an output inside the package directory or beside it; several build steps writing into one folder count once
    const kept = outputs.filter((o) => o.path !== '' && !o.path.startsWith('node_modules') && !o.path.startsWith('..'));
    const uniq = [...new Map(kept.filter((o) => !kept.some((x) => o.path.startsWith(`${x.path}/`))).map((o) => [o.path, o])).values()];
    out.push({ dir, ...m, build: buildName ? `${run} ${buildName}` : undefined, bundlers, outputs: uniq, node: nodeMajor(p, dir, pkg), at });
  }
  return out;
});
