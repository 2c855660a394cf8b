/**
 * `aws:runCommand`: SendCommand through the local Run Command service, then wait for the command to finish
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-runcommand.html, aws-semantics §3).
 *
 * Outputs `CommandId`, `Status`, `ResponseCode`, `Output` are set as soon as they are known, also when the command
 * fails (the step then fails) — UNCONFIRMED, docs/fidelity.md. `ResponseCode` and `Output` are those of the first
 * target's invocation (its plugin output, ≤ 2,500 characters). A command that ends in any status but Success fails
 * the step. On step timeout or automation cancel, the command is cancelled (CancelCommand).
 */
import { isServiceError } from '../../../errors/service-error.js';
import type { JsonObject, JsonValue } from '../../../model/json.js';
import { isJsonObject } from '../../../model/json.js';
import type { Command, CommandPlugin, SendCommandRequest, Target } from '../../../model/ssm.js';
import type { RunCommandService } from '../../run-command/run-command-service.js';
import type { StopSignal } from '../../stop-signal.js';
import type { ActionContext, ActionHandler, ActionResult } from './action.js';
import { checkKnownInputs, inputFailure, StepFailure, stringInput } from './action.js';

type SetOutput = ActionContext['setOutput'];

const INPUTS = [
  'DocumentName',
  'DocumentVersion',
  'DocumentHash',
  'DocumentHashType',
  'InstanceIds',
  'Targets',
  'Parameters',
  'TimeoutSeconds',
  'Comment',
  'CloudWatchOutputConfig',
  'NotificationConfig',
  'OutputS3BucketName',
  'OutputS3KeyPrefix',
  'ServiceRoleArn',
  'MaxConcurrency',
  'MaxErrors',
] as const;

function stringList(value: JsonValue, name: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw inputFailure(`Input ${name} must be a StringList.`);
  });
}

/** SendCommand `Parameters` is `map<string, list<string>>`: scalars become one-item lists, numbers strings. */
function commandParameters(value: JsonValue | undefined): Record<string, string[]> {
  if (value === undefined) return {};
  if (!isJsonObject(value)) throw inputFailure('Input Parameters must be a StringMap.');
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = (Array.isArray(v) ? v : [v]).map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
  }
  return out;
}

function targets(value: JsonValue): Target[] {
  if (!Array.isArray(value)) throw inputFailure('Input Targets must be a MapList.');
  return value.map((t) => {
    if (!isJsonObject(t) || typeof t['Key'] !== 'string' || !Array.isArray(t['Values'])) {
      throw inputFailure('Each Targets entry must be {"Key": string, "Values": [string]}.');
    }
    return { Key: t['Key'], Values: stringList(t['Values'], 'Targets.Values') };
  });
}

function integer(value: JsonValue, name: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n)) throw inputFailure(`Input ${name} must be an Integer; got ${JSON.stringify(value)}.`);
  return n;
}

function buildRequest(inputs: JsonObject): SendCommandRequest {
  checkKnownInputs(inputs, INPUTS, 'aws:runCommand');
  const request: SendCommandRequest = { DocumentName: stringInput(inputs, 'DocumentName', true) };
  const optionalStrings = ['DocumentVersion', 'DocumentHash', 'Comment', 'OutputS3BucketName', 'OutputS3KeyPrefix', 'ServiceRoleArn', 'MaxConcurrency', 'MaxErrors'] as const;
  for (const key of optionalStrings) {
    const v = stringInput(inputs, key);
    // An empty string (a runbook default of "") means "not set".
    if (v !== undefined && v !== '') (request as unknown as Record<string, string>)[key] = v;
  }
  const hashType = stringInput(inputs, 'DocumentHashType');
  if (hashType !== undefined) {
    if (hashType !== 'Sha256' && hashType !== 'Sha1') throw inputFailure('Input DocumentHashType must be Sha256 or Sha1.');
    request.DocumentHashType = hashType;
  }
  if (inputs['InstanceIds'] !== undefined) request.InstanceIds = stringList(inputs['InstanceIds'], 'InstanceIds');
  if (inputs['Targets'] !== undefined) request.Targets = targets(inputs['Targets']);
  request.Parameters = commandParameters(inputs['Parameters']);
  if (inputs['TimeoutSeconds'] !== undefined) request.TimeoutSeconds = integer(inputs['TimeoutSeconds'], 'TimeoutSeconds');
  const cw = inputs['CloudWatchOutputConfig'];
  if (cw !== undefined) {
    if (!isJsonObject(cw)) throw inputFailure('Input CloudWatchOutputConfig must be a StringMap.');
    const enabled = cw['CloudWatchOutputEnabled'];
    const group = cw['CloudWatchLogGroupName'];
    request.CloudWatchOutputConfig = {
      ...(enabled === undefined ? {} : { CloudWatchOutputEnabled: enabled === true || enabled === 'true' }),
      ...(typeof group === 'string' && group !== '' ? { CloudWatchLogGroupName: group } : {}),
    };
  }
  const nc = inputs['NotificationConfig'];
  if (nc !== undefined) {
    if (!isJsonObject(nc)) throw inputFailure('Input NotificationConfig must be a StringMap.');
    request.NotificationConfig = structuredClone(nc) as SendCommandRequest['NotificationConfig'] & object;
  }
  return request;
}

export const runCommandAction: ActionHandler = async (ctx) => {
  const request = buildRequest(ctx.inputs);
  let commandId: string;
  try {
    // Automation sends the command with the role it assumed, so that role needs ssm:SendCommand (aws-semantics §8.3).
    await ctx.authorizeSsm?.('SendCommand', request as unknown as JsonObject, ctx.roleArn);
    commandId = (await ctx.runCommand.SendCommand(request)).Command.CommandId;
  } catch (error) {
    if (isServiceError(error)) throw new StepFailure(`SendCommand failed: ${error.name}: ${error.message}`);
    throw error;
  }
  ctx.setOutput('CommandId', commandId);
  // Returned, not awaited: while the command runs, only what untilDone needs stays on the heap, not this frame
  // with the context, its inputs and the request.
  return untilDone(ctx.runCommand, ctx.signal, ctx.setOutput, commandId);
};

/**
 * One promise, settled by whichever comes first, the command's end or the step's stop: Promise.race would keep a
 * derived promise and a reaction per contender for as long as the command runs.
 */
function untilDone(service: RunCommandService, signal: StopSignal, setOutput: SetOutput, commandId: string): Promise<ActionResult> {
  return new Promise<ActionResult>((resolve, reject) => {
    let settled = false;
    const onStop = (): void => {
      if (settled) return;
      settled = true;
      stopWaiting();
      resolve(stopCommand(service, setOutput, commandId));
    };
    const stopWaiting = service.onCommandDone(commandId, (command) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onStop);
      try {
        resolve(commandEnded(service, setOutput, commandId, command));
      } catch (error) {
        reject(error as Error);
      }
    });
    // A command already over (no node in the tag) has called back at once, and wins over a stop, as it did in a race.
    if (settled) return;
    if (signal.aborted) onStop();
    else signal.addEventListener('abort', onStop);
  });
}

/** Step timeout or automation cancel: stop the command on the nodes too. */
async function stopCommand(service: RunCommandService, setOutput: SetOutput, commandId: string): Promise<ActionResult> {
  await service.CancelCommand({ CommandId: commandId }).catch(() => undefined);
  const now = (await service.ListCommands({ CommandId: commandId })).Commands[0];
  if (now !== undefined) setOutput('Status', now.Status);
  return { status: 'Failed', failureMessage: `Command ${commandId} was cancelled because the step was stopped.` };
}

function commandEnded(service: RunCommandService, setOutput: SetOutput, commandId: string, outcome: Command): ActionResult {
  setOutput('Status', outcome.Status);
  const first = service.invocationsOf(commandId)[0];
  const plugin = reportedPlugin(first?.CommandPlugins ?? []);
  if (plugin !== undefined) {
    setOutput('ResponseCode', String(plugin.ResponseCode));
    setOutput('Output', plugin.Output);
  }
  if (outcome.Status === 'Success') return { status: 'Success', responseCode: String(plugin?.ResponseCode ?? '') };
  return {
    status: 'Failed',
    failureMessage: `Command ${commandId} ended with status ${outcome.Status} (${outcome.StatusDetails}); ${outcome.ErrorCount} of ${outcome.TargetCount} target(s) failed or timed out.`,
    failureDetails: { FailureStage: 'Invocation', FailureType: 'Action', Details: { CommandId: [commandId], Status: [outcome.Status] } },
  };
}

/**
 * The plugin whose `ResponseCode` and `Output` the step reports: the only one, or of several steps the first that
 * did not succeed, else the last (UNCONFIRMED for documents with several steps; docs/fidelity.md).
 */
function reportedPlugin(plugins: readonly CommandPlugin[]): CommandPlugin | undefined {
  return plugins.find((p) => p.Status !== 'Success') ?? plugins.at(-1);
}
