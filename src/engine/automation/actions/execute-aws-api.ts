/**
 * `aws:executeAwsApi`: one API call, its response available to `outputs` selectors
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-executeAwsApi.html, aws-semantics §4).
 * The 25-second maximum is enforced by the interpreter as the step's timeout.
 */
import type { ActionHandler } from './action.js';
import { callApi, splitApiInputs } from './call-api.js';

/** "can run up to a maximum duration of 25 seconds". */
export const EXECUTE_AWS_API_MAX_SECONDS = 25;

export const executeAwsApiAction: ActionHandler = async (ctx) => {
  const { service, api, request } = splitApiInputs(ctx.inputs, []);
  const response = await callApi(ctx, service, api, request);
  return { status: 'Success', response };
};
