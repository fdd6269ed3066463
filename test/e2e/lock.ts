// e2e helper: lock an app's requirements.in against a stand-in image's wheelhouse, as
// `pip-compile --generate-hashes` would against an index. The closure of the .in names is resolved by pip itself in
// the image (`pip install --dry-run --report`, reading each wheel's METADATA Requires-Dist with the image's Python and
// markers); the hashes are sha256sum of the wheels in that image's /opt/wheelhouse (one container per image, cached).
// Nothing here reaches a registry: the stand-ins have `no-index` + `find-links` and the containers run --network none.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const docker = process.env.PYSHIP_DOCKER || 'docker';

export interface Wheel {
  file: string;
  /** Name as the wheel file spells it (e.g. Flask, typing_extensions). */
  name: string;
  version: string;
  sha256: string;
}

export interface Pin {
  name: string;
  version: string;
  sha256: string;
}

/** PEP 503 normalized name. */
const norm = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');

function run(args: string[], input?: string): string {
  const r = spawnSync(docker, args, { encoding: 'utf8', input, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${docker} ${args.join(' ')} failed (exit ${r.status ?? r.signal}): ${(r.stderr ?? '').slice(-2000)}`);
  return r.stdout;
}

const wheelhouses = new Map<string, Map<string, Wheel>>();

/** Every wheel of the image's /opt/wheelhouse by normalized name, with its sha256 (one container per image). */
export function wheelhouse(image: string): Map<string, Wheel> {
  const cached = wheelhouses.get(image);
  if (cached) return cached;
  const out = run(['run', '--rm', '--network', 'none', image, 'sh', '-c', 'cd /opt/wheelhouse && sha256sum -- *.whl']);
  const wheels = new Map<string, Wheel>();
  for (const line of out.split('\n')) {
    const m = /^([0-9a-f]{64})\s+\*?(([^-]+)-([^-]+)-[^/]+\.whl)$/.exec(line.trim());
    if (!m) continue;
    const wheel = { sha256: m[1]!, file: m[2]!, name: m[3]!, version: m[4]! };
    if (wheels.has(norm(wheel.name))) throw new Error(`${image}: two wheels of ${wheel.name} in /opt/wheelhouse`);
    wheels.set(norm(wheel.name), wheel);
  }
  if (wheels.size === 0) throw new Error(`${image}: no wheels in /opt/wheelhouse`);
  wheelhouses.set(image, wheels);
  return wheels;
}

const closures = new Map<string, { name: string; version: string }[]>();

/** The distributions pip installs for `requirements` in the image (the full closure, dependencies included). */
export function resolveClosure(image: string, requirements: string[]): { name: string; version: string }[] {
  const key = `${image}\n${[...requirements].sort().join('\n')}`;
  const cached = closures.get(key);
  if (cached) return cached;
  if (requirements.length === 0) return [];
  const out = run(['run', '--rm', '--network', 'none', image,
    'pip', 'install', '--dry-run', '--ignore-installed', '--quiet', '--report', '-', ...requirements]);
  const report = JSON.parse(out) as { install: { metadata: { name: string; version: string }; download_info: { url: string } }[] };
  const closure = report.install
    .map((i) => ({ name: i.metadata.name, version: i.metadata.version, url: i.download_info.url }))
    .map(({ name, version, url }) => {
      if (!url.startsWith('file:///opt/wheelhouse/')) throw new Error(`${image}: pip would install ${name} from ${url}, not the wheelhouse`);
      return { name, version };
    })
    .sort((a, b) => norm(a.name).localeCompare(norm(b.name)));
  closures.set(key, closure);
  return closure;
}

/** Names of a requirements.in (comments and blank lines dropped; extras and markers kept as pip reads them). */
export function readIn(text: string): string[] {
  return text.split('\n').map((l) => l.replace(/(^|\s)#.*$/, '').trim()).filter(Boolean);
}

/** Each distribution of the closure pinned with the sha256 of its wheel in the image. */
export function pins(image: string, requirements: string[]): Pin[] {
  const wheels = wheelhouse(image);
  return resolveClosure(image, requirements).map(({ name, version }) => {
    const w = wheels.get(norm(name));
    if (!w) throw new Error(`${image}: no wheel of ${name} in /opt/wheelhouse`);
    if (w.version !== version) throw new Error(`${image}: pip resolved ${name} ${version}, the wheelhouse has ${w.file}`);
    return { name: norm(name), version, sha256: w.sha256 };
  });
}

/** requirements.txt text in pip-compile's layout: `name==version \` + `--hash=sha256:…`, sorted by name. */
export function lockText(image: string, inFile: string, requirements: string[]): string {
  const head = [
    '#',
    `# Locked by test/e2e/lock.ts from ${inFile} against the wheelhouse of ${image}`,
    '# (what `pip-compile --generate-hashes` writes; the hashes are those of the stand-in wheels)',
    '#',
  ];
  const body = pins(image, requirements).map((p) => `${p.name}==${p.version} \\\n    --hash=sha256:${p.sha256}`);
  return `${[...head, ...body].join('\n')}\n`;
}

/** Write DIR/requirements.txt from DIR/requirements.in for the image; returns the pins. */
export function writeLock(dir: string, image: string): Pin[] {
  const requirements = readIn(readFileSync(join(dir, 'requirements.in'), 'utf8'));
  writeFileSync(join(dir, 'requirements.txt'), lockText(image, 'requirements.in', requirements));
  return pins(image, requirements);
}
