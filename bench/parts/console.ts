/**
 * The web console's first render in headless Chromium: a state machine page listing 1,000 executions, and an
 * execution page with the graph of a 200-state definition (Choice, Parallel and Map among them). Each figure is the
 * time from the start of the navigation (the page's own clock) until every row or every state is in the page, over
 * five loads after a warm-up (median and slowest). The goal is 1 s for each. Also the size of the built bundle.
 */
import { readdirSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { LocalEngine } from '../../src/engine/local-engine.js';
import { CONSOLE_PATH } from '../../src/server/console-routes.js';
import { startLocalEndpoint } from '../../src/server/local-endpoint.js';
import { launchBrowser } from '../../test/helpers/browser.js';
import { writePart } from '../part.js';
import { bigDefinition } from '../console-definition.js';

const EXECUTIONS = 1000;
const STATES = 200;
const LOADS = 5;
const ROLE = 'arn:aws:iam::123456789012:role/bench';

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const engine = new LocalEngine({ clock: 'fast' });
engine.roles.define(ROLE);
const endpoint = await startLocalEndpoint(engine, { console: {}, verifySignatures: true });
const browser = await launchBrowser({ width: 1400, height: 1000 });
try {
  const list = await engine.sfn.CreateStateMachine({ name: 'bench-list', roleArn: ROLE, definition: JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }) });
  const started = [];
  for (let i = 0; i < EXECUTIONS; i++) started.push((await engine.sfn.StartExecution({ stateMachineArn: list.stateMachineArn, input: '{}' })).executionArn);
  await Promise.all(started.map((arn) => engine.sfn.waitForExecution(arn)));
  const graph = await engine.sfn.CreateStateMachine({ name: 'bench-graph', roleArn: ROLE, definition: JSON.stringify(bigDefinition(STATES)) });
  const { executionArn } = await engine.sfn.StartExecution({ stateMachineArn: graph.stateMachineArn, input: JSON.stringify({ items: [1, 2, 3] }) });
  await engine.sfn.waitForExecution(executionArn);

  const page = browser.page;
  const base = `${endpoint.url}${CONSOLE_PATH}`;
  /**
   * Loads the page and returns performance.now() when `count(selector)` first reaches `n` for every pair (the
   * navigation's start is 0). A function, not a string: the page's CSP forbids eval.
   */
  const measure = async (hash: string, wanted: readonly (readonly [string, number])[]): Promise<number> => {
    await page.goto('about:blank');
    await page.goto(`${base}${hash}`);
    const handle = await page.waitForFunction(
      (pairs) => {
        const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document;
        return pairs.every(([selector, n]) => doc.querySelectorAll(selector).length === n) ? performance.now() : false;
      },
      wanted,
      { timeout: 30_000, polling: 'raf' },
    );
    return Number(await handle.jsonValue());
  };
  const listReady = [['table[aria-label="Executions"] tbody tr', EXECUTIONS]] as const;
  const graphReady = [
    ['svg.graph [data-state]', STATES],
    ['svg.graph [data-status="succeeded"]', STATES],
  ] as const;
  const listHash = `#/state-machines/${encodeURIComponent(list.stateMachineArn)}`;
  const graphHash = `#/executions/${encodeURIComponent(executionArn)}`;
  const listCold = await measure(listHash, listReady);
  const graphCold = await measure(graphHash, graphReady);
  const listMs: number[] = [];
  const graphMs: number[] = [];
  for (let i = 0; i < LOADS; i++) {
    listMs.push(await measure(listHash, listReady));
    graphMs.push(await measure(graphHash, graphReady));
  }
  const assets = new URL('../../dist/console/assets/', import.meta.url);
  const sizes = readdirSync(assets).map((f) => ({ f, size: statSync(new URL(f, assets)).size }));
  const js = sizes.filter((s) => s.f.endsWith('.js')).reduce((n, s) => n + s.size, 0);
  const css = sizes.filter((s) => s.f.endsWith('.css')).reduce((n, s) => n + s.size, 0);
  const round = (n: number) => Math.round(n);
  const values = {
    consoleListRenderMs: round(median(listMs)),
    consoleListRenderMaxMs: round(Math.max(...listMs)),
    consoleListRenderColdMs: round(listCold),
    consoleGraphRenderMs: round(median(graphMs)),
    consoleGraphRenderMaxMs: round(Math.max(...graphMs)),
    consoleGraphRenderColdMs: round(graphCold),
    consoleBundleJsBytes: js,
    consoleBundleCssBytes: css,
  };
  process.stderr.write(`${JSON.stringify(values)}\n`);
  writePart('console', {
    title: 'Web console (headless Chromium, first render from navigation start)',
    values,
    rows: [
      { label: `List of ${EXECUTIONS} executions, median of ${LOADS} (ms)`, key: 'consoleListRenderMs', goal: '≤ 1000' },
      { label: 'List, slowest load (ms)', key: 'consoleListRenderMaxMs', goal: '≤ 1000' },
      { label: 'List, first load with an empty cache (ms)', key: 'consoleListRenderColdMs', goal: '' },
      { label: `Graph of ${STATES} states with their colours, median of ${LOADS} (ms)`, key: 'consoleGraphRenderMs', goal: '≤ 1000' },
      { label: 'Graph, slowest load (ms)', key: 'consoleGraphRenderMaxMs', goal: '≤ 1000' },
      { label: 'Graph, first load with an empty cache (ms)', key: 'consoleGraphRenderColdMs', goal: '' },
      { label: 'Bundle: JavaScript (bytes, minified)', key: 'consoleBundleJsBytes', goal: '' },
      { label: 'Bundle: CSS (bytes)', key: 'consoleBundleCssBytes', goal: '' },
    ],
    notes: [
      `Measured with the engine in the same process as the bench, and the browser on the same cores; 1-minute load average ${loadavg()[0]!.toFixed(1)} at the end.`,
    ],
  });
} finally {
  await browser.close();
  await endpoint.close();
  await engine.close();
}
