/**
 * A stack as the local CloudFormation service keeps it, and as DescribeStacks shows it (CloudFormation API
 * Reference, Stack; the members AWS leaves out or always sends follow stacks AWS recorded, see docs/fidelity.md).
 */
import type { JsonObject } from '../../model/json.js';
import type { ChangeSetRecord } from './change-sets.js';
import { noEchoParameters } from './parameters.js';
import type { CreatedResource } from './resources/provider.js';
import type { ResourceState } from './stack-resources.js';

export type StackStatus =
  | 'REVIEW_IN_PROGRESS'
  | 'CREATE_IN_PROGRESS'
  | 'CREATE_COMPLETE'
  | 'CREATE_FAILED'
  | 'ROLLBACK_IN_PROGRESS'
  | 'ROLLBACK_COMPLETE'
  | 'ROLLBACK_FAILED'
  | 'UPDATE_IN_PROGRESS'
  | 'UPDATE_COMPLETE'
  | 'UPDATE_ROLLBACK_IN_PROGRESS'
  | 'UPDATE_ROLLBACK_COMPLETE'
  | 'UPDATE_ROLLBACK_FAILED'
  | 'DELETE_IN_PROGRESS'
  | 'DELETE_COMPLETE'
  | 'DELETE_FAILED';

export interface StackEvent {
  readonly StackId: string;
  readonly EventId: string;
  readonly StackName: string;
  readonly LogicalResourceId: string;
  /** `""` while the resource does not exist yet, as AWS sends it (describe-stack-events). */
  readonly PhysicalResourceId: string;
  readonly ResourceType: string;
  readonly Timestamp: Date;
  readonly ResourceStatus: string;
  readonly ResourceStatusReason?: string;
}

export interface StackOutput {
  readonly OutputKey: string;
  readonly OutputValue: string;
  readonly Description?: string;
  readonly ExportName?: string;
}

export interface DeployedResource extends CreatedResource {
  readonly type: string;
  readonly properties: JsonObject;
}

export interface StackRecord {
  readonly StackId: string;
  readonly StackName: string;
  readonly CreationTime: Date;
  LastUpdatedTime?: Date;
  DeletionTime?: Date;
  StackStatus: StackStatus;
  StackStatusReason?: string | undefined;
  Description?: string | undefined;
  Parameters: Array<{ ParameterKey: string; ParameterValue: string }>;
  Capabilities: string[];
  Outputs: StackOutput[];
  DisableRollback: boolean;
  /** The change set the stack was last created or updated with. */
  ChangeSetId?: string;
  template: JsonObject;
  /** The template as it was submitted (GetTemplate's Original stage). */
  templateBody: string;
  resources: Map<string, DeployedResource>;
  resourceStates: Map<string, ResourceState>;
  events: StackEvent[];
  /** Export names this stack imports. */
  imports: Set<string>;
  /** The stack's change sets by name. */
  changeSets: Map<string, ChangeSetRecord>;
  operation: Promise<void>;
}

/** A stack as DescribeStacks returns it: empty Parameters, Capabilities and Outputs are left out, as AWS leaves them out. */
export function stackView(stack: StackRecord): JsonObject {
  const noEcho = noEchoParameters(stack.template);
  const out: Record<string, unknown> = { StackId: stack.StackId, StackName: stack.StackName };
  if (stack.ChangeSetId !== undefined) out['ChangeSetId'] = stack.ChangeSetId;
  if (stack.Description !== undefined) out['Description'] = stack.Description;
  if (stack.Parameters.length > 0) {
    // NoEcho values are shown as asterisks (CloudFormation User Guide, Parameters, NoEcho).
    out['Parameters'] = stack.Parameters.map((p) => ({ ParameterKey: p.ParameterKey, ParameterValue: noEcho.has(p.ParameterKey) ? '****' : p.ParameterValue }));
  }
  out['CreationTime'] = stack.CreationTime;
  if (stack.DeletionTime !== undefined) out['DeletionTime'] = stack.DeletionTime;
  if (stack.LastUpdatedTime !== undefined) out['LastUpdatedTime'] = stack.LastUpdatedTime;
  out['RollbackConfiguration'] = {};
  out['StackStatus'] = stack.StackStatus;
  if (stack.StackStatusReason !== undefined) out['StackStatusReason'] = stack.StackStatusReason;
  out['DisableRollback'] = stack.DisableRollback;
  out['NotificationARNs'] = [];
  if (stack.Capabilities.length > 0) out['Capabilities'] = stack.Capabilities;
  if (stack.Outputs.length > 0) out['Outputs'] = stack.Outputs;
  out['Tags'] = [];
  // Recorded on AWS: a deleted stack no longer reports termination protection.
  if (stack.StackStatus !== 'DELETE_COMPLETE') out['EnableTerminationProtection'] = false;
  out['DriftInformation'] = { StackDriftStatus: 'NOT_CHECKED' };
  return out as JsonObject;
}
