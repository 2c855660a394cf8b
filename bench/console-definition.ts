/** The large definition the console bench draws (bench/parts/console.ts). */

/** A definition of exactly `total` states: a chain of Pass and Choice states, one Parallel (2 × 15) and one Map (20). */
export function bigDefinition(total: number): object {
  const parallelInner = 15;
  const mapInner = 20;
  const top = total - 2 * parallelInner - mapInner;
  const chain = (prefix: string, n: number) => {
    const states: Record<string, object> = {};
    for (let i = 0; i < n; i++) states[`${prefix}${i}`] = i === n - 1 ? { Type: 'Pass', End: true } : { Type: 'Pass', Next: `${prefix}${i + 1}` };
    return { StartAt: `${prefix}0`, States: states };
  };
  const states: Record<string, object> = {};
  for (let i = 0; i < top; i++) {
    const name = `Step${i}`;
    const next = i === top - 1 ? undefined : `Step${i + 1}`;
    const after = next === undefined ? { End: true } : { Next: next };
    if (i === 10) states[name] = { Type: 'Parallel', Branches: [chain('Left', parallelInner), chain('Right', parallelInner)], ResultPath: null, ...after };
    else if (i === 20) states[name] = { Type: 'Map', ItemsPath: '$.items', ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, ...chain('Item', mapInner) }, ResultPath: null, ...after };
    else if (i % 15 === 5 && i + 2 < top) states[name] = { Type: 'Choice', Choices: [{ Variable: '$.skip', IsPresent: true, Next: `Step${i + 2}` }], Default: next! };
    else states[name] = { Type: 'Pass', ...after };
  }
  return { StartAt: 'Step0', States: states };
}
