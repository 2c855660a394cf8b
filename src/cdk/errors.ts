/**
 * The error every `shellstep/cdk` construct throws when its props cannot work, at synth time rather than when
 * the state machine first runs. The message says what is wrong and what to write instead.
 */
import type { IConstruct } from 'constructs';

const BRAND = Symbol.for('shellstep/cdk.ShellStepValidationError');

export class ShellStepValidationError extends Error {
  override readonly name = 'ShellStepValidationError';
  /** The path of the construct whose props were rejected, e.g. `Stack/RunShellCommand`. */
  readonly constructPath: string | undefined;

  constructor(message: string, scope?: IConstruct) {
    super(message);
    this.constructPath = scope?.node.path;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** True for a {@link ShellStepValidationError}, also across copies of this package (brand, not `instanceof`). */
export function isShellStepValidationError(value: unknown): value is ShellStepValidationError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
