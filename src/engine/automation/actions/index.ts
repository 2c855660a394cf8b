/**
 * The registry of Automation actions the local engine runs. Adding an action to `SupportedAction` without a handler
 * is a compile error; any other action is rejected at CreateDocument by `validateRunbook` as unsupported locally.
 */
import type { ActionHandler } from './action.js';
import { assertAwsResourcePropertyAction } from './assert-aws-resource-property.js';
import { branchAction } from './branch.js';
import { executeAwsApiAction } from './execute-aws-api.js';
import { runCommandAction } from './run-command.js';
import { sleepAction } from './sleep.js';
import { waitForAwsResourcePropertyAction } from './wait-for-aws-resource-property.js';

export type SupportedAction =
  | 'aws:runCommand'
  | 'aws:executeAwsApi'
  | 'aws:branch'
  | 'aws:sleep'
  | 'aws:waitForAwsResourceProperty'
  | 'aws:assertAwsResourceProperty';

export const ACTIONS = {
  'aws:runCommand': runCommandAction,
  'aws:executeAwsApi': executeAwsApiAction,
  'aws:branch': branchAction,
  'aws:sleep': sleepAction,
  'aws:waitForAwsResourceProperty': waitForAwsResourcePropertyAction,
  'aws:assertAwsResourceProperty': assertAwsResourcePropertyAction,
} as const satisfies Record<SupportedAction, ActionHandler>;

export function isSupportedAction(action: string): action is SupportedAction {
  return Object.hasOwn(ACTIONS, action);
}
