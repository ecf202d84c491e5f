import { EXIT, OperationError } from "./exit-codes";

/** Bounded AWS SDK client settings: a dead endpoint fails in seconds, not after the SDK's default minutes. */
export function awsClientConfig(region: string | undefined): {
  region?: string;
  maxAttempts: number;
  requestHandler: { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: boolean };
} {
  // throwOnRequestTimeout: without it, @smithy/node-http-handler 4.x only warns when requestTimeout passes and keeps waiting.
  return { ...(region ? { region } : {}), maxAttempts: 3, requestHandler: { connectionTimeout: 3000, requestTimeout: 15000, throwOnRequestTimeout: true } };
}

/** Turns SDK errors that are not about the resource itself (network, credentials, region) into a clear failure. */
export function awsFailure(error: unknown, service: string): Error {
  const err = error as Error & { code?: string; $metadata?: { httpStatusCode?: number } };
  const code = err.code ?? (err as { cause?: { code?: string } }).cause?.code ?? "";
  const endpoint = process.env.AWS_ENDPOINT_URL ? ` at ${process.env.AWS_ENDPOINT_URL}` : "";
  if (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|EAI_AGAIN/.test(code) || err.name === "TimeoutError" || /socket hang up|timed? ?out/i.test(err.message)) {
    return new OperationError(
      EXIT.awsUnreachable,
      `cannot reach ${service}${endpoint} (${code || err.name}: ${err.message})`,
      "Check network access to AWS, AWS_REGION and AWS_ENDPOINT_URL.",
    );
  }
  if (err.name === "CredentialsProviderError" || /Could not load credentials/i.test(err.message)) {
    return new OperationError(
      EXIT.failure,
      `no AWS credentials: ${err.message}`,
      "Configure AWS credentials (aws sso login, AWS_PROFILE, or environment variables).",
    );
  }
  if (/Region is missing/i.test(err.message)) {
    return new OperationError(EXIT.usage, "no AWS region", "Pass --region, set AWS_REGION, or use outputs that include region.");
  }
  return error instanceof Error ? error : new Error(String(error));
}
