/**
 * ISO-8601 "extended offset date-time" strings as Step Functions accepts them in Wait `Timestamp` and the
 * Choice `Timestamp*` operators: date, `T`, time, optional fraction, and a `Z` or `±hh:mm` offset (RFC 3339).
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html
 */

const PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$/;

/** Epoch milliseconds of a valid timestamp, or `undefined` when the text is not one. */
export function parseTimestamp(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = PATTERN.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) return undefined;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return undefined;
  const fraction = m[7] === undefined ? 0 : Number(`0${m[7]}`) * 1000;
  let ms = Date.UTC(year, month - 1, day, hour, minute, second) + fraction;
  if (m[8] !== 'Z') {
    const sign = m[8]!.startsWith('-') ? -1 : 1;
    ms -= sign * (Number(m[9]) * 60 + Number(m[10])) * 60_000;
  }
  return ms;
}
