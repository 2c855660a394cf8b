/**
 * `shellstep/cdk`: AWS CDK constructs for running shell commands on managed nodes as a synchronous
 * Step Functions step. Explicit named exports only (style-anchors §3.13). Requires the peer dependencies
 * `aws-cdk-lib` and `constructs`.
 */
export { CommandTargets, MAX_INSTANCE_IDS, MAX_TARGETS } from './command-targets.js';
export type { CommandTarget } from './command-targets.js';
export { ShellStepValidationError, isShellStepValidationError } from './errors.js';
export { CommandShell, RunShellCommand, ShellCommands } from './run-shell-command.js';
export type { NodeCount, RunShellCommandJsonataProps, RunShellCommandJsonPathProps, RunShellCommandProps } from './run-shell-command.js';
export { RunShellCommandRunbooks } from './run-shell-command-runbooks.js';
export type {
  IRunShellCommandRunbooks,
  RunShellCommandRunbooksAttributes,
  RunShellCommandRunbooksProps,
  TargetMode,
} from './run-shell-command-runbooks.js';
