/**
 * `MaxConcurrency` / `MaxErrors` (aws-semantics §6.7): a count or a percentage of the target count.
 * Patterns from the API model; defaults 50 and 0.
 */
import { ssmError } from '../../errors/ssm-errors.js';

export const DEFAULT_MAX_CONCURRENCY = '50';
export const DEFAULT_MAX_ERRORS = '0';
const MAX_CONCURRENCY_PATTERN = /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/;
const MAX_ERRORS_PATTERN = /^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$/;

/** Number of invocations that may be in flight at once; a percentage rounds down but is at least 1 (UNCONFIRMED rounding). */
export function maxConcurrencyCount(value: string, targetCount: number): number {
  if (!MAX_CONCURRENCY_PATTERN.test(value)) throw ssmError('ValidationException', `MaxConcurrency '${value}' does not match ${MAX_CONCURRENCY_PATTERN}.`);
  if (!value.endsWith('%')) return Number(value);
  return Math.max(1, Math.floor((Number(value.slice(0, -1)) * targetCount) / 100));
}

/**
 * Errors tolerated: the command stops sending once the error count exceeds this ("0 … stops after the first error";
 * "3 → stops when the fourth error is received"). A percentage rounds down (UNCONFIRMED rounding).
 */
export function maxErrorsCount(value: string, targetCount: number): number {
  if (!MAX_ERRORS_PATTERN.test(value)) throw ssmError('ValidationException', `MaxErrors '${value}' does not match ${MAX_ERRORS_PATTERN}.`);
  if (!value.endsWith('%')) return Number(value);
  return Math.floor((Number(value.slice(0, -1)) * targetCount) / 100);
}
