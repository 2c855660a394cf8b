/**
 * Regions and partitions: which partition a region belongs to (`aws`, `aws-cn` for `cn-*`, `aws-us-gov` for
 * `us-gov-*`, and the isolated ones), and its DNS suffix (`AWS::URLSuffix`). The table is AWS's partition table, as
 * botocore ships it (`botocore/data/partitions.json`: each partition's `regionRegex` and `dnsSuffix`) and the SDKs
 * resolve endpoints with; `test/engine/regions/partitions.test.ts` compares it with this machine's botocore.
 */

export const DEFAULT_REGION = 'us-east-1';
/** The account of examples in the AWS documentation, as moto uses it. */
export const DEFAULT_ACCOUNT_ID = '123456789012';

export interface Partition {
  readonly id: string;
  /** The partition's `regionRegex`, verbatim. */
  readonly regionRegex: string;
  readonly dnsSuffix: string;
}

export const PARTITIONS: readonly Partition[] = [
  { id: 'aws', regionRegex: '^(us|eu|ap|sa|ca|me|af|il|mx)\\-\\w+\\-\\d+$', dnsSuffix: 'amazonaws.com' },
  { id: 'aws-cn', regionRegex: '^cn\\-\\w+\\-\\d+$', dnsSuffix: 'amazonaws.com.cn' },
  { id: 'aws-eusc', regionRegex: '^eusc\\-(de)\\-\\w+\\-\\d+$', dnsSuffix: 'amazonaws.eu' },
  { id: 'aws-iso', regionRegex: '^us\\-iso\\-\\w+\\-\\d+$', dnsSuffix: 'c2s.ic.gov' },
  { id: 'aws-iso-b', regionRegex: '^us\\-isob\\-\\w+\\-\\d+$', dnsSuffix: 'sc2s.sgov.gov' },
  { id: 'aws-iso-e', regionRegex: '^eu\\-isoe\\-\\w+\\-\\d+$', dnsSuffix: 'cloud.adc-e.uk' },
  { id: 'aws-iso-f', regionRegex: '^us\\-isof\\-\\w+\\-\\d+$', dnsSuffix: 'csp.hci.ic.gov' },
  { id: 'aws-us-gov', regionRegex: '^us\\-gov\\-\\w+\\-\\d+$', dnsSuffix: 'amazonaws.com' },
];

const MATCHERS = PARTITIONS.map((p) => ({ partition: p, regex: new RegExp(p.regionRegex) }));

/**
 * The partition whose `regionRegex` the region matches, or undefined: a typo, a pseudo-region such as `aws-global`
 * (which no client signs for), a hostile string. Region names are lower case and short; `\w` alone would let
 * `US-EAST-1` or `us-east_x-1` through.
 */
function partitionMatching(region: string): Partition | undefined {
  if (region.length > 32 || !/^[a-z0-9-]+$/.test(region)) return undefined;
  return MATCHERS.find((m) => m.regex.test(region))?.partition;
}

export function isRegionName(region: string): boolean {
  return partitionMatching(region) !== undefined;
}

/** `aws`, `aws-cn`, `aws-us-gov`, … (`aws` for a name no partition claims, as the SDKs resolve it). */
export function partitionOf(region: string): string {
  return partitionMatching(region)?.id ?? 'aws';
}

/** `amazonaws.com`, `amazonaws.com.cn`, … (the `AWS::URLSuffix` pseudo parameter). */
export function dnsSuffixOf(region: string): string {
  return partitionMatching(region)?.dnsSuffix ?? 'amazonaws.com';
}

/** Account ids are 12 digits (IAM `accountIdType`). */
export function isAccountId(value: string): boolean {
  return /^\d{12}$/.test(value);
}
