// Which Python the image runs, which official tag carries it, and which tool versions still run on it: the project's
// own pin first, else the newest minor its constraints and pins allow (capped at the newest released before the lock
// was last changed), on the newest Debian release that has an image for it. Every step leaves its evidence.
import type { PythonFacts } from '../project/python.js';
import type { Project } from '../project/model.js';
import { debianFor, endOfLife, minorNumber, PYTHON_RELEASES, pythonRelease, releasedBy, tagExists, type Codename } from '../project/python-releases.js';
import { pythonSupport } from '../project/python-support.js';
import { allowedMinors, pythonFromConstraint } from './python-version.js';
import { DEFAULT_PYTHON, InitError, type InitOptions } from './types.js';
import { TOOLS } from '../templates/spec.js';

export interface PythonChoice {
  version: string;
  /** The file (or `--python`, `default: …`) that chose it, for the summary. */
  source: string;
  /** Everything that went into the choice, `path:line what` or `default: why`. */
  evidence: string[];
  /** The newest minor the hard constraints and the pins allow (what an upgrade can reach). */
  newest: string;
  image: string;
  codename: Codename;
  imageEvidence: string[];
  /** Tool versions that differ from TOOLS because the chosen Python is too old for them. */
  tools: Partial<Record<'poetry' | 'pipenv' | 'pdm', string>>;
  notes: string[];
  /** Those of `notes` about the generated image's Python alone. */
  imageNotes: string[];
}

const today = (): string => new Date().toISOString().slice(0, 10);
const maxMinor = (xs: string[]): string | undefined => xs.sort((a, b) => minorNumber(a) - minorNumber(b))[xs.length - 1];

/** Hard limits on the minor: requires-python / poetry's python (ranges), an environment.yml's python (conda builds are per minor). */
function hardConstraint(py: PythonFacts): { value: string; source: string } | undefined {
  const pp = py.pyprojects.find((x) => x.requiresPython);
  if (pp) return { value: pp.requiresPython!.value, source: `${pp.path} requires-python = "${pp.requiresPython!.value}"` };
  const po = py.pyprojects.find((x) => x.poetry?.python);
  if (po) return { value: po.poetry!.python!, source: `${po.path} [tool.poetry.dependencies] python = "${po.poetry!.python}"` };
  const env = py.condaEnvs.find((x) => x.python);
  if (env) return { value: env.python!, source: `${env.path} python=${env.python}` };
  return undefined;
}

/**
 * Tool versions that still run on an old Python (the tools are installed with the image's own interpreter). Sources:
 * Poetry 2.0 needs 3.9, 1.8 was the last for 3.8, 1.5 the last for 3.7 (1.6 dropped it), 1.1 the last for 3.6 (its
 * release notes); pipenv 2023.10.20 dropped 3.7 (release notes, pypa/pipenv#5879) and 2022.4.8 is the last for 3.6
 * (pypa/pipenv#5406); pdm 2.x needs 3.8, and 2.22 still runs on it.
 */
export function toolVersionsFor(version: string): { tools: PythonChoice['tools']; notes: string[] } {
  const minor = minorNumber(version);
  const tools: PythonChoice['tools'] = {};
  const notes: string[] = [];
  if (minor < 9) tools.poetry = minor >= 8 ? '1.8.5' : minor === 7 ? '1.5.1' : '1.1.15';
  if (minor < 8) tools.pipenv = minor === 7 ? '2023.10.3' : '2022.4.8';
  if (minor < 8) notes.push(`pdm and uv do not run on Python ${version} (pdm 2 needs 3.8, uv manages 3.8 and later): use pip, poetry or pipenv, or move to a newer Python`);
  return { tools, notes };
}

export function choosePython(p: Project, py: PythonFacts, manager: string, opts: Pick<InitOptions, 'python' | 'debian' | 'baseImage' | 'digest'>, now = today()): PythonChoice {
  const support = pythonSupport(p);
  const evidence: string[] = [];
  const notes: string[] = [];
  // a note about the generated image alone is also kept apart, to be left out when the project's Dockerfile is kept
  const imageNotes: string[] = [];
  const imageNote = (t: string): void => void (notes.push(t), imageNotes.push(t));
  // every minor in the table was released when it was last checked (TABLE_DATE): not filtered by the clock, so a
  // machine with a wrong date still gets the same choice
  const released = PYTHON_RELEASES.map((r) => r.minor);
  const hard = hardConstraint(py);
  let allowed = hard ? allowedMinors(hard.value).filter((m) => released.includes(m)) : released;
  if (hard && allowed.length === 0) {
    const exact = pythonFromConstraint(hard.value);
    if (exact && pythonRelease(exact)) allowed = [exact];
  }
  if (hard) evidence.push(hard.source);
  // the newest the pins allow
  let newest = maxMinor([...allowed]);
  const ceiling = support.ceiling;
  if (ceiling) {
    const under = allowed.filter((m) => minorNumber(m) <= minorNumber(ceiling.minor));
    evidence.push(...ceiling.evidence);
    if (under.length > 0) newest = maxMinor(under);
    else if (hard) notes.push(`${hard.source} asks for Python ${hard.value}, but the pins support at most ${ceiling.minor} (${ceiling.evidence[0]}): upgrade those packages`);
  }

  // loose constraints: the newest Python released before the lock was last changed (the pins were resolved for it)
  let dated: string | undefined;
  let datedNote: string | undefined;
  const era = support.lockDate
    ? { minor: maxMinor(releasedBy(support.lockDate.date).map((r) => r.minor)), evidence: support.lockDate.evidence, when: `before the lock was last changed (${support.lockDate.date})` }
    : support.lockEra ? { minor: support.lockEra.minor, evidence: support.lockEra.evidence, when: 'when the lock was resolved (its newest wheel tags)' } : undefined;
  if (era?.minor && newest) {
    const cap = maxMinor(allowed.filter((m) => minorNumber(m) <= minorNumber(era.minor!)));
    if (cap && minorNumber(cap) < minorNumber(newest)) {
      dated = `${era.evidence}; Python ${maxMinor(allowed.filter((m) => minorNumber(m) > minorNumber(cap)))} came out after, so the locked versions were resolved for ${cap} at most`;
      datedNote = `the image uses Python ${cap}, the newest released ${era.when}; the constraints allow ${newest}: update the lock and pass --python ${newest} to move`;
      newest = cap;
    }
  }

  let version: string | undefined;
  let source: string;
  if (opts.python) {
    version = /^3\.\d+$/.test(opts.python) ? opts.python : pythonFromConstraint(opts.python);
    if (!version) throw new InitError(`--python ${opts.python}: expected a version like 3.13`);
    source = '--python';
    evidence.unshift('--python');
  } else if (py.pythonVersion && !(hard && py.pythonVersion.source === hard.source.split(' ')[0])) {
    // the project's own pin (.python-version, runtime.txt, Pipfile's python_version): what it runs today
    version = pythonFromConstraint(py.pythonVersion.value);
    source = py.pythonVersion.source;
    if (!version) throw new InitError(`${source} asks for Python ${py.pythonVersion.value}, which no known version satisfies`, 'pass --python 3.X');
    evidence.unshift(`${source}: ${py.pythonVersion.value}`);
    if (ceiling && minorNumber(ceiling.minor) < minorNumber(version)) notes.push(`${source} asks for Python ${version}, but the pins support at most ${ceiling.minor} (${ceiling.evidence[0]}): installing them may build from source or fail`);
  } else {
    if (hard && allowed.length === 0) throw new InitError(`${hard.source} asks for Python ${hard.value}, which no known version satisfies`, 'pass --python 3.X');
    version = newest ?? released[released.length - 1]!;
    source = hard ? hard.source.split(' ')[0]! : ceiling ? 'the pins' : era ? 'the lock' : 'default: no .python-version, requires-python or runtime.txt';
    // nothing pinned tells which Python the dependencies have wheels for: the newest with broad wheel support
    if (!ceiling && !era && minorNumber(version) > minorNumber(DEFAULT_PYTHON) && allowed.includes(DEFAULT_PYTHON)) {
      evidence.push(`no pin or lock tells which Python its dependencies ship wheels for: ${DEFAULT_PYTHON}, the newest with broad wheel support (${version} is newer; compiled packages add its wheels over the months after its release)`);
      if (hard) imageNote(`the image uses Python ${DEFAULT_PYTHON}: the constraints allow ${version}, which is recent enough that compiled dependencies may still lack wheels for it; pass --python ${version} to move`);
      newest = version = DEFAULT_PYTHON;
    }
    if (ceiling && version === ceiling.minor) evidence.push(`newest Python ${version}: the pins support no newer one`);
    if (dated) evidence.push(dated);
    if (datedNote) imageNote(datedNote);
    if (!hard && !ceiling && !era) {
      evidence.push(`default: no .python-version, requires-python or runtime.txt, and no pin bounds Python`);
      notes.push(`the project names no Python version: the image uses ${version}, the newest with broad wheel support; pin the one you test with in .python-version (or requires-python) and run pyship init again`);
    }
  }
  newest ??= version;
  const shipped = support.shipped.filter((s) => s.minor !== version);
  if (!opts.python && shipped.length > 0 && shipped.every((s) => minorNumber(s.minor) < minorNumber(version!))) {
    imageNote(`the project's own Dockerfile builds on Python ${maxMinor(shipped.map((s) => s.minor))} (${shipped[0]!.evidence}); the generated one uses ${version}: test the app on it, or pass --python ${maxMinor(shipped.map((s) => s.minor))}`);
  }
  for (const s of support.shipped.slice(0, 2)) evidence.push(s.evidence);
  const testedMax = maxMinor(support.tested.map((t) => t.minor));
  if (testedMax) evidence.push(`newest tested: ${testedMax} (${support.tested.find((t) => t.minor === testedMax)!.evidence})`);

  // end of life: say how far the pins reach, and what holds them back
  const eol = endOfLife(version, now);
  if (eol) {
    const target = PYTHON_RELEASES.filter((r) => r.eol >= now && r.released <= now).map((r) => r.minor)[0];
    const to = target ? `${target} or newer` : 'a supported Python';
    const holders = ceiling && minorNumber(ceiling.minor) <= minorNumber(newest) ? support.bounded.filter((b) => b.minor === ceiling.minor).map((b) => `${b.name} ${b.version}`).slice(0, 4) : [];
    let upgrade: string;
    if (minorNumber(newest) > minorNumber(version) && !endOfLife(newest, now)) upgrade = `the pins allow ${newest}: pass --python ${newest}`;
    else {
      const limit = minorNumber(newest) > minorNumber(version) ? `the pins allow up to ${newest}, also past end of life` : `the pins support at most ${newest}`;
      upgrade = holders.length > 0 ? `${limit}: upgrade ${holders.join(', ')} (and what pins them) to move to ${to}` : `${limit}; move to ${to} once the app runs there`;
    }
    notes.push(`Python ${version} reached end of life on ${eol}: it gets no security fixes; ${upgrade}`);
  }

  const { codename, imageEvidence, image } = baseImage(version, manager, opts);
  const tools = toolVersionsFor(version);
  if (manager === 'uv' || manager === 'pdm') notes.push(...tools.notes);
  return { version, source, evidence, newest, image, codename, imageEvidence, tools: tools.tools, notes, imageNotes };
}

/** The base image for a version: never a tag that was not published. */
export function baseImage(version: string, manager: string, opts: Pick<InitOptions, 'debian' | 'baseImage' | 'digest'>): { image: string; codename: Codename; imageEvidence: string[] } {
  const conda = manager === 'conda';
  const evidence: string[] = [];
  let codename: Codename;
  if (opts.debian) {
    if (!conda && !tagExists(version, opts.debian)) {
      const r = pythonRelease(version);
      throw new InitError(
        `python:${version}-slim-${opts.debian} does not exist: ${r ? `Python ${version} images were published for ${r.debian.join(', ')}` : `no python image was published for ${version}`}`,
        r ? `pass --debian ${r.debian[r.debian.length - 1]} or a newer --python` : 'pass --python 3.X',
      );
    }
    codename = opts.debian as Codename;
    evidence.push('--debian');
  } else if (conda) {
    // micromamba's images (the conda build stage) are published for bookworm
    codename = 'bookworm';
    evidence.push('default: mambaorg/micromamba images are published for bookworm');
  } else {
    const d = debianFor(version);
    if (!d) {
      throw new InitError(`no official python image exists for Python ${version} (known: ${PYTHON_RELEASES.map((r) => r.minor).join(', ')})`, `pass --python ${PYTHON_RELEASES[PYTHON_RELEASES.length - 1]!.minor} or --base-image`);
    }
    codename = d.codename;
    evidence.push(d.codename === 'trixie' ? 'default: python:<version>-slim-trixie' : d.why);
  }
  let image = opts.baseImage ?? `python:${version}-slim-${codename}`;
  if (opts.baseImage) evidence.unshift('--base-image');
  if (opts.digest) image = `${image.replace(/@sha256:[0-9a-f]+$/, '')}@${opts.digest}`;
  return { image, codename, imageEvidence: evidence };
}

/** Tool version to pin in the Dockerfile for the chosen Python. */
export function toolVersion(tool: keyof typeof TOOLS, tools: PythonChoice['tools'] | undefined): string {
  return (tools as Record<string, string> | undefined)?.[tool] ?? TOOLS[tool];
}
