/**
 * What GitHub says about the token a ghcr.io credential holds: `GET /user` with the token answers with its owner,
 * `GitHub-Authentication-Token-Expiration` (absent for a token without expiry) and, for classic tokens,
 * `X-OAuth-Scopes`. GitHub's container registry accepts only classic personal access tokens from outside GitHub
 * Actions: fine-grained tokens and GitHub App installation tokens log in, then are `denied` on pull.
 */

/** The credentials secret's tag that says when its token expires (ISO 8601, or `never`), readable without the token. */
export const TOKEN_EXPIRES_TAG = "ghcr-ecs:token-expires";

/** The API of the registry's GitHub, when the registry is GitHub's (ghcr.io); others need `--github-api`. */
export const GITHUB_API_BY_REGISTRY: Readonly<Record<string, string>> = { "ghcr.io": "https://api.github.com" };

const LOOPBACK_HOST = /^(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])$/;

/**
 * The API base to ask, or undefined when the registry is not GitHub's and none was given (no call leaves then).
 * A given base must be https (http only on loopback, for tests and local proxies), e.g. `https://HOST/api/v3` for
 * GitHub Enterprise Server.
 */
export function githubApiBase(registry: string, given?: string): string | undefined {
  if (given === undefined) return GITHUB_API_BY_REGISTRY[registry];
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new Error(`--github-api "${given}" is not a URL: pass the API base, e.g. https://api.github.com or https://github.example.com/api/v3`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK_HOST.test(url.hostname))) {
    throw new Error(`--github-api "${given}" is not https: the token is sent to it, so only https (or http on loopback) is allowed`);
  }
  if (url.search || url.hash || url.username) throw new Error(`--github-api "${given}" has a query, fragment or user: pass the API base only`);
  return given.replace(/\/+$/, "");
}

export type TokenKind = "classic" | "fine-grained" | "app-installation" | "oauth" | "unknown";

/** GitHub's token prefixes: https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/ */
export function tokenKind(token: string): TokenKind {
  if (token.startsWith("ghp_")) return "classic";
  if (token.startsWith("github_pat_")) return "fine-grained";
  if (token.startsWith("ghs_")) return "app-installation";
  if (token.startsWith("gho_")) return "oauth";
  return "unknown";
}

export interface TokenFacts {
  readonly owner: string;
  readonly kind: TokenKind;
  /** ISO 8601, or `never` when GitHub sends no expiration (a token without expiry). */
  readonly expires: string;
  /** `X-OAuth-Scopes`; undefined when GitHub sends none (fine-grained and app tokens have no scopes). */
  readonly scopes?: readonly string[];
  /** Why this token cannot pull from GitHub's container registry, each completing "the token …"; empty when it can. */
  readonly problems: readonly string[];
}

/** `2026-12-31 23:59:59 UTC` (GitHub's format) or ISO 8601 → ISO 8601; undefined when unreadable. */
export function parseExpiration(value: string): string | undefined {
  // V8 also reads GitHub's format, so Stryker's mutants of the next two lines cannot be told apart on Node; the
  // explicit form keeps the result independent of implementation-defined Date parsing.
  // Stryker disable next-line Regex,MethodExpression,ConditionalExpression: equivalent on V8 (see above)
  const github = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) UTC$/.exec(value.trim());
  // Stryker disable next-line MethodExpression: equivalent on V8 (see above)
  const date = new Date(github ? `${github[1]}T${github[2]}Z` : value.trim());
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The facts of a `GET /user` answer (status 200) for `token`. */
export function tokenFacts(token: string, headers: Headers, body: unknown): TokenFacts {
  const kind = tokenKind(token);
  const login = body !== null && typeof body === "object" && typeof (body as { login?: unknown }).login === "string" ? (body as { login: string }).login : "?";
  const scopesHeader = headers.get("x-oauth-scopes");
  const scopes =
    scopesHeader === null
      ? undefined
      : scopesHeader
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean);
  const expirationHeader = headers.get("github-authentication-token-expiration");
  const expires = expirationHeader === null ? "never" : (parseExpiration(expirationHeader) ?? expirationHeader);
  const problems: string[] = [];
  if (kind === "fine-grained" || kind === "app-installation") {
    problems.push(
      `is ${kind === "app-installation" ? "an" : "a"} ${kind} token: GitHub's container registry accepts only classic personal access tokens (ghp_…) from outside GitHub Actions; it logs in, then is denied on pull`,
    );
  }
  // write:packages and delete:packages imply read:packages.
  if (kind === "classic" && scopes !== undefined && !scopes.some((s) => ["read:packages", "write:packages", "delete:packages"].includes(s))) {
    problems.push(`has no read:packages scope (scopes: ${scopes.length > 0 ? scopes.join(", ") : "none"}): it cannot pull private packages`);
  }
  return { owner: login, kind, expires, ...(scopes !== undefined ? { scopes } : {}), problems };
}

export type ExpiryVerdict = { readonly level: "ok" | "warn" | "fail"; readonly daysLeft?: number };

/** Whole days left until `expires` (negative once expired), and whether that is within the warning or failure window. */
export function expiryVerdict(expires: string, now: Date, warnDays: number, failDays?: number): ExpiryVerdict {
  if (expires === "never") return { level: "ok" };
  const at = Date.parse(expires);
  if (Number.isNaN(at)) return { level: "warn" };
  const daysLeft = Math.floor((at - now.getTime()) / 86_400_000);
  if (daysLeft <= (failDays ?? Number.NEGATIVE_INFINITY)) return { level: "fail", daysLeft };
  return { level: daysLeft <= warnDays ? "warn" : "ok", daysLeft };
}

export class GitHubApiError extends Error {}

/** `GET <api>/user` with the token; the token goes only to `api` (validated by `githubApiBase`). */
export async function fetchTokenFacts(api: string, token: string, timeoutMs: number): Promise<TokenFacts> {
  let response: Response;
  try {
    response = await fetch(`${api}/user`, {
      headers: { Authorization: `token ${token}`, Accept: "application/vnd.github+json", "User-Agent": "ghcr-ecs" },
      redirect: "error",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new GitHubApiError(`cannot reach the GitHub API at ${api} (${(error as Error).name}: ${(error as Error).message})`);
  }
  if (response.status === 401) throw new GitHubApiError(`the GitHub API at ${api} rejected the token (401): it is expired, revoked or not a GitHub token`);
  if (response.status !== 200) throw new GitHubApiError(`the GitHub API at ${api} answered ${response.status} to GET /user`);
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  return tokenFacts(token, response.headers, body);
}
