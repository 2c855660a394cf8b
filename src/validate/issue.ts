/** One problem found by a validator: where (a JSON path into the input), what kind, and what is wrong. */
export interface ValidationIssue {
  /** JSONPath-style location, e.g. `$.mainSteps[2].onFailure`. */
  readonly path: string;
  /** Stable machine-readable code, e.g. `UnknownStepTarget`. */
  readonly code: string;
  /** What is wrong, in a sentence a user can act on. */
  readonly message: string;
  /** `warning` issues do not fail validation. Default: `error`. */
  readonly severity?: 'error' | 'warning';
}

export function issue(path: string, code: string, message: string, severity?: 'error' | 'warning'): ValidationIssue {
  return severity === undefined ? { path, code, message } : { path, code, message, severity };
}

/** Appends a property or index to a JSONPath-style location. */
export function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}
