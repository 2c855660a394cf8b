/**
 * SSM Run Command, managed-instance and Automation API shapes, with AWS field names and status spellings verbatim
 * (botocore `ssm/2014-11-06/service-2.json`, aws-semantics §2, §6.3). Timestamps are `Date`, as the AWS SDK v3
 * types them; the protocol layer writes them as epoch seconds.
 */
import type { JsonValue } from './json.js';

// ---------------------------------------------------------------- statuses (aws-semantics §6.3, §2)

/** `CommandStatus`. */
export type CommandStatus = 'Pending' | 'InProgress' | 'Success' | 'Cancelled' | 'Failed' | 'TimedOut' | 'Cancelling';
/** `CommandInvocationStatus`. */
export type CommandInvocationStatus =
  | 'Pending'
  | 'InProgress'
  | 'Delayed'
  | 'Success'
  | 'Cancelled'
  | 'TimedOut'
  | 'Failed'
  | 'Cancelling';
/** `CommandPluginStatus`. */
export type CommandPluginStatus = 'Pending' | 'InProgress' | 'Success' | 'TimedOut' | 'Cancelled' | 'Failed';
/** `StatusDetails` values the engine produces for invocations and plugins (monitor-commands). */
export type InvocationStatusDetails =
  | 'Pending'
  | 'In Progress'
  | 'Delayed'
  | 'Success'
  | 'Delivery Timed Out'
  | 'Execution Timed Out'
  | 'Failed'
  | 'Cancelled'
  | 'Cancelling'
  | 'Undeliverable'
  | 'Terminated'
  | 'Invalid Platform';
/** `StatusDetails` values the engine produces for commands (monitor-commands). */
export type CommandStatusDetails =
  | 'Pending'
  | 'In Progress'
  | 'Success'
  | 'Delivery Timed Out'
  | 'Execution Timed Out'
  | 'Failed'
  | 'Incomplete'
  | 'Cancelled'
  | 'Cancelling'
  | 'Undeliverable'
  | 'Invalid Platform'
  | 'No Instances In Tag';

/** `PingStatus`. */
export type PingStatus = 'Online' | 'ConnectionLost' | 'Inactive';
/** `PlatformType`. */
export type PlatformType = 'Windows' | 'Linux' | 'MacOS';
/** `ResourceType` of `InstanceInformation`. */
export type InstanceResourceType = 'EC2Instance' | 'ManagedInstance';

/** `AutomationExecutionStatus` (also `StepExecution.StepStatus`). */
export type AutomationExecutionStatus =
  | 'Pending'
  | 'InProgress'
  | 'Waiting'
  | 'Success'
  | 'TimedOut'
  | 'Cancelling'
  | 'Cancelled'
  | 'Failed'
  | 'PendingApproval'
  | 'Approved'
  | 'Rejected'
  | 'Scheduled'
  | 'RunbookInProgress'
  | 'PendingChangeCalendarOverride'
  | 'ChangeCalendarOverrideApproved'
  | 'ChangeCalendarOverrideRejected'
  | 'CompletedWithSuccess'
  | 'CompletedWithFailure'
  | 'Exited';

// ---------------------------------------------------------------- Run Command

/** `Target`. */
export interface Target {
  Key?: string;
  Values?: string[];
}

export interface CloudWatchOutputConfig {
  CloudWatchLogGroupName?: string;
  CloudWatchOutputEnabled?: boolean;
}

export interface NotificationConfig {
  NotificationArn?: string;
  NotificationEvents?: string[];
  /** `""` when the request set none, as AWS returns it. */
  NotificationType?: 'Command' | 'Invocation' | '';
}

/** `SendCommandRequest`. */
export interface SendCommandRequest {
  DocumentName: string;
  DocumentVersion?: string;
  DocumentHash?: string;
  DocumentHashType?: 'Sha256' | 'Sha1';
  InstanceIds?: string[];
  Targets?: Target[];
  TimeoutSeconds?: number;
  Comment?: string;
  Parameters?: Record<string, string[]>;
  OutputS3Region?: string;
  OutputS3BucketName?: string;
  OutputS3KeyPrefix?: string;
  MaxConcurrency?: string;
  MaxErrors?: string;
  ServiceRoleArn?: string;
  NotificationConfig?: NotificationConfig;
  CloudWatchOutputConfig?: CloudWatchOutputConfig;
}

/** `Command`. */
export interface Command {
  CommandId: string;
  DocumentName: string;
  DocumentVersion: string;
  Comment: string;
  ExpiresAfter: Date;
  Parameters: Record<string, string[]>;
  InstanceIds: string[];
  Targets: Target[];
  RequestedDateTime: Date;
  Status: CommandStatus;
  StatusDetails: CommandStatusDetails;
  OutputS3Region: string;
  OutputS3BucketName: string;
  OutputS3KeyPrefix: string;
  MaxConcurrency: string;
  MaxErrors: string;
  TargetCount: number;
  CompletedCount: number;
  ErrorCount: number;
  DeliveryTimedOutCount: number;
  ServiceRole: string;
  NotificationConfig: NotificationConfig;
  CloudWatchOutputConfig: CloudWatchOutputConfig;
  TimeoutSeconds: number;
}

/** `CommandPlugin`. */
export interface CommandPlugin {
  Name: string;
  Status: CommandPluginStatus;
  StatusDetails: InvocationStatusDetails;
  ResponseCode: number;
  ResponseStartDateTime?: Date;
  ResponseFinishDateTime?: Date;
  /** Agent's `TruncateOutput(stdout, stderr, 2500)`. */
  Output: string;
  StandardOutputUrl: string;
  StandardErrorUrl: string;
  OutputS3Region: string;
  OutputS3BucketName: string;
  OutputS3KeyPrefix: string;
}

/** `CommandInvocation`. */
export interface CommandInvocation {
  CommandId: string;
  InstanceId: string;
  InstanceName: string;
  Comment: string;
  DocumentName: string;
  DocumentVersion: string;
  RequestedDateTime: Date;
  Status: CommandInvocationStatus;
  StatusDetails: InvocationStatusDetails;
  StandardOutputUrl: string;
  StandardErrorUrl: string;
  CommandPlugins: CommandPlugin[];
  ServiceRole: string;
  NotificationConfig: NotificationConfig;
  CloudWatchOutputConfig: CloudWatchOutputConfig;
}

/** `GetCommandInvocationResult`. Its three execution times are strings in the API, unlike other timestamps. */
export interface GetCommandInvocationResult {
  CommandId: string;
  InstanceId: string;
  Comment: string;
  DocumentName: string;
  DocumentVersion: string;
  PluginName: string;
  ResponseCode: number;
  ExecutionStartDateTime: string;
  ExecutionElapsedTime: string;
  ExecutionEndDateTime: string;
  Status: CommandInvocationStatus;
  StatusDetails: InvocationStatusDetails;
  StandardOutputContent: string;
  StandardOutputUrl: string;
  StandardErrorContent: string;
  StandardErrorUrl: string;
  CloudWatchOutputConfig: CloudWatchOutputConfig;
}

export interface CommandFilter {
  key: 'InvokedAfter' | 'InvokedBefore' | 'Status' | 'ExecutionStage' | 'DocumentName';
  value: string;
}

export interface ListCommandsRequest {
  CommandId?: string;
  InstanceId?: string;
  MaxResults?: number;
  NextToken?: string;
  Filters?: CommandFilter[];
}

export interface ListCommandInvocationsRequest extends ListCommandsRequest {
  Details?: boolean;
}

export interface GetCommandInvocationRequest {
  CommandId: string;
  InstanceId: string;
  PluginName?: string;
}

export interface CancelCommandRequest {
  CommandId: string;
  InstanceIds?: string[];
}

// ---------------------------------------------------------------- managed instances

/** `InstanceInformation`. */
export interface InstanceInformation {
  InstanceId: string;
  PingStatus: PingStatus;
  LastPingDateTime: Date;
  AgentVersion: string;
  IsLatestVersion: boolean;
  PlatformType: PlatformType;
  PlatformName: string;
  PlatformVersion: string;
  ResourceType: InstanceResourceType;
  IPAddress: string;
  ComputerName: string;
  Name?: string;
  RegistrationDate?: Date;
  SourceId: string;
  SourceType: 'AWS::EC2::Instance' | 'AWS::SSM::ManagedInstance';
}

export interface InstanceInformationStringFilter {
  Key: string;
  Values: string[];
}

export interface DescribeInstanceInformationRequest {
  InstanceInformationFilterList?: { key: string; valueSet: string[] }[];
  Filters?: InstanceInformationStringFilter[];
  MaxResults?: number;
  NextToken?: string;
}

// ---------------------------------------------------------------- documents

export type DocumentType = 'Command' | 'Automation' | (string & {});
export type DocumentFormat = 'YAML' | 'JSON' | 'TEXT';

/** `DocumentParameter`. */
export interface DocumentParameter {
  Name: string;
  Type: 'String' | 'StringList';
  Description?: string;
  DefaultValue?: string;
}

export interface Tag {
  Key: string;
  Value: string;
}

/** `DocumentDescription`. */
export interface DocumentDescription {
  Sha1?: string;
  Hash: string;
  HashType: 'Sha256';
  Name: string;
  DisplayName?: string;
  VersionName?: string;
  Owner: string;
  CreatedDate: Date;
  Status: 'Creating' | 'Active' | 'Updating' | 'Deleting' | 'Failed';
  DocumentVersion: string;
  Description?: string;
  Parameters: { Name: string; Type: string; Description?: string; DefaultValue?: string }[];
  PlatformTypes: PlatformType[];
  DocumentType: DocumentType;
  SchemaVersion: string;
  LatestVersion: string;
  DefaultVersion: string;
  DocumentFormat: DocumentFormat;
  TargetType?: string;
  Tags: Tag[];
}

/** `DocumentIdentifier` (ListDocuments). */
export interface DocumentIdentifier {
  Name: string;
  CreatedDate: Date;
  DisplayName?: string;
  Owner: string;
  VersionName?: string;
  PlatformTypes: PlatformType[];
  DocumentVersion: string;
  DocumentType: DocumentType;
  SchemaVersion: string;
  DocumentFormat: DocumentFormat;
  TargetType?: string;
  Tags: Tag[];
}

export interface CreateDocumentRequest {
  Content: string;
  Name: string;
  DocumentType?: DocumentType;
  DocumentFormat?: DocumentFormat;
  VersionName?: string;
  TargetType?: string;
  DisplayName?: string;
  Tags?: Tag[];
}

/** `DocumentKeyValuesFilter` (ListDocuments `Filters`). */
export interface DocumentKeyValuesFilter {
  Key?: string;
  Values?: string[];
}

/** `DocumentFilter` (ListDocuments `DocumentFilterList`, deprecated in favour of `Filters`). */
export interface DocumentFilter {
  key: 'Name' | 'Owner' | 'PlatformTypes' | 'DocumentType';
  value: string;
}

export interface ListDocumentsRequest {
  DocumentFilterList?: DocumentFilter[];
  Filters?: DocumentKeyValuesFilter[];
  MaxResults?: number;
  NextToken?: string;
}

/** `AccountSharingInfo`. */
export interface AccountSharingInfo {
  AccountId: string;
  SharedDocumentVersion: string;
}

export interface ModifyDocumentPermissionRequest {
  Name: string;
  PermissionType: string;
  AccountIdsToAdd?: string[];
  AccountIdsToRemove?: string[];
  SharedDocumentVersion?: string;
}

export interface DescribeDocumentPermissionRequest {
  Name: string;
  PermissionType: string;
  MaxResults?: number;
  NextToken?: string;
}

export interface DescribeDocumentPermissionResponse {
  AccountIds: string[];
  AccountSharingInfoList: AccountSharingInfo[];
  NextToken?: string;
}

export interface UpdateDocumentRequest {
  Content: string;
  Name: string;
  DocumentVersion?: string;
  DocumentFormat?: DocumentFormat;
  VersionName?: string;
  TargetType?: string;
  DisplayName?: string;
}

export interface GetDocumentResult {
  Name: string;
  CreatedDate: Date;
  DisplayName?: string;
  VersionName?: string;
  DocumentVersion: string;
  Status: 'Active';
  Content: string;
  DocumentType: DocumentType;
  DocumentFormat: DocumentFormat;
}

// ---------------------------------------------------------------- Automation

/** `AutomationParameterMap`: every value a list of strings. */
export type AutomationParameterMap = Record<string, string[]>;

export interface FailureDetails {
  FailureStage?: 'InputValidation' | 'PreVerification' | 'Invocation' | 'PostVerification';
  FailureType?: 'Action' | 'Permission' | 'Throttling' | 'Verification' | 'Internal';
  Details?: Record<string, string[]>;
}

/** `StepExecution`. */
export interface StepExecution {
  StepName: string;
  Action: string;
  TimeoutSeconds?: number;
  OnFailure: string;
  MaxAttempts: number;
  ExecutionStartTime?: Date;
  ExecutionEndTime?: Date;
  StepStatus: AutomationExecutionStatus;
  ResponseCode?: string;
  /** Fully resolved inputs, each value JSON-encoded (`NormalStringMap`). */
  Inputs?: Record<string, string>;
  Outputs?: AutomationParameterMap;
  Response?: string;
  FailureMessage?: string;
  FailureDetails?: FailureDetails;
  StepExecutionId: string;
  /** Values a user overrode for this step (interactive and rate-control runs); `{}` otherwise, as AWS returns it. */
  OverriddenParameters: AutomationParameterMap;
  IsEnd: boolean;
  NextStep?: string;
  IsCritical: boolean;
  ValidNextSteps?: string[];
}

/** `AutomationExecution` (GetAutomationExecution). */
export interface AutomationExecution {
  AutomationExecutionId: string;
  DocumentName: string;
  DocumentVersion: string;
  ExecutionStartTime?: Date;
  ExecutionEndTime?: Date;
  AutomationExecutionStatus: AutomationExecutionStatus;
  StepExecutions: StepExecution[];
  StepExecutionsTruncated: boolean;
  Parameters: AutomationParameterMap;
  Outputs: AutomationParameterMap;
  FailureMessage?: string;
  Mode: 'Auto' | 'Interactive';
  ExecutedBy: string;
  CurrentStepName?: string;
  CurrentAction?: string;
  Targets: Target[];
  ResolvedTargets: ResolvedTargets;
}

/** `ResolvedTargets`: the targets of a rate-control automation; `{ParameterValues: [], Truncated: false}` otherwise. */
export interface ResolvedTargets {
  ParameterValues: string[];
  Truncated: boolean;
}

/** `AutomationExecutionMetadata` (DescribeAutomationExecutions). */
export interface AutomationExecutionMetadata {
  AutomationExecutionId: string;
  DocumentName: string;
  DocumentVersion: string;
  AutomationExecutionStatus: AutomationExecutionStatus;
  ExecutionStartTime?: Date;
  ExecutionEndTime?: Date;
  ExecutedBy: string;
  /** The execution's log file in S3; `""` when there is none, as AWS returns it. */
  LogFile: string;
  Outputs: AutomationParameterMap;
  Mode: 'Auto' | 'Interactive';
  CurrentStepName?: string;
  CurrentAction?: string;
  FailureMessage?: string;
  Targets: Target[];
  ResolvedTargets: ResolvedTargets;
  AutomationType: 'Local';
}

export interface StartAutomationExecutionRequest {
  DocumentName: string;
  DocumentVersion?: string;
  Parameters?: AutomationParameterMap;
  ClientToken?: string;
  Mode?: 'Auto' | 'Interactive';
  Tags?: Tag[];
}

export interface AutomationExecutionFilter {
  Key: string;
  Values: string[];
}

export interface StepExecutionFilter {
  Key: 'StartTimeBefore' | 'StartTimeAfter' | 'StepExecutionStatus' | 'StepExecutionId' | 'StepName' | 'Action';
  Values: string[];
}

/** Values that travel inside the interpreter before they are rendered as `AutomationParameterMap`. */
export type AutomationValue = JsonValue;
