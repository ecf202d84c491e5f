/**
 * The AWS provider logs API request and response bodies at DEBUG and TRACE, and those include the registry
 * credential: the PutSecretValue request on apply and the GetSecretValue response on every refresh (measured in
 * __tests__/security/canary.test.ts). Terraform itself never logs the ephemeral variable.
 */
const LEAKING_LEVELS = new Set(["TRACE", "DEBUG", "JSON"]);

export const ALLOW_DEBUG_LOG_VARIABLE = "GHCR_ECS_ALLOW_TF_DEBUG_LOG";

/** The refusal to print for a debug-level TF_LOG / TF_LOG_PROVIDER, or undefined when the environment is safe. */
export function debugLogProblem(env: NodeJS.ProcessEnv): string | undefined {
  if (env[ALLOW_DEBUG_LOG_VARIABLE] === "1") return undefined;
  const leaking = ["TF_LOG", "TF_LOG_PROVIDER"].filter((name) => LEAKING_LEVELS.has((env[name] ?? "").trim().toUpperCase()));
  if (leaking.length === 0) return undefined;
  return (
    `${leaking.map((name) => `${name}=${env[name]}`).join(" and ")} would make the AWS provider log the registry credential ` +
    "(it logs Secrets Manager request and response bodies at DEBUG and TRACE). Unset it, use TF_LOG_CORE=TRACE for " +
    `Terraform's own logs, or set ${ALLOW_DEBUG_LOG_VARIABLE}=1 with a throw-away token.`
  );
}
