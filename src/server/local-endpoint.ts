/**
 * Puts a `LocalEngine` behind the AWS endpoint: SSM on AWS JSON 1.1 (`AmazonSSM.*`), Step Functions on AWS JSON
 * 1.0 (`AWSStepFunctions.*`) and the CloudFormation subset on the query protocol. Requests from outside carry no
 * role, so IAM is enforced only for calls the engine makes with a loaded role (runbooks, state machines).
 */
import type { LocalEngine } from '../engine/local-engine.js';
import { STEP_FUNCTIONS_OPERATIONS, stepFunctionsHandlers } from '../engine/states/api-handlers.js';
import { SSM_OPERATIONS, ssmHandlers } from '../engine/ssm-service.js';
import type { JsonObject } from '../model/json.js';
import { listOf, queryService } from './query-protocol.js';
import { startEndpoint, type JsonService, type LocalEndpoint, type OperationHandler } from './server.js';

export interface LocalEndpointOptions {
  readonly host?: string;
  readonly port?: number;
  readonly log?: (line: string) => void;
}

function table(names: readonly string[], handlers: Readonly<Record<string, (input: JsonObject, context: object) => Promise<unknown>>>): Record<string, OperationHandler> {
  const out: Record<string, OperationHandler> = {};
  for (const name of names) {
    const handler = handlers[name];
    if (handler !== undefined) out[name] = (input) => handler(input, {});
  }
  return out;
}

type Parameter = { ParameterKey?: string; ParameterValue?: string; UsePreviousValue?: string };

function stackParameters(input: Record<string, unknown>) {
  return listOf<Parameter>(input['Parameters']).map((p) => ({
    ...(p.ParameterKey === undefined ? {} : { ParameterKey: p.ParameterKey }),
    ...(p.ParameterValue === undefined ? {} : { ParameterValue: p.ParameterValue }),
    ...(p.UsePreviousValue === undefined ? {} : { UsePreviousValue: p.UsePreviousValue === 'true' }),
  }));
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export function startLocalEndpoint(engine: LocalEngine, options: LocalEndpointOptions = {}): Promise<LocalEndpoint> {
  const services: JsonService[] = [
    { targetPrefix: 'AmazonSSM', version: '1.1', model: 'ssm', operations: table(SSM_OPERATIONS, ssmHandlers(engine.ssm)) },
    { targetPrefix: 'AWSStepFunctions', version: '1.0', model: 'stepfunctions', operations: table(STEP_FUNCTIONS_OPERATIONS, stepFunctionsHandlers(engine.sfn)) },
  ];
  const cfn = engine.cloudformation;
  const query = queryService({
    CreateStack: (input) =>
      cfn.CreateStack({
        ...(str(input['StackName']) === undefined ? {} : { StackName: str(input['StackName'])! }),
        ...(str(input['TemplateBody']) === undefined ? {} : { TemplateBody: str(input['TemplateBody'])! }),
        Parameters: stackParameters(input),
        Capabilities: listOf<string>(input['Capabilities']),
        ...(str(input['OnFailure']) === undefined ? {} : { OnFailure: str(input['OnFailure'])! }),
        ...(input['DisableRollback'] === 'true' ? { DisableRollback: true } : {}),
      }),
    UpdateStack: (input) =>
      cfn.UpdateStack({
        ...(str(input['StackName']) === undefined ? {} : { StackName: str(input['StackName'])! }),
        ...(str(input['TemplateBody']) === undefined ? {} : { TemplateBody: str(input['TemplateBody'])! }),
        ...(input['UsePreviousTemplate'] === 'true' ? { UsePreviousTemplate: true } : {}),
        Parameters: stackParameters(input),
        Capabilities: listOf<string>(input['Capabilities']),
      }),
    DeleteStack: (input) => cfn.DeleteStack({ ...(str(input['StackName']) === undefined ? {} : { StackName: str(input['StackName'])! }) }),
    DescribeStacks: (input) => cfn.DescribeStacks(str(input['StackName']) === undefined ? {} : { StackName: str(input['StackName'])! }),
    DescribeStackEvents: (input) => cfn.DescribeStackEvents({ ...(str(input['StackName']) === undefined ? {} : { StackName: str(input['StackName'])! }) }),
    ListStacks: () => cfn.ListStacks(),
  });
  return startEndpoint({
    services,
    query,
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.log === undefined ? {} : { log: options.log }),
  });
}
