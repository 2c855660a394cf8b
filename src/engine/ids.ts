/** Injected id generation, so tests can predict ids and the engine can mint AWS-shaped ones. */
import { randomBytes, randomUUID } from 'node:crypto';
import { flatString } from './flat-string.js';

export interface IdGenerator {
  /** A UUID v4, the shape of CommandId and AutomationExecutionId. */
  uuid(): string;
  /** `n` random lowercase hex characters. */
  hex(n: number): string;
}

export const randomIds: IdGenerator = {
  // Flat: ids live as long as their records (see flat-string.ts).
  uuid: () => flatString(randomUUID()),
  hex: (n) => randomBytes(Math.ceil(n / 2)).toString('hex').slice(0, n),
};

/** Deterministic ids for tests: `00000000-0000-4000-8000-000000000001`, … */
export function sequentialIds(): IdGenerator {
  let n = 0;
  return {
    uuid: () => {
      n++;
      return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
    },
    hex: (len) => {
      n++;
      return n.toString(16).padStart(len, '0').slice(-len);
    },
  };
}
