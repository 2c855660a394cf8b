/**
 * `aws:assertAwsResourceProperty`: one API call; the step fails unless `PropertySelector` yields one of
 * `DesiredValues` (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-assertAwsResourceProperty.html).
 */
import type { ActionHandler } from './action.js';
import { StepFailure, stringInput } from './action.js';
import { callApi, splitApiInputs } from './call-api.js';
import { desiredValues, matchesDesired, selectedValues } from './property.js';

export const assertAwsResourcePropertyAction: ActionHandler = async (ctx) => {
  const { service, api, request } = splitApiInputs(ctx.inputs, ['PropertySelector', 'DesiredValues']);
  const selector = stringInput(ctx.inputs, 'PropertySelector', true);
  const desired = desiredValues(ctx.inputs['DesiredValues']);
  const response = await callApi(ctx, service, api, request);
  const values = selectedValues(response, selector);
  if (!matchesDesired(values, desired)) {
    throw new StepFailure(`Property ${selector} is [${values.join(', ')}], not one of the desired values [${desired.join(', ')}].`, {
      FailureStage: 'PostVerification',
      FailureType: 'Verification',
    });
  }
  return { status: 'Success', response };
};
