// Bench helper: dockerfilelint's library over many files in one process, counting files it crashes on.
const { readFileSync } = require('node:fs');
const { dirname } = require('node:path');
const t0 = performance.now();
const dockerfilelint = require('dockerfilelint');
const files = process.argv.slice(2);
let crashes = 0;
let findings = 0;
for (const f of files) {
  try {
    findings += dockerfilelint.run(dirname(f), readFileSync(f, 'utf8')).length;
  } catch {
    crashes++;
  }
}
const ms = performance.now() - t0;
process.stderr.write(JSON.stringify({ files: files.length, inProcessMs: ms, crashes, findings, maxRssKb: process.resourceUsage().maxRSS }) + '\n');
