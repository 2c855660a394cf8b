import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterEach, describe, expect, test } from 'vitest';
import { CommandTargets, RunShellCommand, RunShellCommandRunbooks } from '../../src/cdk/index.js';

interface Report {
  readonly pluginReports: ReadonlyArray<{
    readonly pluginName: string;
    readonly conclusion: string;
    readonly violations: readonly unknown[];
    readonly suppressedViolations: ReadonlyArray<{ readonly ruleName: string; readonly reason: string }>;
  }>;
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** An app with the runbooks and one state machine per query language, checked by the AwsSolutions pack. */
function app(options: { acknowledgeStart: boolean }): { cdkApp: App; logicalIds: string[] } {
  const outdir = mkdtempSync(join(tmpdir(), 'shellstep-nag-'));
  dirs.push(outdir);
  const cdkApp = new App({ outdir });
  Validations.of(cdkApp).addPlugins(new AwsSolutionsChecks(cdkApp));
  const stack = new Stack(cdkApp, 'Nag');
  const runbooks = new RunShellCommandRunbooks(stack, 'Runbooks');
  const machines = [
    RunShellCommand.jsonPath(stack, 'ByIds', {
      runbooks,
      targets: CommandTargets.instanceIdsFromInput('$.ids'),
      commands: ['uptime'],
      fetchResults: true,
    }),
    RunShellCommand.jsonata(stack, 'ByTag', { runbooks, targets: CommandTargets.tag('Environment', 'dev'), commands: ['uptime'], fetchResults: true }),
  ].map(
    (task, i) =>
      new sfn.StateMachine(stack, `Machine${i}`, {
        definitionBody: sfn.DefinitionBody.fromChainable(task),
        ...(i === 1 ? { queryLanguage: sfn.QueryLanguage.JSONATA } : {}),
        // AwsSolutions-SF1 and SF2: log ALL events and trace with X-Ray.
        tracingEnabled: true,
        logs: { destination: new logs.LogGroup(stack, `Logs${i}`), level: sfn.LogLevel.ALL },
      }),
  );
  for (const machine of machines) {
    if (options.acknowledgeStart) runbooks.acknowledgeStartFindings(machine);
    Validations.of(machine).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'ssm:ListCommandInvocations and the CloudWatch Logs delivery actions have no resource types; only "*" matches.',
    });
  }
  return { cdkApp, logicalIds: [runbooks.byInstanceIds, runbooks.byTargets].map((d) => stack.getLogicalId(d)) };
}

describe('cdk-nag AwsSolutions', () => {
  test('should report no unacknowledged findings, each acknowledgement with a reason, when the runbooks and both task variants are synthesized', () => {
    const { cdkApp, logicalIds } = app({ acknowledgeStart: true });
    const assembly = cdkApp.synth();
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as Report;
    const nag = report.pluginReports.find((r) => r.pluginName === 'AwsSolutions');
    expect(nag?.conclusion).toBe('success');
    expect(nag?.violations).toEqual([]);
    const acknowledged = nag?.suppressedViolations ?? [];
    expect([...new Set(acknowledged.map((v) => v.ruleName))].sort()).toEqual([
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:instance/*]',
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:automation-definition/<${logicalIds[0]}>:*]`,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:automation-definition/<${logicalIds[1]}>:*]`,
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:managed-instance/*]',
    ]);
    for (const violation of acknowledged) expect(violation.reason.length).toBeGreaterThan(20);
  });

  test('should fail synthesis on the automation-definition wildcard when acknowledgeStartFindings is not called', () => {
    const { cdkApp } = app({ acknowledgeStart: false });
    expect(() => cdkApp.synth()).toThrow(/AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:automation-definition\//);
  });
});
