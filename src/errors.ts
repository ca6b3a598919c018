/** Exit codes are part of the CLI contract: CI jobs branch on them. */
export const ExitCode = {
  passed: 0,
  criteriaFailed: 1,
  invalidInput: 2,
  infrastructure: 3,
  /** `faultline compare --baseline`: some figure regressed against the baseline. */
  regressed: 4,
  interrupted: 130,
} as const;

/** Bad scenario or bad command-line usage: exit 2, printed without a stack trace. */
export class InvalidInputError extends Error {
  readonly exitCode = ExitCode.invalidInput;
  constructor(
    message: string,
    readonly problems: string[] = [message],
  ) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

/** Something outside the scenario failed: a broker would not start, java is missing, ... Exit 3. */
export class InfrastructureError extends Error {
  readonly exitCode = ExitCode.infrastructure;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InfrastructureError';
  }
}

/** The run was interrupted (Ctrl-C, SIGTERM). Exit 130. */
export class InterruptedError extends Error {
  readonly exitCode = ExitCode.interrupted;
  constructor(readonly signal: string) {
    super(`interrupted by ${signal}`);
    this.name = 'InterruptedError';
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
