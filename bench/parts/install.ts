/**
 * What installing shellstep costs a user: the package is packed (`npm pack`, as a release would be) and installed
 * from the tarball into an empty project with a default `npm install` (which leaves out the optional peer
 * dependencies: aws-cdk-lib and constructs for shellstep/cdk, the AWS SDK v3 clients for the commands that talk to
 * an endpoint). It reports the installed size (the bytes of every file under node_modules, so that the file system's
 * block size does not count), the number of packages npm installed, and the tarball's size. The goals (≤ 40 MB,
 * ≤ 40 packages) are issue 14's. npm fetches what its cache lacks from the registry.
 */
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePart } from '../part.js';

const root = new URL('../../', import.meta.url).pathname;

/** Bytes of every file under `dir` (symbolic links counted as links, not followed). */
function bytesUnder(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += bytesUnder(path);
    else total += lstatSync(path).size;
  }
  return total;
}

const work = mkdtempSync(join(tmpdir(), 'shellstep-install-bench-'));
try {
  const npm = (args: string[], cwd: string) => execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', work], root)) as Array<{ filename: string; size: number; unpackedSize: number; entryCount: number }>;
  const tarball = join(work, packed[0]!.filename);
  const project = join(work, 'project');
  execFileSync('mkdir', [project]);
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'install-bench', private: true }, null, 2)}\n`);
  npm(['install', '--prefer-offline', tarball], project);
  const modules = join(project, 'node_modules');
  const lock = JSON.parse(readFileSync(join(modules, '.package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
  const packages = Object.keys(lock.packages).filter((key) => key !== '');
  const sizeMB = Math.round(bytesUnder(modules) / 1e5) / 10;
  // The largest installed packages, for the notes: what to look at when the size grows.
  const top = packages
    .filter((p) => statSync(join(project, p)).isDirectory())
    .map((p) => ({ name: p.replace(/^.*node_modules\//, ''), mb: bytesUnder(join(project, p)) / 1e6 }))
    .sort((a, b) => b.mb - a.mb)
    .slice(0, 5);
  writePart('install', {
    title: 'Installed from the tarball (default npm install, optional peers left out)',
    values: {
      installSizeMB: sizeMB,
      installPackageCount: packages.length,
      tarballSizeKB: Math.round(packed[0]!.size / 1000),
    },
    rows: [
      { label: 'Installed size, MB (files under node_modules, shellstep included)', key: 'installSizeMB', goal: '≤ 40' },
      { label: 'Packages installed (shellstep included)', key: 'installPackageCount', goal: '≤ 40' },
      { label: 'Tarball (`npm pack`), KB', key: 'tarballSizeKB', goal: '' },
    ],
    notes: [`Largest: ${top.map((t) => `${t.name} ${t.mb.toFixed(1)} MB`).join(', ')}.`],
  });
  process.stderr.write(`installed: ${sizeMB} MB, ${packages.length} packages\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
