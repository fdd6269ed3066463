// Generates docs/rules/CODE.md and docs/rules.md from the rule objects, so the docs cannot drift from the code.
import { isImageRule, isProjectRule, type AnyRule } from '../lint/rule.js';

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
    lines.push(...runtimeExamples(rule));
    lines.push('## Suppress', '', `\`ignore = ["${rule.code}"]\` in \`[tool.pyship]\`, or \`per-file-ignores\` for one file.`, '');
    return lines.join('\n');
  }
  if (isImageRule(rule)) {
    rule.examples.forEach((ex, i) => {
      const n = rule.examples.length > 1 ? ` ${i + 1}` : '';
      lines.push(`## Example${n}`, '', `Flagged by \`pyship audit\`: ${ex.bad}`, '', `Passes: ${ex.good}`, '');
    });
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
