/**
 * The repository stands alone: a user's clone has nothing beside it, so no tracked file may read or link to the
 * development workspace's sibling folder, and the datasets the tests replay are in the repository with their licenses.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/fixtures.js';

// Built from parts, so that this file does not match itself.
const SIBLING = ['..', 'shared'].join('/');

function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: REPO_ROOT, encoding: 'utf8' }).split('\0').filter((f) => f !== '');
}

describe('the repository', () => {
  it('should have no tracked file that refers to the workspace folder beside the repository', () => {
    const offenders = trackedFiles().filter((file) => {
      const path = join(REPO_ROOT, file);
      return existsSync(path) && readFileSync(path, 'latin1').includes(SIBLING);
    });
    expect(offenders).toEqual([]);
  });

  it('should carry each conformance dataset with its README, and the licenses they are redistributed under', () => {
    for (const dataset of ['asl/cases.jsonl', 'sfn-api/dev.jsonl', 'test-state/dev.jsonl', 'aws-examples/dev.jsonl']) {
      const file = join(REPO_ROOT, 'test/fixtures/conformance', dataset);
      expect(readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').length, dataset).toBeGreaterThan(30);
      expect(readFileSync(join(file, '..', 'README.md'), 'utf8'), dataset).toMatch(/Apache/);
    }
    expect(readFileSync(join(REPO_ROOT, 'test/fixtures/conformance/LICENSE-Apache-2.0.txt'), 'utf8')).toMatch(/Apache License\s+Version 2\.0/);
    expect(readFileSync(join(REPO_ROOT, 'test/fixtures/original-sample/README.md'), 'utf8')).toMatch(/MIT-0/);
  });
});
