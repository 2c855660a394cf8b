/**
 * `aws:waitForAwsResourceProperty`: call the API until `PropertySelector` yields one of `DesiredValues`; the step
 * timeout (default 3600 s, aws-semantics §2) ends the wait
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-waitForAwsResourceProperty.html).
 */
import type { ActionHandler } from './action.js';
import { stringInput } from './action.js';
import { callApi, splitApiInputs } from './call-api.js';
import { desiredValues, matchesDesired, selectedValues } from './property.js';

/** Documented default step timeout of this action. */
export const WAIT_FOR_PROPERTY_DEFAULT_TIMEOUT_SECONDS = 3600;
/** Time between polls (UNCONFIRMED: AWS does not document it). */
export const WAIT_FOR_PROPERTY_POLL_MS = 5_000;

export const waitForAwsResourcePropertyAction: ActionHandler = async (ctx) => {
  const { service, api, request } = splitApiInputs(ctx.inputs, ['PropertySelector', 'DesiredValues']);
  const selector = stringInput(ctx.inputs, 'PropertySelector', true);
  const desired = desiredValues(ctx.inputs['DesiredValues']);
  while (!ctx.signal.aborted) {
    const response = await callApi(ctx, service, api, request);
    if (matchesDesired(selectedValues(response, selector), desired)) return { status: 'Success', response };
    await ctx.clock.sleep(WAIT_FOR_PROPERTY_POLL_MS, ctx.signal).catch(() => undefined);
  }
  return { status: 'Failed', failureMessage: 'Stopped while waiting for the property.' };
};
