/** Exit codes of the `ghcr-ecs` CLI: one per diagnosis, so CI can branch on them. Documented in docs/operations.md. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  secretMissing: 10,
  secretUnreadable: 11,
  secretMalformed: 12,
  credentialsRejected: 13,
  accessDenied: 14,
  imageNotFound: 15,
  registryUnreachable: 16,
  registryError: 17,
  tokenExpiring: 18,
  rolloutFailed: 20,
  rolloutTimedOut: 21,
  awsUnreachable: 22,
  instanceRefreshFailed: 23,
  notSteady: 24,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the CLI reports as `error: <message>` + `fix: <fix>` and exits with `exitCode`. */
export class OperationError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    readonly fix?: string,
  ) {
    super(message);
    this.name = "OperationError";
  }
}
