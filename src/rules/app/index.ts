// app rules, sorted by code.
import type { AnyRule } from '../../lint/rule.js';
import venvActivation from './venv-activation.js';
import condaRun from './conda-run.js';
import noMigrationsAtStart from './no-migrations-at-start.js';
import concurrentServer from './concurrent-server.js';
import appInCmd from './app-in-cmd.js';
import gunicornWorkerTmpDir from './gunicorn-worker-tmp-dir.js';
import uwsgiSettings from './uwsgi-settings.js';
import respectPort from './respect-port.js';
import noDevServer from './no-dev-server.js';

export const rules: AnyRule[] = [
  venvActivation,
  condaRun,
  noMigrationsAtStart,
  concurrentServer,
  appInCmd,
  gunicornWorkerTmpDir,
  uwsgiSettings,
  respectPort,
  noDevServer,
];
