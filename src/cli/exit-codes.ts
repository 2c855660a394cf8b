/** Exit codes shared by every command (docs/cli.md). */
export const ExitCode = {
  /** The command did what was asked; validation found nothing. */
  Success: 0,
  /** Unusable arguments, issues found by validation, or stale artifacts. */
  Failure: 1,
  /** An execution did not succeed, or input could not be read at all. */
  ExecutionFailed: 2,
} as const;
