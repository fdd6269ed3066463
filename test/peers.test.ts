// The peers' known false positives (peers.md) that pyship must not repeat, and the gaps it must fill.
import { describe, expect, it } from 'vitest';
import { rulesByCode } from '../src/rules/index.js';
import type { Rule } from '../src/lint/rule.js';
import { lint } from './helpers.js';

const codes = (text: string, ...rules: string[]) => lint(text, rules.map((c) => rulesByCode.get(c) as Rule)).map((f) => f.code);

describe('no peer false positives', () => {
  it('FROM $ARG with a tagged default is tagged (hadolint DL3006)', () => {
    expect(codes('ARG BASE=python:3.13-slim-trixie\nFROM $BASE\n', 'REP001')).toEqual([]);
    expect(codes('ARG BASE=python\nFROM $BASE\n', 'REP001')).toEqual(['REP001']);
  });

  it('PIP_NO_CACHE_DIR and cache mounts satisfy the pip-cache rule (hadolint DL3042)', () => {
    expect(codes('FROM python:3.13-slim-trixie\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask==3.1.0\n', 'SIZE005')).toEqual([]);
    expect(codes('FROM python:3.13-slim-trixie\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask==3.1.0\n', 'SIZE005')).toEqual([]);
    expect(codes('FROM python:3.13-slim-trixie\nRUN pip install flask==3.1.0\n', 'SIZE005')).toEqual(['SIZE005']);
  });

  it('pipefail: never recommends `set -o pipefail` to a dash /bin/sh; recommends the bash SHELL instead (hadolint DL4006)', () => {
    const found = lint('FROM python:3.13-slim-trixie\nRUN curl -fsSL https://example.com/x | tar -xz\n', [rulesByCode.get('OPS002') as Rule]);
    expect(found.map((f) => f.code)).toEqual(['OPS002']);
    expect(found[0]!.message).toMatch(/SHELL \["\/bin\/bash", "-o", "pipefail", "-c"\]/);
    expect(codes('FROM python:3.13-slim-trixie\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN curl -fsSL https://example.com/x | tar -xz\n', 'OPS002')).toEqual([]);
  });

  it('a missing USER is SEC001 (hadolint has no rule for it)', () => {
    expect(codes('FROM python:3.13-slim-trixie\nCMD ["python", "app.py"]\n', 'SEC001')).toEqual(['SEC001']);
  });

  it('apt-get upgrade is recommended, not forbidden (hadolint DL3005 / dockerfilelint)', () => {
    const good = 'FROM python:3.13-slim-trixie\nRUN apt-get update && apt-get -y upgrade && rm -rf /var/lib/apt/lists/*\n';
    expect(codes(good, 'SEC005')).toEqual([]);
    expect(codes('FROM python:3.13-slim-trixie\n', 'SEC005')).toEqual(['SEC005']);
  });

  it('an unused inline ignore is reported, like Ruff\'s unused noqa', () => {
    const rules = [rulesByCode.get('DF023') as Rule, rulesByCode.get('SEC001') as Rule];
    const text = 'FROM python:3.13-slim-trixie\nRUN useradd -m app\n# pyship: ignore=SEC001 -- not needed any more\nUSER app\n';
    expect(lint(text, rules).map((f) => f.code)).toEqual(['DF023']);
    const used = 'FROM python:3.13-slim-trixie\n# pyship: ignore-stage=SEC001 -- runs as root on purpose\nFROM python:3.13-slim-trixie\n';
    expect(lint(used, rules).map((f) => f.code)).toEqual([]);
  });
});
