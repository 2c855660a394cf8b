/**
 * The aws-examples conformance set (`test/fixtures/conformance/aws-examples`, see its README): an engine behind a real
 * endpoint on a free port, and the boto3 runner (`aws_examples_runner.py`) replaying every case against it. The runner
 * runs as a child process without blocking this event loop, which serves the endpoint.
 */
import { execFile } from 'node:child_process';
import { LocalEngine } from '../../src/engine/local-engine.js';
import { startLocalEndpoint } from '../../src/server/local-endpoint.js';

const ROOT = new URL('../../', import.meta.url).pathname;
/** The tag the runner's `${tagkey}` / `${tagvalue}` stand for (SendCommand tag targets). */
export const INSTANCE_TAG = { key: 'Env', value: 'Dev' } as const;

export interface CaseResult {
  readonly id: string;
  readonly operation: string;
  readonly service: string;
  readonly ok: boolean;
  /** kind (missing, type, enum, extra, error, setup) → what is wrong. */
  readonly problems: Readonly<Record<string, readonly string[]>>;
}

export interface Run {
  readonly results: CaseResult[];
  readonly stderr: string;
}

/** Starts a fast-clock engine with one tagged instance behind an endpoint, runs every case, and stops both. */
export async function runAwsExamples(only?: string): Promise<Run> {
  const engine = new LocalEngine({ clock: 'fast' });
  const instance = engine.instances.add({ tags: { [INSTANCE_TAG.key]: INSTANCE_TAG.value } });
  const endpoint = await startLocalEndpoint(engine);
  try {
    const args = [
      `${ROOT}test/conformance/aws_examples_runner.py`,
      '--cases',
      `${ROOT}test/fixtures/conformance/aws-examples/dev.jsonl`,
      '--endpoint',
      endpoint.url,
      '--instance-id',
      instance.instanceId,
      '--instance-tag',
      `${INSTANCE_TAG.key}=${INSTANCE_TAG.value}`,
      ...(only === undefined ? [] : ['--only', only]),
    ];
    const out = await new Promise<{ stdout: string; stderr: string; error: Error | null }>((resolve) => {
      execFile('python3', args, { encoding: 'utf8', timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => resolve({ stdout, stderr, error }));
    });
    if (out.error !== null && out.stdout.trim() === '') throw new Error(`the aws-examples runner failed: ${out.error.message}\n${out.stderr}`);
    const results = out.stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as CaseResult);
    return { results, stderr: out.stderr };
  } finally {
    await endpoint.close();
    await engine.close();
  }
}

/** One line per problem kind, for failure messages. */
export function describeProblems(result: CaseResult): string {
  return Object.entries(result.problems)
    .map(([kind, list]) => `${kind}: ${list.join(', ')}`)
    .join('; ');
}
