/**
 * The console in a real browser (headless Chromium): it runs the sample state machine against a local instance and
 * checks what the page shows — the graph's states and their colours, the failed state's error for a failing command,
 * each instance's output (live while the command runs), starting and stopping executions, the resource pages, and
 * that its controls are labelled and work from the keyboard. One browser for the file; pages are reused.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser, type Browser } from '../helpers/browser.js';
import { startConsoleFixture, type ConsoleFixture } from '../helpers/console-fixture.js';

const BUILT = new URL('../../dist/console/index.html', import.meta.url);

let fixture: ConsoleFixture;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(BUILT)) throw new Error('dist/console/ is not built: run npm run build first.');
  fixture = await startConsoleFixture();
  browser = await launchBrowser();
  page = browser.page;
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('dialog', (dialog) => void dialog.accept());
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await fixture?.close();
});

/** The fill colour of a state's box in the graph. */
async function fillOf(state: string): Promise<string> {
  // Runs in the page (no DOM types in the tests' program).
  return page.locator(`svg.graph [data-state="${state}"] > rect`).evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { fill: string } }).getComputedStyle(el).fill);
}

async function open(hash: string): Promise<void> {
  await page.goto(`${fixture.consoleUrl}${hash}`);
}

const GREEN = 'rgb(227, 244, 230)';
const RED = 'rgb(253, 231, 230)';
const ORANGE = 'rgb(255, 241, 214)';
const GREY = 'rgb(244, 244, 244)';

// A browser drives these: under a loaded machine a page load can take seconds, so more than the default 20 s.
describe('console', { timeout: 60_000 }, () => {
  test('lists the state machines, and a machine shows its executions newest first', async () => {
    const first = await fixture.engine.sfn.StartExecution({ stateMachineArn: fixture.sampleArn, name: 'earlier-run', input: '{}' });
    await fixture.engine.sfn.waitForExecution(first.executionArn);
    await open('');
    await page.getByRole('link', { name: /RunShellCommandJsonPath/ }).click();
    await page.getByRole('table', { name: 'Executions' }).getByRole('link', { name: 'earlier-run' }).waitFor();
    // A later run appears on its own (live), above the earlier one.
    const second = await fixture.engine.sfn.StartExecution({ stateMachineArn: fixture.sampleArn, name: 'later-run', input: '{}' });
    await fixture.engine.sfn.waitForExecution(second.executionArn);
    await page.getByRole('link', { name: 'later-run' }).waitFor();
    const names = await page.locator('table[aria-label="Executions"] tbody tr td:first-child').allTextContents();
    expect(names.indexOf('later-run')).toBeLessThan(names.indexOf('earlier-run'));
    // The status filter asks ListExecutions for that status only.
    await page.getByLabel('Filter executions by status').selectOption('FAILED');
    await page.getByText('No executions with status FAILED.').waitFor();
  });

  test('starts the sample from the console (the input editor checks JSON), and its run shows green states and the instance', async () => {
    await open(`#/state-machines/${encodeURIComponent(fixture.sampleArn)}`);
    await page.getByRole('button', { name: 'Start execution' }).click();
    const input = page.getByLabel('Input (JSON)');
    await input.fill('{"broken": ');
    await page.getByText(/Not valid JSON/).waitFor();
    expect(await page.getByRole('button', { name: 'Start', exact: true }).isDisabled()).toBe(true);
    await input.fill('{"ticket": "OPS-1"}');
    await page.getByText('Valid JSON').waitFor();
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await page.waitForURL(/#\/executions\//);
    await page.locator('.execution-head .badge', { hasText: 'SUCCEEDED' }).waitFor();
    await page.locator('[data-state="GetCommandResults"][data-status="succeeded"]').waitFor();
    expect(await page.locator('[data-state="RunShellCommand"]').getAttribute('data-status')).toBe('succeeded');
    expect(await page.locator('[data-state="CommandFailed"]').getAttribute('data-status')).toBe('not-reached');
    expect(await fillOf('RunShellCommand')).toBe(GREEN);
    expect(await fillOf('CommandFailed')).toBe(GREY);
    // The automation's steps, down to the instance.
    await page.locator('[data-step="RunShellScript"]').waitFor();
    const invocation = page.locator(`.invocation[data-instance="${fixture.instanceId}"]`);
    await invocation.waitFor();
    expect(await invocation.getAttribute('data-status')).toBe('Success');
    expect(await invocation.locator('.exit-code').textContent()).toBe('exit code 0');
    // The history table, like the AWS console's; a row opens to its details.
    await page.getByRole('table', { name: 'Event history' }).locator('tr[data-event-type="ExecutionSucceeded"]').waitFor();
    await page.getByRole('button', { name: 'Event 1 details' }).click();
    await expect.poll(() => page.getByLabel('Details of event 1').textContent()).toContain('OPS-1');
    expect(pageErrors).toEqual([]);
  });

  test('a failing command: the one-line reason, the failed and caught states, and the instance output', async () => {
    const machine = await fixture.engine.sfn.CreateStateMachine({
      name: 'sample-failing',
      roleArn: fixture.roleArn,
      definition: fixture.sampleWith(['echo "checking the database..."', 'echo "disk full" >&2', 'exit 3']),
    });
    const { executionArn } = await fixture.engine.sfn.StartExecution({ stateMachineArn: machine.stateMachineArn, input: '{}' });
    await fixture.engine.sfn.waitForExecution(executionArn);
    await open(`#/executions/${encodeURIComponent(executionArn)}`);
    const line = page.getByTestId('failure-line');
    await expect.poll(() => line.textContent(), { timeout: 10_000 }).toMatch(new RegExp(`instance ${fixture.instanceId} \\(Failed, exit code 3\\)`));
    const text = (await line.textContent()) ?? '';
    expect(text).toMatch(/^RunCommand\.Failed/);
    expect(text).toContain('state RunShellCommand');
    expect(text).toContain('ended in CommandFailed');
    expect(text).toContain('step RunShellScript (aws:runCommand)');
    expect(await page.locator('[data-state="RunShellCommand"]').getAttribute('data-status')).toBe('caught');
    expect(await page.locator('[data-state="CommandFailed"]').getAttribute('data-status')).toBe('failed');
    expect(await page.locator('[data-state="GetCommandResults"]').getAttribute('data-status')).toBe('not-reached');
    expect(await fillOf('CommandFailed')).toBe(RED);
    expect(await fillOf('RunShellCommand')).toBe(ORANGE);
    // The failed state's error, chosen with the keyboard: Tab to it in the graph and press Enter.
    await page.locator('[data-state="CommandFailed"]').focus();
    await page.keyboard.press('Enter');
    const panel = page.locator('.state-panel');
    await expect.poll(() => panel.locator('h2').textContent()).toBe('CommandFailed');
    expect(await panel.locator('.error-name').textContent()).toBe('RunCommand.Failed');
    // The caught state shows the error it caught.
    await page.locator('[data-state="RunShellCommand"]').click();
    await expect.poll(() => panel.locator('.error-name').textContent()).toBe('RunCommand.Failed');
    // Each instance's status, exit code, stdout and stderr.
    const invocation = page.locator(`.invocation[data-instance="${fixture.instanceId}"]`);
    await expect.poll(() => invocation.getByLabel(`stdout of ${fixture.instanceId}`).textContent()).toBe('checking the database...\n');
    expect(await invocation.getByLabel(`stderr of ${fixture.instanceId}`).textContent()).toBe('disk full\n');
    expect(await invocation.locator('.exit-code').textContent()).toBe('exit code 3');
  });

  test('shows a running command’s output live, then the final output, with the truncation SSM applies', async () => {
    // 30,000 characters on stdout: more than GetCommandInvocation's 24,000.
    const machine = await fixture.engine.sfn.CreateStateMachine({
      name: 'sample-live',
      roleArn: fixture.roleArn,
      definition: fixture.sampleWith(['echo "first line"', 'while [ ! -e go ]; do sleep 0.05; done', "head -c 30000 /dev/zero | tr '\\0' x", 'echo', 'echo "last line"']),
    });
    const { executionArn } = await fixture.engine.sfn.StartExecution({ stateMachineArn: machine.stateMachineArn, input: '{}' });
    await open(`#/executions/${encodeURIComponent(executionArn)}`);
    const invocation = page.locator(`.invocation[data-instance="${fixture.instanceId}"]`);
    await invocation.locator('.live-note').waitFor();
    await expect.poll(() => invocation.getByLabel(`stdout of ${fixture.instanceId}`).textContent()).toBe('first line\n');
    expect(await page.locator('[data-state="RunShellCommand"]').getAttribute('data-status')).toBe('running');
    // Let the command go on: it waits for a file in its working folder (the instance's root).
    const { writeFileSync } = await import('node:fs');
    const root = fixture.engine.instances.get(fixture.instanceId)!.rootDir;
    writeFileSync(`${root}/go`, '');
    await page.locator('.execution-head .badge', { hasText: 'SUCCEEDED' }).waitFor();
    await expect.poll(() => invocation.getAttribute('data-status')).toBe('Success');
    await expect.poll(() => invocation.locator('p.truncation').textContent()).toBe(
      'Truncated by SSM: StandardOutputContent holds the first 24,000 characters; the command wrote 30,022.',
    );
    expect((await invocation.getByLabel(`stdout of ${fixture.instanceId}`).textContent())!.length).toBe(24_000);
    const { rmSync } = await import('node:fs');
    rmSync(`${root}/go`);
  });

  test('stops a running execution', async () => {
    const machine = await fixture.engine.sfn.CreateStateMachine({ name: 'sample-slow', roleArn: fixture.roleArn, definition: fixture.sampleWith(['sleep 30']) });
    const { executionArn } = await fixture.engine.sfn.StartExecution({ stateMachineArn: machine.stateMachineArn, input: '{}' });
    await open(`#/executions/${encodeURIComponent(executionArn)}`);
    await page.locator('[data-state="RunShellCommand"][data-status="running"]').waitFor();
    await page.getByRole('button', { name: 'Stop execution' }).click();
    await page.locator('.execution-head .badge', { hasText: 'ABORTED' }).waitFor();
    expect((await fixture.engine.sfn.DescribeExecution({ executionArn })).status).toBe('ABORTED');
    await expect.poll(() => page.getByTestId('failure-line').textContent()).toMatch(/ended in RunShellCommand/);
  });

  test('shows stacks with resources and events, documents with content, and instances with tags and ping status', async () => {
    await open('#/instances');
    const row = page.locator(`tr[data-instance="${fixture.instanceId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('Role=web');
    expect(await row.locator('.badge').textContent()).toBe('Online');
    fixture.engine.instances.goOffline(fixture.instanceId);
    await expect.poll(() => row.locator('.badge').textContent()).toBe('ConnectionLost');
    fixture.engine.instances.goOnline(fixture.instanceId);

    await page.getByRole('link', { name: 'Stacks' }).click();
    await page.getByRole('link', { name: 'shellstep-sample' }).click();
    // Resources come from ListStackResources.
    const resources = page.locator('section[aria-labelledby="section-resources"]');
    await resources.locator('td', { hasText: 'RunShellCommandJsonPath' }).first().waitFor();
    await page.getByRole('heading', { name: 'Events' }).waitFor();
    expect(await page.locator('section[aria-labelledby="section-events"] tbody tr').count()).toBeGreaterThan(0);

    await page.getByRole('link', { name: 'Documents' }).click();
    await page.getByRole('link', { name: 'SfnRunCommandByInstanceIds' }).click();
    await expect.poll(() => page.getByLabel('Document content').textContent()).toContain('aws:runCommand');
  });

  test('every control has an accessible name, and the pages work from the keyboard', async () => {
    await open(`#/state-machines/${encodeURIComponent(fixture.sampleArn)}`);
    await page.getByRole('table', { name: 'Executions' }).waitFor();
    await page.getByRole('button', { name: 'Start execution' }).click();
    // Runs in the page (no DOM types in the tests' program).
    type Control = { outerHTML: string; textContent: string | null; labels?: { length: number }; getAttribute(name: string): string | null };
    const unlabelled = await page.evaluate(() =>
      [...(globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<Control> } }).document.querySelectorAll('button, select, input, textarea, a[href], [role="button"]')]
        .filter((el) => (el.labels?.length ?? 0) === 0 && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby') && (el.textContent ?? '').trim() === '')
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    expect(unlabelled).toEqual([]);
    // Escape closes the start form; Tab reaches the main navigation from the top of the page.
    await page.getByLabel('Input (JSON)').focus();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByLabel('Input (JSON)').count()).toBe(0);
    await page.getByRole('link', { name: 'State machines' }).first().focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string | null } | null } }).document.activeElement?.textContent)).toBe('Stacks');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Stacks' }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});
