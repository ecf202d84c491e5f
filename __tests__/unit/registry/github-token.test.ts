import { expiryVerdict, githubApiBase, parseExpiration, tokenFacts, tokenKind } from "../../../src/registry/github-token";

const headers = (values: Record<string, string>) => new Headers(values);

describe("githubApiBase", () => {
  it("asks api.github.com for ghcr.io, and no API for any other registry", () => {
    expect(githubApiBase("ghcr.io")).toBe("https://api.github.com");
    expect(githubApiBase("registry.example.com")).toBeUndefined();
    expect(githubApiBase("127.0.0.1:5000")).toBeUndefined();
  });

  it("takes a given base (GitHub Enterprise Server) over the default, without a trailing slash", () => {
    expect(githubApiBase("containers.github.example.com", "https://github.example.com/api/v3/")).toBe("https://github.example.com/api/v3");
    expect(githubApiBase("127.0.0.1:5000", "http://127.0.0.1:8080")).toBe("http://127.0.0.1:8080");
  });

  it.each([
    ["http://api.example.com", "is not https: the token is sent to it"],
    ["http://localhost.example.com", "is not https"],
    ["api.github.com", "is not a URL"],
    ["https://api.github.com/?x=1", "has a query, fragment or user"],
    ["https://user@api.github.com", "has a query, fragment or user"],
  ])("refuses %s", (given, message) => expect(() => githubApiBase("ghcr.io", given)).toThrow(message));
});

describe("tokenKind", () => {
  it.each([
    ["ghp_abc", "classic"],
    ["github_pat_11AB", "fine-grained"],
    ["ghs_abc", "app-installation"],
    ["gho_abc", "oauth"],
    ["0123456789abcdef", "unknown"],
  ])("%s is %s", (token, kind) => expect(tokenKind(token)).toBe(kind));
});

describe("parseExpiration", () => {
  it("reads GitHub's format and ISO 8601, and nothing else", () => {
    expect(parseExpiration("2026-12-31 23:59:59 UTC")).toBe("2026-12-31T23:59:59.000Z");
    expect(parseExpiration("2026-12-31T23:59:59Z")).toBe("2026-12-31T23:59:59.000Z");
    expect(parseExpiration("soon")).toBeUndefined();
  });
});

describe("tokenFacts", () => {
  it("reads the owner, the expiry and the scopes of a classic token that can pull", () => {
    expect(
      tokenFacts("ghp_x", headers({ "x-oauth-scopes": "repo, read:packages", "github-authentication-token-expiration": "2027-01-15 00:00:00 UTC" }), {
        login: "acme-ci-bot",
      }),
    ).toEqual({ owner: "acme-ci-bot", kind: "classic", expires: "2027-01-15T00:00:00.000Z", scopes: ["repo", "read:packages"], problems: [] });
  });

  it("counts write:packages as able to read", () => {
    expect(tokenFacts("ghp_x", headers({ "x-oauth-scopes": "write:packages" }), { login: "a" }).problems).toEqual([]);
  });

  it("diagnoses a classic token without read:packages, and one with no scope at all", () => {
    expect(tokenFacts("ghp_x", headers({ "x-oauth-scopes": "repo" }), { login: "a" }).problems).toEqual([
      "has no read:packages scope (scopes: repo): it cannot pull private packages",
    ]);
    expect(tokenFacts("ghp_x", headers({ "x-oauth-scopes": "" }), { login: "a" }).problems).toEqual([
      "has no read:packages scope (scopes: none): it cannot pull private packages",
    ]);
  });

  it("diagnoses the token types ghcr.io denies on pull outside GitHub Actions", () => {
    const facts = tokenFacts("github_pat_x", headers({}), { login: "a" });
    expect([facts.kind, facts.scopes, facts.expires]).toEqual(["fine-grained", undefined, "never"]);
    expect(facts.problems).toEqual([
      "is a fine-grained token: GitHub's container registry accepts only classic personal access tokens (ghp_…) from outside GitHub Actions; it logs in, then is denied on pull",
    ]);
    expect(tokenFacts("ghs_x", headers({}), {}).problems[0]).toMatch(/^is an app-installation token/);
  });
});

describe("expiryVerdict", () => {
  const now = new Date("2026-12-01T12:00:00Z");

  it("is ok without expiry, or beyond the warning window", () => {
    expect(expiryVerdict("never", now, 14)).toEqual({ level: "ok" });
    expect(expiryVerdict("2026-12-31T12:00:00.000Z", now, 14)).toEqual({ level: "ok", daysLeft: 30 });
  });

  it("warns within --warn-days and fails within --fail-days, counting whole days left", () => {
    expect(expiryVerdict("2026-12-11T11:00:00.000Z", now, 14)).toEqual({ level: "warn", daysLeft: 9 });
    expect(expiryVerdict("2026-12-11T11:00:00.000Z", now, 14, 9)).toEqual({ level: "fail", daysLeft: 9 });
    expect(expiryVerdict("2026-12-11T11:00:00.000Z", now, 14, 8)).toEqual({ level: "warn", daysLeft: 9 });
  });

  it("fails an expired token with negative days left", () => {
    expect(expiryVerdict("2026-11-29T12:00:00.000Z", now, 14, 0)).toEqual({ level: "fail", daysLeft: -2 });
  });
});
