// debug rules, sorted by code.
import type { Rule } from '../../lint/rule.js';
import logsToStdout from './logs-to-stdout.js';
import pythonFaulthandler from './python-faulthandler.js';

export const rules: Rule[] = [logsToStdout, pythonFaulthandler];
