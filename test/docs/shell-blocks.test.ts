/**
 * Every command in the docs runs as written. The shell blocks of README.md and of every docs/*.md (a doc added later
 * is covered as it lands) run offline, one after another, in an empty project where shellstep is installed (a link
 * to this checkout, so `npx shellstep` resolves as it does for a user), with no AWS variables and an empty home:
 * each block's exit code and a line of its output are checked. A block that starts `serve` in the background gets a
 * free port (`--port 0`), and the later blocks of its file get that port for 4599; it is stopped when the file is
 * done. Blocks that need an AWS account, and the ones that install or test this repository, are not run: their
 * commands' flags are checked against `--help` (test/docs/doc-blocks.ts describes the markers). The examples in
 * every command's `--help` are checked the same way, and docs/cli.md must cover every command.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { commands, docBlocks, docFiles, flagsOf, shellstepCommand, type DocBlock } from './doc-blocks.js';

const root = REPO_ROOT.endsWith('/') ? REPO_ROOT : `${REPO_ROOT}/`;
const bin = `${root}dist/cli/main.js`;
const packageJson = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { scripts: Record<string, string> };

// ------------------------------------------------------------------ an installed project, a clean environment

const work = mkdtempSync(join(tmpdir(), 'shellstep-docs-'));
const project = join(work, 'project');
const home = join(work, 'home');
mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true });
mkdirSync(home);
writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'docs-project', private: true, dependencies: { shellstep: '*' } }, null, 2)}\n`);
symlinkSync(root, join(project, 'node_modules', 'shellstep'));
symlinkSync(bin, join(project, 'node_modules', '.bin', 'shellstep'));
// As npm does when it links a package's bin (bin-links): tsc writes dist/cli/main.js without the executable bit, and
// a fresh clone's build is where the test runs.
chmodSync(bin, 0o755);
const environment: Record<string, string> = {
  PATH: process.env['PATH'] ?? '/usr/bin:/bin',
  HOME: home,
  TMPDIR: work,
  LANG: 'C.UTF-8',
  // npm's once-a-week registry check of its own version would be the only network use.
  NPM_CONFIG_UPDATE_NOTIFIER: 'false',
};

const running: ChildProcess[] = [];
afterAll(async () => {
  await Promise.all(running.map(stop));
  rmSync(work, { recursive: true, force: true });
});

/** Stops a background block's process group, TERM then KILL. */
function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    process.kill(-child.pid!, 'SIGTERM');
    setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    }, 5_000).unref();
  });
}

// ------------------------------------------------------------------ well-formedness from --help

const helpCache = new Map<string, string>();
function help(command: string): string {
  let text = helpCache.get(command);
  if (text === undefined) {
    text = spawnSync(process.execPath, [bin, command, '--help'], { encoding: 'utf8' }).stdout;
    helpCache.set(command, text);
  }
  return text;
}

let listed: string[] | undefined;
/** The commands `shellstep --help` lists. */
function shellstepCommands(): string[] {
  if (listed === undefined) {
    const text = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' }).stdout;
    const section = text.slice(text.indexOf('Commands:'));
    listed = [...section.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
  }
  return listed;
}

/** Problems of one shellstep command line: an unknown command, or flags its help does not list. */
function shellstepProblems(words: readonly string[]): string[] {
  const parsed = shellstepCommand(words);
  if (parsed === undefined) return [];
  if (!shellstepCommands().includes(parsed.command)) return [`unknown command 'shellstep ${parsed.command}'`];
  const text = help(parsed.command);
  const options = new Set([...text.matchAll(/(?:^|[\s,])(--?[a-zA-Z][-a-zA-Z]*)/gm)].map((m) => m[1]!));
  return flagsOf(parsed.args)
    .filter((f) => !options.has(f))
    .map((f) => `'shellstep ${parsed.command}' has no option ${f}`);
}

/** Options every `aws` command takes (global options). */
const AWS_GLOBAL = new Set(['--endpoint-url', '--region', '--output', '--query', '--profile', '--no-cli-pager', '--debug', '--no-paginate', '--no-verify-ssl', '--cli-input-json', '--color']);

const awsHelp = new Map<string, { status: number | null; page: string; error: string }>();
function awsProblems(words: readonly string[]): string[] {
  const rest = words.filter((w) => !/^[A-Z_][A-Z0-9_]*=/.test(w));
  if (rest[0] !== 'aws' || rest.length < 3) return [];
  const [, service, operation] = rest as [string, string, string];
  let text = awsHelp.get(`${service} ${operation}`);
  if (text === undefined) {
    const ran = spawnSync('aws', [service, operation, 'help'], { encoding: 'utf8', env: { ...environment, PAGER: 'cat', MANPAGER: 'cat' } });
    // Bold and underlined man-page text is overstruck: letter, backspace, letter.
    text = { status: ran.status, page: ran.stdout.replace(/.\x08/g, ''), error: ran.stderr.trim().split('\n').at(-1) ?? '' };
    awsHelp.set(`${service} ${operation}`, text);
  }
  const { page } = text;
  if (text.status !== 0) return [`'aws ${service} ${operation}' does not exist (${text.error})`];
  return flagsOf(rest.slice(3))
    .filter((f) => f.startsWith('--') && !AWS_GLOBAL.has(f) && !page.includes(f))
    .map((f) => `'aws ${service} ${operation}' has no option ${f}`);
}

const NPM_COMMANDS = new Set(['ci', 'install', 'i', 'test', 'run', 'pack', 'exec', 'link']);
function npmProblems(words: readonly string[]): string[] {
  if (words[0] !== 'npm') return [];
  const [, sub, script] = words;
  if (sub === undefined || !NPM_COMMANDS.has(sub)) return [`unexpected npm command 'npm ${sub ?? ''}'`];
  if (sub === 'run' && (script === undefined || packageJson.scripts[script] === undefined)) return [`package.json has no script '${script ?? ''}'`];
  return [];
}

/** Flags checked against help; `aws` commands only where the block is not run (a run shows their errors). */
function wellFormed(text: string, run = false): string[] {
  return commands(text).flatMap((words) => [...shellstepProblems(words), ...(run ? [] : awsProblems(words)), ...npmProblems(words)]);
}

// ------------------------------------------------------------------ running a block

interface Ran {
  readonly status: number | null;
  readonly output: string;
}

function runBlock(block: DocBlock, text: string): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', text], { cwd: project, env: environment, detached: true });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), block.timeoutSeconds * 1000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

/** Starts a background block (serve) on a free port; resolves with its endpoint once `expect` shows. */
function startBackground(block: DocBlock, text: string): Promise<{ endpoint: string; output: () => string }> {
  const withFreePort = /--port\s+\d+/.test(text) ? text.replace(/--port\s+\d+/, '--port 0') : text.replace(/\bserve\b/, 'serve --port 0');
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `exec ${withFreePort.trim().replace(/\s*&\s*$/, '')}`], { cwd: project, env: environment, detached: true });
    running.push(child);
    let stdout = '';
    let output = '';
    const check = () => {
      const endpoint = /"endpoint":\s*"([^"]+)"/.exec(stdout)?.[1];
      if (endpoint !== undefined && output.includes(block.expect!)) resolve({ endpoint, output: () => output });
    };
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      output += c.toString();
      check();
    });
    child.stderr.on('data', (c: Buffer) => {
      output += c.toString();
      check();
    });
    child.on('exit', (code) => reject(new Error(`${block.where}: the background block exited (${String(code)}) before it was ready:\n${output}`)));
    setTimeout(() => reject(new Error(`${block.where}: not ready after ${block.timeoutSeconds} s:\n${output}`)), block.timeoutSeconds * 1000).unref();
  });
}

// ------------------------------------------------------------------ the tests

describe.each(docFiles(root))('%s', (file) => {
  const blocks = docBlocks(root, file);
  /** The endpoint a background block of this file started, for the 4599 of the later blocks. */
  let endpoint: string | undefined;
  /** The `export` lines of the file's blocks run so far: the docs' blocks read as one shell session. */
  const exports: string[] = [];
  const withEndpoint = (text: string) => (endpoint === undefined ? text : text.replace(/http:\/\/(127\.0\.0\.1|localhost):4599/g, endpoint).replace(/\b4599\b/g, new URL(endpoint).port));

  test.runIf(blocks.length === 0)('has no shell blocks', () => {
    expect(blocks).toEqual([]);
  });

  for (const block of blocks) {
    test(`${block.where} (${block.mode ?? 'no marker'}${block.background ? ', background' : ''})`, async () => {
      expect(block.problem, `${block.where}: ${block.problem ?? ''}`).toBeUndefined();
      expect(wellFormed(block.text, block.mode === 'run'), block.where).toEqual([]);
      if (block.mode !== 'run') return;
      const text = withEndpoint(block.text);
      if (block.background) {
        const started = await startBackground(block, text);
        endpoint = started.endpoint;
        return;
      }
      const ran = await runBlock(block, [...exports, text].join('\n'));
      exports.push(...text.split('\n').filter((line) => /^export [A-Z_]+=/.test(line)));
      expect({ exit: ran.status, expected: ran.output.includes(block.expect!) }, `${block.where}:\n${text}\n--- output:\n${ran.output}`).toEqual({ exit: block.exit, expected: true });
    }, 180_000);
  }

  afterAll(async () => {
    await Promise.all(running.splice(0).map(stop));
  });
});

describe('the CLI help', () => {
  test.each(shellstepCommands())('shellstep %s --help: examples name its options', (command) => {
    const text = help(command);
    const examples = text
      .replace(/\\\n\s*/g, ' ')
      .split('\n')
      .filter((l) => l.startsWith('  $ '))
      .map((l) => l.slice(4));
    expect(examples.length, `${command} --help has no examples`).toBeGreaterThan(0);
    expect(examples.flatMap((e) => wellFormed(e))).toEqual([]);
  });

  test('docs/cli.md should have a section for every command', () => {
    const cli = readFileSync(`${root}docs/cli.md`, 'utf8');
    const missing = shellstepCommands().filter((c) => !new RegExp(`^## \`shellstep ${c}\\b`, 'm').test(cli));
    expect(missing).toEqual([]);
  });
});
