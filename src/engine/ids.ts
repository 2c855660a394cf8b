/** Injected id generation, so tests can predict ids and the engine can mint AWS-shaped ones. */
import { randomBytes, randomFillSync } from 'node:crypto';

export interface IdGenerator {
  /** A UUID v4, the shape of CommandId and AutomationExecutionId. */
  uuid(): string;
  /** `n` random lowercase hex characters. */
  hex(n: number): string;
}

/** Random bytes for this many UUIDs are drawn at once, as Node's randomUUID() does. */
const UUIDS_PER_FILL = 128;
const uuidBytes = Buffer.alloc(16 * UUIDS_PER_FILL);
let uuidsLeft = 0;
const uuidText = Buffer.alloc(36);
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

/**
 * A random UUID v4 (RFC 9562), written into a buffer and read out as one flat string: ids live as long as their
 * records, and Node's randomUUID() returns a rope of about twenty pieces (about 490 bytes against 56 flat), which then
 * had to be copied flat (see flat-string.ts).
 */
function randomUuid(): string {
  if (uuidsLeft === 0) {
    randomFillSync(uuidBytes);
    uuidsLeft = UUIDS_PER_FILL;
  }
  const start = 16 * --uuidsLeft;
  let at = 0;
  for (let i = 0; i < 16; i++) {
    let byte = uuidBytes[start + i]!;
    if (i === 6) byte = (byte & 0x0f) | 0x40; // version 4
    else if (i === 8) byte = (byte & 0x3f) | 0x80; // variant 10
    if (i === 4 || i === 6 || i === 8 || i === 10) uuidText[at++] = 0x2d; // '-'
    uuidText[at++] = HEX_DIGITS[byte >> 4]!;
    uuidText[at++] = HEX_DIGITS[byte & 0x0f]!;
  }
  return uuidText.toString('latin1');
}

export const randomIds: IdGenerator = {
  uuid: randomUuid,
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
