/**
 * JSON syntax errors worded as AWS's parser (Jackson) words them, for the messages Step Functions returns on text that
 * is not JSON: "Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or
 * 'false')", "Unexpected character (''' (code 39)): was expecting double-quote to start field name" (StartExecution
 * input, recorded), and with its location "at [Source: (String)"not a definition"; line: 1, column: 4]"
 * (ValidateStateMachineDefinition, recorded). Only called once `JSON.parse` has refused the text; one pass, an explicit
 * stack, so hostile input costs linear time.
 */

export interface JsonSyntaxError {
  /** Jackson's message, without the location. */
  readonly message: string;
  /** 1-based, as Jackson counts them: the position after the character or token it stopped at. */
  readonly line: number;
  readonly column: number;
}

const VALUE_LIST = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";
/** Jackson shows at most this many characters of the source in a location. */
const MAX_SNIPPET = 500;

/** "[Source: (String)"..."; line: 1, column: 4]", Jackson 2.x's location of an error in a string source. */
export function jsonErrorLocation(text: string, error: JsonSyntaxError): string {
  const snippet = text.length > MAX_SNIPPET ? `"${text.slice(0, MAX_SNIPPET)}"[truncated ${text.length - MAX_SNIPPET} chars]` : `"${text}"`;
  return `[Source: (String)${snippet}; line: ${error.line}, column: ${error.column}]`;
}

/** Jackson's description of a character in messages: `'x' (code 120)`, `(CTRL-CHAR, code 10)`. */
function charDescription(ch: string): string {
  const code = ch.codePointAt(0)!;
  if (code < 32 || (code >= 127 && code < 160)) return `(CTRL-CHAR, code ${code})`;
  if (code > 255) return `'${ch}' (code ${code} / 0x${code.toString(16)})`;
  return `'${ch}' (code ${code})`;
}

type Container = 'OBJECT' | 'ARRAY';

interface Open {
  readonly kind: Container;
  readonly line: number;
  readonly column: number;
}

/** Finds the first syntax error of `text` as Jackson reports it, or undefined when it parses. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const stack: Open[] = [];
  const at = (message: string, position = i): JsonSyntaxError => ({ message, line, column: position - lineStart + 1 });

  const skipSpace = (): void => {
    while (i < text.length) {
      const c = text[i]!;
      if (c === '\n') {
        line++;
        lineStart = i + 1;
      } else if (c !== ' ' && c !== '\t' && c !== '\r') {
        return;
      }
      i++;
    }
  };

  const eofIn = (): JsonSyntaxError => {
    const open = stack.at(-1);
    if (open === undefined) return at('No content to map due to end-of-input');
    return at(`Unexpected end-of-input: expected close marker for ${open.kind} (start marker at ${jsonErrorLocation(text, { message: '', line: open.line, column: open.column })})`);
  };

  /** A string starting at the quote at `i`; leaves `i` after the closing quote. */
  const readString = (): JsonSyntaxError | undefined => {
    i++;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') {
        i++;
        return undefined;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e === undefined) {
          i = text.length;
          return at('Unexpected end-of-input in character escape sequence');
        }
        if (e === 'u') {
          const hex = text.slice(i + 2, i + 6);
          const bad = /[^0-9a-fA-F]/.exec(hex);
          if (bad !== null || hex.length < 4) {
            if (hex.length < 4 && bad === null) {
              i = text.length;
              return at('Unexpected end-of-input in character escape sequence');
            }
            i = i + 2 + bad!.index + 1;
            return at(`Unexpected character (${charDescription(hex[bad!.index]!)}): expected a hex-digit for character escape sequence`);
          }
          i += 6;
          continue;
        }
        if (!'"\\/bfnrt'.includes(e)) {
          i += 2;
          return at(`Unrecognized character escape ${charDescription(e)}`);
        }
        i += 2;
        continue;
      }
      if (c.charCodeAt(0) < 32) {
        i++;
        return at(`Illegal unquoted character (${charDescription(c)}): has to be escaped using backslash to be included in string value`);
      }
      i++;
    }
    return at('Unexpected end-of-input: was expecting closing quote for a string value');
  };

  /** A scalar or the opening of a container at `i`. Returns an error, or 'open' when a container was pushed. */
  const readValue = (): JsonSyntaxError | 'open' | undefined => {
    skipSpace();
    if (i >= text.length) return eofIn();
    const c = text[i]!;
    if (c === '{' || c === '[') {
      stack.push({ kind: c === '{' ? 'OBJECT' : 'ARRAY', line, column: i - lineStart + 1 });
      i++;
      return 'open';
    }
    if (c === '"') return readString();
    if (c === '-' || (c >= '0' && c <= '9')) return readNumber();
    if (c === ']' || c === '}' || c === ',') {
      i++;
      return at(`Unexpected character (${charDescription(c)}): expected a value`);
    }
    if (/[\p{L}_$]/u.test(c)) {
      // Jackson reads the whole run of identifier characters and names it.
      const match = /^[\p{L}\p{N}_$]{1,256}/u.exec(text.slice(i, i + 256))!;
      const word = match[0];
      i += word.length;
      if (word === 'true' || word === 'false' || word === 'null') return undefined;
      return at(`Unrecognized token '${word}': was expecting ${VALUE_LIST}`);
    }
    i++;
    return at(`Unexpected character (${charDescription(c)}): expected a valid value ${VALUE_LIST}`);
  };

  const readNumber = (): JsonSyntaxError | undefined => {
    const start = i;
    if (text[i] === '-') i++;
    if (text[i] === '0' && /[0-9]/.test(text[i + 1] ?? '')) {
      i += 2;
      return at('Invalid numeric value: Leading zeroes not allowed');
    }
    if (!/[0-9]/.test(text[i] ?? '')) {
      const next = text[i];
      if (next === undefined) return at("Unexpected end-of-input in a Number value");
      i++;
      return at(`Unexpected character (${charDescription(next)}) in numeric value: expected digit (0-9) to follow minus sign, for valid numeric value`);
    }
    while (/[0-9]/.test(text[i] ?? '')) i++;
    if (text[i] === '.') {
      i++;
      const error = digits('Decimal point not followed by a digit');
      if (error !== undefined) return error;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      const error = digits('Exponent indicator not followed by a digit');
      if (error !== undefined) return error;
    }
    return i > start ? undefined : at('Invalid numeric value');
  };

  /** At least one digit at `i` (after a decimal point or exponent), or Jackson's error naming what it followed. */
  const digits = (problem: string): JsonSyntaxError | undefined => {
    if (!/[0-9]/.test(text[i] ?? '')) {
      const next = text[i];
      if (next === undefined) return at('Unexpected end-of-input in a Number value');
      i++;
      return at(`Unexpected character (${charDescription(next)}) in numeric value: ${problem}`);
    }
    while (/[0-9]/.test(text[i] ?? '')) i++;
    return undefined;
  };

  // Tokens in sequence: a value; inside an object `"name" : value` pairs; inside an array values, separated by commas.
  let expectValue = true;
  for (;;) {
    if (expectValue) {
      const result = readValue();
      if (result !== undefined && result !== 'open') return result;
      expectValue = false;
      if (result === 'open') {
        skipSpace();
        const top = stack.at(-1)!;
        const close = top.kind === 'OBJECT' ? '}' : ']';
        if (text[i] === close) {
          i++;
          stack.pop();
        } else if (top.kind === 'OBJECT') {
          const error = readFieldName();
          if (error !== undefined) return error;
          expectValue = true;
          continue;
        } else {
          expectValue = true;
          continue;
        }
      }
    }
    // After a value.
    const top = stack.at(-1);
    skipSpace();
    if (top === undefined) {
      if (i >= text.length) return undefined;
      const c = text[i]!;
      i++;
      // UNCONFIRMED: content after the root value (docs/fidelity.md).
      return at(`Unexpected character (${charDescription(c)}): expected end-of-input after the JSON value`);
    }
    if (i >= text.length) return eofIn();
    const c = text[i]!;
    i++;
    const close = top.kind === 'OBJECT' ? '}' : ']';
    if (c === close) {
      stack.pop();
      continue;
    }
    if (c === ',') {
      if (top.kind === 'OBJECT') {
        skipSpace();
        const error = readFieldName();
        if (error !== undefined) return error;
      }
      expectValue = true;
      continue;
    }
    return at(
      top.kind === 'OBJECT'
        ? `Unexpected character (${charDescription(c)}): was expecting comma to separate Object entries`
        : `Unexpected character (${charDescription(c)}): was expecting comma to separate Array entries`,
    );
  }

  /** `"name" :` at `i` (after whitespace); leaves `i` after the colon. */
  function readFieldName(): JsonSyntaxError | undefined {
    skipSpace();
    if (i >= text.length) return eofIn();
    const c = text[i]!;
    if (c !== '"') {
      i++;
      return at(`Unexpected character (${charDescription(c)}): was expecting double-quote to start field name`);
    }
    const error = readString();
    if (error !== undefined) return error;
    skipSpace();
    if (i >= text.length) return eofIn();
    const colon = text[i]!;
    i++;
    if (colon !== ':') return at(`Unexpected character (${charDescription(colon)}): was expecting a colon to separate field name and value`);
    return undefined;
  }
}
