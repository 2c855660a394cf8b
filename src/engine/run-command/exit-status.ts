/**
 * How the SSM Agent turns a script's exit into a plugin status, and how it truncates output
 * (aws-semantics §6.2, §6.5, §3.2; amazon-ssm-agent `agent/appconfig/constants_unix.go`,
 * `agent/plugins/pluginutil/pluginutil_unix.go` GetStatus, `agent/contracts/model.go`,
 * `agent/framework/processor/executer/iohandler/iohandler.go` TruncateOutput).
 */
import type { CommandPluginStatus, InvocationStatusDetails } from '../../model/ssm.js';

/** `appconfig.SuccessExitCode`. */
export const SUCCESS_EXIT_CODE = 0;
/** `appconfig.CommandStoppedPreemptivelyExitCode`: the agent killed the process (timeout or cancel). */
export const STOPPED_PREEMPTIVELY_EXIT_CODE = 137;
/** `appconfig.RebootExitCode` (Linux/macOS): the agent reboots the node and runs the script again. */
export const REBOOT_EXIT_CODE = 194;
/** `contracts.ExitCodeSuccessAndStop`: "marking step as succeeded. Further document steps will be skipped." */
export const SUCCESS_AND_STOP_EXIT_CODE = 168;
/** `contracts.ExitCodeFailedAndStop`: "marking step as Failed. Further document steps will be skipped." */
export const FAILED_AND_STOP_EXIT_CODE = 169;
/** `ResponseCode` while the agent has not reported (GetCommandInvocation: "-1 … not started or not received"). */
export const NO_RESPONSE_CODE = -1;

/** `appconfig.MaxStdoutLength`: GetCommandInvocation `StandardOutputContent` is the first 24,000 characters. */
export const MAX_STDOUT_LENGTH = 24_000;
/** `appconfig.MaxStderrLength`: `StandardErrorContent` is the first 8,000 characters. */
export const MAX_STDERR_LENGTH = 8_000;
/** `contracts.MaximumPluginOutputSize`: `CommandPlugin.Output` (ListCommandInvocations) is at most 2,500 characters. */
export const MAX_PLUGIN_OUTPUT_SIZE = 2_500;

const ERROR_TITLE = '\n----------ERROR-------\n';
const TRUNCATE_OUT = '\n---Output truncated---';
const TRUNCATE_ERROR = '\n---Error truncated----';

export interface ExitOutcome {
  readonly status: CommandPluginStatus;
  readonly statusDetails: InvocationStatusDetails;
}

/**
 * `pluginutil_unix.go` GetStatus: 0 → Success; 137 after the agent's own kill → TimedOut or Cancelled; 168 → Success
 * and 169 → Failed (`runpluginutil.go`); anything else → Failed. A script that itself exits 137 is Failed.
 */
export function exitOutcome(exitCode: number, stop: { readonly timedOut: boolean; readonly cancelled: boolean }): ExitOutcome {
  if (stop.cancelled) return { status: 'Cancelled', statusDetails: 'Cancelled' };
  if (stop.timedOut) return { status: 'TimedOut', statusDetails: 'Execution Timed Out' };
  if (exitCode === SUCCESS_EXIT_CODE || exitCode === SUCCESS_AND_STOP_EXIT_CODE) {
    return { status: 'Success', statusDetails: 'Success' };
  }
  return { status: 'Failed', statusDetails: 'Failed' };
}

/** First `max` UTF-16 units, never splitting a surrogate pair. */
export function firstChars(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return text.slice(0, end);
}

/** GetCommandInvocation `StandardOutputContent`. */
export function standardOutputContent(stdout: string): string {
  return firstChars(stdout, MAX_STDOUT_LENGTH);
}

/** GetCommandInvocation `StandardErrorContent`. */
export function standardErrorContent(stderr: string): string {
  return firstChars(stderr, MAX_STDERR_LENGTH);
}

/**
 * The agent's `TruncateOutput(stdout, stderr, capacity)`, ported branch by branch. With exit code 168 the agent
 * drops stderr from the plugin output (iohandler.go).
 */
export function pluginOutput(stdout: string, stderr: string, exitCode: number, capacity = MAX_PLUGIN_OUTPUT_SIZE): string {
  const err = exitCode === SUCCESS_AND_STOP_EXIT_CODE ? '' : stderr;
  const outputSize = stdout.length;
  const errorSize = err.length;
  const errorTitle = errorSize > 0 ? ERROR_TITLE : '';
  const available = capacity - errorTitle.length;
  if (outputSize + errorSize < available) return stdout + errorTitle + err;
  if (outputSize > available / 2 && errorSize > available / 2) {
    const size = available - TRUNCATE_ERROR.length - TRUNCATE_OUT.length;
    const half = Math.trunc(size / 2);
    return firstChars(stdout, half) + TRUNCATE_OUT + errorTitle + firstChars(err, half) + TRUNCATE_ERROR;
  }
  if (outputSize < available / 2) {
    const size = available - TRUNCATE_ERROR.length;
    return stdout + errorTitle + firstChars(err, size - outputSize) + TRUNCATE_ERROR;
  }
  const size = available - TRUNCATE_OUT.length;
  return firstChars(stdout, size - errorSize) + TRUNCATE_OUT + errorTitle + err;
}
