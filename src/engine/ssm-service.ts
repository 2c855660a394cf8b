/**
 * The local SSM service: one method per API operation, taking and returning the API's shapes, so that the AWS JSON
 * 1.1 server in front of it only dispatches (`ssmHandlers`). Run Command, managed-instance, document and
 * Automation operations delegate to their modules.
 */
import type { AwsApi, ServiceHandlers } from './aws-api.js';
import type { Clock } from './clock.js';
import { RealClock } from './clock.js';
import type { IdGenerator } from './ids.js';
import { randomIds } from './ids.js';
import { partitionOf } from './regions/partitions.js';
import { ssmError } from '../errors/ssm-errors.js';
import type { JsonObject, JsonValue } from '../model/json.js';
import type {
  AutomationExecution,
  AutomationExecutionFilter,
  AutomationExecutionMetadata,
  CancelCommandRequest,
  Command,
  CommandInvocation,
  CreateDocumentRequest,
  DescribeDocumentPermissionRequest,
  DescribeDocumentPermissionResponse,
  DescribeInstanceInformationRequest,
  DocumentDescription,
  DocumentFormat,
  DocumentIdentifier,
  GetCommandInvocationRequest,
  GetCommandInvocationResult,
  GetDocumentResult,
  InstanceInformation,
  ListCommandInvocationsRequest,
  ListCommandsRequest,
  ListDocumentsRequest,
  ModifyDocumentPermissionRequest,
  SendCommandRequest,
  StartAutomationExecutionRequest,
  StepExecution,
  StepExecutionFilter,
  UpdateDocumentRequest,
} from '../model/ssm.js';
import { AutomationEngine } from './automation/automation-engine.js';
import type { SsmAuthorizer } from './automation/actions/action.js';
import type { RoleAssumption } from './iam/roles.js';
import { DocumentStore } from './documents/index.js';
import type { ChangeFeed } from './changes.js';
import { InstanceRegistry } from './instances/instance-registry.js';
import { paginate, RunCommandService } from './run-command/run-command-service.js';
import type { Store } from './store/index.js';

export interface SsmServiceOptions {
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  /** Outbound AWS calls of `aws:executeAwsApi` (Step Functions callbacks…). SSM calls stay inside this service. */
  readonly awsApi: AwsApi;
  readonly instances?: InstanceRegistry;
  readonly region?: string;
  readonly accountId?: string;
  readonly partition?: string;
  /** Concurrent automation executions before new ones queue as Pending. Default 100. */
  readonly concurrentAutomationQuota?: number;
  /** Who `ExecutedBy` names. Default: the account root ARN. */
  readonly executedBy?: string;
  /** IAM check for the SSM calls automations make with their assumed role (the local engine sets it). */
  readonly authorizeSsm?: SsmAuthorizer;
  /** Where documents, commands and automations are kept (default: nowhere but in memory). */
  readonly store?: Store;
  /** Told when automations and commands change (the console's live view). */
  readonly changes?: ChangeFeed;
  /** Whether Automation can assume a runbook's `assumeRole` (the local engine sets it). Default: any role. */
  readonly canAssumeRole?: RoleAssumption;
}

export class SsmService {
  readonly instances: InstanceRegistry;
  readonly runCommand: RunCommandService;
  readonly documents: DocumentStore;
  readonly automation: AutomationEngine;
  readonly region: string;
  readonly accountId: string;

  constructor(options: SsmServiceOptions) {
    const clock = options.clock ?? new RealClock();
    const ids = options.ids ?? randomIds;
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    const partition = options.partition ?? partitionOf(this.region);
    this.instances = options.instances ?? new InstanceRegistry({ clock, ids });
    this.documents = new DocumentStore({
      now: () => clock.now(),
      accountId: this.accountId,
      ...(options.store === undefined ? {} : { store: options.store }),
    });
    this.runCommand = new RunCommandService({
      clock,
      ids,
      instances: this.instances,
      region: this.region,
      documents: this.documents.resolveCommand,
      ...(options.store === undefined ? {} : { store: options.store }),
      ...(options.changes === undefined ? {} : { changes: options.changes }),
    });
    const handlers = ssmHandlers(this);
    this.automation = new AutomationEngine({
      clock,
      ids,
      awsApi: options.awsApi,
      ssm: (operation, input) => {
        const handler = handlers[operation];
        if (handler === undefined) {
          return Promise.reject(ssmError('ValidationException', `SSM operation ${operation} is not supported by the local engine.`));
        }
        return handler(input, {});
      },
      runCommand: this.runCommand,
      region: this.region,
      accountId: this.accountId,
      partition,
      executedBy: options.executedBy ?? `arn:${partition}:iam::${this.accountId}:root`,
      documents: this.documents,
      ...(options.authorizeSsm === undefined ? {} : { authorizeSsm: options.authorizeSsm }),
      ...(options.changes === undefined ? {} : { changes: options.changes }),
      ...(options.canAssumeRole === undefined ? {} : { canAssumeRole: options.canAssumeRole }),
      ...(options.concurrentAutomationQuota === undefined ? {} : { concurrentAutomationQuota: options.concurrentAutomationQuota }),
      ...(options.store === undefined ? {} : { store: options.store }),
    });
  }

  /** Brings back what the store kept (at start, after the instances): documents, then commands, then automations. */
  restore(): void {
    this.documents.restore();
    this.runCommand.restore();
    this.automation.restore();
  }

  // Run Command
  SendCommand(input: SendCommandRequest): Promise<{ Command: Command }> {
    return this.runCommand.SendCommand(input);
  }
  ListCommands(input: ListCommandsRequest = {}): Promise<{ Commands: Command[]; NextToken?: string }> {
    return this.runCommand.ListCommands(input);
  }
  ListCommandInvocations(input: ListCommandInvocationsRequest = {}): Promise<{ CommandInvocations: CommandInvocation[]; NextToken?: string }> {
    return this.runCommand.ListCommandInvocations(input);
  }
  GetCommandInvocation(input: GetCommandInvocationRequest): Promise<GetCommandInvocationResult> {
    return this.runCommand.GetCommandInvocation(input);
  }
  CancelCommand(input: CancelCommandRequest): Promise<Record<string, never>> {
    return this.runCommand.CancelCommand(input);
  }

  // Managed instances
  async DescribeInstanceInformation(
    input: DescribeInstanceInformationRequest = {},
  ): Promise<{ InstanceInformationList: InstanceInformation[]; NextToken?: string }> {
    let list = this.instances.list().map((i) => ({ info: i.describe(), tags: i.tags }));
    const filters = [
      ...(input.InstanceInformationFilterList ?? []).map((f) => ({ Key: f.key, Values: f.valueSet })),
      ...(input.Filters ?? []),
    ];
    for (const f of filters) {
      const pick: Record<string, (x: (typeof list)[number]) => boolean> = {
        InstanceIds: (x) => f.Values.includes(x.info.InstanceId),
        PingStatus: (x) => f.Values.includes(x.info.PingStatus),
        PlatformTypes: (x) => f.Values.includes(x.info.PlatformType),
        ResourceType: (x) => f.Values.includes(x.info.ResourceType),
        AgentVersion: (x) => f.Values.includes(x.info.AgentVersion),
      };
      const fn = f.Key.startsWith('tag:') ? (x: (typeof list)[number]) => f.Values.includes(x.tags[f.Key.slice(4)] ?? '\u0000') : f.Key === 'tag-key' ? (x: (typeof list)[number]) => f.Values.some((k) => x.tags[k] !== undefined) : pick[f.Key];
      if (fn === undefined) throw ssmError('InvalidFilterKey', `Filter key ${f.Key} is not supported.`);
      list = list.filter(fn);
    }
    const page = paginate(list, input.MaxResults, input.NextToken, 50);
    return { InstanceInformationList: page.items.map((x) => x.info), ...(page.next === undefined ? {} : { NextToken: page.next }) };
  }

  // Documents
  async CreateDocument(input: CreateDocumentRequest): Promise<{ DocumentDescription: DocumentDescription }> {
    return this.documents.CreateDocument(input);
  }
  async GetDocument(input: { Name: string; DocumentVersion?: string; VersionName?: string; DocumentFormat?: DocumentFormat }): Promise<GetDocumentResult> {
    return this.documents.GetDocument(input);
  }
  async DescribeDocument(input: { Name: string; DocumentVersion?: string; VersionName?: string }): Promise<{ Document: DocumentDescription }> {
    return this.documents.DescribeDocument(input);
  }
  async ListDocuments(input: ListDocumentsRequest = {}): Promise<{ DocumentIdentifiers: DocumentIdentifier[]; NextToken?: string }> {
    return this.documents.ListDocuments(input);
  }
  async DescribeDocumentPermission(input: DescribeDocumentPermissionRequest): Promise<DescribeDocumentPermissionResponse> {
    return this.documents.DescribeDocumentPermission(input);
  }
  async ModifyDocumentPermission(input: ModifyDocumentPermissionRequest): Promise<Record<string, never>> {
    return this.documents.ModifyDocumentPermission(input);
  }
  async UpdateDocument(input: UpdateDocumentRequest): Promise<{ DocumentDescription: DocumentDescription }> {
    return this.documents.UpdateDocument(input);
  }
  async UpdateDocumentDefaultVersion(input: { Name: string; DocumentVersion: string }): Promise<{ Description: { Name: string; DefaultVersion: string; DefaultVersionName?: string } }> {
    return this.documents.UpdateDocumentDefaultVersion(input);
  }
  async DeleteDocument(input: { Name: string; DocumentVersion?: string; VersionName?: string; Force?: boolean }): Promise<Record<string, never>> {
    return this.documents.DeleteDocument(input);
  }

  // Automation
  StartAutomationExecution(input: StartAutomationExecutionRequest): Promise<{ AutomationExecutionId: string }> {
    return this.automation.StartAutomationExecution(input);
  }
  GetAutomationExecution(input: { AutomationExecutionId: string }): Promise<{ AutomationExecution: AutomationExecution }> {
    return this.automation.GetAutomationExecution(input);
  }
  DescribeAutomationExecutions(input: { Filters?: AutomationExecutionFilter[]; MaxResults?: number; NextToken?: string } = {}): Promise<{ AutomationExecutionMetadataList: AutomationExecutionMetadata[]; NextToken?: string }> {
    return this.automation.DescribeAutomationExecutions(input);
  }
  DescribeAutomationStepExecutions(input: { AutomationExecutionId: string; Filters?: StepExecutionFilter[]; MaxResults?: number; NextToken?: string; ReverseOrder?: boolean }): Promise<{ StepExecutions: StepExecution[]; NextToken?: string }> {
    return this.automation.DescribeAutomationStepExecutions(input);
  }
  StopAutomationExecution(input: { AutomationExecutionId: string; Type?: 'Complete' | 'Cancel' }): Promise<Record<string, never>> {
    return this.automation.StopAutomationExecution(input);
  }
}

/** Operations the server and `aws:executeAwsApi` (Service: ssm) dispatch to. */
export const SSM_OPERATIONS = [
  'SendCommand',
  'ListCommands',
  'ListCommandInvocations',
  'GetCommandInvocation',
  'CancelCommand',
  'DescribeInstanceInformation',
  'CreateDocument',
  'GetDocument',
  'DescribeDocument',
  'ListDocuments',
  'UpdateDocument',
  'UpdateDocumentDefaultVersion',
  'DeleteDocument',
  'DescribeDocumentPermission',
  'ModifyDocumentPermission',
  'StartAutomationExecution',
  'GetAutomationExecution',
  'DescribeAutomationExecutions',
  'DescribeAutomationStepExecutions',
  'StopAutomationExecution',
] as const satisfies readonly (keyof SsmService)[];

/**
 * The dispatch table `{ Operation: (input) => response }` over a service. Inputs are passed through as the API
 * shapes; responses keep `Date` values (the protocol layer writes them as epoch seconds).
 */
export function ssmHandlers(service: SsmService): ServiceHandlers {
  const table: Record<string, (input: JsonObject) => Promise<JsonValue>> = {};
  for (const op of SSM_OPERATIONS) {
    const method = service[op] as (input: unknown) => Promise<unknown>;
    table[op] = async (input) => (await method.call(service, input)) as JsonValue;
  }
  return table;
}
