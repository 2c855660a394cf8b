#!/usr/bin/env node
/** The `shellstep` command: a thin shell over the library. Result JSON on stdout, progress on stderr. */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { registerSynth } from './commands/synth.js';
import { registerValidate } from './commands/validate.js';
import { registerDemo } from './commands/demo.js';
import { registerServe } from './commands/serve.js';
import { registerDeploy } from './commands/deploy.js';
import { registerRun } from './commands/run.js';
import { registerRunCommand } from './commands/run-command.js';
import { registerRunStateMachine } from './commands/run-state-machine.js';
import { registerTestState } from './commands/test-state.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('shellstep')
  .description('Run shell commands on EC2 as a synchronous Step Functions step, on AWS or offline.')
  .version(pkg.version);

registerSynth(program);
registerValidate(program);
registerDemo(program);
registerServe(program);
registerDeploy(program);
registerRun(program);
registerRunCommand(program);
registerRunStateMachine(program);
registerTestState(program);

await program.parseAsync(process.argv);
