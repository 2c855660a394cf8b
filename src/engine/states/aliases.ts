/**
 * State machine aliases: a name for one or two versions of a state machine, with the share of executions each gets
 * (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-state-machine-alias.html). The routing checks and
 * their messages are AWS's (recorded in its aliasing suite); the list and weight limits come from the API model.
 */
import { expectArn } from './arns.js';
import { validationMessage } from './api-errors.js';

export interface RoutingEntry {
  readonly stateMachineVersionArn: string;
  readonly weight: number;
}

export interface AliasRecord {
  readonly arn: string;
  readonly name: string;
  description: string | undefined;
  routing: readonly RoutingEntry[];
  /** Epoch ms. */
  readonly creationDate: number;
  /** Epoch ms: "For a newly created state machine, this is the same as the creation date" (API reference). */
  updateDate: number;
}

/** At most this many aliases per state machine ("You can create up to 100 aliases for each state machine"). */
export const MAX_ALIASES = 100;

/**
 * Checks a routing configuration and returns the machine its versions belong to. Every entry must name a version
 * ("Routing configuration must contain state machine version ARNs. Received: [...]"), each version once ("...must
 * contain distinct state machine version ARNs..."), of one state machine, and the weights must add up to 100
 * ("Sum of routing configuration weights must equal 100. Received: [70, 29]").
 */
export function checkRouting(routing: readonly RoutingEntry[]): { machine: string; versions: number[] } {
  const arns = routing.map((r) => r.stateMachineVersionArn);
  const received = `[${arns.join(', ')}]`;
  const parsed = arns.map((arn) => {
    try {
      return expectArn(arn, ['version']);
    } catch {
      return undefined;
    }
  });
  if (parsed.some((p) => p === undefined)) throw validationMessage(`Routing configuration must contain state machine version ARNs. Received: ${received}`);
  if (new Set(arns).size !== arns.length) throw validationMessage(`Routing configuration must contain distinct state machine version ARNs. Received: ${received}`);
  const machines = new Set(parsed.map((p) => p!.machine));
  // "If you specify the ARN of a second version, it must belong to the same state machine as the first version."
  // (API reference; UNCONFIRMED wording, docs/fidelity.md).
  if (machines.size !== 1) throw validationMessage(`Routing configuration must contain state machine version ARNs of the same state machine. Received: ${received}`);
  const sum = routing.reduce((total, r) => total + r.weight, 0);
  if (sum !== 100) throw validationMessage(`Sum of routing configuration weights must equal 100. Received: [${routing.map((r) => r.weight).join(', ')}]`);
  return { machine: parsed[0]!.machine, versions: parsed.map((p) => p!.version) };
}

/** "Step Functions randomly chooses which version runs a given execution based on the percentage you specify." */
export function pickVersion(routing: readonly RoutingEntry[], random: () => number): string {
  let roll = random() * 100;
  for (const entry of routing) {
    if (roll < entry.weight) return entry.stateMachineVersionArn;
    roll -= entry.weight;
  }
  return routing.filter((r) => r.weight > 0).at(-1)?.stateMachineVersionArn ?? routing[0]!.stateMachineVersionArn;
}

/** Whether two routing configurations are the same, in any order (for idempotent creates). */
export function sameRouting(a: readonly RoutingEntry[], b: readonly RoutingEntry[]): boolean {
  const key = (r: readonly RoutingEntry[]): string =>
    r
      .map((e) => `${e.stateMachineVersionArn}=${e.weight}`)
      .sort()
      .join('|');
  return key(a) === key(b);
}
