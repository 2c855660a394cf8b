/**
 * The CloudFormation subset the local engine needs: deploy a template's resources into the local services
 * (CreateStack, UpdateStack, DeleteStack, and change sets: CreateChangeSet, ExecuteChangeSet…) and report them as
 * CloudFormation does (DescribeStacks, DescribeStackEvents, ListStacks, ListStackResources, GetTemplate…), with
 * AWS's statuses, capabilities check, rollback, exports and errors.
 */
import { ServiceError } from '../../errors/service-error.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../model/json.js';
import type { AwsApi } from '../aws-api.js';
import type { Clock } from '../clock.js';
import type { RoleRegistry } from '../iam/roles.js';
import type { IdGenerator } from '../ids.js';
import {
  changeSetSummary,
  changeSetView,
  NO_CHANGES_REASON,
  planChanges,
  type ChangeSetRecord,
  type ExecutionStatus,
} from './change-sets.js';
import { dnsSuffixOf, partitionOf } from '../regions/partitions.js';
import { dependencies, resolveIntrinsics, validationError, type IntrinsicContext, type ResolvedResource } from './intrinsics.js';
import { iamManagedPolicy, iamPolicy } from './resources/iam-policy.js';
import { iamRole } from './resources/iam-role.js';
import { NeedsReplacement, type CreatedResource, type ProviderContext, type ResourceProvider } from './resources/provider.js';
import { ssmDocument } from './resources/ssm-document.js';
import { stateMachine } from './resources/state-machine.js';
import { decodeRecord, encodeRecord, memoryStore, type Store } from '../store/index.js';

/** The store's kind for stacks, live and deleted, by stack id (a name can be used again after a delete). */
const STACK_KIND = 'cfn.stack';
import { noEchoParameters, resolveParameters, type ParameterInput, type ResolvedParameters } from './parameters.js';
import { isArn, page, requireChangeSetName, requireEnum, requireLength, requireStackName, requireStackNameOrId } from './request-checks.js';
import { resourceDetail, resourceSummary, sortedByLogicalId, stackResource } from './stack-resources.js';
import { stackView, type StackEvent, type StackOutput, type StackRecord, type StackStatus } from './stacks.js';
import { checkFormat, checkResourceTypes, templateFrom, type TemplateSource } from './template-source.js';
import { checkCapabilities, templateSummaryOutput, validateTemplateOutput } from './template-summary.js';

export type { StackEvent, StackOutput, StackStatus } from './stacks.js';

/** Resource types the local engine can create. Every other type is rejected by name before anything is created. */
export const RESOURCE_PROVIDERS: Readonly<Record<string, ResourceProvider>> = {
  'AWS::IAM::Role': iamRole,
  'AWS::IAM::Policy': iamPolicy,
  'AWS::IAM::ManagedPolicy': iamManagedPolicy,
  'AWS::SSM::Document': ssmDocument,
  'AWS::StepFunctions::StateMachine': stateMachine,
  // CDK's analytics resource: metadata only, nothing to create.
  'AWS::CDK::Metadata': {
    async create(_properties, context) {
      return { physicalId: `${context.stackName}-${context.logicalId}`, attributes: {} };
    },
    async update(current) {
      return current;
    },
    async delete() {},
  },
};

export interface CloudFormationServiceOptions {
  readonly api: AwsApi;
  readonly roles: RoleRegistry;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly region?: string;
  readonly accountId?: string;
  readonly partition?: string;
  /** Where stacks are kept (default: nowhere but here). */
  readonly store?: Store;
}

type Tag = { Key?: string; Value?: string };

/**
 * The status a stack ends in when its operation was cut short by a restart: the operation failed, and no rollback ran
 * (UNCONFIRMED, docs/fidelity.md, Persistence).
 */
const INTERRUPTED_ENDS: Partial<Record<StackStatus, StackStatus>> = {
  CREATE_IN_PROGRESS: 'CREATE_FAILED',
  ROLLBACK_IN_PROGRESS: 'ROLLBACK_FAILED',
  UPDATE_IN_PROGRESS: 'UPDATE_ROLLBACK_FAILED',
  UPDATE_ROLLBACK_IN_PROGRESS: 'UPDATE_ROLLBACK_FAILED',
  DELETE_IN_PROGRESS: 'DELETE_FAILED',
};


export interface CreateChangeSetInput extends TemplateSource {
  StackName?: string;
  ChangeSetName?: string;
  ChangeSetType?: string;
  Parameters?: ParameterInput[];
  Capabilities?: string[];
  Description?: string | undefined;
  Tags?: Tag[];
  NotificationARNs?: string[];
  ClientToken?: string;
  OnStackFailure?: string;
  ResourcesToImport?: unknown[];
  RoleARN?: string;
}

type OnFailure = 'ROLLBACK' | 'DO_NOTHING' | 'DELETE';

/** Statuses from which a stack can be updated; any other is "in X state and can not be updated". */
const UPDATABLE = new Set<StackStatus>(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE']);
const STACK_TYPE = 'AWS::CloudFormation::Stack';

export class CloudFormationService {
  readonly #api: AwsApi;
  readonly #roles: RoleRegistry;
  readonly #clock: Clock;
  readonly #ids: IdGenerator;
  readonly #region: string;
  readonly #accountId: string;
  readonly #partition: string;
  readonly #stacks = new Map<string, StackRecord>();
  readonly #deleted: StackRecord[] = [];
  readonly #exports = new Map<string, { value: string; stackId: string }>();
  readonly #store: Store;
  /** Every change set by id, including those of deleted stacks (DescribeChangeSet by ARN still finds them). */
  readonly #changeSets = new Map<string, ChangeSetRecord>();

  constructor(options: CloudFormationServiceOptions) {
    this.#store = options.store ?? memoryStore();
    this.#api = options.api;
    this.#roles = options.roles;
    this.#clock = options.clock;
    this.#ids = options.ids;
    this.#region = options.region ?? 'us-east-1';
    this.#accountId = options.accountId ?? '123456789012';
    this.#partition = options.partition ?? partitionOf(this.#region);
  }

  async CreateStack(input: TemplateSource & { StackName?: string; Parameters?: ParameterInput[]; Capabilities?: string[]; OnFailure?: string; DisableRollback?: boolean }): Promise<{ StackId: string }> {
    const name = requireStackName(input.StackName);
    const existing = this.#stacks.get(name);
    // A stack that a CREATE change set made (REVIEW_IN_PROGRESS) can still be created directly; its change sets
    // become obsolete (recorded on AWS: same StackId, the change set's ExecutionStatus OBSOLETE).
    if (existing !== undefined && existing.StackStatus !== 'REVIEW_IN_PROGRESS') throw new ServiceError('AlreadyExistsException', `Stack [${name}] already exists`);
    const { template, body } = templateFrom(input, undefined);
    const capabilities = input.Capabilities ?? [];
    this.#checkTemplate(template, capabilities);
    const parameters = resolveParameters(template, input.Parameters ?? [], undefined);
    const onFailure = onFailureOf(input.OnFailure, input.DisableRollback);
    const stack = existing ?? this.#newStack(name);
    if (existing !== undefined) this.#obsoleteChangeSets(stack);
    this.#stacks.set(name, stack);
    stack.DisableRollback = onFailure === 'DO_NOTHING';
    this.#beginCreate(stack, template, body, parameters, capabilities, onFailure);
    return { StackId: stack.StackId };
  }

  async UpdateStack(input: TemplateSource & { StackName?: string; Parameters?: ParameterInput[]; Capabilities?: string[] }): Promise<{ StackId: string }> {
    const stack = this.#find(requireStackNameOrId(input.StackName));
    this.#checkUpdatable(stack);
    const { template, body } = templateFrom(input, stack);
    const capabilities = input.Capabilities ?? [];
    this.#checkTemplate(template, capabilities);
    checkResourceTypes(stack.template, template);
    const parameters = resolveParameters(template, input.Parameters ?? [], previousParameters(stack));
    // The error AWS returns for an update that changes nothing.
    if (unchanged(stack, template, parameters.raw)) throw validationError('No updates are to be performed.');
    this.#obsoleteChangeSets(stack);
    this.#beginUpdate(stack, template, body, parameters, capabilities);
    return { StackId: stack.StackId };
  }

  async DeleteStack(input: { StackName?: string }): Promise<Record<string, never>> {
    const stack = this.#live(requireStackNameOrId(input.StackName));
    // Deleting a stack that does not exist succeeds silently on AWS.
    if (stack === undefined) return {};
    stack.StackStatus = 'DELETE_IN_PROGRESS';
    stack.StackStatusReason = undefined;
    this.#stackEvent(stack, 'DELETE_IN_PROGRESS', 'User Initiated');
    stack.operation = this.#delete(stack);
    return {};
  }

  async DescribeStacks(input: { StackName?: string } = {}): Promise<{ Stacks: JsonObject[] }> {
    if (input.StackName === undefined) return { Stacks: [...this.#stacks.values()].map(stackView) };
    const found = this.#any(input.StackName);
    // `aws cloudformation deploy` reads this exact text to tell a new stack from an error (awscli deployer.py).
    if (found === undefined) throw validationError(`Stack with id ${input.StackName} does not exist`);
    return { Stacks: [stackView(found)] };
  }

  async DescribeStackEvents(input: { StackName?: string }): Promise<{ StackEvents: StackEvent[] }> {
    const name = requireStackNameOrId(input.StackName);
    const stack = this.#any(name);
    if (stack === undefined) throw validationError(`Stack [${name}] does not exist`);
    // Most recent first, as AWS returns them.
    return { StackEvents: [...stack.events].reverse() };
  }

  async ListStacks(input: { StackStatusFilter?: readonly string[] } = {}): Promise<{ StackSummaries: JsonObject[] }> {
    const filter = input.StackStatusFilter ?? [];
    return {
      StackSummaries: [...this.#stacks.values(), ...this.#deleted]
        .filter((s) => filter.length === 0 || filter.includes(s.StackStatus))
        .map((s) => {
          const summary: Record<string, unknown> = { StackId: s.StackId, StackName: s.StackName };
          // The template's Description, as ListStacks returns it (list-stacks example).
          if (typeof s.template['Description'] === 'string') summary['TemplateDescription'] = s.template['Description'];
          summary['CreationTime'] = s.CreationTime;
          if (s.LastUpdatedTime !== undefined) summary['LastUpdatedTime'] = s.LastUpdatedTime;
          if (s.DeletionTime !== undefined) summary['DeletionTime'] = s.DeletionTime;
          summary['StackStatus'] = s.StackStatus;
          if (s.StackStatusReason !== undefined) summary['StackStatusReason'] = s.StackStatusReason;
          summary['DriftInformation'] = { StackDriftStatus: 'NOT_CHECKED' };
          return summary as JsonObject;
        }),
    };
  }

  /** ListStackResources: the stack's resources (a deleted stack's too, by its id), by logical id. */
  async ListStackResources(input: { StackName?: string; NextToken?: string }): Promise<{ StackResourceSummaries: JsonObject[]; NextToken?: string }> {
    const stack = this.#stackWithId(input.StackName);
    const { items, next } = page(sortedByLogicalId(stack.resourceStates.values()), input.NextToken);
    return { StackResourceSummaries: items.map(resourceSummary), ...(next === undefined ? {} : { NextToken: next }) };
  }

  async DescribeStackResource(input: { StackName?: string; LogicalResourceId?: string }): Promise<{ StackResourceDetail: JsonObject }> {
    const name = requireStackNameOrId(input.StackName);
    // AWS words this one differently from its other "does not exist" errors (recorded).
    const stack = this.#any(name);
    if (stack === undefined) throw validationError(`Stack '${name}' does not exist`);
    const logicalId = input.LogicalResourceId;
    const state = logicalId === undefined ? undefined : stack.resourceStates.get(logicalId);
    if (state === undefined) throw validationError(`Resource ${logicalId ?? 'null'} does not exist for stack ${name}`);
    return { StackResourceDetail: resourceDetail(stack, state) };
  }

  /** By stack (optionally one logical id), or by a physical id: the resources of the stack that owns it. */
  async DescribeStackResources(input: { StackName?: string; LogicalResourceId?: string; PhysicalResourceId?: string }): Promise<{ StackResources: JsonObject[] }> {
    if (input.StackName !== undefined && input.PhysicalResourceId !== undefined) {
      throw validationError('Cannot specify both StackName and PhysicalResourceId');
    }
    let stack: StackRecord | undefined;
    if (input.StackName !== undefined) {
      stack = this.#stackWithId(input.StackName);
    } else if (input.PhysicalResourceId !== undefined) {
      const physicalId = input.PhysicalResourceId;
      stack = [...this.#stacks.values()].find((s) => [...s.resourceStates.values()].some((r) => r.PhysicalResourceId === physicalId));
      if (stack === undefined) throw validationError(`Stack for ${physicalId} does not exist`);
    } else {
      throw validationError('Either StackName or PhysicalResourceId must be specified.');
    }
    const found = stack;
    const states = sortedByLogicalId(found.resourceStates.values()).filter((r) => input.LogicalResourceId === undefined || r.LogicalResourceId === input.LogicalResourceId);
    return { StackResources: states.map((r) => stackResource(found, r)) };
  }

  /** A stack's template, or a change set's; Original as submitted, Processed as the engine read it (JSON). */
  async GetTemplate(input: { StackName?: string; ChangeSetName?: string; TemplateStage?: string }): Promise<{ TemplateBody: string; StagesAvailable: string[] }> {
    const stage = input.TemplateStage ?? 'Original';
    if (stage !== 'Original' && stage !== 'Processed') {
      throw validationError(`1 validation error detected: Value '${stage}' at 'templateStage' failed to satisfy constraint: Member must satisfy enum value set: [Original, Processed]`);
    }
    let source: { template: JsonObject; templateBody: string };
    if (input.ChangeSetName !== undefined) {
      if (!isArn(input.ChangeSetName) && input.StackName === undefined) throw validationError('StackName is a required parameter.');
      source = this.#changeSet(input.ChangeSetName, input.StackName);
    } else if (input.StackName !== undefined) {
      const stack = this.#stackWithId(input.StackName);
      if (stack.StackStatus === 'REVIEW_IN_PROGRESS') throw validationError('GetTemplate cannot be called on REVIEW_IN_PROGRESS stacks.');
      source = stack;
    } else {
      throw validationError('StackName is required if ChangeSetName is not specified.');
    }
    return { TemplateBody: stage === 'Original' ? source.templateBody : JSON.stringify(source.template), StagesAvailable: ['Original', 'Processed'] };
  }

  async GetTemplateSummary(input: TemplateSource & { StackName?: string; StackSetName?: string }): Promise<JsonObject> {
    if (input.StackSetName !== undefined) throw new ServiceError('StackSetNotFoundException', `StackSet ${input.StackSetName} not found`, { httpStatusCode: 404 });
    if (input.StackName !== undefined) {
      if (input.TemplateBody !== undefined || input.TemplateURL !== undefined) throw validationError('Specify exactly one of TemplateBody, TemplateURL or StackName.');
      const stack = this.#stackWithId(input.StackName);
      // Recorded on AWS.
      if (stack.StackStatus === 'REVIEW_IN_PROGRESS') throw validationError('GetTemplateSummary cannot be called on REVIEW_IN_PROGRESS stacks.');
      return templateSummaryOutput(stack.template);
    }
    const { template } = templateFrom(input, undefined);
    checkFormat(template);
    return templateSummaryOutput(template);
  }

  /** ValidateTemplate: the template's format only; resource types the engine cannot deploy are valid CloudFormation. */
  async ValidateTemplate(input: TemplateSource): Promise<JsonObject> {
    const { template } = templateFrom(input, undefined);
    checkFormat(template);
    return validateTemplateOutput(template);
  }

  async ListExports(input: { NextToken?: string } = {}): Promise<{ Exports: JsonObject[]; NextToken?: string }> {
    const { items, next } = page([...this.#exports], input.NextToken);
    return {
      Exports: items.map(([name, e]) => ({ ExportingStackId: e.stackId, Name: name, Value: e.value })),
      ...(next === undefined ? {} : { NextToken: next }),
    };
  }

  async ListImports(input: { ExportName?: string; NextToken?: string }): Promise<{ Imports: string[]; NextToken?: string }> {
    const name = input.ExportName;
    if (name === undefined || name === '') throw validationError("1 validation error detected: Value null at 'exportName' failed to satisfy constraint: Member must not be null");
    const importers = [...this.#stacks.values()].filter((s) => s.imports.has(name)).map((s) => s.StackName);
    if (importers.length === 0) throw validationError(`Export '${name}' is not imported by any stack.`);
    const { items, next } = page(importers, input.NextToken);
    return { Imports: items, ...(next === undefined ? {} : { NextToken: next }) };
  }

  /**
   * CreateChangeSet: checks the request at once (name, template, capabilities, parameters), then works the changes
   * out in the background, as CloudFormation does (CREATE_PENDING, then CREATE_COMPLETE or FAILED). A CREATE change
   * set makes the stack, in REVIEW_IN_PROGRESS, when it does not exist yet.
   */
  async CreateChangeSet(input: CreateChangeSetInput): Promise<{ Id: string; StackId: string }> {
    const changeSetName = requireChangeSetName(input.ChangeSetName);
    const stackName = requireStackNameOrId(input.StackName);
    const type = requireEnum(input.ChangeSetType, 'changeSetType', ['IMPORT', 'UPDATE', 'CREATE'] as const) ?? 'UPDATE';
    if (type === 'IMPORT' || (input.ResourcesToImport?.length ?? 0) > 0) {
      throw validationError('ChangeSetType IMPORT (importing existing resources) is not supported by the shellstep local engine.');
    }
    // Limits from the CreateChangeSet API reference.
    requireLength(input.Description, 'description', 1, 1024);
    requireLength(input.Tags, 'tags', 0, 50);
    for (const tag of input.Tags ?? []) {
      requireLength(tag.Key ?? '', 'tags.member.key', 1, 128);
      requireLength(tag.Value ?? '', 'tags.member.value', 0, 256);
    }
    requireLength(input.NotificationARNs, 'notificationARNs', 0, 5);
    requireLength(input.ClientToken, 'clientToken', 1, 128);
    const onFailure = requireEnum(input.OnStackFailure, 'onStackFailure', ['DO_NOTHING', 'ROLLBACK', 'DELETE'] as const);
    let stack = this.#any(stackName);
    if (type === 'CREATE') {
      // Recorded on AWS, also for the id of a deleted stack.
      if (stack !== undefined && stack.StackStatus !== 'REVIEW_IN_PROGRESS') {
        throw validationError(`Stack [${stackName}] already exists and cannot be created again with the changeSet [${changeSetName}].`);
      }
      if (isArn(stackName)) throw validationError(`Stack [${stackName}] does not exist`);
    } else {
      if (stack === undefined || stack.StackStatus === 'REVIEW_IN_PROGRESS') throw validationError(`Stack [${stackName}] does not exist`);
      this.#checkUpdatable(stack);
    }
    const { template, body } = templateFrom(input, type === 'UPDATE' ? stack : undefined);
    const capabilities = input.Capabilities ?? [];
    this.#checkTemplate(template, capabilities);
    if (type === 'UPDATE') checkResourceTypes(stack!.template, template);
    const previous = type === 'UPDATE' ? previousParameters(stack!) : undefined;
    const parameters = resolveParameters(template, input.Parameters ?? [], previous);
    const fingerprint: Array<[string, string]> = [
      ['ClientToken', input.ClientToken ?? ''],
      ['Template', body],
      ['Parameters', JSON.stringify(parameters.raw)],
      ['Capabilities', JSON.stringify(capabilities)],
      ['ChangeSetType', type],
      ['Description', input.Description ?? ''],
      ['Tags', JSON.stringify(input.Tags ?? [])],
      ['NotificationARNs', JSON.stringify(input.NotificationARNs ?? [])],
    ];
    const existing = stack?.changeSets.get(changeSetName);
    if (existing !== undefined) {
      // The same request again returns the same change set; a different one is refused, naming the first
      // member that differs (messages seen from AWS: "...mismatch with existing attribute Template").
      const mismatch = fingerprint.find(([key, value], i) => existing.fingerprint[i]?.[0] !== key || existing.fingerprint[i]?.[1] !== value);
      if (mismatch === undefined) return { Id: existing.ChangeSetId, StackId: existing.StackId };
      throw new ServiceError('AlreadyExistsException', `ChangeSet ${changeSetName} cannot be created due to a mismatch with existing attribute ${mismatch[0]}`);
    }
    if (stack === undefined) {
      stack = this.#newStack(stackName);
      stack.StackStatus = 'REVIEW_IN_PROGRESS';
      // Recorded on AWS: the new stack's DescribeStacks shows this reason, and one REVIEW_IN_PROGRESS event.
      stack.StackStatusReason = 'User Initiated';
      this.#stacks.set(stackName, stack);
      this.#stackEvent(stack, 'REVIEW_IN_PROGRESS', 'User Initiated');
    }
    const record: ChangeSetRecord = {
      ChangeSetId: `arn:${this.#partition}:cloudformation:${this.#region}:${this.#accountId}:changeSet/${changeSetName}/${this.#ids.uuid()}`,
      ChangeSetName: changeSetName,
      StackId: stack.StackId,
      StackName: stack.StackName,
      ChangeSetType: type,
      CreationTime: new Date(this.#clock.now()),
      ...(input.Description === undefined ? {} : { Description: input.Description }),
      Status: 'CREATE_PENDING',
      ExecutionStatus: 'UNAVAILABLE',
      Parameters: Object.entries(parameters.raw).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
      noEcho: noEchoParameters(template),
      Capabilities: capabilities,
      Tags: (input.Tags ?? []).map((t) => ({ Key: String(t.Key), Value: String(t.Value) })),
      NotificationARNs: input.NotificationARNs ?? [],
      ...(onFailure === undefined ? {} : { OnStackFailure: onFailure }),
      fingerprint,
      template,
      templateBody: body,
      Changes: [],
      ready: Promise.resolve(),
    };
    stack.changeSets.set(changeSetName, record);
    this.#changeSets.set(record.ChangeSetId, record);
    record.ready = this.#planChangeSet(stack, record, parameters.values);
    return { Id: record.ChangeSetId, StackId: stack.StackId };
  }

  async DescribeChangeSet(input: { ChangeSetName?: string; StackName?: string; NextToken?: string; IncludePropertyValues?: boolean }): Promise<JsonObject> {
    const record = this.#changeSet(input.ChangeSetName, input.StackName);
    const { items, next } = page(record.Changes, input.NextToken);
    const out = changeSetView(record, items, input.IncludePropertyValues === true);
    if (next !== undefined) out['NextToken'] = next;
    return out;
  }

  async ListChangeSets(input: { StackName?: string; NextToken?: string }): Promise<{ Summaries: JsonObject[]; NextToken?: string }> {
    const name = requireStackNameOrId(input.StackName);
    const stack = this.#any(name);
    if (stack === undefined) throw validationError(`Stack [${name}] does not exist`);
    const { items, next } = page([...stack.changeSets.values()], input.NextToken);
    return { Summaries: items.map(changeSetSummary), ...(next === undefined ? {} : { NextToken: next }) };
  }

  /**
   * ExecuteChangeSet: runs the stack's ordinary create (a CREATE change set) or update with the change set's
   * template and parameters. The stack's other change sets are deleted, as CloudFormation deletes them.
   */
  async ExecuteChangeSet(input: { ChangeSetName?: string; StackName?: string; DisableRollback?: boolean; ClientRequestToken?: string }): Promise<Record<string, never>> {
    const record = this.#changeSet(input.ChangeSetName, input.StackName);
    // Recorded on AWS: "ChangeSet [<arn>] cannot be executed in its current status of [FAILED]".
    if (record.Status !== 'CREATE_COMPLETE') {
      throw new ServiceError('InvalidChangeSetStatus', `ChangeSet [${record.ChangeSetId}] cannot be executed in its current status of [${record.Status}]`);
    }
    if (record.ExecutionStatus !== 'AVAILABLE') {
      throw new ServiceError('InvalidChangeSetStatus', `ChangeSet [${record.ChangeSetId}] cannot be executed in its current execution status of [${record.ExecutionStatus}]`);
    }
    const stack = this.#live(record.StackId);
    if (stack === undefined) throw new ServiceError('ChangeSetNotFound', `ChangeSet [${record.ChangeSetId}] does not exist`, { httpStatusCode: 404 });
    if (record.ChangeSetType === 'UPDATE') this.#checkUpdatable(stack);
    const parameters = resolveParameters(record.template, record.Parameters, undefined);
    for (const other of stack.changeSets.values()) if (other !== record) this.#forgetChangeSet(stack, other);
    record.ExecutionStatus = 'EXECUTE_IN_PROGRESS';
    stack.ChangeSetId = record.ChangeSetId;
    if (record.ChangeSetType === 'CREATE') {
      const onFailure: OnFailure = input.DisableRollback === true ? 'DO_NOTHING' : (record.OnStackFailure ?? 'ROLLBACK');
      stack.DisableRollback = onFailure === 'DO_NOTHING';
      stack.LastUpdatedTime = new Date(this.#clock.now());
      this.#beginCreate(stack, record.template, record.templateBody, parameters, [...record.Capabilities], onFailure);
    } else {
      this.#beginUpdate(stack, record.template, record.templateBody, parameters, [...record.Capabilities]);
    }
    stack.operation = stack.operation.then(() => {
      record.ExecutionStatus = stack.StackStatus === 'CREATE_COMPLETE' || stack.StackStatus === 'UPDATE_COMPLETE' ? 'EXECUTE_COMPLETE' : 'EXECUTE_FAILED';
    });
    return {};
  }

  async DeleteChangeSet(input: { ChangeSetName?: string; StackName?: string }): Promise<Record<string, never>> {
    const name = input.ChangeSetName;
    let record: ChangeSetRecord | undefined;
    if (name !== undefined && isArn(name)) {
      record = this.#changeSet(name, undefined);
    } else {
      requireChangeSetName(name);
      if (input.StackName === undefined) throw validationError('StackName must be specified if ChangeSetName is not specified as an ARN.');
      const stack = this.#any(input.StackName);
      if (stack === undefined) throw validationError(`Stack [${input.StackName}] does not exist`);
      // AWS answers success for a change set name the stack does not have (the AWS CDK relies on it).
      record = stack.changeSets.get(name!);
      if (record === undefined) return {};
    }
    if (record.ExecutionStatus === 'EXECUTE_IN_PROGRESS') {
      throw new ServiceError('InvalidChangeSetStatus', `ChangeSet [${record.ChangeSetId}] cannot be deleted in its current execution status of [${record.ExecutionStatus}]`);
    }
    const stack = this.#any(record.StackId);
    if (stack !== undefined) this.#forgetChangeSet(stack, record);
    else this.#changeSets.delete(record.ChangeSetId);
    return {};
  }

  /** Resolves when the stack's current operation has ended; returns the stack as DescribeStacks shows it. */
  async waitForStack(nameOrId: string): Promise<JsonObject> {
    const stack = this.#any(nameOrId) ?? this.#deleted.find((s) => s.StackName === nameOrId);
    if (stack === undefined) throw validationError(`Stack with id ${nameOrId} does not exist`);
    await stack.operation;
    return stackView(stack);
  }

  /** Resolves when the change set has been worked out (CREATE_COMPLETE or FAILED). */
  async waitForChangeSet(id: string): Promise<void> {
    await this.#changeSets.get(id)?.ready;
  }

  /** The physical id of a stack's resource, e.g. a state machine ARN. */
  physicalId(stackName: string, logicalId: string): string | undefined {
    return this.#stacks.get(stackName)?.resources.get(logicalId)?.physicalId;
  }

  #newStack(name: string): StackRecord {
    return {
      StackId: `arn:${this.#partition}:cloudformation:${this.#region}:${this.#accountId}:stack/${name}/${this.#ids.uuid()}`,
      StackName: name,
      CreationTime: new Date(this.#clock.now()),
      StackStatus: 'CREATE_IN_PROGRESS',
      Parameters: [],
      Capabilities: [],
      Outputs: [],
      DisableRollback: false,
      template: {},
      templateBody: '',
      resources: new Map(),
      resourceStates: new Map(),
      events: [],
      imports: new Set(),
      changeSets: new Map(),
      operation: Promise.resolve(),
    };
  }

  /** A live stack by name or id. */
  #live(nameOrId: string): StackRecord | undefined {
    return this.#stacks.get(nameOrId) ?? (isArn(nameOrId) ? [...this.#stacks.values()].find((s) => s.StackId === nameOrId) : undefined);
  }

  /** A live stack by name or id, or a deleted one by its id. */
  #any(nameOrId: string): StackRecord | undefined {
    return this.#live(nameOrId) ?? this.#deleted.find((s) => s.StackId === nameOrId);
  }

  #find(nameOrId: string): StackRecord {
    const stack = this.#live(nameOrId);
    if (stack === undefined) throw validationError(`Stack [${nameOrId}] does not exist`);
    return stack;
  }

  /** For the read operations that answer "Stack with id X does not exist". */
  #stackWithId(nameOrId: string | undefined): StackRecord {
    const name = requireStackNameOrId(nameOrId);
    const stack = this.#any(name);
    if (stack === undefined) throw validationError(`Stack with id ${name} does not exist`);
    return stack;
  }

  /** A change set by ARN, or by name within a stack (DescribeChangeSet, ExecuteChangeSet, GetTemplate…). */
  #changeSet(nameOrArn: string | undefined, stackName: string | undefined): ChangeSetRecord {
    if (nameOrArn !== undefined && isArn(nameOrArn)) {
      const record = this.#changeSets.get(nameOrArn);
      if (record === undefined) throw new ServiceError('ChangeSetNotFound', `ChangeSet [${nameOrArn}] does not exist`, { httpStatusCode: 404 });
      return record;
    }
    const name = requireChangeSetName(nameOrArn);
    // Recorded on AWS.
    if (stackName === undefined) throw validationError('StackName must be specified if ChangeSetName is not specified as an ARN.');
    const stack = this.#any(stackName);
    if (stack === undefined) throw validationError(`Stack [${stackName}] does not exist`);
    const record = stack.changeSets.get(name);
    if (record === undefined) throw new ServiceError('ChangeSetNotFound', `ChangeSet [${name}] does not exist`, { httpStatusCode: 404 });
    return record;
  }

  #forgetChangeSet(stack: StackRecord, record: ChangeSetRecord): void {
    if (stack.changeSets.get(record.ChangeSetName) === record) stack.changeSets.delete(record.ChangeSetName);
    this.#changeSets.delete(record.ChangeSetId);
    // A change set still being worked out stops there.
    if (record.Status === 'CREATE_PENDING' || record.Status === 'CREATE_IN_PROGRESS') record.Status = 'DELETE_COMPLETE';
  }

  /** The stack changed under its change sets: those that could still run are obsolete. */
  #obsoleteChangeSets(stack: StackRecord): void {
    for (const record of stack.changeSets.values()) {
      if (record.ExecutionStatus === 'AVAILABLE') record.ExecutionStatus = 'OBSOLETE' satisfies ExecutionStatus;
    }
  }

  /** Works out a change set's changes against the stack as it is now. */
  async #planChangeSet(stack: StackRecord, record: ChangeSetRecord, values: Record<string, JsonValue>): Promise<void> {
    // CreateChangeSet answers first; the change set is CREATE_PENDING until this runs.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (record.Status !== 'CREATE_PENDING') return;
    record.Status = 'CREATE_IN_PROGRESS';
    try {
      if (record.ChangeSetType === 'UPDATE' && unchanged(stack, record.template, Object.fromEntries(record.Parameters.map((p) => [p.ParameterKey, p.ParameterValue])))) {
        record.Status = 'FAILED';
        record.StatusReason = NO_CHANGES_REASON;
        return;
      }
      const previous = previousParameters(stack);
      const changedParameters = new Set(record.Parameters.filter((p) => previous[p.ParameterKey] !== p.ParameterValue).map((p) => p.ParameterKey));
      const updating = record.ChangeSetType === 'UPDATE';
      record.Changes = planChanges({
        before: { template: updating ? stack.template : {}, resources: updating ? stack.resources : new Map() },
        after: record.template,
        order: this.#order(record.template),
        context: this.#context(stack, record.template, values),
        changedParameters,
      });
      record.Status = 'CREATE_COMPLETE';
      record.ExecutionStatus = 'AVAILABLE';
    } catch (error) {
      record.Status = 'FAILED';
      record.StatusReason = (error as Error).message;
    }
  }

  #checkUpdatable(stack: StackRecord): void {
    if (!UPDATABLE.has(stack.StackStatus)) throw validationError(`Stack:${stack.StackId} is in ${stack.StackStatus} state and can not be updated.`);
  }

  #checkTemplate(template: JsonObject, capabilities: readonly string[]): void {
    checkFormat(template);
    if (template['Transform'] !== undefined) throw validationError('Transform (macros, SAM) is not supported by the shellstep local engine.');
    const resources = isJsonObject(template['Resources']) ? template['Resources'] : {};
    const unsupported = Object.entries(resources)
      .map(([id, r]) => [id, isJsonObject(r) ? String(r['Type']) : ''] as const)
      .filter(([, type]) => !Object.hasOwn(RESOURCE_PROVIDERS, type));
    if (unsupported.length > 0) {
      throw validationError(
        `Resource types not supported by the shellstep local engine: ${unsupported.map(([id, t]) => `${id} (${t})`).join(', ')}. Supported: ${Object.keys(RESOURCE_PROVIDERS).join(', ')}.`,
      );
    }
    // CloudFormation refuses IAM resources without an acknowledged capability (InsufficientCapabilitiesException).
    checkCapabilities(template, capabilities);
  }

  #beginCreate(stack: StackRecord, template: JsonObject, body: string, parameters: ResolvedParameters, capabilities: string[], onFailure: OnFailure): void {
    stack.StackStatus = 'CREATE_IN_PROGRESS';
    stack.StackStatusReason = undefined;
    this.#setTemplate(stack, template, body, parameters, capabilities);
    this.#stackEvent(stack, 'CREATE_IN_PROGRESS', 'User Initiated');
    stack.operation = this.#create(stack, parameters.values, onFailure);
  }

  #beginUpdate(stack: StackRecord, template: JsonObject, body: string, parameters: ResolvedParameters, capabilities: string[]): void {
    const previous = { template: stack.template, templateBody: stack.templateBody, Parameters: stack.Parameters, Capabilities: stack.Capabilities, Description: stack.Description };
    stack.StackStatus = 'UPDATE_IN_PROGRESS';
    stack.StackStatusReason = undefined;
    stack.LastUpdatedTime = new Date(this.#clock.now());
    this.#setTemplate(stack, template, body, parameters, capabilities);
    this.#stackEvent(stack, 'UPDATE_IN_PROGRESS', 'User Initiated');
    stack.operation = this.#update(stack, parameters.values, previous);
  }

  #setTemplate(stack: StackRecord, template: JsonObject, body: string, parameters: ResolvedParameters, capabilities: string[]): void {
    stack.template = template;
    stack.templateBody = body;
    stack.Parameters = Object.entries(parameters.raw).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));
    stack.Capabilities = capabilities;
    stack.Description = typeof template['Description'] === 'string' ? template['Description'] : undefined;
  }

  #context(stack: StackRecord, template: JsonObject, parameters: Record<string, JsonValue>): IntrinsicContext & { conditions: Map<string, boolean> } {
    const resources = new Map<string, ResolvedResource>();
    for (const [id, r] of stack.resources) resources.set(id, { ref: r.physicalId, attributes: r.attributes });
    const exports = new Map<string, string>();
    for (const [name, e] of this.#exports) exports.set(name, e.value);
    const context = {
      parameters,
      pseudo: {
        'AWS::Region': this.#region,
        'AWS::AccountId': this.#accountId,
        'AWS::Partition': this.#partition,
        'AWS::StackName': stack.StackName,
        'AWS::StackId': stack.StackId,
        'AWS::URLSuffix': dnsSuffixOf(this.#region),
        'AWS::NotificationARNs': [],
      },
      resources,
      exports,
      mappings: isJsonObject(template['Mappings']) ? template['Mappings'] : {},
      conditions: new Map<string, boolean>(),
    };
    const conditions = isJsonObject(template['Conditions']) ? template['Conditions'] : {};
    // Conditions may refer to each other; resolve until stable.
    for (let round = 0; round <= Object.keys(conditions).length; round++) {
      for (const [name, expression] of Object.entries(conditions)) {
        if (context.conditions.has(name)) continue;
        try {
          context.conditions.set(name, resolveIntrinsics(expression, context) === true);
        } catch {
          // depends on a condition not resolved yet
        }
      }
    }
    return context;
  }

  /** Resource ids in creation order (dependencies first); cycles are a template error. */
  #order(template: JsonObject): string[] {
    const resources = isJsonObject(template['Resources']) ? template['Resources'] : {};
    const ids = Object.keys(resources);
    const deps = new Map<string, Set<string>>();
    for (const id of ids) {
      const r = resources[id] as JsonObject;
      const set = new Set([...dependencies(r['Properties'] ?? {})].filter((d) => d in resources && d !== id));
      for (const d of typeof r['DependsOn'] === 'string' ? [r['DependsOn']] : Array.isArray(r['DependsOn']) ? r['DependsOn'] : []) set.add(String(d));
      deps.set(id, set);
    }
    const order: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (id: string, path: string[]): void => {
      if (state.get(id) === 'done') return;
      if (state.get(id) === 'visiting') throw validationError(`Circular dependency between resources: [${[...path, id].join(', ')}]`);
      state.set(id, 'visiting');
      for (const d of deps.get(id) ?? []) visit(d, [...path, id]);
      state.set(id, 'done');
      order.push(id);
    };
    for (const id of ids) visit(id, []);
    return order;
  }

  #providerContext(stack: StackRecord, logicalId: string): ProviderContext {
    return {
      api: this.#api,
      roles: this.#roles,
      ids: this.#ids,
      stackName: stack.StackName,
      logicalId,
      region: this.#region,
      accountId: this.#accountId,
      partition: this.#partition,
    };
  }

  /** Creates or updates every resource in order; returns the ids it created (for rollback). */
  async #apply(stack: StackRecord, parameters: Record<string, JsonValue>, updating: boolean): Promise<string[]> {
    const created: string[] = [];
    const resources = stack.template['Resources'] as JsonObject;
    const wanted = new Set<string>();
    stack.imports = new Set();
    for (const id of this.#order(stack.template)) {
      const definition = resources[id] as JsonObject;
      const context = this.#context(stack, stack.template, parameters);
      if (typeof definition['Condition'] === 'string' && context.conditions.get(definition['Condition']) !== true) continue;
      wanted.add(id);
      const type = String(definition['Type']);
      const provider = RESOURCE_PROVIDERS[type]!;
      const existing = stack.resources.get(id);
      const status = existing === undefined ? 'CREATE' : 'UPDATE';
      let properties: JsonObject;
      try {
        properties = (resolveIntrinsics(definition['Properties'] ?? {}, context) ?? {}) as JsonObject;
        for (const name of importsOf(definition['Properties'] ?? {}, context)) stack.imports.add(name);
      } catch (error) {
        this.#event(stack, id, type, `${status}_FAILED`, existing?.physicalId, (error as Error).message);
        throw Object.assign(error as Error, { logicalId: id });
      }
      if (existing !== undefined && JSON.stringify(existing.properties) === JSON.stringify(properties)) continue;
      this.#event(stack, id, type, `${status}_IN_PROGRESS`, existing?.physicalId);
      try {
        let result: CreatedResource;
        if (existing === undefined) {
          result = await provider.create(properties, this.#providerContext(stack, id));
          created.push(id);
        } else {
          try {
            if (provider.update === undefined) throw new NeedsReplacement();
            result = await provider.update(existing, properties, existing.properties, this.#providerContext(stack, id));
          } catch (error) {
            if (!(error instanceof NeedsReplacement)) throw error;
            // Replacement: create the new resource, then delete the old one.
            result = await provider.create(properties, this.#providerContext(stack, id));
            await provider.delete(existing, existing.properties, this.#providerContext(stack, id)).catch(() => undefined);
          }
        }
        stack.resources.set(id, { ...result, type, properties });
        this.#event(stack, id, type, `${status}_COMPLETE`, result.physicalId);
      } catch (error) {
        this.#event(stack, id, type, `${status}_FAILED`, existing?.physicalId, (error as Error).message);
        throw Object.assign(error as Error, { logicalId: id });
      }
    }
    if (updating) {
      for (const [id, resource] of [...stack.resources].reverse()) {
        if (wanted.has(id)) continue;
        this.#event(stack, id, resource.type, 'DELETE_IN_PROGRESS', resource.physicalId);
        await RESOURCE_PROVIDERS[resource.type]!.delete(resource, resource.properties, this.#providerContext(stack, id));
        stack.resources.delete(id);
        this.#event(stack, id, resource.type, 'DELETE_COMPLETE', resource.physicalId);
        // A resource an update removed is no longer the stack's (recorded: DescribeStackResource "does not exist").
        stack.resourceStates.delete(id);
      }
    }
    this.#publishOutputs(stack, parameters);
    return created;
  }

  #publishOutputs(stack: StackRecord, parameters: Record<string, JsonValue>): void {
    const outputs = isJsonObject(stack.template['Outputs']) ? stack.template['Outputs'] : {};
    const context = this.#context(stack, stack.template, parameters);
    const result: StackOutput[] = [];
    for (const [key, raw] of Object.entries(outputs)) {
      if (!isJsonObject(raw)) continue;
      if (typeof raw['Condition'] === 'string' && context.conditions.get(raw['Condition']) !== true) continue;
      const value = resolveIntrinsics(raw['Value'] ?? '', context);
      const exportName = isJsonObject(raw['Export']) ? resolveIntrinsics(raw['Export']['Name'] ?? '', context) : undefined;
      const output: StackOutput = {
        OutputKey: key,
        OutputValue: Array.isArray(value) ? value.join(',') : String(value),
        ...(typeof raw['Description'] === 'string' ? { Description: raw['Description'] } : {}),
        ...(typeof exportName === 'string' ? { ExportName: exportName } : {}),
      };
      if (output.ExportName !== undefined) {
        const owner = this.#exports.get(output.ExportName);
        if (owner !== undefined && owner.stackId !== stack.StackId) {
          throw validationError(`Export with name ${output.ExportName} is already exported by stack ${owner.stackId.split('/')[1] ?? owner.stackId}`);
        }
      }
      result.push(output);
    }
    for (const [name, e] of [...this.#exports]) if (e.stackId === stack.StackId) this.#exports.delete(name);
    for (const o of result) if (o.ExportName !== undefined) this.#exports.set(o.ExportName, { value: o.OutputValue, stackId: stack.StackId });
    stack.Outputs = result;
  }

  async #create(stack: StackRecord, parameters: Record<string, JsonValue>, onFailure: OnFailure): Promise<void> {
    await Promise.resolve();
    try {
      await this.#apply(stack, parameters, false);
      stack.StackStatus = 'CREATE_COMPLETE';
      this.#stackEvent(stack, 'CREATE_COMPLETE');
    } catch (error) {
      const logicalId = (error as { logicalId?: string }).logicalId;
      const reason = logicalId !== undefined ? `The following resource(s) failed to create: [${logicalId}]. ` : `${(error as Error).message} `;
      if (onFailure !== 'ROLLBACK') {
        stack.StackStatus = 'CREATE_FAILED';
        stack.StackStatusReason = reason.trim();
        this.#stackEvent(stack, 'CREATE_FAILED', stack.StackStatusReason);
        // OnFailure / OnStackFailure DELETE: the failed stack is deleted right away.
        if (onFailure === 'DELETE') await this.#delete(stack);
        return;
      }
      stack.StackStatus = 'ROLLBACK_IN_PROGRESS';
      stack.StackStatusReason = `${reason}Rollback requested by user.`;
      this.#stackEvent(stack, 'ROLLBACK_IN_PROGRESS', stack.StackStatusReason);
      await this.#deleteResources(stack);
      this.#unpublish(stack);
      // After a rollback no resource is the stack's, the failed one included (recorded: "does not exist").
      stack.resourceStates.clear();
      stack.StackStatus = 'ROLLBACK_COMPLETE';
      this.#stackEvent(stack, 'ROLLBACK_COMPLETE');
    }
  }

  async #update(stack: StackRecord, parameters: Record<string, JsonValue>, previous: Pick<StackRecord, 'template' | 'templateBody' | 'Parameters' | 'Capabilities' | 'Description'>): Promise<void> {
    await Promise.resolve();
    try {
      await this.#apply(stack, parameters, true);
      stack.StackStatus = 'UPDATE_COMPLETE';
      this.#stackEvent(stack, 'UPDATE_COMPLETE');
    } catch (error) {
      stack.StackStatus = 'UPDATE_ROLLBACK_IN_PROGRESS';
      stack.StackStatusReason = (error as Error).message;
      this.#stackEvent(stack, 'UPDATE_ROLLBACK_IN_PROGRESS', stack.StackStatusReason);
      Object.assign(stack, previous);
      const values = resolveParameters(previous.template, previous.Parameters, undefined).values;
      await this.#apply(stack, values, true).catch(() => undefined);
      for (const id of [...stack.resourceStates.keys()]) if (!stack.resources.has(id)) stack.resourceStates.delete(id);
      stack.StackStatus = 'UPDATE_ROLLBACK_COMPLETE';
      this.#stackEvent(stack, 'UPDATE_ROLLBACK_COMPLETE');
    }
  }

  async #delete(stack: StackRecord): Promise<void> {
    await Promise.resolve();
    for (const [name, e] of this.#exports) {
      if (e.stackId !== stack.StackId) continue;
      const importer = [...this.#stacks.values()].find((s) => s !== stack && s.imports.has(name));
      if (importer !== undefined) {
        stack.StackStatus = 'DELETE_FAILED';
        stack.StackStatusReason = `Export ${name} cannot be deleted as it is in use by ${importer.StackName}`;
        this.#stackEvent(stack, 'DELETE_FAILED', stack.StackStatusReason);
        return;
      }
    }
    if (stack.StackStatus !== 'DELETE_IN_PROGRESS') {
      stack.StackStatus = 'DELETE_IN_PROGRESS';
      this.#stackEvent(stack, 'DELETE_IN_PROGRESS');
    }
    await this.#deleteResources(stack);
    this.#unpublish(stack);
    this.#obsoleteChangeSets(stack);
    stack.StackStatus = 'DELETE_COMPLETE';
    stack.StackStatusReason = undefined;
    stack.DeletionTime = new Date(this.#clock.now());
    this.#stackEvent(stack, 'DELETE_COMPLETE');
    this.#stacks.delete(stack.StackName);
    this.#deleted.push(stack);
  }

  async #deleteResources(stack: StackRecord): Promise<void> {
    for (const [id, resource] of [...stack.resources].reverse()) {
      this.#event(stack, id, resource.type, 'DELETE_IN_PROGRESS', resource.physicalId);
      try {
        await RESOURCE_PROVIDERS[resource.type]!.delete(resource, resource.properties, this.#providerContext(stack, id));
        this.#event(stack, id, resource.type, 'DELETE_COMPLETE', resource.physicalId);
      } catch (error) {
        this.#event(stack, id, resource.type, 'DELETE_FAILED', resource.physicalId, (error as Error).message);
      }
      stack.resources.delete(id);
    }
  }

  #unpublish(stack: StackRecord): void {
    for (const [name, e] of [...this.#exports]) if (e.stackId === stack.StackId) this.#exports.delete(name);
    stack.Outputs = [];
  }

  /**
   * Brings back the stacks the store kept (at start), after the services that hold their resources. The IAM roles and
   * policies of live stacks, which only the engine's role registry holds, are registered again from the resources'
   * properties (each provider's update, with nothing changed). A stack whose operation was under way when the last
   * process stopped ends as that operation fails (docs/fidelity.md, Persistence).
   */
  restore(): void {
    for (const { value } of this.#store.records(STACK_KIND)) {
      const stack = decodeRecord<StackRecord>(value);
      stack.operation = Promise.resolve();
      // A change set being worked out when the process stopped is worked out no more: FAILED (docs/fidelity.md).
      for (const changeSet of stack.changeSets.values()) {
        changeSet.ready = Promise.resolve();
        if (changeSet.Status === 'CREATE_PENDING' || changeSet.Status === 'CREATE_IN_PROGRESS') {
          changeSet.Status = 'FAILED';
          changeSet.StatusReason = 'The shellstep endpoint stopped while the change set was being created.';
        }
        this.#changeSets.set(changeSet.ChangeSetId, changeSet);
      }
      if (stack.StackStatus === 'DELETE_COMPLETE') {
        this.#deleted.push(stack);
        continue;
      }
      this.#stacks.set(stack.StackName, stack);
      for (const output of stack.Outputs) if (output.ExportName !== undefined) this.#exports.set(output.ExportName, { value: output.OutputValue, stackId: stack.StackId });
    }
    // Managed policies before the roles that attach them, roles before the policies that attach to them by name.
    for (const type of ['AWS::IAM::ManagedPolicy', 'AWS::IAM::Role', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::Policy']) {
      for (const stack of this.#stacks.values()) {
        for (const [id, resource] of stack.resources) {
          if (resource.type !== type) continue;
          // The IAM providers do their work before their first await: the registry holds the role when this returns.
          void RESOURCE_PROVIDERS[type]!.update?.(resource, resource.properties, resource.properties, this.#providerContext(stack, id)).catch(() => undefined);
        }
      }
    }
    for (const stack of this.#stacks.values()) {
      const ended = INTERRUPTED_ENDS[stack.StackStatus];
      if (ended === undefined) continue;
      stack.StackStatus = ended;
      stack.StackStatusReason = 'The shellstep endpoint stopped while the stack operation was in progress.';
      this.#stackEvent(stack, ended, stack.StackStatusReason);
    }
  }

  #stackEvent(stack: StackRecord, status: StackStatus, reason?: string): void {
    this.#event(stack, stack.StackName, STACK_TYPE, status, stack.StackId, reason);
  }

  #event(stack: StackRecord, logicalId: string, type: string, status: string, physicalId?: string, reason?: string): void {
    // Every change of a stack comes with an event: the stack is written through here.
    this.#store.put(STACK_KIND, stack.StackId, () => encodeRecord(stack));
    const Timestamp = new Date(this.#clock.now());
    stack.events.push({
      StackId: stack.StackId,
      EventId: this.#ids.uuid(),
      StackName: stack.StackName,
      LogicalResourceId: logicalId,
      PhysicalResourceId: physicalId ?? '',
      ResourceType: type,
      Timestamp,
      ResourceStatus: status,
      ...(reason === undefined ? {} : { ResourceStatusReason: reason }),
    });
    if (type === STACK_TYPE) return;
    const PhysicalResourceId = physicalId ?? stack.resourceStates.get(logicalId)?.PhysicalResourceId;
    stack.resourceStates.set(logicalId, {
      LogicalResourceId: logicalId,
      ...(PhysicalResourceId === undefined ? {} : { PhysicalResourceId }),
      ResourceType: type,
      ResourceStatus: status,
      ...(reason === undefined ? {} : { ResourceStatusReason: reason }),
      Timestamp,
    });
  }
}

function importsOf(value: JsonValue, context: IntrinsicContext): string[] {
  const names: string[] = [];
  const walk = (v: JsonValue): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isJsonObject(v)) {
      if ('Fn::ImportValue' in v && Object.keys(v).length === 1) {
        const name = resolveIntrinsics(v['Fn::ImportValue']!, context);
        if (typeof name === 'string') names.push(name);
      }
      Object.values(v).forEach(walk);
    }
  };
  walk(value);
  return names;
}

function onFailureOf(onFailure: string | undefined, disableRollback: boolean | undefined): OnFailure {
  if (onFailure !== undefined && disableRollback !== undefined) throw validationError('You cannot specify both OnFailure and DisableRollback.');
  if (disableRollback === true) return 'DO_NOTHING';
  return requireEnum(onFailure, 'onFailure', ['DO_NOTHING', 'ROLLBACK', 'DELETE'] as const) ?? 'ROLLBACK';
}

function previousParameters(stack: StackRecord): Record<string, string> {
  return Object.fromEntries(stack.Parameters.map((p) => [p.ParameterKey, p.ParameterValue]));
}

/** Same template, same parameter values: "No updates are to be performed.", or an empty change set. */
function unchanged(stack: StackRecord, template: JsonObject, raw: Readonly<Record<string, string>>): boolean {
  return JSON.stringify(template) === JSON.stringify(stack.template) && JSON.stringify(raw) === JSON.stringify(previousParameters(stack));
}
