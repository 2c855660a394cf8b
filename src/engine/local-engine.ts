/**
 * The whole local engine in one object: managed instances, SSM (Run Command and Automation), Step Functions
 * and CloudFormation, joined by one `AwsApi` dispatch that enforces IAM roles (from templates, `roles.define` or the
 * IAM role API).
 * The demo, `serve`, the CLI and the end-to-end tests all build on it.
 */
import { ServiceError } from '../errors/service-error.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../model/json.js';
import type { AwsApi, AwsCallContext, ServiceHandlers } from './aws-api.js';
import { canonicalServiceId } from './aws-api.js';
import { ChangeFeed } from './changes.js';
import { RealClock, VirtualClock, type Clock } from './clock.js';
import { CloudFormationService } from './cloudformation/cloudformation-service.js';
import { iamRequestFor, passRoleRequest } from './iam/authorization.js';
import { UnsupportedPolicyError } from './iam/policy-evaluation.js';
import { assumedRolePrincipal, CredentialRegistry, type AccessKey } from './iam/credential-registry.js';
import { CLI_STATE_MACHINE_ROLE_NAME, DEFAULT_INSTANCE_ROLE_NAME, RoleRegistry, type RoleAssumption } from './iam/roles.js';
import { IamService } from './iam/iam-service.js';
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION, partitionOf } from './regions/partitions.js';
import type { EngineScope } from './regions/regional-engines.js';
import { randomIds, type IdGenerator } from './ids.js';
import { InstanceRegistry } from './instances/instance-registry.js';
import { instanceEnvironment } from './instances/instance-environment.js';
import type { LocalInstance } from './instances/local-instance.js';
import { SsmService, ssmHandlers } from './ssm-service.js';
import { StepFunctionsService } from './states/service.js';
import { stepFunctionsHandlers } from './states/api-handlers.js';
import type { MockConfig } from './states/mock-config/index.js';
import { checkRequestShape, withoutNullMembers } from '../validate/request-shape.js';
import { findSdkService } from '../validate/aws-sdk-models.js';
import type { Runbook } from '../model/runbook.js';
import { memoryStore, type Store } from './store/index.js';

/** The SDK model of each service id, for request checks. */
const SDK_MODELS: Readonly<Record<string, string>> = { ssm: 'ssm', sfn: 'stepfunctions' };

export interface LocalEngineOptions {
  /** `real` (default), `fast` (jump over idle waits), or a clock of your own. */
  readonly clock?: 'real' | 'fast' | Clock;
  readonly ids?: IdGenerator;
  /** Default us-east-1. Every ARN the engine makes carries it. */
  readonly region?: string;
  /** Default 123456789012. */
  readonly accountId?: string;
  /** Default: the region's (`aws-cn` for cn-*, `aws-us-gov` for us-gov-*, else `aws`; regions/partitions.ts). */
  readonly partition?: string;
  /** Shared with the engines of other regions behind one endpoint (regions/regional-engines.ts). Default: its own. */
  readonly credentials?: CredentialRegistry;
  /** IAM roles are global to an account: the engines of one endpoint share them. Default: its own. */
  readonly roles?: RoleRegistry;
  /**
   * IAM enforcement (default true): a role that no template, `roles.define` or IAM CreateRole defines cannot be used,
   * a service must be trusted by the role it assumes, and calls made with a role are evaluated against its policies.
   */
  readonly enforceIam?: boolean;
  /** Where instance root folders live. Default: a new temporary folder. */
  readonly instancesDir?: string;
  readonly concurrentAutomationQuota?: number;
  /** Length of the task tokens Step Functions issues (default: the Step Functions engine's). */
  readonly taskTokenLength?: number;
  /**
   * Let local instances' commands keep the user's AWS variables (keys, profiles, endpoints), as before shellstep gave
   * them an EC2-like environment. Default false: no user AWS variable, and the endpoint's URL and role keys while one
   * serves (docs/security.md).
   */
  readonly inheritAwsEnvironment?: boolean;
  /**
   * Where the services keep their records (src/engine/store/): `serve --data-dir` passes an SQLite store scoped to
   * this engine's region. Default: in memory, nothing written.
   */
  readonly store?: Store;
  /**
   * Where the IAM API keeps the roles it makes. IAM is global: RegionalEngines gives every engine of a partition the
   * same scope, so a role made through any region's endpoint is kept once and restored with the first engine.
   * Default: `store`.
   */
  readonly iamStore?: Store;
  /** Step Functions Local test cases (`StartExecution` on `<stateMachineArn>#<TestCaseName>`). */
  readonly mockConfig?: MockConfig;
}

/** The two roles every engine defines (iam/roles.ts): its instances' default role and the CLI's state machines'. */
export { CLI_STATE_MACHINE_ROLE_NAME, DEFAULT_INSTANCE_ROLE_NAME };

export interface DeployOptions {
  readonly stackName: string;
  readonly parameters?: Readonly<Record<string, string>>;
  /** Default: CAPABILITY_IAM and CAPABILITY_NAMED_IAM (a local deploy acknowledges them). */
  readonly capabilities?: readonly string[];
}

export interface DeployedStack {
  readonly stackName: string;
  readonly status: string;
  readonly outputs: Readonly<Record<string, string>>;
}

export class LocalEngine {
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  readonly roles: RoleRegistry;
  /** Access keys the endpoint knows: `--credentials` pairs, the console's, the instances' role sessions. */
  readonly credentials: CredentialRegistry;
  /** The options it was made with, for engines of other regions made like it (`sibling`). */
  readonly options: LocalEngineOptions;
  readonly instances: InstanceRegistry;
  readonly ssm: SsmService;
  readonly sfn: StepFunctionsService;
  readonly cloudformation: CloudFormationService;
  /** The IAM role API (CreateRole, PutRolePolicy, …) over `roles`. */
  readonly iam: IamService;
  /** The dispatch every service uses to call another: IAM-checked when the caller names a loaded role. */
  readonly api: AwsApi;
  readonly enforceIam: boolean;
  /** The store the services keep their records in (memory unless one was given). */
  readonly store: Store;
  /** The role that instances added without a `roleArn` stand for. */
  readonly defaultInstanceRoleArn: string;
  readonly #inheritAwsEnvironment: boolean;
  /** The URL of the endpoint serving this engine, while one does: instances' commands point at it. */
  #endpointUrl: string | undefined;
  /** Each instance's role-session key, issued once an endpoint serves. */
  readonly #instanceKeys = new Map<string, AccessKey>();
  /** "Something changed" notices of executions, automations and commands (the console's live updates). */
  readonly changes = new ChangeFeed();
  readonly #abort = new AbortController();
  #handlers: Record<string, ServiceHandlers> = {};

  constructor(options: LocalEngineOptions = {}) {
    this.clock =
      options.clock === 'fast' ? new VirtualClock({ autoAdvance: true }) : options.clock === 'real' || options.clock === undefined ? new RealClock() : options.clock;
    this.ids = options.ids ?? randomIds;
    this.options = options;
    this.region = options.region ?? DEFAULT_REGION;
    this.accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
    this.partition = options.partition ?? partitionOf(this.region);
    this.roles = options.roles ?? new RoleRegistry();
    this.credentials = options.credentials ?? new CredentialRegistry();
    this.enforceIam = options.enforceIam ?? true;
    this.store = options.store ?? memoryStore();
    this.#inheritAwsEnvironment = options.inheritAwsEnvironment ?? false;
    this.defaultInstanceRoleArn = `arn:${this.partition}:iam::${this.accountId}:role/${DEFAULT_INSTANCE_ROLE_NAME}`;
    // The two roles the engine itself hands out; every other role must come from a template, --role or CreateRole.
    // Shared roles may already have them, changed since: another region's engine defined them first.
    for (const name of [DEFAULT_INSTANCE_ROLE_NAME, CLI_STATE_MACHINE_ROLE_NAME]) {
      const arn = `arn:${this.partition}:iam::${this.accountId}:role/${name}`;
      if (this.roles.get(arn) === undefined) this.roles.define(arn);
    }
    this.api = { call: (service, operation, input, context) => this.#dispatch(service, operation, input, context ?? {}) };
    this.instances = new InstanceRegistry({
      clock: this.clock,
      ids: this.ids,
      configure: (instance) => this.#configureInstance(instance),
      store: this.store,
      ...(options.instancesDir === undefined ? {} : { baseDir: options.instancesDir }),
    });
    const common = { clock: this.clock, ids: this.ids, awsApi: this.api, region: this.region, accountId: this.accountId, changes: this.changes };
    this.ssm = new SsmService({
      ...common,
      partition: this.partition,
      instances: this.instances,
      store: this.store,
      authorizeSsm: async (operation, input, roleArn) => {
        if (roleArn !== undefined) this.authorize('ssm', operation, input, roleArn);
      },
      canAssumeRole: this.#canAssumeRole,
      ...(options.concurrentAutomationQuota === undefined ? {} : { concurrentAutomationQuota: options.concurrentAutomationQuota }),
    });
    this.sfn = new StepFunctionsService({
      ...common,
      signal: this.#abort.signal,
      store: this.store,
      canAssumeRole: this.#canAssumeRole,
      ...(options.taskTokenLength === undefined ? {} : { taskTokenLength: options.taskTokenLength }),
      ...(options.mockConfig === undefined ? {} : { mockConfig: options.mockConfig }),
    });
    this.cloudformation = new CloudFormationService({
      store: this.store,
      api: this.api,
      roles: this.roles,
      clock: this.clock,
      ids: this.ids,
      region: this.region,
      accountId: this.accountId,
      partition: this.partition,
    });
    this.iam = new IamService({ roles: this.roles, clock: this.clock, ids: this.ids, accountId: this.accountId, partition: this.partition, store: options.iamStore ?? this.store });
    this.#handlers = { ssm: ssmHandlers(this.ssm), sfn: stepFunctionsHandlers(this.sfn) };
    this.#restore();
  }

  /**
   * The one restore path: what the store kept comes back, each service after those it refers to; work that was in
   * flight when the last process stopped is ended as docs/fidelity.md (Persistence) says. Nothing for a memory store.
   */
  #restore(): void {
    if (!this.store.durable) return;
    this.instances.restore();
    this.ssm.restore();
    this.sfn.restore();
    this.cloudformation.restore();
    this.iam.restore();
  }

  /** An engine like this one (clock, ids, IAM setting, instance folder) for another region of the same endpoint. */
  sibling(scope: EngineScope): LocalEngine {
    // Not its partition (the region's), nor its store (scoped to its own region: the set's factory scopes stores).
    const { partition: _partition, store: _store, iamStore: _iamStore, ...like } = this.options;
    return new LocalEngine({ ...like, clock: this.clock, ids: this.ids, ...scope });
  }

  /** Deploys a template (JSON/YAML text or object): creates the stack, or updates it if it exists. */
  async deploy(template: string | JsonObject, options: DeployOptions): Promise<DeployedStack> {
    const body = typeof template === 'string' ? template : JSON.stringify(template);
    const Parameters = Object.entries(options.parameters ?? {}).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));
    const Capabilities = [...(options.capabilities ?? ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'])];
    const exists = await this.cloudformation.DescribeStacks({ StackName: options.stackName }).then(
      () => true,
      () => false,
    );
    if (exists) {
      // Deploying what is deployed already changes nothing (`serve --data-dir` redeploys its templates at each start).
      await this.cloudformation.UpdateStack({ StackName: options.stackName, TemplateBody: body, Parameters, Capabilities }).catch((error: unknown) => {
        if (!(error instanceof ServiceError && error.message === 'No updates are to be performed.')) throw error;
      });
    } else await this.cloudformation.CreateStack({ StackName: options.stackName, TemplateBody: body, Parameters, Capabilities });
    const stack = await this.cloudformation.waitForStack(options.stackName);
    const status = String(stack['StackStatus']);
    if (status !== 'CREATE_COMPLETE' && status !== 'UPDATE_COMPLETE') {
      const events = (await this.cloudformation.DescribeStackEvents({ StackName: options.stackName })).StackEvents;
      const failed = events.find((e) => e.ResourceStatus.endsWith('_FAILED') && e.ResourceStatusReason !== undefined);
      throw new ServiceError(
        'ValidationError',
        `Stack ${options.stackName} ended ${status}: ${failed === undefined ? String(stack['StackStatusReason'] ?? '') : `${failed.LogicalResourceId}: ${failed.ResourceStatusReason}`}`,
      );
    }
    const outputs: Record<string, string> = {};
    for (const o of (stack['Outputs'] ?? []) as Array<{ OutputKey: string; OutputValue: string }>) outputs[o.OutputKey] = o.OutputValue;
    return { stackName: options.stackName, status, outputs };
  }

  /** Whether a role can be assumed: always without IAM enforcement, else when defined and trusted (RoleRegistry.canAssume). */
  readonly #canAssumeRole: RoleAssumption = (roleArn, by) => {
    if (!this.enforceIam) return true;
    try {
      return this.roles.canAssume(roleArn, by, { accountId: this.accountId, region: this.region });
    } catch (error) {
      // A trust policy the local evaluator cannot read is refused by name, never trusted by default.
      if (!(error instanceof UnsupportedPolicyError)) throw error;
      throw new ServiceError('AccessDeniedException', `The trust policy of ${roleArn} cannot be evaluated by shellstep's local IAM evaluator: ${error.message}`);
    }
  };

  /**
   * Tells the engine that an endpoint serves it at `url`: from now on instances' commands get `AWS_ENDPOINT_URL` and
   * keys of their role (startLocalEndpoint calls it). The returned function undoes it (the endpoint closed).
   */
  serving(url: string): () => void {
    this.#endpointUrl = url;
    this.#reconfigureInstances();
    return () => {
      if (this.#endpointUrl !== url) return;
      this.#endpointUrl = undefined;
      for (const key of this.#instanceKeys.values()) this.credentials.revoke(key.accessKeyId);
      this.#instanceKeys.clear();
      this.#reconfigureInstances();
    };
  }

  #reconfigureInstances(): void {
    for (const instance of this.instances.list()) this.#configureInstance(instance);
  }

  /** The instance's command environment (instance-environment.ts), or the user's own with inheritAwsEnvironment. */
  #configureInstance(instance: LocalInstance): void {
    if (this.#inheritAwsEnvironment) {
      instance.inheritAwsEnvironment = true;
      return;
    }
    let key: AccessKey | undefined;
    if (this.#endpointUrl !== undefined) {
      key = this.#instanceKeys.get(instance.instanceId);
      if (key === undefined) {
        // EC2 names an instance profile's session after the instance (assumed-role/<role>/<instance id>).
        key = this.credentials.issue(assumedRolePrincipal(instance.roleArn ?? this.defaultInstanceRoleArn, instance.instanceId));
        this.#instanceKeys.set(instance.instanceId, key);
      }
    }
    instance.environment = instanceEnvironment(instance, { region: this.region, endpointUrl: this.#endpointUrl, key });
  }

  /** Stops every running execution and instance process. */
  async close(): Promise<void> {
    this.#abort.abort(new Error('engine closed'));
    for (const instance of this.instances.list()) this.instances.killAgent(instance.instanceId);
    this.instances.close();
  }

  async #dispatch(serviceName: string, operation: string, input: JsonObject, context: AwsCallContext): Promise<JsonValue> {
    const service = canonicalServiceId(serviceName);
    const handlers = this.#handlers[service];
    if (handlers === undefined) {
      throw new ServiceError('UnknownServiceException', `Service '${serviceName}' is not available in the shellstep local engine (available: ssm, sfn).`);
    }
    const handler = Object.hasOwn(handlers, operation) ? handlers[operation] : undefined;
    if (handler === undefined) {
      throw new ServiceError('UnknownOperationException', `${serviceName}:${operation} is not supported by the shellstep local engine.`);
    }
    // Calls from Task states and runbooks get the same front-end checks as HTTP requests: types and required members.
    const model = findSdkService(SDK_MODELS[service] ?? service);
    if (model !== undefined) checkRequestShape(model, operation, input);
    const request = withoutNullMembers(input) as JsonObject;
    if (context.roleArn !== undefined) this.authorize(service, operation, request, context.roleArn);
    return handler(request, context);
  }

  /**
   * Throws AWS's AccessDeniedException unless `roleArn`'s policies allow the call (nothing when IAM enforcement is off).
   * Services call it for the calls made with a role; the endpoint for requests signed with a role session's key.
   */
  authorize(service: string, operation: string, input: JsonObject, roleArn: string, sessionName?: string): void {
    if (!this.enforceIam) return;
    const scope = { partition: this.partition, region: this.region, accountId: this.accountId };
    const request = iamRequestFor(service, operation, input, scope, (token) => this.sfn.tokens.stateMachineArnOf(token));
    if (this.roles.get(roleArn) === undefined) {
      // A role that no template, registration or CreateRole defines (or one deleted since): its session could not exist on AWS.
      throw new ServiceError(
        'AccessDeniedException',
        `User: ${assumedRolePrincipal(roleArn, sessionName ?? 'shellstep').arn} is not authorized to perform: ${request.action} because the role ${roleArn} is not defined: no template, --role, roles.define or iam:CreateRole defines it (--no-iam turns IAM enforcement off).`,
      );
    }
    this.roles.authorize(roleArn, request, sessionName);
    if (service === 'ssm' && operation === 'StartAutomationExecution') {
      const assumeRole = this.#automationRole(input);
      // Starting an automation that assumes a role passes that role to SSM (automation-troubleshooting, §8.2).
      if (assumeRole !== undefined) this.roles.authorize(roleArn, passRoleRequest(assumeRole), sessionName);
    }
  }

  /**
   * The role an automation would assume: the runbook's `assumeRole`, with a whole `{{ param }}` resolved. Read from
   * the stored, parsed runbook (YAML or JSON), not by parsing the document's content on every start.
   */
  #automationRole(input: JsonObject): string | undefined {
    let runbook: Runbook;
    try {
      const version = input['DocumentVersion'];
      runbook = this.ssm.documents.resolveForExecution(String(input['DocumentName'] ?? ''), typeof version === 'string' ? version : undefined).runbook;
    } catch {
      // StartAutomationExecution itself reports the missing document or version.
      return undefined;
    }
    const role = runbook.assumeRole;
    if (typeof role !== 'string') return undefined;
    const match = /^\{\{\s*(\w+)\s*\}\}$/.exec(role);
    if (match === null) return role.startsWith('arn:') ? role : undefined;
    const given = isJsonObject(input['Parameters']) ? input['Parameters'][match[1]!] : undefined;
    const value = Array.isArray(given) ? given[0] : undefined;
    const fallback = runbook.parameters?.[match[1]!]?.default;
    const resolved = typeof value === 'string' ? value : typeof fallback === 'string' ? fallback : undefined;
    return resolved !== undefined && resolved.startsWith('arn:') ? resolved : undefined;
  }
}
