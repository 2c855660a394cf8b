/**
 * The CloudFormation operations as a dispatch table for the query protocol (`src/server/query-protocol.ts`), whose
 * decoded members are all strings: booleans arrive as `true`/`false`, an empty list as an empty string.
 *
 * The operations that start work answer once it has ended, or after a short budget, whichever comes first. On AWS
 * CreateChangeSet and ExecuteChangeSet answer at once and the work takes seconds; here it takes milliseconds, and a
 * client that polls right away would otherwise see `*_IN_PROGRESS` and then sleep its waiter's delay: 5 s for
 * `aws cloudformation deploy`'s change set, 30 s for its stack (awscli deployer.py), 30 s for SDK v3's waiters.
 */
import type { CloudFormationService } from './cloudformation-service.js';

export type QueryInput = Record<string, unknown>;

/** How long a request that started work waits for it before answering. */
const SETTLE_MS = 2_000;

/** The CloudFormation operations the local endpoint serves. */
export const CLOUDFORMATION_OPERATIONS = [
  'CreateStack',
  'UpdateStack',
  'DeleteStack',
  'DescribeStacks',
  'DescribeStackEvents',
  'ListStacks',
  'ListStackResources',
  'DescribeStackResource',
  'DescribeStackResources',
  'GetTemplate',
  'GetTemplateSummary',
  'ValidateTemplate',
  'ListExports',
  'ListImports',
  'CreateChangeSet',
  'DescribeChangeSet',
  'ListChangeSets',
  'ExecuteChangeSet',
  'DeleteChangeSet',
] as const;

type Operation = (typeof CLOUDFORMATION_OPERATIONS)[number];

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const bool = (value: unknown): boolean | undefined => (value === 'true' ? true : value === 'false' ? false : undefined);

/** A list member (`Name.member.N`); the SDKs send an empty list as `Name=`. */
function list<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value.filter((v) => v !== undefined) as T[]) : [];
}

function strings(value: unknown): string[] {
  return list<unknown>(value).filter((v): v is string => typeof v === 'string');
}

/** Only the members that are there: the service tells an absent member from an empty one. */
function members<T extends Record<string, unknown>>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

function parameters(input: QueryInput) {
  return list<Record<string, unknown>>(input['Parameters']).map((p) =>
    members({ ParameterKey: str(p['ParameterKey']), ParameterValue: str(p['ParameterValue']), UsePreviousValue: bool(p['UsePreviousValue']) }),
  );
}

function templateSource(input: QueryInput) {
  return members({ TemplateBody: str(input['TemplateBody']), TemplateURL: str(input['TemplateURL']), UsePreviousTemplate: bool(input['UsePreviousTemplate']) });
}

/** Waits for `work` at most SETTLE_MS; its failure is the caller's to see through the read operations. */
async function settle(work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, SETTLE_MS)))]);
  clearTimeout(timer);
}

/** Builds `{ CreateStack: (input) => ..., ... }` over a service. */
export function cloudFormationHandlers(cfn: CloudFormationService): Record<Operation, (input: QueryInput) => Promise<unknown>> {
  const stackName = (input: QueryInput) => members({ StackName: str(input['StackName']) });
  return {
    async CreateStack(input) {
      const out = await cfn.CreateStack({
        ...stackName(input),
        ...templateSource(input),
        Parameters: parameters(input),
        Capabilities: strings(input['Capabilities']),
        ...members({ OnFailure: str(input['OnFailure']), DisableRollback: bool(input['DisableRollback']) }),
      });
      await settle(cfn.waitForStack(out.StackId));
      return out;
    },
    async UpdateStack(input) {
      const out = await cfn.UpdateStack({ ...stackName(input), ...templateSource(input), Parameters: parameters(input), Capabilities: strings(input['Capabilities']) });
      await settle(cfn.waitForStack(out.StackId));
      return out;
    },
    async DeleteStack(input) {
      const out = await cfn.DeleteStack(stackName(input));
      const name = str(input['StackName']);
      if (name !== undefined) await settle(cfn.waitForStack(name));
      return out;
    },
    DescribeStacks: (input) => cfn.DescribeStacks(stackName(input)),
    DescribeStackEvents: (input) => cfn.DescribeStackEvents(stackName(input)),
    ListStacks: (input) => cfn.ListStacks({ StackStatusFilter: strings(input['StackStatusFilter']) }),
    ListStackResources: (input) => cfn.ListStackResources({ ...stackName(input), ...members({ NextToken: str(input['NextToken']) }) }),
    DescribeStackResource: (input) => cfn.DescribeStackResource({ ...stackName(input), ...members({ LogicalResourceId: str(input['LogicalResourceId']) }) }),
    DescribeStackResources: (input) =>
      cfn.DescribeStackResources({
        ...stackName(input),
        ...members({ LogicalResourceId: str(input['LogicalResourceId']), PhysicalResourceId: str(input['PhysicalResourceId']) }),
      }),
    GetTemplate: (input) =>
      cfn.GetTemplate({ ...stackName(input), ...members({ ChangeSetName: str(input['ChangeSetName']), TemplateStage: str(input['TemplateStage']) }) }),
    GetTemplateSummary: (input) => cfn.GetTemplateSummary({ ...stackName(input), ...templateSource(input), ...members({ StackSetName: str(input['StackSetName']) }) }),
    ValidateTemplate: (input) => cfn.ValidateTemplate(templateSource(input)),
    ListExports: (input) => cfn.ListExports(members({ NextToken: str(input['NextToken']) })),
    ListImports: (input) => cfn.ListImports(members({ ExportName: str(input['ExportName']), NextToken: str(input['NextToken']) })),
    async CreateChangeSet(input) {
      const out = await cfn.CreateChangeSet({
        ...stackName(input),
        ...templateSource(input),
        Parameters: parameters(input),
        Capabilities: strings(input['Capabilities']),
        Tags: list<Record<string, unknown>>(input['Tags']).map((t) => members({ Key: str(t['Key']), Value: str(t['Value']) })),
        NotificationARNs: strings(input['NotificationARNs']),
        ResourcesToImport: list(input['ResourcesToImport']),
        ...members({
          ChangeSetName: str(input['ChangeSetName']),
          ChangeSetType: str(input['ChangeSetType']),
          Description: str(input['Description']),
          ClientToken: str(input['ClientToken']),
          OnStackFailure: str(input['OnStackFailure']),
          RoleARN: str(input['RoleARN']),
        }),
      });
      await settle(cfn.waitForChangeSet(out.Id));
      return out;
    },
    DescribeChangeSet: (input) =>
      cfn.DescribeChangeSet({
        ...stackName(input),
        ...members({ ChangeSetName: str(input['ChangeSetName']), NextToken: str(input['NextToken']), IncludePropertyValues: bool(input['IncludePropertyValues']) }),
      }),
    ListChangeSets: (input) => cfn.ListChangeSets({ ...stackName(input), ...members({ NextToken: str(input['NextToken']) }) }),
    async ExecuteChangeSet(input) {
      const request = {
        ...stackName(input),
        ...members({ ChangeSetName: str(input['ChangeSetName']), DisableRollback: bool(input['DisableRollback']), ClientRequestToken: str(input['ClientRequestToken']) }),
      };
      const out = await cfn.ExecuteChangeSet(request);
      const described = await cfn.DescribeChangeSet(request);
      await settle(cfn.waitForStack(String(described['StackId'])));
      return out;
    },
    DeleteChangeSet: (input) => cfn.DeleteChangeSet({ ...stackName(input), ...members({ ChangeSetName: str(input['ChangeSetName']) }) }),
  };
}
