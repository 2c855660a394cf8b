/**
 * Reads the shell blocks of the docs and their doc-test markers, and splits shell text into commands and words: the
 * parsing half of test/docs/shell-blocks.test.ts. A shell block (```sh, bash, shell) is preceded by one marker line:
 *
 *   <!-- doc-test: run expect="a line of its output" [exit=N] [timeout=S] -->   run offline, as written
 *   <!-- doc-test: run background expect="ready line" -->   started, kept running for the file's later blocks
 *   <!-- doc-test: aws -->     needs an AWS account: not run; each command's flags are checked against its help
 *   <!-- doc-test: setup -->   installs or tests this repository itself: not run (npm test runs this test; the
 *                               tarball install is measured by bench/parts/install.ts); its npm commands are checked
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Mode = 'run' | 'aws' | 'setup';

export interface DocBlock {
  /** `README.md:25` (the fence's line). */
  readonly where: string;
  readonly file: string;
  readonly text: string;
  readonly mode: Mode | undefined;
  readonly expect?: string;
  readonly exit: number;
  readonly background: boolean;
  readonly timeoutSeconds: number;
  /** Why the marker could not be read, when it could not. */
  readonly problem?: string;
}

const SHELL = new Set(['sh', 'bash', 'shell', 'zsh']);

/** README.md and every docs/*.md (not docs/reference/: AWS material kept for reference). */
export function docFiles(root: string): string[] {
  return ['README.md', ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`)];
}

function parseMarker(line: string): { mode?: Mode; attributes: Record<string, string>; problem?: string } {
  const m = /^\s*<!--\s*doc-test:\s*(.*?)\s*-->\s*$/.exec(line);
  if (m === null) return { attributes: {}, problem: 'no <!-- doc-test: run|aws|setup … --> marker on the line before the block' };
  const words = [...m[1]!.matchAll(/([a-z]+)(?:=(?:"([^"]*)"|'([^']*)'|(\S+)))?/g)];
  const [first, ...rest] = words;
  const mode = first?.[1];
  if (mode !== 'run' && mode !== 'aws' && mode !== 'setup') return { attributes: {}, problem: `unknown doc-test mode '${mode ?? ''}'` };
  const attributes: Record<string, string> = {};
  for (const w of rest) attributes[w[1]!] = w[2] ?? w[3] ?? w[4] ?? 'true';
  return { mode, attributes };
}

export function docBlocks(root: string, file: string): DocBlock[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\S*)/.exec(lines[i]!);
    if (open === null) continue;
    const indent = open[1]!.length;
    let end = i + 1;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end]!)) end++;
    if (SHELL.has(open[2]!)) {
      const marker = parseMarker(lines[i - 1] ?? '');
      const text = lines
        .slice(i + 1, end)
        .map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length)))
        .join('\n');
      const a = marker.attributes;
      const problem =
        marker.problem ?? (marker.mode === 'run' && a['expect'] === undefined ? 'a run block needs expect="…" (a line of its output)' : undefined);
      blocks.push({
        where: `${file}:${i + 1}`,
        file,
        text,
        mode: marker.mode,
        ...(a['expect'] === undefined ? {} : { expect: a['expect'] }),
        exit: Number(a['exit'] ?? 0),
        background: a['background'] === 'true',
        timeoutSeconds: Number(a['timeout'] ?? 120),
        ...(problem === undefined ? {} : { problem }),
      });
    }
    i = end;
  }
  return blocks;
}

/**
 * The commands of a shell text as word lists: comments dropped, backslash-newlines joined, split at `&&`, `||`,
 * `;`, `|` and `&` outside quotes; quotes removed from the words. `$(…)` is kept as one word.
 */
export function commands(text: string): string[][] {
  const joined = text.replace(/\\\n/g, ' ');
  const out: string[][] = [];
  for (const line of joined.split('\n')) {
    let words: string[] = [];
    let word = '';
    let inWord = false;
    const endWord = () => {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    };
    const endCommand = () => {
      endWord();
      if (words.length > 0) out.push(words);
      words = [];
    };
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (c === "'" || c === '"') {
        const close = line.indexOf(c, i + 1);
        word += line.slice(i + 1, close === -1 ? line.length : close);
        inWord = true;
        i = close === -1 ? line.length : close;
      } else if (c === '$' && line[i + 1] === '(') {
        let depth = 0;
        let j = i + 1;
        for (; j < line.length; j++) {
          if (line[j] === '(') depth++;
          if (line[j] === ')' && --depth === 0) break;
        }
        word += line.slice(i, j + 1);
        inWord = true;
        i = j;
      } else if (c === '#' && !inWord) {
        break;
      } else if (/\s/.test(c)) {
        endWord();
      } else if (c === ';' || c === '|' || c === '&') {
        endCommand();
        if (line[i + 1] === c) i++;
      } else {
        word += c;
        inWord = true;
      }
    }
    endCommand();
  }
  return out;
}

/** The shellstep command and its words, for `npx shellstep …`, `shellstep …` and `node dist/cli/main.js …`. */
export function shellstepCommand(words: readonly string[]): { command: string; args: string[] } | undefined {
  const rest = words.filter((w) => !/^[A-Z_][A-Z0-9_]*=/.test(w));
  let args: string[] | undefined;
  if (rest[0] === 'npx' && rest[1] === 'shellstep') args = rest.slice(2);
  else if (rest[0] === 'shellstep') args = rest.slice(1);
  else if (rest[0] === 'node' && rest[1] === 'dist/cli/main.js') args = rest.slice(2);
  if (args === undefined || args.length === 0) return undefined;
  return { command: args[0]!, args: args.slice(1) };
}

/** The `--flag`s of a command line, before a lone `--` (after it come the command's own words). */
export function flagsOf(args: readonly string[]): string[] {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).filter((a) => /^--?[a-zA-Z]/.test(a)).map((a) => a.replace(/=.*$/, ''));
}
