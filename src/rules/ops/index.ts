// ops rules, sorted by code.
import type { AnyRule } from '../../lint/rule.js';
import listenOnAllInterfaces from './listen-on-all-interfaces.js';
import shellStrictMode from './shell-strict-mode.js';
import execFormCommand from './exec-form-command.js';
import entrypointExec from './entrypoint-exec.js';
import gracefulStopSignal from './graceful-stop-signal.js';
import initProcess from './init-process.js';
import noninteractiveApt from './noninteractive-apt.js';
import healthcheck from './healthcheck.js';
import precompiledBytecode from './precompiled-bytecode.js';

export const rules: AnyRule[] = [
  listenOnAllInterfaces,
  shellStrictMode,
  execFormCommand,
  entrypointExec,
  gracefulStopSignal,
  initProcess,
  noninteractiveApt,
  healthcheck,
  precompiledBytecode,
];
