import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { LocalEngine } from '../../../src/engine/local-engine.js';
import { validateFile } from '../../../src/validate/index.js';
import { specDatabaseLoads } from '../../../src/validate/template.js';

const root = new URL('../../../', import.meta.url).pathname;
const RUNBOOKS = readFileSync(`${root}cloudformation/ssm-automation-documents.cfn.json`, 'utf8');
const SAMPLE = readFileSync(`${root}cloudformation/sample-state-machine.cfn.json`, 'utf8');
const bucket = (properties: object) => JSON.stringify({ Resources: { Bucket: { Type: 'AWS::S3::Bucket', Properties: properties } } });

let engine: LocalEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

// The full database costs ~0.5 s and ~120 MB, and its JSON.parse leaves V8 unable to share object shapes for
// the rest of the process: the engine validates with the generated subset instead.
describe('the full resource specification database', () => {
  test('should not be loaded by deploying, nor by refusing a template', async () => {
    const before = specDatabaseLoads();
    engine = new LocalEngine({ clock: 'fast' });
    const instance = engine.instances.add({ tags: { Env: 'dev' } });
    await engine.deploy(RUNBOOKS, { stackName: 'shellstep-runbooks' });
    await engine.deploy(SAMPLE, { stackName: 'sample', parameters: { InstanceId: instance.instanceId, SleepSeconds: '0' } });
    // A real type the engine lacks: its own error, as before, and no property check (BucketNam).
    await expect(engine.deploy(bucket({ BucketNam: 'x' }), { stackName: 'bucket' })).rejects.toThrow(
      /^Resource types not supported by the shellstep local engine: Bucket \(AWS::S3::Bucket\)\. Supported: /,
    );
    await expect(engine.deploy(JSON.stringify({ Resources: { Q: { Type: 'AWS::SQS::Queuee' } } }), { stackName: 'typo' })).rejects.toThrow(
      "Template format error: $.Resources.Q.Type: 'AWS::SQS::Queuee' is not a CloudFormation resource type.",
    );
    await expect(engine.deploy(JSON.stringify({ Resources: { R: { Type: 'AWS::IAM::Role', Properties: { Nope: 1 } } } }), { stackName: 'role' })).rejects.toThrow(
      "Template format error: $.Resources.R.Properties: AWS::IAM::Role requires property 'AssumeRolePolicyDocument'.; $.Resources.R.Properties.Nope: AWS::IAM::Role has no property 'Nope'.",
    );
    expect(specDatabaseLoads()).toBe(before);
  });

  test('should still be what `shellstep validate` checks a template against, for any resource type', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shellstep-spec-'));
    writeFileSync(join(dir, 'bucket.json'), bucket({ BucketNam: 'x' }));
    const before = specDatabaseLoads();
    const { issues } = validateFile(join(dir, 'bucket.json'));
    rmSync(dir, { recursive: true });
    expect(issues).toEqual([{ path: '$.Resources.Bucket.Properties.BucketNam', code: 'UnknownProperty', message: "AWS::S3::Bucket has no property 'BucketNam'." }]);
    // Loaded now, unless an earlier validation in this process still holds it (it is dropped after 5 idle seconds).
    expect(specDatabaseLoads()).toBeGreaterThanOrEqual(Math.min(before + 1, 1));
  });

  test('should leave V8 able to share object shapes right after a deploy (built dist/)', () => {
    // Objects whose first property is new share a map only while V8 can add transitions to the root object
    // map (1,536 at most); past that each gets a map of its own. The database's objects held ~850 of them while
    // it stayed loaded, and ajv's run-time compilation of the SSM document schema ~1,350 more until the next
    // major GC; both are generated at build time now, and a deploy leaves ~1,330 free without any GC.
    const script = `
      const { LocalEngine } = await import(${JSON.stringify(`${root}dist/engine/local-engine.js`)});
      const { readFileSync } = await import('node:fs');
      const engine = new LocalEngine({ clock: 'real' });
      await engine.deploy(readFileSync(${JSON.stringify(`${root}cloudformation/ssm-automation-documents.cfn.json`)}, 'utf8'), { stackName: 's' });
      const make = (key) => { const o = {}; o[key] = 1; o.zz = 2; return o; };
      const shared = %HaveSameMap(make('probe'), make('probe'));
      const held = Array.from({ length: 1000 }, (_, i) => make('held' + i));
      console.log(JSON.stringify({ shared, held: held.length, stillShared: %HaveSameMap(make('probe2'), make('probe2')) }));
      await engine.close();
      process.exit(0);`;
    const result = spawnSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ shared: true, held: 1000, stillShared: true });
  });
});
