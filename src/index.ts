/** shellstep's public library API. Explicit named exports only (style-anchors §3.13). */
export { RealClock, VirtualClock } from './engine/clock.js';
export type { Clock, VirtualClockOptions } from './engine/clock.js';
export { ServiceError, isServiceError } from './errors/service-error.js';
export type { ValidationIssue } from './validate/issue.js';
export type { Runbook, RunbookParameter, RunbookStep } from './model/runbook.js';
export type { JsonValue, JsonObject } from './model/json.js';
