import { describe, expect, test } from 'vitest';
import { loadFixtureText } from '../../../helpers/fixtures.js';
import { createRunbook, ssmRig, untilDone, untilStep } from '../../../helpers/ssm.js';

describe('aws:waitForAwsResourceProperty and aws:assertAwsResourceProperty', () => {
  test('should poll until the property has a desired value, then assert it', async () => {
    const rig = ssmRig();
    let polls = 0;
    rig.awsApi.respond('sfn', 'DescribeExecution', () => ({ status: ++polls >= 3 ? 'SUCCEEDED' : 'RUNNING' }));
    await createRunbook(rig, 'Doc', loadFixtureText('runbooks/wait-and-assert-property.yaml'), 'YAML');
    const { AutomationExecutionId: id } = await rig.ssm.StartAutomationExecution({ DocumentName: 'Doc' });
    await untilStep(rig, id, 'WaitDone', 'InProgress');
    await rig.clock.advance(5_000);
    await rig.clock.advance(5_000);
    const execution = await untilDone(rig, id);
    expect(execution.AutomationExecutionStatus).toBe('Success');
    expect(polls).toBe(4);
  });

  test('should fail the wait at its step timeout and fail the assert when the value is not desired', async () => {
    const rig = ssmRig();
    rig.awsApi.respond('sfn', 'DescribeExecution', () => ({ status: 'RUNNING' }));
    await createRunbook(rig, 'Doc', loadFixtureText('runbooks/wait-and-assert-property.yaml'), 'YAML');
    const { AutomationExecutionId: id } = await rig.ssm.StartAutomationExecution({ DocumentName: 'Doc' });
    await untilStep(rig, id, 'WaitDone', 'InProgress');
    for (let t = 0; t < 12; t++) await rig.clock.advance(5_000);
    const execution = await untilDone(rig, id);
    expect(execution.AutomationExecutionStatus).toBe('TimedOut');

    const rig2 = ssmRig();
    rig2.awsApi.respond('sfn', 'DescribeExecution', () => ({ status: 'FAILED' }));
    const doc = loadFixtureText('runbooks/wait-and-assert-property.yaml');
    await createRunbook(rig2, 'Assert', doc.slice(0, doc.indexOf('  - name: WaitDone')) + doc.slice(doc.indexOf('  - name: AssertDone')), 'YAML');
    const { AutomationExecutionId: id2 } = await rig2.ssm.StartAutomationExecution({ DocumentName: 'Assert' });
    const failed = await untilDone(rig2, id2);
    expect(failed.AutomationExecutionStatus).toBe('Failed');
    expect(failed.StepExecutions[0]).toMatchObject({ FailureDetails: { FailureStage: 'PostVerification' } });
    expect(failed.StepExecutions[0]!.FailureMessage).toContain('[FAILED]');
  });
});
