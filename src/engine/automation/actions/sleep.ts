/**
 * `aws:sleep`: `Duration` (ISO 8601, e.g. `PT10M`) or `Timestamp` (ISO 8601 instant), on the injected clock
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-sleep.html).
 */
import type { ActionHandler } from './action.js';
import { inputFailure, stringInput } from './action.js';

const DURATION = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Milliseconds of an ISO 8601 duration (days, hours, minutes, seconds). */
export function durationMs(text: string): number {
  const m = DURATION.exec(text);
  if (m === null || text === 'P' || text.endsWith('T')) throw inputFailure(`Duration '${text}' is not an ISO 8601 duration such as PT10M.`);
  const [, d, h, min, s] = m;
  return ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000 + Number(s ?? 0) * 1000;
}

export const sleepAction: ActionHandler = async (ctx) => {
  const duration = stringInput(ctx.inputs, 'Duration');
  const timestamp = stringInput(ctx.inputs, 'Timestamp');
  if ((duration === undefined) === (timestamp === undefined)) throw inputFailure('aws:sleep needs exactly one of Duration and Timestamp.');
  let ms: number;
  if (duration !== undefined) ms = durationMs(duration);
  else {
    const at = Date.parse(timestamp!);
    if (Number.isNaN(at)) throw inputFailure(`Timestamp '${timestamp}' is not an ISO 8601 time.`);
    ms = Math.max(0, at - ctx.clock.now());
  }
  await ctx.clock.sleep(ms, ctx.signal).catch(() => undefined);
  return { status: 'Success' };
};
