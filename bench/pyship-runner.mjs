// Bench helper: pyship's check over the same files in one process, with in-process time and peak RSS.
const t0 = performance.now();
const { checkFiles } = await import('../dist/lint/files.js');
const { registry } = await import('../dist/rules/index.js');
const files = process.argv.slice(2);
let crashes = 0;
let findings = 0;
const result = checkFiles({ ruleSet: registry, paths: files, cwd: process.cwd(), noProject: true, cli: {} });
for (const r of result.results) {
  findings += r.findings.length;
  crashes += r.findings.filter((f) => f.message.includes('internal error')).length;
}
const ms = performance.now() - t0;
process.stderr.write(JSON.stringify({ files: result.results.length, inProcessMs: ms, crashes, findings, maxRssKb: process.resourceUsage().maxRSS }) + '\n');
