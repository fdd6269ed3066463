// SIZE005: pip / uv / poetry / pipenv download caches must not end up in the image.
import { defineRule, type Report } from '../../lint/rule.js';
import type { Instruction } from '../../dockerfile/model.js';
import { mounts } from '../../dockerfile/arguments.js';
import {
  chainInstructions, copyOperands, finalStage, instructionEdit, pathWithin, shellWordValue,
} from '../../dockerfile/query.js';
import { imagePath } from '../../dockerfile/paths.js';
import { runScript, type ShCommand, type ShellScript, type ShWord } from '../../dockerfile/shell.js';
import { flagValue, hasFlag, pipInstall, positionals } from '../../dockerfile/commands.js';
import { formatBytes } from '../../image/facts.js';
import { absPath } from '../../image/filesystem.js';

type Tool = 'pip' | 'uv' | 'poetry' | 'pipenv';

interface Install {
  tool: Tool;
  cmd: ShCommand;
  /** Index of the command in the script. */
  at: number;
  /** The subcommand word (`install`, `sync`), where a fix inserts the flag. */
  sub: ShWord;
  label: string;
}

/** Default cache directory under $HOME, per tool. */
const HOME_CACHE: Record<Tool, string[]> = {
  pip: ['.cache/pip'],
  uv: ['.cache/uv'],
  poetry: ['.cache/pypoetry'],
  pipenv: ['.cache/pipenv', '.cache/pip'],
};
/** Environment variables that relocate the cache. */
const CACHE_ENV: Record<Tool, string[]> = {
  pip: ['PIP_CACHE_DIR'],
  uv: ['UV_CACHE_DIR'],
  poetry: ['POETRY_CACHE_DIR'],
  pipenv: ['PIPENV_CACHE_DIR', 'PIP_CACHE_DIR'],
};
/** Environment variables that turn the cache off (any value counts: pip's own handling of `off`/`0` has varied). */
const NO_CACHE_ENV: Record<Tool, string[]> = {
  pip: ['PIP_NO_CACHE_DIR'],
  uv: ['UV_NO_CACHE'],
  poetry: ['POETRY_NO_CACHE'],
  pipenv: ['PIP_NO_CACHE_DIR', 'PIPENV_NO_CACHE'],
};
const FLAG: Record<Tool, string> = { pip: '--no-cache-dir', uv: '--no-cache', poetry: '--no-cache', pipenv: '' };

const HOME = '/~home~';

/** A path word's value with `~`/`$HOME` mapped to a placeholder home, normalised; undefined when unknown. */
function pathValue(instr: Instruction, w: ShWord): string | undefined {
  let raw = w.raw.replace(/^["']|["']$/g, '');
  const homeRe = /^(~|\$HOME|\$\{HOME\})(?=\/|$)/;
  if (homeRe.test(raw) && !instr.state.env.has('HOME')) {
    raw = raw.replace(homeRe, HOME);
    if (raw.includes('$')) return undefined;
    return imagePath('/', raw.replace(/\/\*$/, ''));
  }
  const v = shellWordValue(instr, w);
  if (v === undefined) return undefined;
  return imagePath(instr.state.workdir, v.replace(/\/\*$/, ''));
}

/** Does the directory `p` (mounted or removed) hold the tool's cache? */
function coversCache(p: string, tool: Tool, explicit: string[]): boolean {
  if (explicit.some((d) => pathWithin(d, p))) return true;
  if (p.endsWith('/.cache')) return true;
  return HOME_CACHE[tool].some((c) => p.endsWith('/' + c));
}

function installsOf(script: ShellScript): Install[] {
  const out: Install[] = [];
  script.commands.forEach((cmd, at) => {
    const pip = pipInstall(cmd);
    if (pip) {
      const sub = cmd.argv[pip.argsFrom - 1]!;
      out.push({ tool: pip.tool, cmd, at, sub, label: pip.tool === 'uv' ? 'uv pip install' : `${cmd.name === 'pip' || /^pip\d/.test(cmd.name) ? cmd.name : 'pip'} install` });
      return;
    }
    const pos = positionals(cmd, 1, new Set(['--cache-dir', '--directory', '--project', '-C', '--python', '-p', '--index-url', '--extra-index-url', '--config-file']));
    const first = pos[0];
    if (!first) return;
    if (cmd.name === 'uv' && (first.value === 'sync' || (first.value === 'tool' && pos[1]?.value === 'install'))) {
      out.push({ tool: 'uv', cmd, at, sub: first.value === 'tool' ? pos[1]! : first, label: first.value === 'tool' ? 'uv tool install' : 'uv sync' });
    } else if (cmd.name === 'poetry' && (first.value === 'install' || first.value === 'sync')) {
      out.push({ tool: 'poetry', cmd, at, sub: first, label: `poetry ${first.value}` });
    } else if (cmd.name === 'pipenv' && (first.value === 'install' || first.value === 'sync')) {
      out.push({ tool: 'pipenv', cmd, at, sub: first, label: `pipenv ${first.value}` });
    }
  });
  return out;
}

/** `--no-cache-dir` and the prefixes of it pip's option parser accepts (`--no-cache`). */
function pipNoCacheFlag(cmd: ShCommand): boolean {
  return cmd.argv.some((w) => {
    const v = w.value.split('=')[0]!;
    return v.length >= '--no-ca'.length && '--no-cache-dir'.startsWith(v);
  });
}

export default defineRule({
  code: 'SIZE005',
  name: 'no-pip-cache',
  title: 'No pip cache in the image',
  area: 'size',
  severity: 'warning',
  scope: ['D', 'I'],
  fix: 'safe',
  sources: ['hadolint:DL3042'],
  why: `pip keeps every downloaded and built wheel in \`~/.cache/pip\`; uv, poetry and pipenv have caches of their own.
In an image that cache is dead weight — often as large as the installed packages — because nothing will ever install
from it again. Turn it off (\`pip install --no-cache-dir\`, \`ENV PIP_NO_CACHE_DIR=1\`, \`uv … --no-cache\`,
\`poetry install --no-cache\`), delete it in the same RUN, or better, keep it outside the image with a BuildKit cache
mount (\`RUN --mount=type=cache,target=/root/.cache/pip pip install …\`), which also makes rebuilds fast (FAST005).

hadolint's DL3042 has two well-known false positives that pyship avoids: it ignores cache mounts, and it only accepts
a few spellings of \`PIP_NO_CACHE_DIR\`. pyship accepts any value of \`PIP_NO_CACHE_DIR\` set by \`ENV\`, \`ARG\` or inline
(pip has treated \`off\` and \`0\` as "no cache" too), a cache or tmpfs mount covering the tool's cache directory
(\`PIP_CACHE_DIR\`/\`UV_CACHE_DIR\`/\`POETRY_CACHE_DIR\` respected), \`pip install --no-index\` (nothing is downloaded),
and removal of the cache later in the same RUN. Only the final stage and the stages it is built \`FROM\` are judged:
a builder stage's cache never reaches the image.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n',
      good: 'FROM python:3.13-slim-trixie\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN python -m pip install flask==3.1.0\n',
      good: 'FROM python:3.13-slim-trixie\nRUN --mount=type=cache,target=/root/.cache/pip python -m pip install flask==3.1.0\n',
      fixed: 'FROM python:3.13-slim-trixie\nRUN python -m pip install --no-cache-dir flask==3.1.0\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nCOPY uv.lock pyproject.toml ./\nRUN uv sync --locked\n',
      good: 'FROM python:3.13-slim-trixie\nENV PIP_NO_CACHE_DIR=off UV_NO_CACHE=1\nCOPY uv.lock pyproject.toml ./\nRUN uv sync --locked && pip install gunicorn==23.0.0\n',
      fixed: 'FROM python:3.13-slim-trixie\nCOPY uv.lock pyproject.toml ./\nRUN uv sync --no-cache --locked\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN pip install poetry==2.1.3 && poetry install --no-root\n',
      good: 'FROM python:3.13-slim-trixie AS build\nRUN pip install poetry==2.1.3 && poetry install --no-root\nFROM python:3.13-slim-trixie\nRUN pip install poetry==2.1.3 && poetry install --no-root && rm -rf ~/.cache\n',
      fixed: 'FROM python:3.13-slim-trixie\nRUN pip install --no-cache-dir poetry==2.1.3 && poetry install --no-cache --no-root\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN poetry install --no-root --only=main\n',
      good: 'FROM python:3.13-slim-trixie\nRUN poetry install --no-root --only=main && rm -rf $(poetry config cache-dir)\n',
      fixed: 'FROM python:3.13-slim-trixie\nRUN poetry install --no-cache --no-root --only=main\n',
    },
  ],
  check({ dockerfile: df, report }) {
    const final = finalStage(df);
    if (!final) return;
    let pipConfigured = false;
    for (const instr of chainInstructions(df, final)) {
      if (instr.keyword === 'COPY' || instr.keyword === 'ADD') {
        // a pip.conf may set no-cache-dir
        const ops = copyOperands(df, instr);
        const p = ops?.destPath ?? ops?.dest ?? '';
        if (/pip\.conf|pip\.ini|\/etc\/pip|\/\.config\/pip|^\/(etc)?$/.test(p) || ops?.sources.some((s) => /pip\.(conf|ini)$/.test(s.value ?? ''))) pipConfigured = true;
        continue;
      }
      if (instr.keyword !== 'RUN') continue;
      const script = runScript(instr);
      if (!script) continue;
      const env = (name: string): boolean => instr.state.env.has(name) || instr.state.args.has(name);
      const cacheMounts = mounts(instr)
        .filter((m) => (m.type === 'cache' || m.type === 'tmpfs') && m.target !== undefined)
        .map((m) => {
          const t = m.target!;
          return t.startsWith('~') ? imagePath('/', HOME + t.slice(1)) : imagePath(instr.state.workdir ?? '/', t);
        })
        .filter((t): t is string => t !== undefined);
      // paths removed, and `X cache clean/purge` calls, by command index
      const removed: { path: string; at: number }[] = [];
      const purged: { tool: Tool; at: number }[] = [];
      const exported = new Map<string, number>();
      script.commands.forEach((cmd, at) => {
        if (cmd.name === 'rm') {
          for (const w of positionals(cmd)) {
            // `rm -rf $(poetry config cache-dir)` / `$(pip cache dir)` / `$(uv cache dir)`: the tool names its own cache
            const asked = /\$\(\s*(pip3?|poetry|uv)\s+(?:config\s+cache-dir|cache\s+dir)\s*\)/.exec(w.raw);
            if (asked) {
              purged.push({ tool: asked[1]!.startsWith('pip') ? 'pip' : (asked[1] as Tool), at });
              continue;
            }
            const p = pathValue(instr, w);
            if (p !== undefined) removed.push({ path: p, at });
          }
        } else if (cmd.name === 'export' || cmd.name === 'declare' || cmd.name === 'typeset') {
          for (const w of cmd.argv.slice(1)) {
            const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(w.value);
            if (m) exported.set(m[1]!, at);
          }
        } else if (cmd.name === '') {
          for (const a of cmd.assignments) exported.set(a.name, at);
        }
        const pos = positionals(cmd).map((w) => w.value);
        const pipCache = pipCallCache(cmd);
        if (pipCache) purged.push({ tool: 'pip', at });
        if (cmd.name === 'uv' && pos[0] === 'cache' && (pos[1] === 'clean' || pos[1] === 'prune')) purged.push({ tool: 'uv', at });
        if (cmd.name === 'poetry' && pos[0] === 'cache' && pos[1] === 'clear') purged.push({ tool: 'poetry', at });
      });

      if (/pip\s+config\s+set\s+\S*no-cache-dir/.test(instr.args)) pipConfigured = true;
      if (instr.state.env.has('PIP_CONFIG_FILE')) pipConfigured = true;

      const found: { span: { start: number; end: number }; message: string; insert?: { start: number; end: number; text: string } }[] = [];
      for (const inst of installsOf(script)) {
        const { tool, cmd, at } = inst;
        // turned off by a flag
        if (tool === 'pip' && (pipNoCacheFlag(cmd) || hasFlag(cmd, '--no-index'))) continue;
        if (tool === 'pip' && pipConfigured) continue;
        if (tool === 'poetry' && hasFlag(cmd, '--no-cache')) continue;
        if (tool === 'uv' && hasFlag(cmd, '--no-cache', '--no-cache-dir', '-n')) continue;
        if (tool === 'uv' && hasFlag(cmd, '--offline')) continue;
        // … or by the environment
        const noCacheVars = NO_CACHE_ENV[tool];
        if (noCacheVars.some((v) => env(v) || cmd.assignments.some((a) => a.name === v) || (exported.get(v) ?? Infinity) < at)) continue;
        // where the cache goes
        const explicit: string[] = [];
        const flagDir = flagValue(cmd, '--cache-dir');
        if (flagDir !== undefined) {
          const p = flagDir.includes('$') ? undefined : imagePath(instr.state.workdir, flagDir);
          if (p === undefined) continue;
          explicit.push(p);
        }
        for (const v of CACHE_ENV[tool]) {
          const inline = cmd.assignments.find((a) => a.name === v)?.value;
          const val = inline ?? instr.state.env.get(v) ?? instr.state.args.get(v);
          if (val === undefined) continue;
          if (val.includes('$') || val === '') {
            explicit.length = 0;
            explicit.push('/');
            break;
          }
          const p = imagePath(instr.state.workdir, val);
          if (p !== undefined) explicit.push(p);
        }
        const xdg = cmd.assignments.find((a) => a.name === 'XDG_CACHE_HOME')?.value ?? instr.state.env.get('XDG_CACHE_HOME');
        if (xdg !== undefined) {
          const p = xdg.includes('$') ? '/' : imagePath(instr.state.workdir, xdg);
          if (p !== undefined) for (const c of HOME_CACHE[tool]) explicit.push(p === '/' ? '/' : `${p}/${c.slice('.cache/'.length)}`);
        }
        if (cacheMounts.some((t) => coversCache(t, tool, explicit))) continue;
        if (removed.some((r) => r.at > at && coversCache(r.path, tool, explicit))) continue;
        if (purged.some((p) => p.at > at && (p.tool === tool || (tool === 'pipenv' && p.tool === 'pip')))) continue;

        const flag = FLAG[tool];
        const fixable = flag && !instr.json && !cmd.nested && df.text.slice(inst.sub.span.start, inst.sub.span.end) === inst.sub.raw;
        const how = flag ? `without \`${flag}\`` : 'with its cache on';
        found.push({
          span: inst.sub.span.start >= cmd.span.start ? { start: cmd.span.start, end: inst.sub.span.end } : cmd.span,
          message: `\`${inst.label}\` ${how}: the download cache stays in the image (or use a cache mount)`,
          insert: fixable ? { start: inst.sub.span.end, end: inst.sub.span.end, text: ' ' + flag } : undefined,
        });
      }
      // every install of one RUN gets its flag in the same fix: one fix per install would take a --fix pass each
      // (their edits overlap), and a RUN with more installs than passes would never be fixed whole
      const inserts = found.flatMap((f) => (f.insert ? [f.insert] : []));
      const flags = [...new Set(inserts.map((e) => `\`${e.text.trim()}\``))].join(', ');
      const fix: Report['fix'] = inserts.length > 0 ? { description: `add ${flags}`, edits: [instructionEdit(df, instr, inserts)] } : undefined;
      for (const f of found) report({ span: f.span, message: f.message, fix: f.insert ? fix : undefined });
    }
  },
  imageExamples: [
    {
      bad: { history: [{ by: 'RUN /bin/sh -c pip install flask', files: [{ path: 'usr/local/lib/python3.13/site-packages/flask/__init__.py', size: 300 }, { path: 'root/.cache/pip/http-v2/a/b/c', size: 5000 }] }] },
      good: { history: [{ by: 'RUN /bin/sh -c pip install --no-cache-dir flask', files: [{ path: 'usr/local/lib/python3.13/site-packages/flask/__init__.py', size: 300 }] }] },
    },
  ],
  checkImage({ image, report }) {
    const caches = new Map<string, { files: number; bytes: number; layer: number }>();
    for (const [p, f] of image.files) {
      if (f.entry.type !== 'file') continue;
      const m = /^(.*?\.cache\/(pip|pypoetry|uv|pipenv|pdm))\//.exec(p);
      if (!m) continue;
      const c = caches.get(m[1]!) ?? { files: 0, bytes: 0, layer: f.layer };
      c.files++;
      c.bytes += f.entry.size;
      caches.set(m[1]!, c);
    }
    for (const [p, c] of caches) report({ at: { layer: c.layer }, message: `${absPath(p)} is in the image: ${c.files} files, ${formatBytes(c.bytes)} (pip --no-cache-dir / PIP_NO_CACHE_DIR=1, or a cache mount)` });
  },
});

/** `pip cache purge` / `pip cache remove …`. */
function pipCallCache(cmd: ShCommand): boolean {
  if (!/^pip(\d+(\.\d+)?)?$/.test(cmd.name) && !/^python(\d+(\.\d+)?)?$/.test(cmd.name)) return false;
  const vals = cmd.argv.map((w) => w.value);
  const i = vals.indexOf('cache');
  return i > 0 && (vals[i + 1] === 'purge' || vals[i + 1] === 'remove');
}
