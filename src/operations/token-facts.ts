import { TagResourceCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { parseImageReference } from "../registry/image-reference";
import {
  expiryVerdict,
  fetchTokenFacts,
  GitHubApiError,
  githubApiBase,
  TOKEN_EXPIRES_TAG,
  type ExpiryVerdict,
  type TokenFacts,
} from "../registry/github-token";
import { awsFailure } from "./aws";
import { EXIT, OperationError } from "./exit-codes";

export interface TokenFactsOptions {
  /** `--github-api`: the API of the registry's GitHub (GitHub Enterprise Server, or a loopback stand-in). */
  readonly githubApi?: string;
  readonly warnDays: number;
  readonly failDays?: number;
  readonly timeoutMs: number;
  readonly now?: Date;
}

export type TokenReport =
  | { readonly checked: false; readonly reason: string }
  | { readonly checked: true; readonly facts: TokenFacts; readonly verdict: ExpiryVerdict }
  | { readonly checked: false; readonly error: string };

/** Refuses a `--github-api` the token must not be sent to, before anything is read. */
export function checkGithubApiFlag(given: string | undefined): void {
  if (given === undefined) return;
  try {
    githubApiBase("", given);
  } catch (error) {
    throw new OperationError(EXIT.usage, (error as Error).message);
  }
}

/** Asks GitHub about the token when the image's registry is GitHub's (or `--github-api` names the API). */
export async function tokenReport(image: string, token: string, options: TokenFactsOptions): Promise<TokenReport> {
  const registry = parseImageReference(image).registry;
  let api: string | undefined;
  try {
    api = githubApiBase(registry, options.githubApi);
  } catch (error) {
    throw new OperationError(EXIT.usage, (error as Error).message);
  }
  if (!api) return { checked: false, reason: `${registry} is not GitHub's registry (pass --github-api for GitHub Enterprise Server)` };
  try {
    const facts = await fetchTokenFacts(api, token, options.timeoutMs);
    return { checked: true, facts, verdict: expiryVerdict(facts.expires, options.now ?? new Date(), options.warnDays, options.failDays) };
  } catch (error) {
    if (error instanceof GitHubApiError) return { checked: false, error: error.message };
    throw error;
  }
}

/** One line about the token: kind, owner, expiry (days left) and scopes. */
export function describeToken(report: Extract<TokenReport, { checked: true }>): string {
  const { facts, verdict } = report;
  const expiry = facts.expires === "never" ? "no expiry" : `expires ${facts.expires}${verdict.daysLeft !== undefined ? ` (${verdict.daysLeft} days)` : ""}`;
  const scopes = facts.scopes === undefined ? "" : `, scopes ${facts.scopes.length > 0 ? facts.scopes.join(", ") : "none"}`;
  return `token: ${facts.kind}, owner ${facts.owner}, ${expiry}${scopes}`;
}

/**
 * Records the token's expiry as the secret's `ghcr-ecs:token-expires` tag; returns the value written. The stack
 * ignores changes of that tag, so a later apply keeps it.
 */
export async function recordTokenExpiry(secrets: SecretsManagerClient, secretId: string, facts: TokenFacts): Promise<string> {
  try {
    await secrets.send(new TagResourceCommand({ SecretId: secretId, Tags: [{ Key: TOKEN_EXPIRES_TAG, Value: facts.expires }] }));
  } catch (error) {
    if ((error as Error).name === "AccessDeniedException") {
      throw new OperationError(
        EXIT.secretUnreadable,
        `not allowed to tag the credentials secret ${secretId} with ${TOKEN_EXPIRES_TAG} (${(error as Error).message})`,
        "Your AWS identity needs secretsmanager:TagResource on the secret.",
      );
    }
    throw awsFailure(error, "Secrets Manager");
  }
  return facts.expires;
}

export type ExpiryRecord = { readonly recorded: string; readonly report: Extract<TokenReport, { checked: true }> } | { readonly notRecorded: string };

/** After a new token is written: asks GitHub when it expires and records that as the secret's tag. */
export async function recordNewTokenExpiry(
  secrets: SecretsManagerClient,
  secretId: string,
  image: string,
  token: string,
  options: { readonly githubApi?: string; readonly timeoutMs: number },
): Promise<ExpiryRecord | undefined> {
  const report = await tokenReport(image, token, { ...options, warnDays: 0 });
  if (!report.checked) return "error" in report ? { notRecorded: report.error } : undefined;
  return { recorded: await recordTokenExpiry(secrets, secretId, report.facts), report };
}
