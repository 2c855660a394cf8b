/**
 * IAM policy evaluation for the local engine: identity policies (inline and attached) of the role a caller
 * assumed, optionally bounded by a permissions boundary, following AWS's evaluation logic
 * (IAM User Guide, "Policy evaluation logic"): an explicit Deny wins, then an Allow is needed in the
 * identity policies and, when set, in the boundary; otherwise the request is implicitly denied.
 *
 * Written here because the only npm IAM simulator (@cloud-copilot/iam-simulate) is AGPL-licensed. It covers
 * what CloudFormation-defined roles use: Action/NotAction, Resource/NotResource with wildcards, and the
 * condition operators listed in OPERATORS (with IfExists and ForAnyValue/ForAllValues). A policy that uses
 * anything else is rejected with an error naming it, never silently allowed or denied.
 */
import { isJsonObject, type JsonObject, type JsonValue } from '../../model/json.js';
import { BoundedCache } from '../bounded-cache.js';

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: JsonValue;
}

export interface AuthorizationRequest {
  /** e.g. `ssm:SendCommand`. */
  readonly action: string;
  /** The resource ARNs the request touches; every one must be allowed. */
  readonly resources: readonly string[];
  /** Condition keys, e.g. `{ 'iam:PassedToService': 'ssm.amazonaws.com' }`. */
  readonly context?: Readonly<Record<string, string | readonly string[] | boolean>>;
}

export interface Evaluation {
  readonly decision: Decision;
  /** The resource that was denied, when one was. */
  readonly deniedResource?: string;
}

/** A policy uses an element or operator this evaluator does not implement. */
export class UnsupportedPolicyError extends Error {
  override readonly name = 'UnsupportedPolicyError';
}

function list(value: JsonValue | undefined): JsonValue[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function strings(value: JsonValue | undefined, element: string): string[] {
  return list(value).map((v) => {
    if (typeof v !== 'string') throw new UnsupportedPolicyError(`${element} values must be strings after template resolution, got ${JSON.stringify(v)}.`);
    return v;
  });
}

/** IAM wildcards: `*` any run of characters, `?` one character. */
function wildcardSource(pattern: string): string {
  return `^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`;
}

/**
 * Compiled wildcards, one cache per case rule: every API call evaluates the same few role patterns again.
 * Bounded, since policies are user input.
 */
export const MAX_CACHED_WILDCARDS = 1000;
const caseSensitiveWildcards = new BoundedCache(MAX_CACHED_WILDCARDS, (pattern: string) => new RegExp(wildcardSource(pattern), 's'));
const caseInsensitiveWildcards = new BoundedCache(MAX_CACHED_WILDCARDS, (pattern: string) => new RegExp(wildcardSource(pattern), 'is'));

/** The number of compiled wildcards cached (for tests). */
export function cachedWildcardCount(): number {
  return caseSensitiveWildcards.size + caseInsensitiveWildcards.size;
}

function wildcard(pattern: string, value: string, ignoreCase: boolean): boolean {
  return (ignoreCase ? caseInsensitiveWildcards : caseSensitiveWildcards).get(pattern).test(value);
}

/** Actions are case-insensitive (`ssm:sendcommand` matches); resources are case-sensitive. */
function actionMatches(patterns: readonly string[], action: string): boolean {
  for (const p of patterns) if (p === '*' || wildcard(p, action, true)) return true;
  return false;
}

function resourceMatches(patterns: readonly string[], resource: string): boolean {
  for (const p of patterns) if (p === '*' || wildcard(p, resource, false)) return true;
  return false;
}

type Comparator = (actual: string, expected: string) => boolean;

// Condition operators (IAM User Guide, "IAM JSON policy elements: Condition operators").
const OPERATORS: Readonly<Record<string, { compare: Comparator; negated: boolean }>> = {
  StringEquals: { compare: (a, e) => a === e, negated: false },
  StringNotEquals: { compare: (a, e) => a === e, negated: true },
  StringEqualsIgnoreCase: { compare: (a, e) => a.toLowerCase() === e.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { compare: (a, e) => a.toLowerCase() === e.toLowerCase(), negated: true },
  StringLike: { compare: (a, e) => wildcard(e, a, false), negated: false },
  StringNotLike: { compare: (a, e) => wildcard(e, a, false), negated: true },
  ArnEquals: { compare: (a, e) => a === e, negated: false },
  ArnNotEquals: { compare: (a, e) => a === e, negated: true },
  ArnLike: { compare: (a, e) => arnLike(a, e), negated: false },
  ArnNotLike: { compare: (a, e) => arnLike(a, e), negated: true },
  Bool: { compare: (a, e) => a.toLowerCase() === e.toLowerCase(), negated: false },
  NumericEquals: { compare: (a, e) => Number(a) === Number(e), negated: false },
  NumericNotEquals: { compare: (a, e) => Number(a) === Number(e), negated: true },
  NumericLessThan: { compare: (a, e) => Number(a) < Number(e), negated: false },
  NumericLessThanEquals: { compare: (a, e) => Number(a) <= Number(e), negated: false },
  NumericGreaterThan: { compare: (a, e) => Number(a) > Number(e), negated: false },
  NumericGreaterThanEquals: { compare: (a, e) => Number(a) >= Number(e), negated: false },
};

/** ArnLike compares the six colon-separated ARN parts, each with wildcards. */
function arnLike(actual: string, pattern: string): boolean {
  const a = actual.split(':');
  const p = pattern.split(':');
  if (p.length < 6 || a.length < 6) return wildcard(pattern, actual, false);
  const head = (parts: string[]) => [...parts.slice(0, 5), parts.slice(5).join(':')];
  const [ah, ph] = [head(a), head(p)];
  return ph.every((part, i) => wildcard(part, ah[i] ?? '', false));
}

const NO_CONTEXT: NonNullable<AuthorizationRequest['context']> = {};

function conditionHolds(condition: JsonValue | undefined, context: AuthorizationRequest['context'] = NO_CONTEXT): boolean {
  if (condition === undefined) return true;
  if (!isJsonObject(condition)) throw new UnsupportedPolicyError('Condition must be an object.');
  for (const [rawOperator, block] of Object.entries(condition)) {
    if (!isJsonObject(block)) throw new UnsupportedPolicyError(`Condition ${rawOperator} must map keys to values.`);
    let operator = rawOperator;
    let setMode: 'ForAnyValue' | 'ForAllValues' | undefined;
    const set = /^(ForAnyValue|ForAllValues):(.+)$/.exec(operator);
    if (set !== null) {
      setMode = set[1] as 'ForAnyValue' | 'ForAllValues';
      operator = set[2]!;
    }
    const ifExists = operator.endsWith('IfExists');
    if (ifExists) operator = operator.slice(0, -'IfExists'.length);
    for (const [key, expectedRaw] of Object.entries(block)) {
      const expected = list(expectedRaw).map(String);
      // Condition keys are case-insensitive.
      const found = Object.entries(context).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
      if (operator === 'Null') {
        const wantsMissing = expected.some((e) => e.toLowerCase() === 'true');
        if ((found === undefined) !== wantsMissing) return false;
        continue;
      }
      const op = OPERATORS[operator];
      if (op === undefined) throw new UnsupportedPolicyError(`Condition operator '${rawOperator}' is not supported by the local IAM evaluator.`);
      if (found === undefined) {
        // A missing key: "...IfExists" and negated operators (StringNotEquals…) hold, ForAllValues holds
        // vacuously, everything else does not (IAM User Guide, condition operators).
        if (ifExists || setMode === 'ForAllValues' || (op.negated && setMode === undefined)) continue;
        return false;
      }
      const actual = (Array.isArray(found) ? found : [found]).map(String);
      const matchesOne = (value: string) => expected.some((e) => op.compare(value, e));
      let holds: boolean;
      if (setMode === 'ForAllValues') holds = actual.every((v) => (op.negated ? !matchesOne(v) : matchesOne(v)));
      else if (setMode === 'ForAnyValue') holds = actual.some((v) => (op.negated ? !matchesOne(v) : matchesOne(v)));
      else holds = op.negated ? !actual.some(matchesOne) : actual.some(matchesOne);
      if (!holds) return false;
    }
  }
  return true;
}

const KNOWN_ELEMENTS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition', 'Principal', 'NotPrincipal']);

/*
 * Policy documents never change once loaded (a stack update loads new ones) and every API call evaluates them, so
 * their checked statements and element values are kept with them. A check that throws keeps nothing and throws
 * again on the next call, as before.
 */
const checkedStatements = new WeakMap<PolicyDocument, readonly JsonObject[]>();
const elementValues = new WeakMap<JsonObject, Map<string, readonly string[]>>();

function statementsOf(policy: PolicyDocument): readonly JsonObject[] {
  const checked = checkedStatements.get(policy);
  if (checked !== undefined) return checked;
  const statements = list(policy.Statement).map((s) => {
    if (!isJsonObject(s)) throw new UnsupportedPolicyError('Each Statement must be an object.');
    for (const key of Object.keys(s)) if (!KNOWN_ELEMENTS.has(key)) throw new UnsupportedPolicyError(`Unknown policy element '${key}'.`);
    return s;
  });
  checkedStatements.set(policy, statements);
  return statements;
}

/** `strings(statement[element])`, kept with the statement. */
function elementStrings(statement: JsonObject, element: string): readonly string[] {
  let values = elementValues.get(statement);
  if (values === undefined) {
    values = new Map();
    elementValues.set(statement, values);
  }
  let value = values.get(element);
  if (value === undefined) {
    value = strings(statement[element], element);
    values.set(element, value);
  }
  return value;
}

/** Whether `statement` applies to one action on one resource. */
function applies(statement: JsonObject, request: AuthorizationRequest, resource: string): boolean {
  const action = statement['Action'] !== undefined
    ? actionMatches(elementStrings(statement, 'Action'), request.action)
    : statement['NotAction'] !== undefined && !actionMatches(elementStrings(statement, 'NotAction'), request.action);
  if (!action) return false;
  const res = statement['Resource'] !== undefined
    ? resourceMatches(elementStrings(statement, 'Resource'), resource)
    : statement['NotResource'] !== undefined && !resourceMatches(elementStrings(statement, 'NotResource'), resource);
  return res && conditionHolds(statement['Condition'], request.context);
}

function decide(policies: readonly PolicyDocument[], request: AuthorizationRequest, resource: string): Decision {
  let allowed = false;
  for (const policy of policies) {
    for (const statement of statementsOf(policy)) {
      if (!applies(statement, request, resource)) continue;
      if (statement['Effect'] === 'Deny') return 'ExplicitDeny';
      if (statement['Effect'] === 'Allow') allowed = true;
      else throw new UnsupportedPolicyError(`Effect must be Allow or Deny, got ${JSON.stringify(statement['Effect'])}.`);
    }
  }
  return allowed ? 'Allow' : 'ImplicitDeny';
}

/**
 * Evaluates a request against a principal's identity policies and optional permissions boundary
 * (same-account request; no resource policies, SCPs or session policies).
 */
export function evaluate(
  request: AuthorizationRequest,
  identityPolicies: readonly PolicyDocument[],
  permissionsBoundary?: PolicyDocument,
): Evaluation {
  const resources = request.resources.length === 0 ? ['*'] : request.resources;
  for (const resource of resources) {
    const identity = decide(identityPolicies, request, resource);
    if (identity !== 'Allow') return { decision: identity, deniedResource: resource };
    if (permissionsBoundary !== undefined) {
      const boundary = decide([permissionsBoundary], request, resource);
      if (boundary !== 'Allow') return { decision: boundary, deniedResource: resource };
    }
  }
  return { decision: 'Allow' };
}

/** Whether a trust policy lets `service` (e.g. `ssm.amazonaws.com`) assume the role, given request context. */
export function trusts(trustPolicy: PolicyDocument, service: string, context: AuthorizationRequest['context'] = {}): boolean {
  let allowed = false;
  for (const statement of statementsOf(trustPolicy)) {
    const principal = statement['Principal'];
    const services = isJsonObject(principal) ? strings(principal['Service'], 'Principal.Service') : [];
    const matchesPrincipal = principal === '*' || services.includes(service);
    if (!matchesPrincipal || !actionMatches(elementStrings(statement, 'Action'), 'sts:AssumeRole')) continue;
    if (!conditionHolds(statement['Condition'], context)) continue;
    if (statement['Effect'] === 'Deny') return false;
    if (statement['Effect'] === 'Allow') allowed = true;
  }
  return allowed;
}
