// debug rules, sorted by code.
import type { AnyRule } from '../../lint/rule.js';
import logsToStdout from './logs-to-stdout.js';
import pythonFaulthandler from './python-faulthandler.js';
import recordRevision from './record-revision.js';
import debugTools from './debug-tools.js';

export const rules: AnyRule[] = [
  debugTools,logsToStdout, pythonFaulthandler, recordRevision];
