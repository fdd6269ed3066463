// `pyship completion`: the scripts parse in their shells and complete what the CLI defines. bash runs everywhere;
// zsh and fish run where they are installed (apt-get install zsh fish), with a note otherwise.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli.js';
import { completionScript } from '../../src/commands/completion.js';
import { runCli } from '../helpers.js';

const program = () => buildProgram({ out() {}, err() {}, cwd: '.', color: false }, () => {});
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'pyship-completion-'));

function script(shell: 'bash' | 'zsh' | 'fish'): string {
  const file = join(dir, `pyship.${shell}`);
  writeFileSync(file, completionScript(shell, program()));
  return file;
}

/** COMPREPLY for the words typed so far (the last one is being completed). */
function bashComplete(...words: string[]): string[] {
  const r = spawnSync('bash', ['-c', `source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _pyship; printf '%s\\n' "\${COMPREPLY[@]}"`, script('bash'), ...words], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean);
}

describe('pyship completion', () => {
  it('prints a script for bash, zsh and fish; another shell is a usage error', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const r = await runCli(['completion', shell], dir);
      expect(r.code).toBe(0);
      expect(r.out).toContain(`${shell} completion for pyship`);
    }
    const bad = await runCli(['completion', 'powershell'], dir);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('bash, zsh or fish');
  });

  it('bash: commands, flags, choices, rule codes (comma lists too), the --opt=value form', () => {
    expect(bashComplete('pyship', '')).toEqual(expect.arrayContaining(program().commands.map((c) => c.name())));
    expect(bashComplete('pyship', 'au')).toEqual(['audit']);
    expect(bashComplete('pyship', 'check', '--unsafe')).toEqual(['--unsafe-fixes']);
    expect(bashComplete('pyship', 'check', '--format', 'j')).toEqual(['json', 'junit']);
    expect(bashComplete('pyship', 'check', '--format', '=', 's')).toEqual(['sarif']);
    expect(bashComplete('pyship', 'check', '--select', 'SEC001,OPS00')).toEqual(['SEC001,OPS001', 'SEC001,OPS002', 'SEC001,OPS003', 'SEC001,OPS004', 'SEC001,OPS005', 'SEC001,OPS006', 'SEC001,OPS007', 'SEC001,OPS008', 'SEC001,OPS009']);
    expect(bashComplete('pyship', 'explain', 'SEC01')).toEqual(['SEC010', 'SEC011', 'SEC012']);
    expect(bashComplete('pyship', '--debug', 'audit', '--engine', '')).toEqual(['docker', 'podman']);
    expect(bashComplete('pyship', 'init', '--package-manager', 'pip')).toEqual(['pip', 'pip-tools', 'pipenv']);
    expect(bashComplete('pyship', 'completion', '')).toEqual(['bash', 'zsh', 'fish']);
    // file arguments: an empty reply, so bash falls back to file names (complete -o default)
    expect(bashComplete('pyship', 'check', 'exa')).toEqual([]);
  });

  it.runIf(has('zsh'))('zsh: the script parses', () => {
    const r = spawnSync('zsh', ['-n', script('zsh')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });

  it.runIf(has('fish'))('fish: the script parses and completes', () => {
    const f = script('fish');
    expect(spawnSync('fish', ['--no-execute', f]).status).toBe(0);
    const complete = (line: string) =>
      spawnSync('fish', ['-c', `source ${f}; complete -C '${line}'`], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]);
    expect(complete('pyship expl')).toEqual(['explain']);
    expect(complete('pyship check --format j')).toEqual(['json', 'junit']);
    expect(complete('pyship explain SEC01')).toEqual(['SEC010', 'SEC011', 'SEC012']);
    expect(complete('pyship check --ignore DF001,SEC01')).toEqual(['DF001,SEC010', 'DF001,SEC011', 'DF001,SEC012']);
  });

  if (!has('zsh') || !has('fish')) console.warn('note: zsh or fish is not installed: their completion tests are skipped (apt-get install zsh fish)');
});
