/**
 * Stack resources as ListStackResources, DescribeStackResource and DescribeStackResources report them: each
 * resource's latest event, sorted by logical id (CloudFormation API Reference, StackResourceSummary,
 * StackResourceDetail, StackResource). The engine checks no drift: every resource is NOT_CHECKED.
 */
import { isJsonObject, type JsonObject, type JsonValue } from '../../model/json.js';

export interface ResourceState {
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceType: string;
  readonly ResourceStatus: string;
  readonly ResourceStatusReason?: string;
  readonly Timestamp: Date;
}

export function sortedByLogicalId(states: Iterable<ResourceState>): ResourceState[] {
  return [...states].sort((a, b) => (a.LogicalResourceId < b.LogicalResourceId ? -1 : a.LogicalResourceId > b.LogicalResourceId ? 1 : 0));
}

function common(state: ResourceState): JsonObject {
  return {
    LogicalResourceId: state.LogicalResourceId,
    ...(state.PhysicalResourceId === undefined ? {} : { PhysicalResourceId: state.PhysicalResourceId }),
    ResourceType: state.ResourceType,
  };
}

function status(state: ResourceState): JsonObject {
  return {
    ResourceStatus: state.ResourceStatus,
    ...(state.ResourceStatusReason === undefined ? {} : { ResourceStatusReason: state.ResourceStatusReason }),
  };
}

const NOT_CHECKED = { StackResourceDriftStatus: 'NOT_CHECKED' };
const time = (date: Date) => date as unknown as JsonValue;

/** A ListStackResources member. */
export function resourceSummary(state: ResourceState): JsonObject {
  return { ...common(state), LastUpdatedTimestamp: time(state.Timestamp), ...status(state), DriftInformation: NOT_CHECKED };
}

/** A DescribeStackResources member. */
export function stackResource(stack: { StackName: string; StackId: string }, state: ResourceState): JsonObject {
  return { StackName: stack.StackName, StackId: stack.StackId, ...common(state), Timestamp: time(state.Timestamp), ...status(state), DriftInformation: NOT_CHECKED };
}

/** DescribeStackResource's StackResourceDetail: with the resource's template Metadata, as a JSON string. */
export function resourceDetail(stack: { StackName: string; StackId: string; template: JsonObject }, state: ResourceState): JsonObject {
  const resources = isJsonObject(stack.template['Resources']) ? stack.template['Resources'] : {};
  const definition = Object.hasOwn(resources, state.LogicalResourceId) ? resources[state.LogicalResourceId] : undefined;
  const metadata = isJsonObject(definition) ? definition['Metadata'] : undefined;
  return {
    StackName: stack.StackName,
    StackId: stack.StackId,
    ...common(state),
    LastUpdatedTimestamp: time(state.Timestamp),
    ...status(state),
    Metadata: JSON.stringify(metadata ?? {}),
    DriftInformation: NOT_CHECKED,
  };
}
