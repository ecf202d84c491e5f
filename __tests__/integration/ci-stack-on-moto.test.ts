/**
 * The CI bootstrap stack applied to moto: the OIDC provider and the three roles read back through the IAM API, their
 * trust policies (as AWS stores them) evaluated for the right and for wrong repositories, events and branches, and a
 * second plan that changes nothing.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from "@aws-sdk/client-iam";
import { buildApp } from "../../src/app";
import { parseDeploymentConfig } from "../../src/config/load";
import { startMoto, type MotoServer } from "../../src/emulator/moto-server";
import { trustAllows } from "../../src/ci/trust-evaluation";
import { TerraformWorkdir } from "../../src/terraform/workdir";

jest.setTimeout(300_000);

const EXAMPLE_APP = path.join(__dirname, "..", "..", "config", "example-app.json");
let moto: MotoServer;
let workdir: string;
let terraform: TerraformWorkdir;
let outputs: Record<string, string>;
let iam: IAMClient;

beforeAll(async () => {
  moto = await startMoto();
  workdir = mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-ci-stack-"));
  const config = parseDeploymentConfig(JSON.parse(readFileSync(EXAMPLE_APP, "utf8")));
  buildApp(config, { outdir: path.join(workdir, "cdktf.out"), stateDir: workdir }).synth();
  terraform = new TerraformWorkdir(path.join(workdir, "cdktf.out", "stacks", "shop-ci"), { ...process.env, ...moto.awsEnv("us-east-1") });
  await terraform.init();
  await terraform.apply();
  outputs = (await terraform.outputs()) as Record<string, string>;
  iam = new IAMClient({ region: "us-east-1", endpoint: moto.endpoint, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
});

afterAll(async () => {
  await moto?.stop();
  if (workdir) rmSync(workdir, { recursive: true, force: true });
});

const PROVIDER_ARN = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";

async function storedTrust(roleName: string) {
  const role = await iam.send(new GetRoleCommand({ RoleName: roleName }));
  return JSON.parse(decodeURIComponent(role.Role?.AssumeRolePolicyDocument ?? "")) as { Statement: unknown[] };
}

const token = (sub: string, aud = "sts.amazonaws.com") => ({
  providerArn: PROVIDER_ARN,
  claims: { "token.actions.githubusercontent.com:aud": aud, "token.actions.githubusercontent.com:sub": sub },
});

describe("the CI bootstrap stack applied to moto", () => {
  it("outputs the role ARNs the workflows read, and the provider's", () => {
    expect(outputs).toEqual({
      plan_role_arn: "arn:aws:iam::123456789012:role/shop-ci-plan",
      deploy_role_arn: "arn:aws:iam::123456789012:role/shop-ci-deploy",
      watch_role_arn: "arn:aws:iam::123456789012:role/shop-ci-watch",
      oidc_provider_arn: PROVIDER_ARN,
    });
  });

  it("creates GitHub's OIDC provider for the sts.amazonaws.com audience", async () => {
    const provider = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: PROVIDER_ARN }));
    expect(provider.Url).toBe("token.actions.githubusercontent.com");
    expect(provider.ClientIDList).toEqual(["sts.amazonaws.com"]);
  });

  it("lets pull requests of the repository, and only they, assume the plan role", async () => {
    const trust = await storedTrust("shop-ci-plan");
    expect(trustAllows(trust, token("repo:acme/shop-infra:pull_request"))).toBe(true);
    expect(trustAllows(trust, token("repo:acme/other-repo:pull_request"))).toBe(false);
    expect(trustAllows(trust, token("repo:acme/shop-infra:ref:refs/heads/main"))).toBe(false);
    expect(trustAllows(trust, token("repo:acme/shop-infra:pull_request", "sigstore"))).toBe(false);
  });

  it("lets only the production environment's jobs assume the deploy role (not a branch push, not another environment)", async () => {
    const trust = await storedTrust("shop-ci-deploy");
    expect(trustAllows(trust, token("repo:acme/shop-infra:environment:production"))).toBe(true);
    expect(trustAllows(trust, token("repo:acme/shop-infra:environment:staging"))).toBe(false);
    expect(trustAllows(trust, token("repo:acme/shop-infra:ref:refs/heads/main"))).toBe(false);
    expect(trustAllows(trust, token("repo:acme/shop-infra:pull_request"))).toBe(false);
    expect(trustAllows(trust, token("repo:evil/shop-infra:environment:production"))).toBe(false);
  });

  it("lets only the default branch (schedules, dispatches) assume the watch role", async () => {
    const trust = await storedTrust("shop-ci-watch");
    expect(trustAllows(trust, token("repo:acme/shop-infra:ref:refs/heads/main"))).toBe(true);
    expect(trustAllows(trust, token("repo:acme/shop-infra:ref:refs/heads/feature"))).toBe(false);
    expect(trustAllows(trust, token("repo:acme/shop-infra:ref:refs/heads/main-x"))).toBe(false);
    expect(trustAllows(trust, token("repo:acme/shop-infra:ref:refs/tags/main"))).toBe(false);
  });

  it("attaches ReadOnlyAccess to the plan role, PowerUserAccess to the deploy role and nothing managed to the watch role", async () => {
    const attached = async (RoleName: string) =>
      ((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName }))).AttachedPolicies ?? []).map((p) => p.PolicyArn);
    expect(await attached("shop-ci-plan")).toEqual(["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
    expect(await attached("shop-ci-deploy")).toEqual(["arn:aws:iam::aws:policy/PowerUserAccess"]);
    expect(await attached("shop-ci-watch")).toEqual([]);
  });

  it("gives the watch role exactly the secret reads and service descriptions, on this account's ARNs", async () => {
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: "shop-ci-watch" }))).PolicyNames).toEqual(["ghcr-ecs"]);
    const stored = await iam.send(new GetRolePolicyCommand({ RoleName: "shop-ci-watch", PolicyName: "ghcr-ecs" }));
    const policy = JSON.parse(decodeURIComponent(stored.PolicyDocument ?? "")) as {
      Statement: { Sid: string; Action: string | string[]; Resource: unknown }[];
    };
    expect(policy.Statement.map((s) => [s.Sid, s.Action])).toEqual([
      ["ReadRegistryCredentialSecrets", ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]],
      ["DecryptCredentialSecretsInShopStaging", "kms:Decrypt"],
      ["DecryptCredentialSecretsInShopProd", "kms:Decrypt"],
      ["DescribeServices", "ecs:DescribeServices"],
    ]);
    expect(policy.Statement[0].Resource).toEqual([
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-staging/registry-credentials-??????",
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-prod/registry-credentials-??????",
    ]);
  });

  it("denies the deploy role every IAM action on the CI roles and the provider", async () => {
    const stored = await iam.send(new GetRolePolicyCommand({ RoleName: "shop-ci-deploy", PolicyName: "ghcr-ecs" }));
    const policy = JSON.parse(decodeURIComponent(stored.PolicyDocument ?? "")) as { Statement: { Sid: string; Effect: string; Resource: unknown }[] };
    expect(policy.Statement.find((s) => s.Sid === "NeverChangeTheCiIdentities")).toEqual({
      Sid: "NeverChangeTheCiIdentities",
      Effect: "Deny",
      Action: "iam:*",
      Resource: [
        "arn:aws:iam::123456789012:role/shop-ci-plan",
        "arn:aws:iam::123456789012:role/shop-ci-deploy",
        "arn:aws:iam::123456789012:role/shop-ci-watch",
        PROVIDER_ARN,
      ],
    });
  });

  it("plans no change after the apply", async () => {
    const planFile = path.join(workdir, "second.tfplan");
    await terraform.plan(planFile);
    const plan = JSON.parse((await terraform.showJson(planFile)).stdout) as { resource_changes: { address: string; change: { actions: string[] } }[] };
    expect(plan.resource_changes.filter((c) => !c.change.actions.every((a) => a === "no-op" || a === "read")).map((c) => c.address)).toEqual([]);
  });
});
