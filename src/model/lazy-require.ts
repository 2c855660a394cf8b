/**
 * CommonJS packages (jsonata, yaml, asl-path-validator, …) loaded with `require` on first use. Imported from ESM,
 * Node first scans a CommonJS file for its named exports (cjs-module-lexer): jsonata's 300 KB cost `serve`'s start
 * ~60 ms that way against ~10 ms through `require`; and a start that evaluates no JSONata and reads no YAML pays for
 * neither. A package loaded here is the same instance an ESM `import` of it would get (Node's CommonJS cache).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A getter for `specifier`'s exports, which `require`s it the first time it is called. */
export function lazyRequire<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(specifier) as T);
}
