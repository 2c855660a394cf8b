/**
 * `aws:runShellScript`, the plugin of `AWS-RunShellScript`: `_script.sh` run as `sh -c <script>`
 * (amazon-ssm-agent `agent/plugins/runscript/runshellscript.go`, aws-semantics §6.1).
 */
import type { Plugin } from './plugin.js';
import { runScript } from './run-script.js';

export const runShellScriptPlugin: Plugin = {
  name: 'aws:runShellScript',
  run: (input) => runScript(input, { scriptName: '_script.sh', command: 'sh', args: (script) => ['-c', script] }),
};
