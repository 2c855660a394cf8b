/**
 * Deploys the two runbooks, `SfnRunCommandByInstanceIds` and `SfnRunCommandByTargets`, as
 * `AWS::SSM::Document` resources with the role they assume: the same content and the same least-privilege
 * policies as `cloudformation/ssm-automation-documents.cfn.json`, because both come from
 * `src/definitions/` (docs/runbooks.md).
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ssm-document.html
 */
import { Aws, Fn, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct, type IConstruct } from 'constructs';
import { buildRunbook, RUNBOOK_NAMES, type TargetMode } from '../definitions/runbooks.js';
import type { Runbook, RunbookParameter } from '../model/runbook.js';
import { ShellStepValidationError } from './errors.js';
import { startAutomationStatements } from './private/start-automation.js';

export type { TargetMode } from '../definitions/runbooks.js';

/** The runbooks a {@link RunShellCommand} task starts: deployed here, or imported. */
export interface IRunShellCommandRunbooks extends IConstruct {
  /** The role the runbooks assume (their `AutomationAssumeRole` default), if known. */
  readonly role?: iam.IRole | undefined;
  /** The document name of the runbook for one target mode. */
  documentName(mode: TargetMode): string;
  /**
   * Lets `grantee` start the runbooks: `ssm:StartAutomationExecution` on their automation definitions and
   * documents, and `iam:PassRole` on their role when passed to `ssm.amazonaws.com`.
   * @param modes only these runbooks (default: both)
   */
  grantStart(grantee: iam.IGrantable, modes?: readonly TargetMode[]): iam.Grant;
  /**
   * Acknowledges, on `scope` and its children, the cdk-nag `AwsSolutions-IAM5` findings that the start
   * permissions cause: `automation-definition/<name>:*`, where `*` is the runbook version. Call it with the
   * state machine that runs a {@link RunShellCommand}, or with the grantee of {@link grantStart}.
   * @see https://github.com/cdklabs/cdk-nag#acknowledging-a-rule
   */
  acknowledgeStartFindings(scope: IConstruct, modes?: readonly TargetMode[]): void;
}

export interface RunShellCommandRunbooksProps {
  /**
   * Prefix for both document names, to deploy more than one copy per account and Region. Up to 80 of
   * `a-zA-Z0-9_.-`; a document name must not start with `aws`, `amazon` or `amzn`.
   * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateDocument.html#systemsmanager-CreateDocument-request-Name
   * @default '' (the documents are named `SfnRunCommandByInstanceIds` and `SfnRunCommandByTargets`)
   */
  readonly documentNamePrefix?: string;
  /**
   * Send every command's full output to this log group unless the caller says otherwise: the runbooks'
   * `CloudWatchOutputEnabled` parameter defaults to `true` and `CloudWatchLogGroupName` to this group.
   * The nodes' instance profile must be allowed to write to it.
   * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-rc-setting-up-cwlogs.html
   * @default - no CloudWatch output unless a task enables it (log group `/aws/ssm/SfnRunCommand`)
   */
  readonly logGroup?: Pick<logs.ILogGroup, 'logGroupName'>;
  /**
   * Write every command's full output to this bucket unless the caller says otherwise (the runbooks'
   * `OutputS3BucketName` default). The nodes' instance profile needs `s3:PutObject` on it.
   * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_SendCommand.html#systemsmanager-SendCommand-request-OutputS3BucketName
   * @default - no S3 output unless a task sets a bucket
   */
  readonly outputBucket?: Pick<s3.IBucket, 'bucketName'>;
  /**
   * Default key prefix for the S3 output (the runbooks' `OutputS3KeyPrefix` default), at most 500 characters.
   * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_SendCommand.html#systemsmanager-SendCommand-request-OutputS3KeyPrefix
   * @default '' (no prefix)
   */
  readonly outputKeyPrefix?: string;
  /**
   * Permissions boundary for the runbooks' role.
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
   * @default - no permissions boundary
   */
  readonly permissionsBoundary?: iam.IManagedPolicy;
  /**
   * The nodes the runbooks may send commands to, as ARNs (`arn:aws:ec2:<region>:<account>:instance/i-…`,
   * `arn:aws:ssm:<region>:<account>:managed-instance/mi-…`, wildcards allowed). Replaces the default
   * `instance/*` and `managed-instance/*` of this account and Region in the role's `ssm:SendCommand` statement.
   * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html#awssystemsmanager-actions-as-permissions
   * @default - every EC2 instance and managed node in this account and Region
   */
  readonly instanceArns?: readonly string[];
}

/** Attributes of runbooks deployed elsewhere, e.g. by `cloudformation/ssm-automation-documents.cfn.json`. */
export interface RunShellCommandRunbooksAttributes {
  /**
   * The prefix the documents were deployed with.
   * @default ''
   */
  readonly documentNamePrefix?: string;
  /**
   * ARN of the role the runbooks assume (the template's `RunbookRoleArn` output). Callers get `iam:PassRole` on it.
   * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-setup-iam.html
   * @default - no role: the runbooks run with the permissions of whoever starts them, and no PassRole is granted
   */
  readonly roleArn?: string;
}

const DOCUMENT_NAME_PREFIX_PATTERN = /^[a-zA-Z0-9_.-]{0,80}$/;
// CreateDocument: "You can't use the following strings as document name prefixes … aws, amazon, amzn".
const RESERVED_PREFIX = /^(aws|amazon|amzn)/i;
const MODES: readonly TargetMode[] = ['InstanceIds', 'Targets'];

function validatePrefix(prefix: string, scope: IConstruct): void {
  if (Token.isUnresolved(prefix)) return;
  if (!DOCUMENT_NAME_PREFIX_PATTERN.test(prefix)) {
    throw new ShellStepValidationError(
      `documentNamePrefix must be up to 80 characters of a-z, A-Z, 0-9, _, . and -; got '${prefix}'.`,
      scope,
    );
  }
  if (RESERVED_PREFIX.test(prefix)) {
    throw new ShellStepValidationError(
      `documentNamePrefix must not start with 'aws', 'amazon' or 'amzn' (reserved by SSM); got '${prefix}'.`,
      scope,
    );
  }
}

abstract class RunbooksBase extends Construct implements IRunShellCommandRunbooks {
  abstract readonly role: iam.IRole | undefined;
  abstract documentName(mode: TargetMode): string;

  grantStart(grantee: iam.IGrantable, modes: readonly TargetMode[] = MODES): iam.Grant {
    const names = modes.map((mode) => this.documentName(mode));
    const [start, passRole] = startAutomationStatements(this, names, this.role);
    const grant = (statement: iam.PolicyStatement) =>
      iam.Grant.addToPrincipal({
        grantee,
        actions: statement.actions,
        resourceArns: statement.resources,
        ...(Object.keys(statement.conditions as object).length > 0
          ? { conditions: statement.conditions as Record<string, Record<string, unknown>> }
          : {}),
      });
    const startGrant = grant(start as iam.PolicyStatement);
    return passRole === undefined ? startGrant : startGrant.combine(grant(passRole));
  }

  acknowledgeStartFindings(scope: IConstruct, modes: readonly TargetMode[] = MODES): void {
    const [start] = startAutomationStatements(this, modes.map((mode) => this.documentName(mode)), undefined);
    const findings = (start as iam.PolicyStatement).resources
      .map((arn) => nagResource(Stack.of(this).resolve(arn)))
      .filter((arn): arn is string => arn !== undefined && arn.includes(':automation-definition/'));
    Validations.of(scope).acknowledge(
      ...findings.map((arn) => ({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${arn}]`,
        reason:
          'ssm:StartAutomationExecution is authorized on automation-definition/<name>:<version>; the wildcard is the version of this one runbook (Service Authorization Reference).',
      })),
    );
  }
}

/** How cdk-nag prints a resolved ARN in a finding id: a Ref (to a resource or pseudo parameter) becomes `<Name>`. */
function nagResource(resolved: unknown): string | undefined {
  if (typeof resolved === 'string') return resolved;
  const join = (resolved as { 'Fn::Join'?: [string, unknown[]] } | null)?.['Fn::Join'];
  if (join === undefined) return undefined;
  const parts = join[1].map((part) => {
    if (typeof part === 'string') return part;
    const ref = (part as { Ref?: unknown }).Ref;
    return typeof ref === 'string' ? `<${ref}>` : undefined;
  });
  return parts.every((part) => part !== undefined) ? parts.join(join[0]) : undefined;
}

class ImportedRunbooks extends RunbooksBase {
  readonly role: iam.IRole | undefined;
  private readonly prefix: string;

  constructor(scope: Construct, id: string, attrs: RunShellCommandRunbooksAttributes) {
    super(scope, id);
    this.prefix = attrs.documentNamePrefix ?? '';
    validatePrefix(this.prefix, this);
    this.role = attrs.roleArn === undefined ? undefined : iam.Role.fromRoleArn(this, 'Role', attrs.roleArn, { mutable: false });
  }

  documentName(mode: TargetMode): string {
    return `${this.prefix}${RUNBOOK_NAMES[mode]}`;
  }
}

/**
 * The runbooks `SfnRunCommandByInstanceIds` and `SfnRunCommandByTargets` (SSM Automation documents that run
 * shell commands through Run Command and call a Step Functions task token back), and the role they assume.
 *
 * @example
 * const runbooks = new RunShellCommandRunbooks(this, 'Runbooks');
 * runbooks.grantStart(myFunction);
 */
export class RunShellCommandRunbooks extends RunbooksBase {
  /** Runbooks deployed outside this app, e.g. from `cloudformation/ssm-automation-documents.cfn.json`. */
  static fromRunbooksAttributes(scope: Construct, id: string, attrs: RunShellCommandRunbooksAttributes): IRunShellCommandRunbooks {
    return new ImportedRunbooks(scope, id, attrs);
  }

  /** The role the runbooks assume: their `AutomationAssumeRole` default. */
  readonly role: iam.Role;
  /** The `SfnRunCommandByInstanceIds` document. */
  readonly byInstanceIds: ssm.CfnDocument;
  /** The `SfnRunCommandByTargets` document. */
  readonly byTargets: ssm.CfnDocument;

  constructor(scope: Construct, id: string, props: RunShellCommandRunbooksProps = {}) {
    super(scope, id);
    const prefix = props.documentNamePrefix ?? '';
    validatePrefix(prefix, this);
    if (props.instanceArns !== undefined && props.instanceArns.length === 0) {
      throw new ShellStepValidationError(
        'instanceArns must list at least one ARN; leave it out to allow every instance and managed node in this account and Region.',
        this,
      );
    }
    const keyPrefix = props.outputKeyPrefix;
    if (keyPrefix !== undefined && !Token.isUnresolved(keyPrefix) && keyPrefix.length > 500) {
      throw new ShellStepValidationError(`outputKeyPrefix must be at most 500 characters; got ${keyPrefix.length}.`, this);
    }

    this.role = new iam.Role(this, 'Role', {
      description: 'Assumed by the SfnRunCommandBy* runbooks: sends the command, reads its status, calls Step Functions back.',
      // Confused-deputy protection for Automation (automation-setup-iam; D7). Same trust as the template.
      assumedBy: new iam.ServicePrincipal('ssm.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': Fn.sub('arn:${AWS::Partition}:ssm:*:${AWS::AccountId}:automation-execution/*') },
        },
      }),
      inlinePolicies: { RunCommandAndCallBack: runbookPolicy(props.instanceArns) },
      ...(props.permissionsBoundary === undefined ? {} : { permissionsBoundary: props.permissionsBoundary }),
    });
    acknowledgeRoleFindings(this.role, props.instanceArns === undefined);

    const defaults: Partial<Record<string, unknown>> = {};
    if (props.logGroup !== undefined) {
      defaults['CloudWatchOutputEnabled'] = true;
      defaults['CloudWatchLogGroupName'] = props.logGroup.logGroupName;
    }
    if (props.outputBucket !== undefined) defaults['OutputS3BucketName'] = props.outputBucket.bucketName;
    if (keyPrefix !== undefined) defaults['OutputS3KeyPrefix'] = keyPrefix;

    const document = (mode: TargetMode, id: string) =>
      new ssm.CfnDocument(this, id, {
        name: `${prefix}${RUNBOOK_NAMES[mode]}`,
        documentType: 'Automation',
        documentFormat: 'JSON',
        // The runbooks run commands on instances, not on Dedicated Hosts (D4).
        targetType: '/AWS::EC2::Instance',
        // A named document updated with Replace fails every content change (D6).
        updateMethod: 'NewVersion',
        content: withDefaults(buildRunbook(mode, { assumeRoleDefault: this.role.roleArn }), defaults),
      });
    this.byInstanceIds = document('InstanceIds', 'ByInstanceIds');
    this.byTargets = document('Targets', 'ByTargets');
  }

  /** The document name (a `Ref` to the document) of the runbook for one target mode. */
  documentName(mode: TargetMode): string {
    return (mode === 'InstanceIds' ? this.byInstanceIds : this.byTargets).ref;
  }
}

/** The template's `RunCommandAndCallBack` policy, statement for statement (src/definitions/templates.ts). */
function runbookPolicy(instanceArns: readonly string[] | undefined): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'SendCommand',
        actions: ['ssm:SendCommand'],
        // AWS-owned documents have no account in their ARN; mi- nodes are managed-instance ARNs (D7).
        resources: [
          Fn.sub('arn:${AWS::Partition}:ssm:${AWS::Region}::document/AWS-RunShellScript'),
          Fn.sub('arn:${AWS::Partition}:ssm:${AWS::Region}::document/AWS-RunPowerShellScript'),
          ...(instanceArns ?? [
            Fn.sub('arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*'),
            Fn.sub('arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:managed-instance/*'),
          ]),
        ],
      }),
      new iam.PolicyStatement({
        sid: 'ReadCommandStatus',
        // These actions have no resource types, so only "*" matches (Service Authorization Reference).
        actions: ['ssm:ListCommands', 'ssm:ListCommandInvocations', 'ssm:GetCommandInvocation', 'ssm:DescribeInstanceInformation'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'CallBackStepFunctions',
        // SendTask* have no resource types in the Service Authorization Reference (aws-semantics §8.1).
        actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
        resources: ['*'],
      }),
    ],
  });
}

/**
 * cdk-nag (AwsSolutions-IAM5) flags every wildcard resource. Each one here is required, so each is
 * acknowledged on the role with its reason (`Validations.of().acknowledge`, what cdk-nag v3 reads).
 */
function acknowledgeRoleFindings(role: iam.Role, defaultInstances: boolean): void {
  const reasons: Array<[string, string]> = [
    ['Resource::*', 'ssm:ListCommands/ListCommandInvocations/GetCommandInvocation/DescribeInstanceInformation and states:SendTask* have no resource types; only "*" matches (Service Authorization Reference).'],
  ];
  if (defaultInstances) {
    const why = 'The runbooks run commands on instances chosen at run time (InstanceIds or Targets); set instanceArns to narrow this.';
    reasons.push(
      ['Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:instance/*', why],
      ['Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:managed-instance/*', why],
    );
  }
  Validations.of(role).acknowledge(...reasons.map(([finding, reason]) => ({ id: `AwsSolutions::AwsSolutions-IAM5[${finding}]`, reason })));
}

/** Replaces the defaults of some parameters; every other byte of the runbook stays as generated. */
function withDefaults(runbook: Runbook, defaults: Partial<Record<string, unknown>>): Runbook {
  const parameters: Record<string, RunbookParameter> = { ...runbook.parameters };
  for (const [name, value] of Object.entries(defaults)) {
    const parameter = parameters[name];
    if (parameter !== undefined) parameters[name] = { ...parameter, default: value as NonNullable<RunbookParameter['default']> };
  }
  return { ...runbook, parameters };
}
