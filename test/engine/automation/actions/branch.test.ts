import { describe, expect, test } from 'vitest';
import { VirtualClock } from '../../../../src/engine/clock.js';
import type { ActionContext } from '../../../../src/engine/automation/actions/action.js';
import { branchAction } from '../../../../src/engine/automation/actions/branch.js';
import type { JsonObject } from '../../../../src/model/json.js';
import { RecordingAwsApi } from '../../../helpers/fixtures.js';
import { runCommandRig } from '../../../helpers/run-command.js';

function ctx(inputs: JsonObject): ActionContext {
  return {
    step: { name: 'B', action: 'aws:branch', inputs },
    inputs,
    signal: new AbortController().signal,
    clock: new VirtualClock({ start: 0 }),
    awsApi: new RecordingAwsApi(),
    ssm: () => Promise.resolve({}),
    runCommand: runCommandRig().service,
    setOutput: () => undefined,
  };
}

describe('aws:branch', () => {
  test('should pick the first true choice when several match', async () => {
    const r = await branchAction(ctx({ Choices: [{ NextStep: 'A', Variable: 'Shell', StringEquals: 'Shell' }, { NextStep: 'B', Variable: 'Shell', StartsWith: 'S' }] }));
    expect(r.nextStep).toBe('A');
  });

  test('should compare case-sensitively with StringEquals and not with EqualsIgnoreCase (sample D16)', async () => {
    expect((await branchAction(ctx({ Choices: [{ NextStep: 'A', Variable: 'shell', StringEquals: 'Shell' }], Default: 'D' }))).nextStep).toBe('D');
    expect((await branchAction(ctx({ Choices: [{ NextStep: 'A', Variable: 'shell', EqualsIgnoreCase: 'Shell' }] }))).nextStep).toBe('A');
  });

  test('should fall through to the next step when nothing matches and there is no Default', async () => {
    const r = await branchAction(ctx({ Choices: [{ NextStep: 'A', Variable: 3, NumericGreater: 5 }] }));
    expect(r).toEqual({ status: 'Success' });
  });

  test('should evaluate numeric, boolean, Contains and combinators', async () => {
    const choice = {
      NextStep: 'Yes',
      And: [
        { Variable: '10', NumericGreaterOrEquals: 10 },
        { Variable: 2, NumericLesser: '3' },
        { Variable: true, BooleanEquals: true },
        { Or: [{ Variable: ['a', 'b'], Contains: 'b' }, { Variable: 'x', EndsWith: 'y' }] },
        { Not: { Variable: 'abc', Contains: 'z' } },
      ],
    };
    expect((await branchAction(ctx({ Choices: [choice] }))).nextStep).toBe('Yes');
  });

  test('should fail input validation when a numeric operator meets a non-number', async () => {
    await expect(branchAction(ctx({ Choices: [{ NextStep: 'A', Variable: 'abc', NumericEquals: 1 }] }))).rejects.toMatchObject({ details: { FailureStage: 'InputValidation' } });
  });
});
