#!/usr/bin/env node
// pyship's executable: runs the compiled CLI and exits with its code once output is flushed.
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2));
