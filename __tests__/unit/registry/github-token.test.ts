import * as http from "node:http";
import type { AddressInfo } from "node:net";
import {
  expiryVerdict,
  fetchTokenFacts,
  GitHubApiError,
  githubApiBase,
  parseExpiration,
  TOKEN_EXPIRES_TAG,
  tokenFacts,
  tokenKind,
} from "../../../src/registry/github-token";

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

describe("githubApiBase on loopback and in odd forms", () => {
  it.each(["http://localhost:8080", "http://[::1]:8080", "http://127.10.200.100:8080"])("allows plain HTTP to loopback %s", (given) =>
    expect(githubApiBase("ghcr.io", given)).toBe(given),
  );

  it.each([
    ["http://127.0.0.1.example.com", "is not https"],
    ["http://evil.localhost", "is not https"],
    ["http://localhost.evil", "is not https"],
    ["ftp://127.0.0.1", "is not https"],
    ["https://api.github.com/#top", "has a query, fragment or user"],
  ])("refuses %s", (given, message) => expect(() => githubApiBase("ghcr.io", given)).toThrow(message));

  it("drops every trailing slash", () => {
    expect(githubApiBase("ghcr.io", "https://github.example.com/api/v3///")).toBe("https://github.example.com/api/v3");
  });
});

describe("tokenFacts on odd answers", () => {
  it("names no owner when the body has no string login", () => {
    for (const body of [null, "acme", { login: 42 }, undefined])
      expect(tokenFacts("ghp_x", headers({ "x-oauth-scopes": "read:packages" }), body).owner).toBe("?");
  });

  it("leaves scopes out, and finds no scope problem, when GitHub sends no scopes header", () => {
    expect(tokenFacts("ghp_x", headers({}), { login: "a" })).toStrictEqual({ owner: "a", kind: "classic", expires: "never", problems: [] });
  });

  it("lists every scope of a classic token without read:packages, and does not judge OAuth tokens' scopes", () => {
    expect(tokenFacts("ghp_x", headers({ "x-oauth-scopes": "repo, gist" }), { login: "a" }).problems).toEqual([
      "has no read:packages scope (scopes: repo, gist): it cannot pull private packages",
    ]);
    expect(tokenFacts("gho_x", headers({ "x-oauth-scopes": "repo" }), { login: "a" }).problems).toEqual([]);
  });

  it("keeps an expiry it cannot read as GitHub sent it", () => {
    expect(tokenFacts("ghp_x", headers({ "github-authentication-token-expiration": "someday" }), { login: "a" }).expires).toBe("someday");
  });

  it("records the expiry under the tag anyone can read in AWS", () => {
    expect(TOKEN_EXPIRES_TAG).toBe("ghcr-ecs:token-expires");
  });
});

describe("expiryVerdict at the edges", () => {
  const now = new Date("2026-12-01T12:00:00Z");
  it("warns on an expiry it cannot read, and on the last day of the warning window", () => {
    expect(expiryVerdict("someday", now, 14)).toEqual({ level: "warn" });
    expect(expiryVerdict("2026-12-15T12:00:00.000Z", now, 14)).toEqual({ level: "warn", daysLeft: 14 });
    expect(expiryVerdict("2026-12-16T12:00:00.000Z", now, 14)).toEqual({ level: "ok", daysLeft: 15 });
  });
});

describe("fetchTokenFacts against a stand-in for GitHub's API on loopback", () => {
  let server: http.Server;
  let api: string;
  const requests: { url?: string; authorization?: string; accept?: string; userAgent?: string }[] = [];
  let answer: (response: http.ServerResponse) => void = () => undefined;

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      requests.push({
        url: request.url,
        authorization: request.headers.authorization,
        accept: request.headers.accept,
        userAgent: request.headers["user-agent"],
      });
      answer(response);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("sends the token to GET /user only and reads the answer's facts", async () => {
    answer = (response) => {
      response.writeHead(200, {
        "content-type": "application/json",
        "x-oauth-scopes": "read:packages",
        "github-authentication-token-expiration": "2027-01-15 00:00:00 UTC",
      });
      response.end(JSON.stringify({ login: "acme-ci-bot" }));
    };
    expect(await fetchTokenFacts(api, "ghp_abc", 5000)).toEqual({
      owner: "acme-ci-bot",
      kind: "classic",
      expires: "2027-01-15T00:00:00.000Z",
      scopes: ["read:packages"],
      problems: [],
    });
    expect(requests.at(-1)).toEqual({ url: "/user", authorization: "token ghp_abc", accept: "application/vnd.github+json", userAgent: "ghcr-ecs" });
  });

  it("reads an answer that is not JSON as one without an owner", async () => {
    answer = (response) => {
      response.writeHead(200, { "x-oauth-scopes": "read:packages" });
      response.end("<html>");
    };
    expect((await fetchTokenFacts(api, "ghp_abc", 5000)).owner).toBe("?");
  });

  it("says a 401 is a token GitHub refuses, and names any other status", async () => {
    answer = (response) => {
      response.writeHead(401);
      response.end();
    };
    await expect(fetchTokenFacts(api, "ghp_abc", 5000)).rejects.toThrow(
      `the GitHub API at ${api} rejected the token (401): it is expired, revoked or not a GitHub token`,
    );
    answer = (response) => {
      response.writeHead(503);
      response.end();
    };
    await expect(fetchTokenFacts(api, "ghp_abc", 5000)).rejects.toThrow(`the GitHub API at ${api} answered 503 to GET /user`);
  });

  it("follows no redirect and says when the API cannot be reached", async () => {
    answer = (response) => {
      response.writeHead(302, { location: "http://127.0.0.1:1/elsewhere" });
      response.end();
    };
    await expect(fetchTokenFacts(api, "ghp_abc", 5000)).rejects.toBeInstanceOf(GitHubApiError);
    await expect(fetchTokenFacts("http://127.0.0.1:1", "ghp_abc", 5000)).rejects.toThrow(
      "cannot reach the GitHub API at http://127.0.0.1:1 (TypeError: fetch failed)",
    );
  });
});
