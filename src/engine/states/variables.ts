/**
 * Workflow variables (`Assign`): one scope per workflow (the machine, a Parallel branch, a Map iteration).
 * Inner scopes read outer variables but never write them; a Distributed Map's child workflow sees none
 * (https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html, "Variable scope").
 */
import type { JsonValue } from '../../model/json.js';

export class Variables {
  #values: Map<string, JsonValue> | undefined;
  #flat: Record<string, JsonValue> | undefined;

  constructor(private readonly parent?: Variables) {}

  get(name: string): JsonValue | undefined {
    const own = this.#values?.get(name);
    if (own !== undefined) return own;
    return this.parent?.get(name);
  }

  /** Sets all assignments of one state at once (they were all evaluated against the previous values). */
  assign(values: Readonly<Record<string, JsonValue>>): void {
    this.#values ??= new Map();
    for (const [name, value] of Object.entries(values)) this.#values.set(name, value);
    this.#flat = undefined;
  }

  /** All visible variables as one object (outer first, inner wins), for JSONata bindings. */
  all(): Readonly<Record<string, JsonValue>> {
    if (this.#flat !== undefined && this.parent === undefined) return this.#flat;
    const flat: Record<string, JsonValue> = this.parent === undefined ? {} : { ...this.parent.all() };
    if (this.#values !== undefined) for (const [name, value] of this.#values) flat[name] = value;
    this.#flat = flat;
    return flat;
  }
}
