/**
 * CloudFormation change sets: the record CreateChangeSet keeps, and the `Changes` it reports, worked out by
 * comparing a stack's deployed resources with what a template and its parameters would make of them
 * (CloudFormation API Reference, DescribeChangeSet, ResourceChange, ResourceChangeDetail; the shapes follow change
 * sets AWS recorded, see docs/fidelity.md). Executing one runs the stack's ordinary create or update.
 */
import { isJsonObject, type JsonObject, type JsonValue } from '../../model/json.js';
import { ENGINE_RESOURCE_TYPES } from '../../validate/generated/engine-resource-spec.js';
import { resolveIntrinsics, type IntrinsicContext, type ResolvedResource } from './intrinsics.js';

export type ChangeSetStatus =
  | 'CREATE_PENDING'
  | 'CREATE_IN_PROGRESS'
  | 'CREATE_COMPLETE'
  | 'DELETE_PENDING'
  | 'DELETE_IN_PROGRESS'
  | 'DELETE_COMPLETE'
  | 'DELETE_FAILED'
  | 'FAILED';

export type ExecutionStatus = 'UNAVAILABLE' | 'AVAILABLE' | 'EXECUTE_IN_PROGRESS' | 'EXECUTE_COMPLETE' | 'EXECUTE_FAILED' | 'OBSOLETE';

/** The StatusReason of a change set that changes nothing; `aws cloudformation deploy` looks for this text. */
export const NO_CHANGES_REASON = "The submitted information didn't contain changes. Submit different information to create a change set.";

type RequiresRecreation = 'Never' | 'Conditionally' | 'Always';
type ChangeSource = 'ResourceReference' | 'ParameterReference' | 'ResourceAttribute' | 'DirectModification';

export interface ResourceChangeDetail {
  readonly Target: { readonly Attribute: 'Properties' | 'Metadata'; readonly Name?: string; readonly RequiresRecreation: RequiresRecreation };
  readonly Evaluation: 'Static' | 'Dynamic';
  readonly ChangeSource: ChangeSource;
  readonly CausingEntity?: string;
}

export interface ResourceChange {
  readonly Action: 'Add' | 'Modify' | 'Remove';
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceType: string;
  readonly Replacement?: 'True' | 'False' | 'Conditional';
  readonly Scope: readonly string[];
  readonly Details: readonly ResourceChangeDetail[];
  readonly PolicyAction?: 'Delete' | 'ReplaceAndDelete';
  /** The resolved properties before and after, for IncludePropertyValues. */
  readonly before?: JsonObject;
  readonly after?: JsonObject;
}

export interface ChangeSetRecord {
  readonly ChangeSetId: string;
  readonly ChangeSetName: string;
  readonly StackId: string;
  readonly StackName: string;
  readonly ChangeSetType: 'CREATE' | 'UPDATE';
  readonly CreationTime: Date;
  readonly Description?: string;
  Status: ChangeSetStatus;
  StatusReason?: string;
  ExecutionStatus: ExecutionStatus;
  /** As given, NoEcho values included; the views mask them. */
  readonly Parameters: ReadonlyArray<{ readonly ParameterKey: string; readonly ParameterValue: string }>;
  readonly noEcho: ReadonlySet<string>;
  readonly Capabilities: readonly string[];
  readonly Tags: ReadonlyArray<{ readonly Key: string; readonly Value: string }>;
  readonly NotificationARNs: readonly string[];
  readonly OnStackFailure?: 'DO_NOTHING' | 'ROLLBACK' | 'DELETE';
  /** The request members a retry with the same name must repeat (CreateChangeSet is idempotent per name). */
  readonly fingerprint: ReadonlyArray<readonly [string, string]>;
  readonly template: JsonObject;
  readonly templateBody: string;
  Changes: ResourceChange[];
  /** Settles when the change set has been worked out (CREATE_COMPLETE or FAILED). */
  ready: Promise<void>;
}

/** A deployed resource, as the stack keeps it. */
export interface DeployedResource {
  readonly type: string;
  readonly physicalId: string;
  readonly properties: JsonObject;
  readonly attributes: Readonly<Record<string, JsonValue>>;
}

export interface PlanInput {
  /** The template the stack was last deployed with (`{}` for a CREATE change set), and its resources. */
  readonly before: { readonly template: JsonObject; readonly resources: ReadonlyMap<string, DeployedResource> };
  readonly after: JsonObject;
  /** The new template's resources in dependency order. */
  readonly order: readonly string[];
  /** Resolves against the new template, its parameters and conditions, and the deployed resources. */
  readonly context: IntrinsicContext;
  readonly changedParameters: ReadonlySet<string>;
}

/** What a value becomes once the change set is executed, unknown before (AWS shows this text in AfterValue). */
export const KNOWN_AFTER_APPLY = '{{changeSet:KNOWN_AFTER_APPLY}}';
const UNKNOWN_PREFIX = '\u0000unresolved:';

function unknown(what: string): string {
  return `${UNKNOWN_PREFIX}${what}\u0000`;
}

function withUnknownAttributes(id: string, ref: string): ResolvedResource {
  const attributes = new Proxy({} as Record<string, JsonValue>, {
    get: (_target, key) => (typeof key === 'string' ? unknown(`${id}.${key}`) : undefined),
  });
  return { ref, attributes };
}

/** Replaces the markers of unknown values with AWS's placeholder. */
function shown(value: JsonValue | undefined): JsonValue | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value.includes(UNKNOWN_PREFIX) ? KNOWN_AFTER_APPLY : value;
  if (Array.isArray(value)) return value.map((v) => shown(v) ?? null);
  if (isJsonObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shown(v) ?? null]));
  return value;
}

interface Reference {
  readonly kind: 'Ref' | 'GetAtt';
  readonly name: string;
  readonly attribute?: string;
}

/** The `Ref`, `Fn::GetAtt` and `Fn::Sub` references anywhere in a template value. */
function references(value: JsonValue | undefined, into: Reference[] = []): Reference[] {
  if (Array.isArray(value)) {
    for (const v of value) references(v, into);
  } else if (isJsonObject(value)) {
    const keys = Object.keys(value);
    const arg = value[keys[0]!];
    if (keys.length === 1 && keys[0] === 'Ref' && typeof arg === 'string') into.push({ kind: 'Ref', name: arg });
    if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
      const parts = typeof arg === 'string' ? [arg.slice(0, arg.indexOf('.')), arg.slice(arg.indexOf('.') + 1)] : Array.isArray(arg) ? arg : [];
      if (typeof parts[0] === 'string' && typeof parts[1] === 'string') into.push({ kind: 'GetAtt', name: parts[0], attribute: parts[1] });
    }
    if (keys.length === 1 && keys[0] === 'Fn::Sub') {
      const text = typeof arg === 'string' ? arg : Array.isArray(arg) && typeof arg[0] === 'string' ? arg[0] : undefined;
      const local = Array.isArray(arg) && isJsonObject(arg[1]) ? new Set(Object.keys(arg[1])) : new Set<string>();
      for (const m of text?.matchAll(/\$\{([^!}][^}]*)\}/g) ?? []) {
        const name = m[1]!.trim();
        const dot = name.indexOf('.');
        if (local.has(name)) continue;
        into.push(dot === -1 ? { kind: 'Ref', name } : { kind: 'GetAtt', name: name.slice(0, dot), attribute: name.slice(dot + 1) });
      }
    }
    for (const v of Object.values(value)) references(v, into);
  }
  return into;
}

/**
 * Whether changing a property replaces the resource, from the CloudFormation resource specification
 * (`@aws-cdk/aws-service-spec` `causesReplacement`, generated into engine-resource-spec.ts): 'yes' is Always,
 * 'maybe' (for example an SSM document's Content, which UpdateMethod decides) Conditionally, anything else Never.
 */
export function requiresRecreation(type: string, property: string): RequiresRecreation {
  const spec = ENGINE_RESOURCE_TYPES.find((r) => r.type === type);
  const replacement = spec !== undefined && Object.hasOwn(spec.replacement, property) ? spec.replacement[property] : undefined;
  return replacement === 'yes' ? 'Always' : replacement === 'maybe' ? 'Conditionally' : 'Never';
}

/**
 * The most disruptive detail decides (DescribeChangeSet, ResourceChange.Replacement): Always with a Static
 * evaluation is True, Always with a Dynamic one or Conditionally is Conditional, else False.
 */
function replacementOf(details: readonly ResourceChangeDetail[]): 'True' | 'False' | 'Conditional' {
  if (details.some((d) => d.Target.RequiresRecreation === 'Always' && d.Evaluation === 'Static')) return 'True';
  if (details.some((d) => d.Target.RequiresRecreation !== 'Never')) return 'Conditional';
  return 'False';
}

/** What a planned resource will be for the resources that refer to it. */
type Fate = 'unchanged' | 'modified' | 'replaced' | 'conditional' | 'added';

const SOURCE_ORDER: Record<ChangeSource, number> = { ParameterReference: 0, ResourceReference: 1, ResourceAttribute: 2, DirectModification: 3 };

/** Details grouped by what caused them, direct modifications last, then by attribute and property (as AWS lists them). */
function compareDetails(a: ResourceChangeDetail, b: ResourceChangeDetail): number {
  return (
    SOURCE_ORDER[a.ChangeSource] - SOURCE_ORDER[b.ChangeSource] ||
    a.Target.Attribute.localeCompare(b.Target.Attribute) ||
    (a.Target.Name ?? '').localeCompare(b.Target.Name ?? '') ||
    (a.CausingEntity ?? '').localeCompare(b.CausingEntity ?? '')
  );
}

function conditionHolds(definition: JsonObject, context: IntrinsicContext): boolean {
  return typeof definition['Condition'] !== 'string' || context.conditions.get(definition['Condition']) === true;
}

/** The causes of one changed property: the references that changed under it, and its own text. */
function causes(expression: JsonValue | undefined, previous: JsonValue | undefined, fates: ReadonlyMap<string, Fate>, input: PlanInput): Array<Omit<ResourceChangeDetail, 'Target'>> {
  const found: Array<Omit<ResourceChangeDetail, 'Target'>> = [];
  const add = (detail: Omit<ResourceChangeDetail, 'Target'>) => {
    if (!found.some((d) => d.ChangeSource === detail.ChangeSource && d.CausingEntity === detail.CausingEntity && d.Evaluation === detail.Evaluation)) found.push(detail);
  };
  for (const ref of references(expression)) {
    const fate = fates.get(ref.name);
    if (ref.kind === 'Ref' && fate === undefined) {
      if (input.changedParameters.has(ref.name)) add({ ChangeSource: 'ParameterReference', Evaluation: 'Static', CausingEntity: ref.name });
    } else if (ref.kind === 'Ref') {
      if (fate === 'replaced' || fate === 'added') add({ ChangeSource: 'ResourceReference', Evaluation: 'Static', CausingEntity: ref.name });
      if (fate === 'conditional') add({ ChangeSource: 'ResourceReference', Evaluation: 'Dynamic', CausingEntity: ref.name });
    } else if (fate !== undefined && fate !== 'unchanged') {
      const static_ = fate === 'replaced' || fate === 'added';
      add({ ChangeSource: 'ResourceAttribute', Evaluation: static_ ? 'Static' : 'Dynamic', CausingEntity: `${ref.name}.${ref.attribute ?? ''}` });
    }
  }
  if (JSON.stringify(expression ?? null) !== JSON.stringify(previous ?? null)) add({ ChangeSource: 'DirectModification', Evaluation: 'Static' });
  // A changed parameter makes the property's value known only at run time, as AWS reports it.
  else if (found.some((d) => d.ChangeSource === 'ParameterReference')) add({ ChangeSource: 'DirectModification', Evaluation: 'Dynamic' });
  // Changed through something else the template reads: pseudo parameters, mappings, imported values.
  if (found.length === 0) add({ ChangeSource: 'DirectModification', Evaluation: 'Dynamic' });
  return found;
}

/** Resolves a resource's properties one by one; a property that fails on a value not known yet stays unknown. */
function resolveProperties(id: string, definition: JsonObject, context: IntrinsicContext, pending: (ref: Reference) => boolean): JsonObject {
  const expression = definition['Properties'] ?? {};
  const resolveOne = (value: JsonValue, where: string): JsonValue | undefined => {
    try {
      return resolveIntrinsics(value, context);
    } catch (error) {
      // For example Fn::Select over a list that a replaced resource's attribute will only give at run time.
      if (references(value).some(pending)) return unknown(where);
      throw error;
    }
  };
  if (!isJsonObject(expression) || Object.keys(expression).some((k) => k === 'Ref' || k.startsWith('Fn::'))) {
    const whole = resolveOne(expression, id);
    return isJsonObject(whole) ? whole : {};
  }
  const out: JsonObject = {};
  for (const [name, value] of Object.entries(expression)) {
    const resolved = resolveOne(value, `${id}.${name}`);
    if (resolved !== undefined) out[name] = resolved;
  }
  return out;
}

/**
 * The resource changes a template and its parameters would make to a stack, sorted by logical id. Throws what
 * resolving the template throws (a missing export, a bad Fn::Select…), which fails the change set.
 */
export function planChanges(input: PlanInput): ResourceChange[] {
  const afterResources = isJsonObject(input.after['Resources']) ? input.after['Resources'] : {};
  const beforeResources = isJsonObject(input.before.template['Resources']) ? input.before.template['Resources'] : {};
  const resolved = new Map<string, ResolvedResource>();
  for (const [id, r] of input.before.resources) resolved.set(id, { ref: r.physicalId, attributes: r.attributes });
  const context: IntrinsicContext = { ...input.context, resources: resolved };
  const fates = new Map<string, Fate>();
  const changes: ResourceChange[] = [];
  for (const id of input.order) {
    const definition = afterResources[id];
    if (!isJsonObject(definition) || !conditionHolds(definition, input.context)) continue;
    const type = String(definition['Type']);
    const deployed = input.before.resources.get(id);
    const properties = resolveProperties(id, definition, context, (ref) => {
      const fate = fates.get(ref.name);
      return fate !== undefined && fate !== 'unchanged' && (ref.kind === 'GetAtt' || fate !== 'modified');
    });
    if (deployed === undefined) {
      changes.push({ Action: 'Add', LogicalResourceId: id, ResourceType: type, Scope: [], Details: [], after: properties });
      resolved.set(id, withUnknownAttributes(id, unknown(id)));
      fates.set(id, 'added');
      continue;
    }
    const previous = isJsonObject(beforeResources[id]) ? (beforeResources[id] as JsonObject) : {};
    const expressions = isJsonObject(definition['Properties']) ? definition['Properties'] : {};
    const previousExpressions = isJsonObject(previous['Properties']) ? previous['Properties'] : {};
    const details: ResourceChangeDetail[] = [];
    const names = [...new Set([...Object.keys(deployed.properties), ...Object.keys(properties)])];
    for (const name of names) {
      if (JSON.stringify(properties[name] ?? null) === JSON.stringify(deployed.properties[name] ?? null)) continue;
      const target = { Attribute: 'Properties' as const, Name: name, RequiresRecreation: requiresRecreation(type, name) };
      for (const cause of causes(expressions[name], previousExpressions[name], fates, input)) details.push({ Target: target, ...cause });
    }
    if (JSON.stringify(definition['Metadata'] ?? null) !== JSON.stringify(previous['Metadata'] ?? null)) {
      details.push({ Target: { Attribute: 'Metadata', RequiresRecreation: 'Never' }, Evaluation: 'Static', ChangeSource: 'DirectModification' });
    }
    if (details.length === 0) {
      fates.set(id, 'unchanged');
      continue;
    }
    details.sort(compareDetails);
    const replacement = replacementOf(details);
    const scope = (['Properties', 'Metadata'] as const).filter((s) => details.some((d) => d.Target.Attribute === s));
    changes.push({
      Action: 'Modify',
      LogicalResourceId: id,
      PhysicalResourceId: deployed.physicalId,
      ResourceType: type,
      Replacement: replacement,
      Scope: scope,
      Details: details,
      ...(replacement === 'True' ? { PolicyAction: 'ReplaceAndDelete' as const } : {}),
      before: deployed.properties,
      after: properties,
    });
    // What the resources that refer to this one will see: a replacement has a new physical id and attributes; an
    // update in place keeps its physical id, and its attributes are known only once it has run.
    const fate: Fate = replacement === 'True' ? 'replaced' : replacement === 'Conditional' ? 'conditional' : 'modified';
    fates.set(id, fate);
    resolved.set(id, withUnknownAttributes(id, fate === 'modified' ? deployed.physicalId : unknown(id)));
  }
  for (const [id, deployed] of input.before.resources) {
    if (fates.has(id)) continue;
    changes.push({ Action: 'Remove', LogicalResourceId: id, PhysicalResourceId: deployed.physicalId, ResourceType: deployed.type, Scope: [], Details: [], PolicyAction: 'Delete', before: deployed.properties });
  }
  return changes.sort((a, b) => (a.LogicalResourceId < b.LogicalResourceId ? -1 : a.LogicalResourceId > b.LogicalResourceId ? 1 : 0));
}

function valueText(value: JsonValue | undefined): string | undefined {
  const v = shown(value);
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** One `Changes` member as DescribeChangeSet returns it; with property values, the contexts and values too. */
export function changeView(change: ResourceChange, includePropertyValues: boolean): JsonObject {
  const { before, after, Details, Scope, ...rest } = change;
  const details: JsonObject[] = Details.map((d) => {
    if (!includePropertyValues || d.Target.Attribute !== 'Properties' || d.Target.Name === undefined) return { ...d, Target: { ...d.Target } };
    const name = d.Target.Name;
    const beforeValue = valueText(before?.[name]);
    const afterValue = valueText(after?.[name]);
    return {
      ...d,
      Target: {
        ...d.Target,
        Path: `/Properties/${name}`,
        ...(beforeValue === undefined ? {} : { BeforeValue: beforeValue }),
        ...(afterValue === undefined ? {} : { AfterValue: afterValue }),
        AttributeChangeType: beforeValue === undefined ? 'Add' : afterValue === undefined ? 'Remove' : 'Modify',
      },
    };
  });
  const out: JsonObject = { ...rest, Scope: [...Scope], Details: details } as JsonObject;
  if (includePropertyValues) {
    // With property values, AWS marks an addition as a replacement too (recorded DescribeChangeSet output).
    if (change.Action === 'Add') out['Replacement'] = 'True';
    if (before !== undefined) out['BeforeContext'] = JSON.stringify({ Properties: shown(before) });
    if (after !== undefined) out['AfterContext'] = JSON.stringify({ Properties: shown(after) });
  }
  return { Type: 'Resource', ResourceChange: out };
}

function maskedParameters(record: ChangeSetRecord): JsonObject[] {
  // NoEcho parameter values are shown as asterisks (CloudFormation User Guide, Parameters, NoEcho).
  return record.Parameters.map((p) => ({ ParameterKey: p.ParameterKey, ParameterValue: record.noEcho.has(p.ParameterKey) ? '****' : p.ParameterValue }));
}

/** DescribeChangeSet's output (one page of Changes). */
export function changeSetView(record: ChangeSetRecord, changes: readonly ResourceChange[], includePropertyValues: boolean): JsonObject {
  const out: Record<string, unknown> = {
    ChangeSetName: record.ChangeSetName,
    ChangeSetId: record.ChangeSetId,
    StackId: record.StackId,
    StackName: record.StackName,
  };
  if (record.Description !== undefined) out['Description'] = record.Description;
  if (record.Parameters.length > 0) out['Parameters'] = maskedParameters(record);
  out['CreationTime'] = record.CreationTime;
  out['ExecutionStatus'] = record.ExecutionStatus;
  out['Status'] = record.Status;
  if (record.StatusReason !== undefined) out['StatusReason'] = record.StatusReason;
  out['NotificationARNs'] = [...record.NotificationARNs];
  out['RollbackConfiguration'] = {};
  out['Capabilities'] = [...record.Capabilities];
  if (record.Tags.length > 0) out['Tags'] = record.Tags.map((t) => ({ Key: t.Key, Value: t.Value }));
  out['Changes'] = changes.map((c) => changeView(c, includePropertyValues));
  out['IncludeNestedStacks'] = false;
  if (record.OnStackFailure !== undefined) out['OnStackFailure'] = record.OnStackFailure;
  return out as JsonObject;
}

/** A ListChangeSets summary. */
export function changeSetSummary(record: ChangeSetRecord): JsonObject {
  const out: Record<string, unknown> = {
    StackId: record.StackId,
    StackName: record.StackName,
    ChangeSetId: record.ChangeSetId,
    ChangeSetName: record.ChangeSetName,
    ExecutionStatus: record.ExecutionStatus,
    Status: record.Status,
  };
  if (record.StatusReason !== undefined) out['StatusReason'] = record.StatusReason;
  out['CreationTime'] = record.CreationTime;
  if (record.Description !== undefined) out['Description'] = record.Description;
  out['IncludeNestedStacks'] = false;
  return out as JsonObject;
}
