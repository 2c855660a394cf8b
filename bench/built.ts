/**
 * Loads a module of the built package (dist/, which `npm run bench` builds first) instead of its TypeScript source,
 * so the benchmarks measure the code users run: the tsx loader compiles with esbuild's keepNames, which renames every
 * closure through Object.defineProperty and so puts each one in V8's slow dictionary mode (≈256 bytes more apiece).
 */
export async function built<T>(path: string): Promise<T> {
  return (await import(new URL(`../dist/${path}.js`, import.meta.url).href)) as T;
}
