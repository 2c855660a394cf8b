/**
 * The CloudFormation subset the local engine needs: deploy a template's resources into the local services
 * (CreateStack, UpdateStack, DeleteStack) and report them as CloudFormation does (DescribeStacks,
 * DescribeStackEvents, ListStacks), with AWS's statuses, capabilities check, rollback, exports and errors.
 */
import { ServiceError } from '../../errors/service-error.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../model/json.js';
import { parseJsonOrYaml } from '../../validate/cfn-yaml.js';
import { validateTemplate } from '../../validate/template.js';
import type { AwsApi } from '../aws-api.js';
import type { Clock } from '../clock.js';
import type { RoleRegistry } from '../iam/roles.js';
import type { IdGenerator } from '../ids.js';
import { dependencies, resolveIntrinsics, validationError, type IntrinsicContext, type ResolvedResource } from './intrinsics.js';
import { iamManagedPolicy, iamPolicy } from './resources/iam-policy.js';
import { iamRole } from './resources/iam-role.js';
import type { CreatedResource, ProviderContext, ResourceProvider } from './resources/provider.js';
import { NeedsReplacement, ssmDocument } from './resources/ssm-document.js';
import { stateMachine } from './resources/state-machine.js';
import { decodeRecord, encodeRecord, memoryStore, type Store } from '../store/index.js';

/** The store's kind for stacks, live and deleted, by stack id (a name can be used again after a delete). */
const STACK_KIND = 'cfn.stack';

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

export type StackStatus =
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

interface StackRecord {
  readonly StackId: string;
  readonly StackName: string;
  readonly CreationTime: Date;
  LastUpdatedTime?: Date;
  DeletionTime?: Date;
  StackStatus: StackStatus;
  StackStatusReason?: string;
  Description?: string;
  Parameters: Array<{ ParameterKey: string; ParameterValue: string }>;
  Capabilities: string[];
  Outputs: StackOutput[];
  template: JsonObject;
  resources: Map<string, DeployedResource>;
  events: StackEvent[];
  /** Export names this stack imports. */
  imports: Set<string>;
  operation: Promise<void>;
}

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

type ParameterInput = { ParameterKey?: string; ParameterValue?: string; UsePreviousValue?: boolean };

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

const TERMINAL = new Set<StackStatus>(['CREATE_COMPLETE', 'CREATE_FAILED', 'ROLLBACK_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'DELETE_COMPLETE', 'DELETE_FAILED']);

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

  constructor(options: CloudFormationServiceOptions) {
    this.#store = options.store ?? memoryStore();
    this.#api = options.api;
    this.#roles = options.roles;
    this.#clock = options.clock;
    this.#ids = options.ids;
    this.#region = options.region ?? 'us-east-1';
    this.#accountId = options.accountId ?? '123456789012';
    this.#partition = options.partition ?? 'aws';
  }

  async CreateStack(input: { StackName?: string; TemplateBody?: string; Parameters?: ParameterInput[]; Capabilities?: string[]; OnFailure?: string; DisableRollback?: boolean }): Promise<{ StackId: string }> {
    const name = requireStackName(input.StackName);
    if (this.#stacks.has(name)) throw new ServiceError('AlreadyExistsException', `Stack [${name}] already exists`);
    const template = parseTemplate(input.TemplateBody);
    this.#checkTemplate(template, input.Capabilities ?? []);
    const parameters = resolveParameters(template, input.Parameters ?? [], undefined);
    const stack: StackRecord = {
      StackId: `arn:${this.#partition}:cloudformation:${this.#region}:${this.#accountId}:stack/${name}/${this.#ids.uuid()}`,
      StackName: name,
      CreationTime: new Date(this.#clock.now()),
      StackStatus: 'CREATE_IN_PROGRESS',
      ...(typeof template['Description'] === 'string' ? { Description: template['Description'] } : {}),
      Parameters: Object.entries(parameters.raw).map(([k, v]) => ({ ParameterKey: k, ParameterValue: v })),
      Capabilities: input.Capabilities ?? [],
      Outputs: [],
      template,
      resources: new Map(),
      events: [],
      imports: new Set(),
      operation: Promise.resolve(),
    };
    this.#stacks.set(name, stack);
    this.#event(stack, name, 'AWS::CloudFormation::Stack', 'CREATE_IN_PROGRESS', stack.StackId, 'User Initiated');
    const rollback = !(input.DisableRollback === true || input.OnFailure === 'DO_NOTHING');
    stack.operation = this.#create(stack, parameters.values, rollback);
    return { StackId: stack.StackId };
  }

  async UpdateStack(input: { StackName?: string; TemplateBody?: string; UsePreviousTemplate?: boolean; Parameters?: ParameterInput[]; Capabilities?: string[] }): Promise<{ StackId: string }> {
    const stack = this.#find(requireStackName(input.StackName));
    if (!TERMINAL.has(stack.StackStatus) || stack.StackStatus === 'DELETE_FAILED') {
      throw validationError(`Stack:${stack.StackId} is in ${stack.StackStatus} state and can not be updated.`);
    }
    if (stack.StackStatus === 'ROLLBACK_COMPLETE' || stack.StackStatus === 'CREATE_FAILED') {
      throw validationError(`Stack:${stack.StackId} is in ${stack.StackStatus} state and can not be updated.`);
    }
    const template = input.UsePreviousTemplate === true ? stack.template : parseTemplate(input.TemplateBody);
    this.#checkTemplate(template, input.Capabilities ?? []);
    const previous = Object.fromEntries(stack.Parameters.map((p) => [p.ParameterKey, p.ParameterValue]));
    const parameters = resolveParameters(template, input.Parameters ?? [], previous);
    const unchanged =
      JSON.stringify(template) === JSON.stringify(stack.template) && JSON.stringify(parameters.raw) === JSON.stringify(previous);
    // The error AWS returns for an update that changes nothing.
    if (unchanged) throw validationError('No updates are to be performed.');
    stack.StackStatus = 'UPDATE_IN_PROGRESS';
    stack.LastUpdatedTime = new Date(this.#clock.now());
    this.#event(stack, stack.StackName, 'AWS::CloudFormation::Stack', 'UPDATE_IN_PROGRESS', stack.StackId, 'User Initiated');
    const oldTemplate = stack.template;
    const oldParameters = stack.Parameters;
    stack.template = template;
    stack.Parameters = Object.entries(parameters.raw).map(([k, v]) => ({ ParameterKey: k, ParameterValue: v }));
    stack.operation = this.#update(stack, parameters.values, oldTemplate, oldParameters);
    return { StackId: stack.StackId };
  }

  async DeleteStack(input: { StackName?: string }): Promise<Record<string, never>> {
    const name = requireStackName(input.StackName);
    const stack = this.#stacks.get(name);
    // Deleting a stack that does not exist succeeds silently on AWS.
    if (stack === undefined) return {};
    stack.StackStatus = 'DELETE_IN_PROGRESS';
    this.#event(stack, name, 'AWS::CloudFormation::Stack', 'DELETE_IN_PROGRESS', stack.StackId, 'User Initiated');
    stack.operation = this.#delete(stack);
    return {};
  }

  async DescribeStacks(input: { StackName?: string } = {}): Promise<{ Stacks: JsonObject[] }> {
    if (input.StackName === undefined) return { Stacks: [...this.#stacks.values()].map(view) };
    const found = this.#stacks.get(input.StackName) ?? this.#deleted.find((s) => s.StackId === input.StackName);
    if (found === undefined) throw validationError(`Stack with id ${input.StackName} does not exist`);
    return { Stacks: [view(found)] };
  }

  async DescribeStackEvents(input: { StackName?: string }): Promise<{ StackEvents: StackEvent[] }> {
    const name = requireStackName(input.StackName);
    const stack = this.#stacks.get(name) ?? this.#deleted.find((s) => s.StackId === name);
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

  /** Resolves when the stack's current operation has ended; returns the stack as DescribeStacks shows it. */
  async waitForStack(name: string): Promise<JsonObject> {
    const stack = this.#stacks.get(name) ?? this.#deleted.find((s) => s.StackName === name);
    if (stack === undefined) throw validationError(`Stack with id ${name} does not exist`);
    await stack.operation;
    return view(stack);
  }

  /** The physical id of a stack's resource, e.g. a state machine ARN. */
  physicalId(stackName: string, logicalId: string): string | undefined {
    return this.#stacks.get(stackName)?.resources.get(logicalId)?.physicalId;
  }

  #find(name: string): StackRecord {
    const stack = this.#stacks.get(name);
    if (stack === undefined) throw validationError(`Stack [${name}] does not exist`);
    return stack;
  }

  #checkTemplate(template: JsonObject, capabilities: readonly string[]): void {
    // The generated subset of the resource specification: the engine never loads the whole database (template.ts).
    const errors = validateTemplate(template, { embedded: false, spec: 'engine' }).filter((i) => i.severity !== 'warning');
    if (errors.length > 0) throw validationError(`Template format error: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
    if (template['Transform'] !== undefined) throw validationError('Transform (macros, SAM) is not supported by the shellstep local engine.');
    const resources = isJsonObject(template['Resources']) ? template['Resources'] : {};
    const unsupported = Object.entries(resources)
      .map(([id, r]) => [id, isJsonObject(r) ? String(r['Type']) : ''] as const)
      .filter(([, type]) => RESOURCE_PROVIDERS[type] === undefined);
    if (unsupported.length > 0) {
      throw validationError(
        `Resource types not supported by the shellstep local engine: ${unsupported.map(([id, t]) => `${id} (${t})`).join(', ')}. Supported: ${Object.keys(RESOURCE_PROVIDERS).join(', ')}.`,
      );
    }
    // CloudFormation refuses IAM resources without an acknowledged capability (InsufficientCapabilitiesException).
    let needed: string | undefined;
    for (const r of Object.values(resources)) {
      if (!isJsonObject(r)) continue;
      const provider = RESOURCE_PROVIDERS[String(r['Type'])];
      if (provider?.isIam !== true) continue;
      const props = isJsonObject(r['Properties']) ? r['Properties'] : {};
      if (provider.namesIamResource?.(props) === true) needed = 'CAPABILITY_NAMED_IAM';
      else needed ??= 'CAPABILITY_IAM';
    }
    const ok = needed === undefined || capabilities.includes(needed) || (needed === 'CAPABILITY_IAM' && capabilities.includes('CAPABILITY_NAMED_IAM'));
    if (!ok) throw new ServiceError('InsufficientCapabilitiesException', `Requires capabilities : [${needed}]`);
  }

  #context(stack: StackRecord, parameters: Record<string, JsonValue>): IntrinsicContext & { conditions: Map<string, boolean> } {
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
        'AWS::URLSuffix': 'amazonaws.com',
        'AWS::NotificationARNs': [],
      },
      resources,
      exports,
      mappings: isJsonObject(stack.template['Mappings']) ? stack.template['Mappings'] : {},
      conditions: new Map<string, boolean>(),
    };
    const conditions = isJsonObject(stack.template['Conditions']) ? stack.template['Conditions'] : {};
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
    for (const id of this.#order(stack.template)) {
      const definition = resources[id] as JsonObject;
      const context = this.#context(stack, parameters);
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
      }
    }
    this.#publishOutputs(stack, parameters);
    return created;
  }

  #publishOutputs(stack: StackRecord, parameters: Record<string, JsonValue>): void {
    const outputs = isJsonObject(stack.template['Outputs']) ? stack.template['Outputs'] : {};
    const context = this.#context(stack, parameters);
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

  async #create(stack: StackRecord, parameters: Record<string, JsonValue>, rollback: boolean): Promise<void> {
    await Promise.resolve();
    try {
      await this.#apply(stack, parameters, false);
      stack.StackStatus = 'CREATE_COMPLETE';
      this.#event(stack, stack.StackName, 'AWS::CloudFormation::Stack', 'CREATE_COMPLETE', stack.StackId);
    } catch (error) {
      const logicalId = (error as { logicalId?: string }).logicalId;
      const reason = logicalId !== undefined ? `The following resource(s) failed to create: [${logicalId}]. ` : `${(error as Error).message} `;
      if (!rollback) {
        stack.StackStatus = 'CREATE_FAILED';
        stack.StackStatusReason = reason.trim();
        this.#event(stack, stack.StackName, 'AWS::CloudFormation::Stack', 'CREATE_FAILED', stack.StackId, stack.StackStatusReason);
        return;
      }
      stack.StackStatus = 'ROLLBACK_IN_PROGRESS';
      stack.StackStatusReason = `${reason}Rollback requested by user.`;
      this.#event(stack, stack.StackName, 'AWS::CloudFormation::Stack', 'ROLLBACK_IN_PROGRESS', stack.StackId, stack.StackStatusReason);
      await this.#deleteResources(stack);
      this.#unpublish(stack);
      stack.StackStatus = 'ROLLBACK_COMPLETE';
      this.#event(stack, stack.StackName, 'AWS::CloudFormation::Stack', 'ROLLBACK_COMPLETE', stack.StackId);
    }
  }

  async #update(stack: StackRecord, parameters: Record<string, JsonValue>, oldTemplate: JsonObject, oldParameters: StackRecord['Parameters']): Promise<void> {
    await Promise.resolve();
    try {
      await this.#apply(stack, parameters, true);
      stack.StackStatus = 'UPDATE_COMPLETE';
      this.#event(stack, stack.StackName, 'AWS::CloudFormation::Stack', 'UPDATE_COMPLETE', stack.StackId);
    } catch (error) {
      stack.StackStatus = 'UPDATE_ROLLBACK_IN_PROGRESS';
      stack.StackStatusReason = (error as Error).message;
      this.#event(stack, stack.StackName, 'AWS::CloudFormation::Stack', 'UPDATE_ROLLBACK_IN_PROGRESS', stack.StackId, stack.StackStatusReason);
      stack.template = oldTemplate;
      stack.Parameters = oldParameters;
      const previous = resolveParameters(oldTemplate, oldParameters, undefined).values;
      await this.#apply(stack, previous, true).catch(() => undefined);
      stack.StackStatus = 'UPDATE_ROLLBACK_COMPLETE';
      this.#event(stack, stack.StackName, 'AWS::CloudFormation::Stack', 'UPDATE_ROLLBACK_COMPLETE', stack.StackId);
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
        this.#event(stack, stack.StackName, 'AWS::CloudFormation::Stack', 'DELETE_FAILED', stack.StackId, stack.StackStatusReason);
        return;
      }
    }
    await this.#deleteResources(stack);
    this.#unpublish(stack);
    stack.StackStatus = 'DELETE_COMPLETE';
    stack.DeletionTime = new Date(this.#clock.now());
    this.#event(stack, stack.StackName, 'AWS::CloudFormation::Stack', 'DELETE_COMPLETE', stack.StackId);
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
      this.#event(stack, stack.StackName, 'AWS::CloudFormation::Stack', ended, stack.StackId, stack.StackStatusReason);
    }
  }

  #event(stack: StackRecord, logicalId: string, type: string, status: string, physicalId?: string, reason?: string): void {
    // Every change of a stack comes with an event: the stack is written through here.
    this.#store.put(STACK_KIND, stack.StackId, () => encodeRecord(stack));
    stack.events.push({
      StackId: stack.StackId,
      EventId: this.#ids.uuid(),
      StackName: stack.StackName,
      LogicalResourceId: logicalId,
      PhysicalResourceId: physicalId ?? '',
      ResourceType: type,
      Timestamp: new Date(this.#clock.now()),
      ResourceStatus: status,
      ...(reason === undefined ? {} : { ResourceStatusReason: reason }),
    });
  }
}

function requireStackName(name: string | undefined): string {
  // StackName: "[a-zA-Z][-a-zA-Z0-9]*", at most 128 characters (CreateStack API reference).
  if (name === undefined || !/^[a-zA-Z][-a-zA-Z0-9]{0,127}$/.test(name)) {
    throw validationError(`1 validation error detected: Value '${name ?? 'null'}' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`);
  }
  return name;
}

function parseTemplate(body: string | undefined): JsonObject {
  if (body === undefined) throw validationError('Either Template URL or Template Body must be specified.');
  let template: unknown;
  try {
    template = parseJsonOrYaml(body);
  } catch (error) {
    throw validationError(`Template format error: ${(error as Error).message}`);
  }
  if (!isJsonObject(template)) throw validationError('Template format error: the template must be a JSON or YAML object.');
  return template;
}

function resolveParameters(
  template: JsonObject,
  given: readonly ParameterInput[],
  previous: Readonly<Record<string, string>> | undefined,
): { raw: Record<string, string>; values: Record<string, JsonValue> } {
  const declared = isJsonObject(template['Parameters']) ? template['Parameters'] : {};
  const raw: Record<string, string> = {};
  const values: Record<string, JsonValue> = {};
  const missing: string[] = [];
  for (const p of given) {
    if (p.ParameterKey === undefined || !(p.ParameterKey in declared)) {
      throw validationError(`Parameters: [${p.ParameterKey ?? 'null'}] do not exist in the template`);
    }
  }
  for (const [name, rawDef] of Object.entries(declared)) {
    const def = isJsonObject(rawDef) ? rawDef : {};
    const input = given.find((p) => p.ParameterKey === name);
    let value: string | undefined;
    if (input?.UsePreviousValue === true) value = previous?.[name];
    else if (input?.ParameterValue !== undefined) value = input.ParameterValue;
    else if (def['Default'] !== undefined) value = String(def['Default']);
    if (value === undefined) {
      missing.push(name);
      continue;
    }
    const type = String(def['Type'] ?? 'String');
    if (type.startsWith('AWS::SSM::Parameter::Value')) {
      throw validationError(`Parameter '${name}' has type ${type}; Parameter Store lookups are not supported by the shellstep local engine.`);
    }
    if (typeof def['AllowedPattern'] === 'string' && !new RegExp(`^(?:${def['AllowedPattern']})$`).test(value)) {
      throw validationError(`Parameter '${name}' must match pattern ${def['AllowedPattern']}`);
    }
    if (Array.isArray(def['AllowedValues']) && !def['AllowedValues'].map(String).includes(value)) {
      throw validationError(`Parameter '${name}' must be one of AllowedValues`);
    }
    if (typeof def['MaxLength'] === 'number' && value.length > def['MaxLength']) {
      throw validationError(`Parameter '${name}' must contain at most ${def['MaxLength']} characters`);
    }
    if (typeof def['MinLength'] === 'number' && value.length < def['MinLength']) {
      throw validationError(`Parameter '${name}' must contain at least ${def['MinLength']} characters`);
    }
    if (type === 'Number' && Number.isNaN(Number(value))) throw validationError(`Parameter '${name}' must be a number`);
    raw[name] = value;
    values[name] = type === 'CommaDelimitedList' || type.startsWith('List<') ? value.split(',').map((v) => v.trim()) : value;
  }
  if (missing.length > 0) throw validationError(`Parameters: [${missing.join(', ')}] must have values`);
  return { raw, values };
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

function view(stack: StackRecord): JsonObject {
  const out: Record<string, unknown> = {
    StackId: stack.StackId,
    StackName: stack.StackName,
    CreationTime: stack.CreationTime,
    StackStatus: stack.StackStatus,
    Parameters: stack.Parameters,
    Capabilities: stack.Capabilities,
    Outputs: stack.Outputs,
    Tags: [],
    DisableRollback: false,
    // Members AWS returns for every stack, empty or at their defaults when unused (describe-stacks, describe-change-set).
    NotificationARNs: [],
    RollbackConfiguration: {},
    EnableTerminationProtection: false,
    DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
  };
  if (stack.Description !== undefined) out['Description'] = stack.Description;
  if (stack.LastUpdatedTime !== undefined) out['LastUpdatedTime'] = stack.LastUpdatedTime;
  if (stack.DeletionTime !== undefined) out['DeletionTime'] = stack.DeletionTime;
  if (stack.StackStatusReason !== undefined) out['StackStatusReason'] = stack.StackStatusReason;
  return out as JsonObject;
}
