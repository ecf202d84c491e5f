import { parseImageReference } from "../registry/image-reference";
import { expiryVerdict, fetchTokenFacts, GitHubApiError, githubApiBase, type ExpiryVerdict, type TokenFacts } from "../registry/github-token";
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
