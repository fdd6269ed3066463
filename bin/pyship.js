#!/usr/bin/env node
// pyship's executable: runs the compiled CLI and exits with its code once output is flushed.
// On Node.js >= 22.1 the compiled code is cached on disk (module.enableCompileCache), which shortens every later start;
// on Node.js 20 the call does not exist and nothing changes.
import module from 'node:module';

module.enableCompileCache?.();
const { main } = await import('../dist/bundle/cli.js');
process.exitCode = await main(process.argv.slice(2));
