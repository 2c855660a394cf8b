/** Test helper: runs a definition on a StepFunctionsService with a virtual clock and a recording AwsApi. */
import { VirtualClock } from '../../../src/engine/clock.js';
import { sequentialIds } from '../../../src/engine/ids.js';
import type { JsonValue } from '../../../src/model/json.js';
import { StepFunctionsService } from '../../../src/engine/states/service.js';
import type { ExecutionResult } from '../../../src/engine/states/execution.js';
import type { HistoryEvent } from '../../../src/engine/states/history.js';
import { RecordingAwsApi } from '../../helpers/fixtures.js';

export const ROLE_ARN = 'arn:aws:iam::123456789012:role/test-role';
export const START = Date.parse('2024-01-01T00:00:00.000Z');

export interface Harness {
  readonly clock: VirtualClock;
  readonly api: RecordingAwsApi;
  readonly service: StepFunctionsService;
  /** Creates the machine and starts an execution; returns its ARN. */
  start(definition: unknown, input?: JsonValue, name?: string): Promise<string>;
  result(executionArn: string): Promise<ExecutionResult>;
  history(executionArn: string): Promise<HistoryEvent[]>;
}

export function harness(options: { autoAdvance?: boolean; taskTokenLength?: number } = {}): Harness {
  const clock = new VirtualClock({ start: START, autoAdvance: options.autoAdvance ?? true });
  const api = new RecordingAwsApi();
  const service = new StepFunctionsService({
    clock,
    ids: sequentialIds(),
    awsApi: api,
    region: 'us-east-1',
    accountId: '123456789012',
    ...(options.taskTokenLength === undefined ? {} : { taskTokenLength: options.taskTokenLength }),
  });
  let n = 0;
  return {
    clock,
    api,
    service,
    async start(definition, input = {}, name) {
      const { stateMachineArn } = await service.CreateStateMachine({ name: `machine-${++n}`, definition: JSON.stringify(definition), roleArn: ROLE_ARN });
      const { executionArn } = await service.StartExecution({ stateMachineArn, input: JSON.stringify(input), ...(name === undefined ? {} : { name }) });
      return executionArn;
    },
    result: (arn) => service.waitForExecution(arn),
    history: async (arn) => (await service.GetExecutionHistory({ executionArn: arn, maxResults: 1000 })).events,
  };
}

/** Runs a definition to its end on a fast-forwarding clock. */
export async function run(definition: unknown, input: JsonValue = {}): Promise<ExecutionResult & { events: HistoryEvent[] }> {
  const h = harness();
  const arn = await h.start(definition, input);
  const result = await h.result(arn);
  return { ...result, events: await h.history(arn) };
}
