// @ts-check
/**
 * Builds the native process starter (spawner.c) with node-gyp at install time, where it can: on Linux, with a C
 * compiler and Node's headers (those installed beside this Node, else node-gyp's download). It never fails the
 * install: without it, the spawner helper uses Node's own spawn (src/engine/run-command/plugins/spawner-helper.cjs).
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const say = (/** @type {string} */ line) => process.stderr.write(`shellstep: ${line}\n`);

/** The SHA-256 of spawner.c, hex (the spawner helper computes the same to check the build is current). */
function sourceHash() {
  return require('node:crypto').createHash('sha256').update(fs.readFileSync(path.join(__dirname, 'spawner.c'))).digest('hex');
}

function nodeGyp() {
  const candidates = [
    process.env['npm_config_node_gyp'],
    // npm's own copy, beside the npm that came with this Node.
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((file) => file !== undefined && file !== '' && fs.existsSync(file));
}

function main() {
  if (process.platform !== 'linux') return say('native process starter not built (Linux only); the JS starter is used.');
  if (process.env['SHELLSTEP_SPAWNER'] === 'js') return say('native process starter not built (SHELLSTEP_SPAWNER=js).');
  const gyp = nodeGyp();
  if (gyp === undefined) return say('native process starter not built (node-gyp not found); the JS starter is used.');
  // Headers installed beside this Node (/usr/include/node for /usr/bin/node) spare node-gyp a download.
  const prefix = path.join(path.dirname(process.execPath), '..');
  const nodedir = fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
  const run = spawnSync(process.execPath, [gyp, 'rebuild', ...nodedir], { cwd: __dirname, encoding: 'utf8', timeout: 180_000 });
  if (run.status === 0) {
    // The source the build came from: the spawner helper loads the module only when spawner.c still has this hash, so
    // a clone updated without a rebuild uses the JS starter instead of a module with another interface.
    fs.writeFileSync(path.join(__dirname, 'build', 'Release', 'source.sha256'), sourceHash());
    return say('native process starter built (posix_spawn).');
  }
  const reason = `${run.stderr ?? ''}${run.error?.message ?? ''}`.trim().split('\n').slice(-3).join(' / ');
  say(`native process starter not built (${reason || `node-gyp exited ${run.status}`}); the JS starter is used.`);
}

try {
  main();
} catch (error) {
  say(`native process starter not built (${/** @type {Error} */ (error).message}); the JS starter is used.`);
}
