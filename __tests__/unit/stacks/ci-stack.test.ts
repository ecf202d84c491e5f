import { readFileSync } from "node:fs";
import * as path from "node:path";
import { synthesizeStacks } from "../../../src/app";
import { ConfigError, parseDeploymentConfig } from "../../../src/config/load";
import { environmentStackNames, stackNamesOf } from "../../../src/config/model";
import type { TerraformDocument } from "../../../src/terraform/document";
import { onlyResource, resources } from "../../helpers/synth";
import { referenceInput } from "../../helpers/configs";

const EXAMPLE_APP = path.join(__dirname, "..", "..", "..", "config", "example-app.json");
const exampleApp = () => JSON.parse(readFileSync(EXAMPLE_APP, "utf8")) as Record<string, unknown>;

function ciDocument(input: Record<string, unknown>): TerraformDocument {
  const stacks = synthesizeStacks(parseDeploymentConfig(input));
  return stacks.find((stack) => stack.name.endsWith("-ci"))!.document;
}

function problemsOf(input: unknown): string[] {
  try {
    parseDeploymentConfig(input, "app.json");
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
}

const trustOf = (doc: TerraformDocument, name: string) => {
  const role = resources(doc, "aws_iam_role").find((r) => r.block.name === name)!;
  return JSON.parse(String(role.block.assume_role_policy)) as { Statement: { Principal: unknown; Condition: unknown }[] };
};

describe("the CI bootstrap stack (<name>-ci)", () => {
  it("is synthesized only with ci, beside the environments, and is never one the workflows deploy or watch", () => {
    const withCi = parseDeploymentConfig(exampleApp());
    expect(stackNamesOf(withCi)).toEqual(["shop-staging", "shop-prod", "shop-ci"]);
    expect(environmentStackNames(withCi)).toEqual(["shop-staging", "shop-prod"]);
    const { ci: _ci, ...withoutCi } = exampleApp();
    expect(synthesizeStacks(parseDeploymentConfig(withoutCi)).map((s) => s.name)).toEqual(["shop-prod", "shop-staging"]);
  });

  it("creates the GitHub OIDC provider for sts.amazonaws.com and three roles, each trusting one subject of the repository", () => {
    const doc = ciDocument(exampleApp());
    expect(onlyResource(doc, "aws_iam_openid_connect_provider").block).toMatchObject({
      url: "https://token.actions.githubusercontent.com",
      client_id_list: ["sts.amazonaws.com"],
    });
    expect(resources(doc, "aws_iam_role").map((r) => String(r.block.name))).toEqual(["shop-ci-deploy", "shop-ci-plan", "shop-ci-watch"]);
    const subjects = { "shop-ci-plan": "pull_request", "shop-ci-deploy": "environment:production", "shop-ci-watch": "ref:refs/heads/main" };
    for (const [name, context] of Object.entries(subjects)) {
      expect(trustOf(doc, name).Statement).toEqual([
        {
          Sid: "GitHubActionsOfOneRepositoryOnly",
          Effect: "Allow",
          Principal: { Federated: "${aws_iam_openid_connect_provider.github-oidc-provider.arn}" },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
              "token.actions.githubusercontent.com:sub": `repo:acme/shop-infra:${context}`,
            },
          },
        },
      ]);
    }
  });

  it("attaches ReadOnlyAccess to the plan role and PowerUserAccess to the deploy role, nothing to the watch role", () => {
    const doc = ciDocument(exampleApp());
    const attached = resources(doc, "aws_iam_role_policy_attachment").map((r) => [String(r.block.role), String(r.block.policy_arn)]);
    expect(attached).toEqual([
      ["${aws_iam_role.deploy-role_94C806C7.name}", "arn:${data.aws_partition.partition.partition}:iam::aws:policy/PowerUserAccess"],
      ["${aws_iam_role.plan-role_E487355C.name}", "arn:${data.aws_partition.partition.partition}:iam::aws:policy/ReadOnlyAccess"],
    ]);
  });

  it("outputs the three role ARNs under the names the workflows' variables document", () => {
    const doc = ciDocument(exampleApp());
    expect(doc.output).toEqual({
      plan_role_arn: { description: "vars.AWS_PLAN_ROLE_ARN", value: "${aws_iam_role.plan-role_E487355C.arn}" },
      deploy_role_arn: { description: "vars.AWS_DEPLOY_ROLE_ARN", value: "${aws_iam_role.deploy-role_94C806C7.arn}" },
      watch_role_arn: { description: "vars.AWS_WATCH_ROLE_ARN", value: "${aws_iam_role.watch-role_415426B2.arn}" },
      oidc_provider_arn: { value: "${aws_iam_openid_connect_provider.github-oidc-provider.arn}" },
    });
  });

  it("reuses the account's provider by ARN (an account has one per URL), a chosen environment and branch, and own policies", () => {
    const provider = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
    const doc = ciDocument({
      ...exampleApp(),
      ci: {
        repository: "acme/shop-infra",
        oidcProviderArn: provider,
        deployEnvironment: "prod deploys",
        defaultBranch: "trunk",
        deployManagedPolicyArns: ["arn:aws:iam::123456789012:policy/shop-deployer"],
      },
    });
    expect(resources(doc, "aws_iam_openid_connect_provider")).toEqual([]);
    expect(trustOf(doc, "shop-ci-deploy").Statement[0]).toMatchObject({
      Principal: { Federated: provider },
      Condition: { StringEquals: { "token.actions.githubusercontent.com:sub": "repo:acme/shop-infra:environment:prod deploys" } },
    });
    expect((trustOf(doc, "shop-ci-watch").Statement[0].Condition as Record<string, Record<string, string>>).StringEquals).toMatchObject({
      "token.actions.githubusercontent.com:sub": "repo:acme/shop-infra:ref:refs/heads/trunk",
    });
    expect(resources(doc, "aws_iam_role_policy_attachment").map((r) => String(r.block.policy_arn))).toContain("arn:aws:iam::123456789012:policy/shop-deployer");
  });

  it("is built for a single-service config too, serving both its stacks", () => {
    const input = { ...referenceInput(), launchType: "both", ci: { repository: "acme/orders" } };
    const config = parseDeploymentConfig(input);
    expect(stackNamesOf(config)).toEqual(["orders", "orders-ec2", "orders-ci"]);
    const watch = resources(ciDocument(input), "aws_iam_role_policy").find((r) => String(r.block.role).includes("watch-role"))!;
    expect(String(watch.block.policy)).toContain("service/orders-ec2/orders-ec2");
    expect(String(watch.block.policy)).toContain("secret:orders/registry-credentials-??????");
  });
});

describe("the ci config block", () => {
  it("names the field, the value and what is allowed", () => {
    expect(problemsOf({ ...exampleApp(), ci: { repository: "acme/*" } })).toEqual([
      'ci.repository: got "acme/*"; must be a GitHub repository as owner/name, e.g. acme/shop-infra (spelled as GitHub spells it: the trust is case-sensitive)',
    ]);
    expect(problemsOf({ ...exampleApp(), ci: { repository: "acme/infra", defaultBranch: "release/*" } })).toEqual([
      'ci.defaultBranch: got "release/*"; must be a branch name such as main (no wildcard, no leading or trailing /)',
    ]);
    expect(problemsOf({ ...exampleApp(), ci: { repository: "acme/infra", deployEnvironment: "prod:x" } })).toEqual([
      'ci.deployEnvironment: got "prod:x"; must be a GitHub environment name (letters, digits, space, _ . -; no ":" and no wildcard), e.g. production',
    ]);
    expect(problemsOf({ ...exampleApp(), ci: { repository: "acme/infra", token: "x" } })[0]).toMatch(/^ci: /);
  });

  it("refuses an environment named ci (its stack would be the CI stack) and a per-environment ci", () => {
    const input = exampleApp() as { environments: Record<string, unknown> };
    input.environments.ci = {};
    expect(problemsOf(input)).toEqual([
      'environments.ci: got "ci"; is named ci, and its stack shop-ci would be the CI bootstrap stack\'s; rename the environment (e.g. build)',
    ]);
    const override = exampleApp() as { environments: Record<string, Record<string, unknown>> };
    override.environments.prod.ci = { repository: "acme/other" };
    expect(problemsOf(override)).toEqual(['environments.prod.ci: got {"repository":"acme/other"}; cannot be overridden per environment (it names the app)']);
  });

  it("counts the CI stack among the stacks that need their own state", () => {
    const input = { ...exampleApp(), environments: undefined, backend: { type: "s3", bucket: "acme-tfstate", key: "shop.tfstate" } };
    expect(problemsOf(input).join("\n")).toMatch(/^backend\.key: .*\{stack\}/);
  });
});
