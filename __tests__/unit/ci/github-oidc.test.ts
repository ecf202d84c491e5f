import { CI_ROLES, GITHUB_OIDC_URL, githubActionsTrustPolicy, subjectOf } from "../../../src/ci/github-oidc";
import { trustAllows } from "../../../src/ci/trust-evaluation";

const settings = { repository: "acme/shop-infra", deployEnvironment: "production", defaultBranch: "main" };
const PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";

describe("the GitHub Actions subjects each role trusts", () => {
  it("come from GitHub's issuer, for the three workflows", () => {
    expect(GITHUB_OIDC_URL).toBe("https://token.actions.githubusercontent.com");
    expect(CI_ROLES).toEqual(["plan", "deploy", "watch"]);
  });

  it("are the sub claims of GitHub's default template for pr.yml, deploy.yml and credentials-watch.yml", () => {
    expect(subjectOf("plan", settings)).toBe("repo:acme/shop-infra:pull_request");
    expect(subjectOf("deploy", settings)).toBe("repo:acme/shop-infra:environment:production");
    expect(subjectOf("watch", settings)).toBe("repo:acme/shop-infra:ref:refs/heads/main");
    expect(subjectOf("watch", { ...settings, defaultBranch: "release/2026" })).toBe("repo:acme/shop-infra:ref:refs/heads/release/2026");
  });

  it("trust exactly that subject with the sts.amazonaws.com audience, through the given provider", () => {
    expect(githubActionsTrustPolicy(PROVIDER, "repo:acme/shop-infra:pull_request")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "GitHubActionsOfOneRepositoryOnly",
          Effect: "Allow",
          Principal: { Federated: PROVIDER },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
              "token.actions.githubusercontent.com:sub": "repo:acme/shop-infra:pull_request",
            },
          },
        },
      ],
    });
  });

  it("keep each workflow to its own role: no role admits another role's subject", () => {
    const roles = ["plan", "deploy", "watch"] as const;
    for (const role of roles) {
      const policy = githubActionsTrustPolicy(PROVIDER, subjectOf(role, settings));
      for (const other of roles) {
        const claims = {
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
          "token.actions.githubusercontent.com:sub": subjectOf(other, settings),
        };
        expect([role, other, trustAllows(policy, { providerArn: PROVIDER, claims })]).toEqual([role, other, role === other]);
      }
    }
  });
});
