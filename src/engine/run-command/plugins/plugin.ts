/** The contract between the Run Command service and a document's plugin (the agent side). */
import type { Clock } from '../../clock.js';
import type { StopSignal } from '../../stop-signal.js';
import type { LocalInstance } from '../../instances/local-instance.js';
import type { CommandPluginStatus, InvocationStatusDetails } from '../../../model/ssm.js';

export interface PluginRunInput {
  readonly instance: LocalInstance;
  readonly commandId: string;
  readonly region: string;
  /** The command document's parameters after defaults, as the agent receives them. */
  readonly parameters: Readonly<Record<string, string | readonly string[]>>;
  /** `<agent dir>/orchestration/<commandId>/<plugin>` for this invocation (script and downloads live here). */
  readonly orchestrationDir: string;
  readonly clock: Clock;
  /** Stops when CancelCommand reaches the agent: it kills the process tree. */
  readonly cancel: StopSignal;
}


export interface PluginResult {
  readonly status: CommandPluginStatus;
  readonly statusDetails: InvocationStatusDetails;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly startedAt: number;
  readonly endedAt: number;
}

export interface Plugin {
  /** Plugin name as `CommandPlugin.Name` shows it, e.g. `aws:runShellScript`. */
  readonly name: string;
  run(input: PluginRunInput): Promise<PluginResult>;
}
