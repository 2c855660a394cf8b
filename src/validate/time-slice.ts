/**
 * Cooperative time slices for long synchronous work over user input (validating a 1 MB definition, evaluating a
 * JSONata expression): the work calls `pauseWhenSliceIsUsed()` between steps, and once it has held the thread for a
 * slice, awaits a turn of the event loop, so that other requests and executions go on meanwhile. Every caller
 * shares the slice, since they share the thread.
 */

/** How long work holds the thread before letting others run; other requests then wait at most about this long. */
export const SLICE_MS = 10;

let sliceStart = performance.now();
let steps = 0;

/** Undefined while the slice lasts (most calls, at the cost of a counter); a promise of the next turn after it. */
export function pauseWhenSliceIsUsed(): Promise<void> | undefined {
  if ((++steps & 63) !== 0) return undefined;
  const now = performance.now();
  if (now - sliceStart < SLICE_MS) return undefined;
  return new Promise<void>((resolve) => {
    setImmediate(() => {
      sliceStart = performance.now();
      resolve();
    });
  });
}

/** Awaits a turn of the event loop if the slice is used: between the phases of a long task. */
export async function pauseBetweenPhases(): Promise<void> {
  if (performance.now() - sliceStart < SLICE_MS) return;
  await new Promise<void>((resolve) => setImmediate(resolve));
  sliceStart = performance.now();
}
