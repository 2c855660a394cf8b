/**
 * Shared body of `aws:runShellScript` and `aws:runPowerShellScript` (amazon-ssm-agent
 * `agent/plugins/runscript/runscript.go`): write every `commands` line into ONE script file, run it in the resolved
 * working directory under the agent's environment, enforce `timeoutSeconds` (AWS-RunShellScript's
 * `executionTimeout`), map the exit code.
 */
import { join } from 'node:path';
import { exitOutcome, REBOOT_EXIT_CODE } from '../exit-status.js';
import type { PluginResult, PluginRunInput } from './plugin.js';
import { runScriptProcess, type ScriptProcessInput } from './script-process.js';
import { resolveWorkingDirectory } from './working-directory.js';

/** Agent default when `executionTimeout` is missing or outside 5..172800 (`pluginutil.ValidateExecutionTimeout`). */
export const DEFAULT_EXECUTION_TIMEOUT_SECONDS = 3600;
export const MIN_EXECUTION_TIMEOUT_SECONDS = 5;
export const MAX_EXECUTION_TIMEOUT_SECONDS = 172_800;
/**
 * Exit 194 makes the agent reboot the node and run the script again (send-commands-reboot). Locally the "reboot" is
 * instant; after this many reboots in one invocation the invocation fails (UNCONFIRMED bound, docs/fidelity.md).
 */
export const MAX_REBOOTS = 10;

/** `ValidateExecutionTimeout`: 5..172800, otherwise the default 3600. */
export function agentExecutionTimeout(value: string | readonly string[] | undefined): number {
  const text = typeof value === 'string' ? value : value?.[0];
  const n = text === undefined || !/^\s*\d+\s*$/.test(text) ? Number.NaN : Number(text);
  return Number.isInteger(n) && n >= MIN_EXECUTION_TIMEOUT_SECONDS && n <= MAX_EXECUTION_TIMEOUT_SECONDS
    ? n
    : DEFAULT_EXECUTION_TIMEOUT_SECONDS;
}

export interface ScriptFlavour {
  readonly scriptName: string;
  readonly command: string;
  /** Arguments given the script path. */
  readonly args: (scriptPath: string) => readonly string[];
}

export function runScript(input: PluginRunInput, flavour: ScriptFlavour): Promise<PluginResult> {
  // A plugin reports failure through its promise, never by throwing (the service turns a rejection into Failed).
  try {
    return runOnce(input, flavour, input.clock.now(), 0);
  } catch (error) {
    return Promise.reject(error as Error);
  }
}

/**
 * One run of the script; exit 194 runs it again, as the agent does after its reboot. Promise callbacks rather than an
 * async frame, and the spawn request is rebuilt for a rerun rather than kept: while the script runs, only `input`,
 * `flavour` and two numbers stay alive, not the script text, paths and environment.
 */
function runOnce(input: PluginRunInput, flavour: ScriptFlavour, startedAt: number, reboots: number): Promise<PluginResult> {
  const request = spawnRequest(input, flavour);
  if (typeof request === 'string') {
    // pluginOutput.MarkAsFailed: exit code 1, the error appended to stderr.
    return Promise.resolve({ status: 'Failed', statusDetails: 'Failed', exitCode: 1, stdout: '', stderr: request, startedAt, endedAt: input.clock.now() });
  }
  return runScriptProcess(request).then((run) => {
    if (run.startError !== undefined) {
      return {
        status: 'Failed',
        statusDetails: 'Failed',
        exitCode: 1,
        stdout: run.stdout,
        stderr: `${run.stderr}failed to run commands: ${run.startError.message}`,
        startedAt,
        endedAt: input.clock.now(),
      };
    }
    if (run.exitCode === REBOOT_EXIT_CODE && !run.timedOut && !run.cancelled && reboots < MAX_REBOOTS) return runOnce(input, flavour, startedAt, reboots + 1);
    const outcome = exitOutcome(run.exitCode, run);
    // The agent stamps the end when the process ends, not when the result reaches the service.
    const endedAt = Math.max(startedAt, input.clock.now() - run.endedMsAgo);
    return { ...outcome, exitCode: run.exitCode, stdout: run.stdout, stderr: run.stderr, startedAt, endedAt };
  });
}

/** What the spawner needs to write and start the script, or the working-directory error. */
function spawnRequest(input: PluginRunInput, flavour: ScriptFlavour): ScriptProcessInput | string {
  // runCommand: "Type: StringList or String" (plugin reference); every line goes into one script.
  const commands = input.inputs['runCommand'];
  if (commands !== undefined && typeof commands !== 'string' && !(Array.isArray(commands) && commands.every((c) => typeof c === 'string'))) {
    // The agent cannot read it into its []string (runscript.go runCommandsRawInput).
    return `Invalid format in plugin properties ${JSON.stringify(input.inputs)};\nerror runCommand must be a string or a list of strings`;
  }
  const lines = typeof commands === 'string' ? [commands] : ((commands ?? []) as string[]);
  const scriptPath = join(input.orchestrationDir, flavour.scriptName);
  const wd = input.inputs['workingDirectory'];
  const cwd = resolveWorkingDirectory(typeof wd === 'string' ? wd : '', input.orchestrationDir, input.instance.rootDir);
  if (!cwd.ok) return cwd.error;
  const timeout = input.inputs['timeoutSeconds'];
  return {
    // The spawner writes the script (mode 0755) into the orchestration folder before it starts it; a reboot
    // writes the same script again.
    scriptDir: input.orchestrationDir,
    scriptPath,
    script: lines.join('\n') + '\n',
    command: flavour.command,
    args: flavour.args(scriptPath),
    cwd: cwd.dir,
    // Added to the agent's environment (the engine process's, without the user's AWS variables).
    inheritAwsEnvironment: input.instance.inheritAwsEnvironment,
    env: {
      ...input.instance.environment,
      // Agent 3.0.284.0 release notes: "Added SSM_COMMAND_ID environment variable to runShellScript plugin".
      SSM_COMMAND_ID: input.commandId,
      // Set by newer agents for run-script plugins (UNCONFIRMED, docs/fidelity.md).
      AWS_SSM_INSTANCE_ID: input.instance.instanceId,
      AWS_SSM_REGION_NAME: input.region,
    },
    timeoutSeconds: agentExecutionTimeout(typeof timeout === 'number' ? String(timeout) : typeof timeout === 'string' ? timeout : undefined),
    clock: input.clock,
    cancel: input.cancel,
    track: (kill: () => void) => input.instance.track(kill),
    onProcess: input.onProcess,
  };
}
