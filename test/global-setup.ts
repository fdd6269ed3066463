// One layer cache for the whole test run, in a temp directory removed afterwards: audits in tests never write to the
// user's cache (~/.cache/pyship), and a run starts with an empty cache whatever ran before.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'pyship-test-cache-'));
  process.env.PYSHIP_CACHE_DIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
