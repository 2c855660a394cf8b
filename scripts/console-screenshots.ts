/**
 * Takes the screenshots in docs/console.md: the sample state machine's run that succeeded, one whose command failed
 * (its failed state selected), and that run's automation down to the instance's output. Needs the built console
 * (npm run build) and Debian's chromium. Run: npx tsx scripts/console-screenshots.ts
 */
import { launchBrowser } from '../test/helpers/browser.js';
import { startConsoleFixture } from '../test/helpers/console-fixture.js';

const out = new URL('../docs/images/', import.meta.url).pathname;
const fixture = await startConsoleFixture();
const browser = await launchBrowser({ width: 1280, height: 860 });
try {
  const page = browser.page;
  const run = async (name: string, commands: readonly string[]) => {
    const machine = await fixture.engine.sfn.CreateStateMachine({ name, roleArn: fixture.roleArn, definition: fixture.sampleWith(commands) });
    const { executionArn } = await fixture.engine.sfn.StartExecution({ stateMachineArn: machine.stateMachineArn, name: `${name}-run`, input: '{"release": "2024.12.1"}' });
    await fixture.engine.sfn.waitForExecution(executionArn);
    await page.goto(`${fixture.consoleUrl}#/executions/${encodeURIComponent(executionArn)}`);
    await page.locator('.execution-head .badge').filter({ hasText: /SUCCEEDED|FAILED/ }).waitFor();
    await page.locator('.invocation .exit-code').first().waitFor();
    await page.waitForTimeout(300);
  };

  await run('deploy-release', ['echo "Deploying release 2024.12.1 on $(hostname)"', 'echo "3 services restarted"']);
  await page.locator('[data-state="RunShellCommand"]').click();
  // Tall enough to reach the instance's output.
  await page.setViewportSize({ width: 1280, height: 1330 });
  await page.screenshot({ path: `${out}console-succeeded.png` });
  await page.setViewportSize({ width: 1280, height: 860 });

  await run('migrate-database', ['echo "checking the database..."', 'echo "disk full: /var/lib/db" >&2', 'exit 3']);
  await page.locator('[data-state="CommandFailed"]').click();
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${out}console-failed.png` });
  const automation = page.locator('section[aria-labelledby="section-automations-and-command-output"]');
  await automation.scrollIntoViewIfNeeded();
  await automation.screenshot({ path: `${out}console-failed-output.png` });
  process.stderr.write(`screenshots written to ${out}\n`);
} finally {
  await browser.close();
  await fixture.close();
}
