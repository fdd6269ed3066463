// Generates docs/rules/CODE.md and docs/rules.md from the rule objects, so the docs cannot drift from the code.
import { isImageRule, isProjectRule, type AnyRule, type ImageExample, type ImageExampleFile, type ImageRuleExample } from '../lint/rule.js';
import { formatBytes } from '../image/facts.js';

const AREA_TITLES: Record<string, string> = {
  security: 'Security', ci: 'Running in CI', debug: 'Debugging', ops: 'Correct operation', rep: 'Reproducible builds',
  fast: 'Faster builds', size: 'Small images', app: 'Application- and tool-specific', ms: 'Multi-stage builds', df: 'Dockerfile correctness',
};

const SCOPES: Record<string, string> = { D: 'Dockerfile', P: 'project files', I: 'built image', R: 'running container' };

function fence(text: string): string {
  const ticks = /```/.test(text) ? '````' : '```';
  return `${ticks}dockerfile\n${text.replace(/\n$/, '')}\n${ticks}`;
}

function projectFiles(files: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [path, content] of Object.entries(files)) {
    const lang = /\.ya?ml$/.test(path) ? 'yaml' : /\.toml$/.test(path) ? 'toml' : /\.py$/.test(path) ? 'python' : /\.sh$/.test(path) ? 'sh' : /Dockerfile/i.test(path) ? 'dockerfile' : '';
    const ticks = content.includes('```') ? '````' : '```';
    out.push(`\`${path}\`:`, '', `${ticks}${lang}\n${content.replace(/\n$/, '')}\n${ticks}`, '');
  }
  return out;
}

/** A runtime rule's examples: the measurements `pyship smoke` flags and those it passes. */
function runtimeExamples(rule: AnyRule): string[] {
  const examples = rule.runtimeExamples ?? [];
  // one measurement a line, its value on that line
  const json = (facts: object): string => `\`\`\`json\n{\n${Object.entries(facts).map(([k, v]) => `  "${k}": ${JSON.stringify(v)}`).join(',\n')}\n}\n\`\`\``;
  return examples.flatMap((ex, i) => [
    `## Running container example${examples.length > 1 ? ` ${i + 1}` : ''}`, '',
    ...(ex.settings ? ['With these settings:', '', json(ex.settings), ''] : []),
    'Flagged by `pyship smoke`, which measured:', '', json(ex.bad), '', 'Passes:', '', json(ex.good), '',
  ]);
}

function fileLine(f: ImageExampleFile): string {
  const name = f.path.slice(f.path.lastIndexOf('/') + 1);
  if (name.startsWith('.wh.')) return `- /${f.path.slice(0, f.path.length - name.length)}${name.slice(4)} (deleted)`;
  if (f.type === 'dir') return `/${f.path}/`;
  if (f.type === 'symlink' || f.type === 'hardlink') return `/${f.path} -> ${f.linkname}`;
  const about = [f.data !== undefined ? JSON.stringify(f.data) : f.size ? formatBytes(f.size) : ''];
  if (f.mode !== undefined) about.push(`mode ${f.mode.toString(8)}`);
  if (f.uid !== undefined) about.push(`owner ${f.uid}:${f.gid ?? 0}`);
  for (const k of Object.keys(f.xattrs ?? {})) about.push(k);
  return `/${f.path}  ${about.filter(Boolean).join(', ')}`.trimEnd();
}

/** An example image as the audit reads it: its config as Dockerfile lines, then its history with each layer's files. */
function imageSketch(ex: ImageExample): string {
  const c = ex.config ?? {};
  const lines: string[] = [];
  if (ex.ageDays) lines.push(`# created ${ex.ageDays} days before the audit`);
  if (c.user !== undefined) lines.push(`USER ${c.user === '' ? '(none: root)' : c.user}`);
  for (const p of c.exposedPorts ?? []) lines.push(`EXPOSE ${p}`);
  for (const e of c.env ?? []) lines.push(`ENV ${e}`);
  if (c.labels) lines.push(`LABEL ${Object.entries(c.labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`);
  if (c.entrypoint) lines.push(`ENTRYPOINT ${JSON.stringify(c.entrypoint)}`);
  if (c.cmd) lines.push(`CMD ${JSON.stringify(c.cmd)}`);
  if (c.healthcheck) lines.push(`HEALTHCHECK ${JSON.stringify(c.healthcheck.test)}`);
  if (c.workingDir) lines.push(`WORKDIR ${c.workingDir}`);
  lines.push('# history, oldest first (with the files of each layer)');
  ex.history.forEach((h, i) => {
    lines.push(`#${i + 1} ${h.by}`);
    for (const f of h.files ?? []) lines.push(`     ${fileLine(f)}`);
  });
  return `\`\`\`text\n${lines.join('\n')}\n\`\`\``;
}

function imageExamples(examples: readonly ImageRuleExample[], title: string): string[] {
  const lines: string[] = [];
  examples.forEach((ex, i) => {
    const n = examples.length > 1 ? ` ${i + 1}` : '';
    const settings = Object.entries(ex.settings ?? {}).map(([k, v]) => `\`${k.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)} = ${String(v)}\``);
    lines.push(`## ${title}${n}`, '');
    if (settings.length > 0) lines.push(`With ${settings.join(', ')}.`, '');
    lines.push('Flagged by `pyship audit`:', '', imageSketch(ex.bad), '', 'Passes:', '', imageSketch(ex.good), '');
  });
  return lines;
}

export function ruleDoc(rule: AnyRule): string {
  const lines: string[] = [];
  lines.push(`# ${rule.code}: ${rule.title}`, '');
  lines.push('<!-- Generated from src/rules by `npm run docs`; edit the rule, not this file. -->', '');
  lines.push('| | |', '|---|---|');
  lines.push(`| name | \`${rule.name}\` |`);
  lines.push(`| area | ${AREA_TITLES[rule.area] ?? rule.area} |`);
  lines.push(`| severity | ${rule.severity} |`);
  lines.push(`| seen in | ${rule.scope.map((s) => SCOPES[s] ?? s).join(', ')} |`);
  lines.push(`| default | ${rule.optIn ? 'off (turn on with `extend-select`)' : 'on'} |`);
  lines.push(`| fix | ${rule.fix ? `${rule.fix}${rule.fix === 'unsafe' ? ' (`--unsafe-fixes`)' : ' (`--fix`)'}` : 'none'} |`);
  if (rule.sources.length > 0) lines.push(`| peers | ${rule.sources.map((s) => `\`${s}\``).join(', ')} |`);
  lines.push('', '## Why', '', rule.why.trim(), '');
  if (isProjectRule(rule)) {
    rule.examples.forEach((ex, i) => {
      const n = rule.examples.length > 1 ? ` ${i + 1}` : '';
      lines.push(`## Example${n}`, '', 'Flagged:', '', ...projectFiles(ex.bad), 'Passes:', '', ...projectFiles(ex.good));
    });
    lines.push(...imageExamples(rule.imageExamples ?? [], 'Built image example'));
    lines.push(...runtimeExamples(rule));
    lines.push('## Suppress', '', `\`ignore = ["${rule.code}"]\` in \`[tool.pyship]\`, or \`per-file-ignores\` for one file.`, '');
    return lines.join('\n');
  }
  if (isImageRule(rule)) {
    lines.push(...imageExamples(rule.examples, 'Example'));
    lines.push('## Suppress', '', `\`ignore = ["${rule.code}"]\` in \`[tool.pyship]\`, or \`pyship audit --ignore ${rule.code}\`.`, '');
    return lines.join('\n');
  }
  (rule.projectExamples ?? []).forEach((ex, i) => {
    const n = (rule.projectExamples?.length ?? 0) > 1 ? ` ${i + 1}` : '';
    lines.push(`## Project example${n}`, '', 'Flagged:', '', ...projectFiles(ex.bad), 'Passes:', '', ...projectFiles(ex.good));
  });
  rule.examples.forEach((ex, i) => {
    const n = rule.examples.length > 1 ? ` ${i + 1}` : '';
    lines.push(`## Example${n}`, '', 'Flagged:', '', fence(ex.bad), '', 'Passes:', '', fence(ex.good), '');
    if (ex.files) {
      lines.push('With these files in the build context:', '');
      for (const [path, content] of Object.entries(ex.files)) lines.push(`- \`${path}\`${content ? `: ${content.length} bytes` : ''}`);
      lines.push('');
    }
  });
  lines.push(...imageExamples(rule.imageExamples ?? [], 'Built image example'));
  lines.push(...runtimeExamples(rule));
  lines.push('## Suppress', '', `\`\`\`dockerfile\n# pyship: ignore=${rule.code} -- reason\n\`\`\``, '');
  return lines.join('\n');
}

export function rulesIndex(rules: readonly AnyRule[]): string {
  const lines = ['# pyship rules', '', '<!-- Generated from src/rules by `npm run docs`; edit the rules, not this file. -->', ''];
  lines.push(`${rules.length} rules. Off-by-default rules are marked *(opt-in)*; turn them on with \`extend-select\`.`, '');
  const areas = [...new Set(rules.map((r) => r.area))];
  const order = Object.keys(AREA_TITLES);
  areas.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  for (const area of areas) {
    lines.push(`## ${AREA_TITLES[area] ?? area}`, '', '| code | title | severity | fix | peers |', '|---|---|---|---|---|');
    for (const r of rules.filter((x) => x.area === area)) {
      lines.push(`| [${r.code}](rules/${r.code}.md) | ${r.title}${r.optIn ? ' *(opt-in)*' : ''} | ${r.severity} | ${r.fix ?? ''} | ${r.sources.join(', ')} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
