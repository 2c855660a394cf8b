/**
 * The API call shared by `aws:executeAwsApi`, `aws:waitForAwsResourceProperty` and `aws:assertAwsResourceProperty`:
 * `Service` is the boto3 namespace (`stepfunctions`, `ssm`), `Api` either the boto3 method (`send_task_success`) or
 * the operation name (`SendTaskSuccess`) — AWS accepts both in practice (aws-semantics §4). SSM calls go to the
 * local SSM service, everything else to the injected `AwsApi` port.
 */
import { canonicalServiceId, operationName } from '../../aws-api.js';
import { isServiceError } from '../../../errors/service-error.js';
import type { JsonObject, JsonValue } from '../../../model/json.js';
import type { ActionContext } from './action.js';
import { StepFailure } from './action.js';

export async function callApi(ctx: ActionContext, service: string, api: string, input: JsonObject): Promise<JsonValue> {
  const id = canonicalServiceId(service);
  const operation = operationName(api);
  try {
    if (id === 'ssm') await ctx.authorizeSsm?.(operation, input, ctx.roleArn);
    const response = id === 'ssm' ? await ctx.ssm(operation, input) : await ctx.awsApi.call(id, operation, input, ctx.roleArn === undefined ? {} : { roleArn: ctx.roleArn });
    // Dates become ISO strings, as a JSON response would carry them.
    return JSON.parse(JSON.stringify(response ?? {})) as JsonValue;
  } catch (error) {
    if (isServiceError(error)) {
      // The message boto3 (which the action uses) raises: "An error occurred (<Code>) when calling the <Op> operation: …".
      throw new StepFailure(`An error occurred (${error.name}) when calling the ${operation} operation: ${error.message}`, {
        FailureStage: 'Invocation',
        FailureType: 'Action',
        Details: { ErrorCode: [error.name] },
      });
    }
    throw error;
  }
}

/** Splits an action's inputs into `Service`, `Api`, the action's own keys and the API request members. */
export function splitApiInputs(inputs: JsonObject, own: readonly string[]): { service: string; api: string; request: JsonObject } {
  const service = inputs['Service'];
  const api = inputs['Api'];
  if (typeof service !== 'string' || typeof api !== 'string') {
    throw new StepFailure('Inputs Service and Api are required Strings.', { FailureStage: 'InputValidation', FailureType: 'Verification' });
  }
  const request: JsonObject = {};
  for (const [k, v] of Object.entries(inputs)) {
    if (k !== 'Service' && k !== 'Api' && !own.includes(k)) request[k] = v;
  }
  return { service, api, request };
}
