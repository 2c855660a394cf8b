import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { dnsSuffixOf, isAccountId, isRegionName, PARTITIONS, partitionOf } from '../../../src/engine/regions/partitions.js';

/** botocore's partition table on this machine (botocore/data/partitions.json), when botocore is installed. */
const botocore = spawnSync('python3', ['-c', 'import botocore.loaders, json; print(json.dumps(botocore.loaders.Loader().load_data("partitions")))'], { encoding: 'utf8' });
const table = botocore.status === 0 ? (JSON.parse(botocore.stdout) as { partitions: Array<{ id: string; regionRegex: string; outputs: { dnsSuffix: string }; regions: Record<string, unknown> }> }) : undefined;

describe('regions and partitions', () => {
  test('should put each region in its partition, as the SDK partition table does', () => {
    expect(partitionOf('us-east-1')).toBe('aws');
    expect(partitionOf('eu-west-1')).toBe('aws');
    expect(partitionOf('ap-southeast-7')).toBe('aws');
    expect(partitionOf('cn-north-1')).toBe('aws-cn');
    expect(partitionOf('cn-northwest-1')).toBe('aws-cn');
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov');
    expect(partitionOf('us-gov-east-1')).toBe('aws-us-gov');
    expect(partitionOf('us-iso-east-1')).toBe('aws-iso');
  });

  test('should give the DNS suffix of the partition (AWS::URLSuffix)', () => {
    expect(dnsSuffixOf('us-east-1')).toBe('amazonaws.com');
    expect(dnsSuffixOf('cn-north-1')).toBe('amazonaws.com.cn');
    expect(dnsSuffixOf('us-gov-west-1')).toBe('amazonaws.com');
  });

  test.skipIf(table === undefined)("should be botocore's partition table, every listed region in its partition", () => {
    expect(PARTITIONS.map((p) => [p.id, p.regionRegex, p.dnsSuffix])).toEqual(table!.partitions.map((p) => [p.id, p.regionRegex, p.outputs.dnsSuffix]));
    for (const partition of table!.partitions) {
      for (const region of Object.keys(partition.regions)) {
        // The *-global names are endpoint pseudo-regions, not regions a client signs for.
        if (region.endsWith('-global')) expect(isRegionName(region), region).toBe(false);
        else expect([region, partitionOf(region)]).toEqual([region, partition.id]);
      }
    }
  });

  test('should accept region names and refuse everything else', () => {
    for (const region of ['us-east-1', 'eu-central-2', 'cn-north-1', 'us-gov-west-1', 'us-isob-east-1', 'eusc-de-east-1', 'il-central-1', 'mx-central-1']) {
      expect(isRegionName(region), region).toBe(true);
    }
    for (const region of ['', 'us-east', 'aws-global', 'US-EAST-1', 'us_east_1', 'us-east-1 ', '../../etc', 'us-east-1\n', 'a'.repeat(300), 'mars-central-1', 'us-east_x-1', `us-${'a'.repeat(40)}-1`]) {
      expect(isRegionName(region), region).toBe(false);
    }
  });

  test('should accept 12-digit account ids only', () => {
    expect(isAccountId('123456789012')).toBe(true);
    expect(isAccountId('000000000000')).toBe(true);
    for (const id of ['12345678901', '1234567890123', '12345678901a', '', ' 123456789012']) expect(isAccountId(id), id).toBe(false);
  });
});
