/** The contract between the Run Command service and a document's plugin (the agent side). */
import type { Clock } from '../../clock.js';
import type { StopSignal } from '../../stop-signal.js';
import type { LocalInstance } from '../../instances/local-instance.js';
import type { JsonValue } from '../../../model/json.js';
import type { WatchOutput } from './process-spawner.js';
import type { CommandPluginStatus, InvocationStatusDetails } from '../../../model/ssm.js';

export interface PluginRunInput {
  readonly instance: LocalInstance;
  readonly commandId: string;
  readonly region: string;
  /** The step's inputs (one property set), with the document's parameters replaced, as the agent hands them over. */
  readonly inputs: Readonly<Record<string, JsonValue>>;
  /** `<agent dir>/orchestration/<commandId>/<step>` for this invocation (script and downloads live here). */
  readonly orchestrationDir: string;
  readonly clock: Clock;
  /** Stops when CancelCommand reaches the agent: it kills the process tree. */
  readonly cancel: StopSignal;
  /** Told the output watch of the process the plugin runs, while it runs (undefined once it ends). */
  readonly onProcess?: (watch: WatchOutput | undefined) => void;
}


export interface PluginResult {
  readonly status: CommandPluginStatus;
  readonly statusDetails: InvocationStatusDetails;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly startedAt: number;
  readonly endedAt: number;
  /** What the agent reports as the plugin's output instead of its stdout and stderr (an error or a skip message). */
  readonly output?: string;
}

export interface Plugin {
  /** Plugin name as `CommandPlugin.Name` shows it, e.g. `aws:runShellScript`. */
  readonly name: string;
  run(input: PluginRunInput): Promise<PluginResult>;
}
