import { describe, expect, test } from 'vitest';
import { rollUpInto, rollupCommand, type InvocationView, type RollupTarget } from '../../../src/engine/run-command/command-status.js';

// One letter per invocation status as the service sets it.
const INVOCATIONS: Record<string, InvocationView> = {
  P: { status: 'Pending', details: 'Pending' },
  Y: { status: 'Delayed', details: 'Delayed' },
  R: { status: 'InProgress', details: 'In Progress' },
  C: { status: 'Cancelling', details: 'Cancelling' },
  S: { status: 'Success', details: 'Success' },
  F: { status: 'Failed', details: 'Failed' },
  E: { status: 'TimedOut', details: 'Execution Timed Out' },
  D: { status: 'TimedOut', details: 'Delivery Timed Out' },
  U: { status: 'Failed', details: 'Undeliverable' },
  I: { status: 'Failed', details: 'Invalid Platform' },
  X: { status: 'Cancelled', details: 'Cancelled' },
  T: { status: 'Cancelled', details: 'Terminated' },
};

describe('rollupCommand', () => {
  // Pinned from the rollup as it was before it became one pass: invocations, MaxErrors, cancel requested → result.
  test.each([
    ['', 0, false, 'Failed', 'No Instances In Tag', 0, 0, 0],
    ['', 0, true, 'Failed', 'No Instances In Tag', 0, 0, 0],
    ['P', 0, false, 'Pending', 'Pending', 0, 0, 0],
    ['PY', 0, false, 'Pending', 'Pending', 0, 0, 0],
    ['YR', 0, false, 'InProgress', 'In Progress', 0, 0, 0],
    ['PS', 0, false, 'InProgress', 'In Progress', 1, 0, 0],
    ['PF', 0, false, 'InProgress', 'In Progress', 1, 1, 0],
    ['R', 0, true, 'Cancelling', 'Cancelling', 0, 0, 0],
    ['CS', 0, true, 'Cancelling', 'Cancelling', 1, 0, 0],
    ['RF', 0, true, 'Cancelling', 'Cancelling', 1, 1, 0],
    ['SX', 0, true, 'Cancelled', 'Cancelled', 2, 0, 0],
    ['XF', 0, true, 'Cancelled', 'Cancelled', 2, 1, 0],
    ['SX', 0, false, 'Success', 'Success', 2, 0, 0],
    ['X', 0, false, 'Success', 'Success', 1, 0, 0],
    ['SSS', 0, true, 'Success', 'Success', 3, 0, 0],
    ['FTT', 0, false, 'Failed', 'Failed', 3, 1, 0],
    ['FS', 0, false, 'Failed', 'Failed', 2, 1, 0],
    ['FS', 1, false, 'Success', 'Success', 2, 1, 0],
    ['SSF', 1, false, 'Success', 'Success', 3, 1, 0],
    ['E', 0, false, 'TimedOut', 'Execution Timed Out', 1, 1, 0],
    ['EE', 1, false, 'TimedOut', 'Execution Timed Out', 2, 2, 0],
    ['EF', 0, false, 'Failed', 'Failed', 2, 2, 0],
    ['EF', 2, false, 'Success', 'Success', 2, 2, 0],
    ['UU', 0, false, 'Failed', 'Undeliverable', 2, 0, 0],
    ['IU', 0, false, 'Failed', 'Invalid Platform', 2, 0, 0],
    ['UI', 0, false, 'Failed', 'Undeliverable', 2, 0, 0],
    ['UUUUS', 0, false, 'Success', 'Success', 5, 0, 0],
    ['DD', 0, false, 'TimedOut', 'Delivery Timed Out', 2, 0, 2],
    ['DU', 0, false, 'TimedOut', 'Delivery Timed Out', 2, 0, 1],
    ['DS', 0, false, 'Failed', 'Incomplete', 2, 0, 1],
    ['DF', 1, false, 'Failed', 'Incomplete', 2, 1, 1],
    ['DE', 0, false, 'TimedOut', 'Execution Timed Out', 2, 1, 1],
  ] as const)(
    'should roll up %j with MaxErrors %i (cancel requested: %s) to %s / %s',
    (mix, maxErrors, cancelRequested, Status, StatusDetails, CompletedCount, ErrorCount, DeliveryTimedOutCount) => {
      const invocations = [...mix].map((c) => INVOCATIONS[c]!);
      const rollup = rollupCommand(invocations, maxErrors, cancelRequested);
      expect(rollup).toEqual({ Status, StatusDetails, CompletedCount, ErrorCount, DeliveryTimedOutCount });
      // A fresh rollup lists its members in the API's order.
      expect(Object.keys(rollup)).toEqual(['Status', 'StatusDetails', 'CompletedCount', 'ErrorCount', 'DeliveryTimedOutCount']);
    },
  );

  test('should write the rollup onto a command in place, leaving its other members and their order alone', () => {
    const command: RollupTarget & { CommandId: string; TargetCount: number; TimeoutSeconds: number } = { CommandId: 'c', Status: 'Pending', StatusDetails: 'Pending', TargetCount: 2, CompletedCount: 0, ErrorCount: 0, DeliveryTimedOutCount: 0, TimeoutSeconds: 60 };
    rollUpInto(command, [INVOCATIONS['S']!, INVOCATIONS['D']!], 0, false);
    expect(command).toEqual({ CommandId: 'c', Status: 'Failed', StatusDetails: 'Incomplete', TargetCount: 2, CompletedCount: 2, ErrorCount: 0, DeliveryTimedOutCount: 1, TimeoutSeconds: 60 });
    expect(Object.keys(command)).toEqual(['CommandId', 'Status', 'StatusDetails', 'TargetCount', 'CompletedCount', 'ErrorCount', 'DeliveryTimedOutCount', 'TimeoutSeconds']);
  });
});
