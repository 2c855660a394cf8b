/**
 * Builds the web console (src/console/) into dist/console/ at development time: one page, its script and styles with
 * hashed names, and relative URLs so that it works under `/_shellstep/console/`. Nothing is fetched at run time.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('./src/console/', import.meta.url));

export default defineConfig({
  root,
  base: './',
  logLevel: 'warn',
  publicDir: false,
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: fileURLToPath(new URL('./dist/console/', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // One chunk: the page needs all of it at once.
    modulePreload: false,
    reportCompressedSize: false,
  },
});
