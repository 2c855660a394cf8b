/**
 * The engine the console tests and screenshots look at: one local instance (web-1), the generated runbooks and the
 * sample state machine deployed as `serve` would, and the endpoint serving the console.
 */
import { readFileSync } from 'node:fs';
import { LocalEngine } from '../../src/engine/local-engine.js';
import { CONSOLE_PATH } from '../../src/server/console-routes.js';
import { startLocalEndpoint } from '../../src/server/local-endpoint.js';
import type { LocalEndpoint } from '../../src/server/server.js';

const root = new URL('../../', import.meta.url).pathname;

export interface ConsoleFixture {
  readonly engine: LocalEngine;
  readonly endpoint: LocalEndpoint;
  readonly consoleUrl: string;
  readonly instanceId: string;
  /** The sample state machine (JSONPath). */
  readonly sampleArn: string;
  readonly roleArn: string;
  /** The sample's definition with other commands: a run of the sample that does something else. */
  sampleWith(commands: readonly string[]): string;
  close(): Promise<void>;
}

export async function startConsoleFixture(options: { sleepSeconds?: number } = {}): Promise<ConsoleFixture> {
  const engine = new LocalEngine({ clock: 'fast' });
  const web = engine.instances.add({ name: 'web-1', tags: { Name: 'web-1', Role: 'web' } });
  await engine.deploy(readFileSync(`${root}cloudformation/ssm-automation-documents.cfn.json`, 'utf8'), { stackName: 'shellstep-runbooks' });
  const sample = await engine.deploy(readFileSync(`${root}cloudformation/sample-state-machine.cfn.json`, 'utf8'), {
    stackName: 'shellstep-sample',
    parameters: { InstanceId: web.instanceId, SleepSeconds: String(options.sleepSeconds ?? 0) },
  });
  const sampleArn = sample.outputs['JsonPathStateMachineArn']!;
  const described = await engine.sfn.DescribeStateMachine({ stateMachineArn: sampleArn });
  // Signatures verified: the console's own requests must pass the same check as any client's.
  const endpoint = await startLocalEndpoint(engine, { console: {}, verifySignatures: true });
  return {
    engine,
    endpoint,
    consoleUrl: `${endpoint.url}${CONSOLE_PATH}`,
    instanceId: web.instanceId,
    sampleArn,
    roleArn: described.roleArn,
    sampleWith: (commands) => {
      const definition = JSON.parse(described.definition) as { States: { RunShellCommand: { Parameters: { Parameters: { Commands: string[] } } } } };
      definition.States.RunShellCommand.Parameters.Parameters.Commands = [...commands];
      return JSON.stringify(definition);
    },
    close: async () => {
      await endpoint.close();
      await engine.close();
    },
  };
}
