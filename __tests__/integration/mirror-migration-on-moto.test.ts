/**
 * Moving a running direct deployment onto the ECR mirror and then off NAT, the way docs/registry-mirror.md says, on
 * moto (with the ECR test fixture): each step's plan replaces no service, load balancer, target group, cluster or
 * network, the cache's secret is created before the old one goes, and each step applies.
 */
import * as path from "node:path";
import { DescribeSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { buildApp } from "../../src/app";
import type { ConfigInput } from "../../src/config";
import { parseConfig } from "../../src/config/load";
import { EmulatedDeployment } from "../../src/emulator/emulated-deployment";
import { makeCanary } from "../helpers/canary";
import { referenceInput } from "../helpers/configs";

jest.setTimeout(600_000);

const FIXTURE = path.join(__dirname, "..", "fixtures", "moto_with_ecr_cache.py");
const canary = makeCanary("migration");
const direct: ConfigInput = { ...referenceInput(), launchType: "fargate", ec2: undefined };
const throughCache: ConfigInput = { ...direct, registry: { mode: "ecr-pull-through-cache" } };
const withoutNat: ConfigInput = { ...throughCache, network: { mode: "create", azCount: 2, egress: "vpc-endpoints" } };

interface Change {
  readonly address: string;
  readonly type: string;
  readonly change: { readonly actions: string[] };
}

let deployment: EmulatedDeployment;
const plans: Record<string, Change[]> = {};

/** Synthesizes `input` over the deployed stack, plans (kept for the tests) and applies. */
async function moveTo(step: string, input: ConfigInput): Promise<void> {
  buildApp(parseConfig(input), { outdir: deployment.outdir, stateDir: deployment.workdir }).synth();
  await deployment.terraform.init();
  const planFile = path.join(deployment.workdir, `${step}.tfplan`);
  await deployment.terraform.plan(planFile, { TF_VAR_registry_token: canary });
  plans[step] = (JSON.parse((await deployment.terraform.showJson(planFile)).stdout) as { resource_changes: Change[] }).resource_changes.filter(
    (c) => !c.change.actions.every((a) => a === "no-op" || a === "read"),
  );
  await deployment.terraform.apply({ TF_VAR_registry_token: canary });
}

beforeAll(async () => {
  deployment = await EmulatedDeployment.start(parseConfig(direct), { motoScript: FIXTURE });
  await deployment.terraform.apply({ TF_VAR_registry_token: canary });
  await moveTo("cache", throughCache);
  await moveTo("endpoints", withoutNat);
});
afterAll(async () => {
  await deployment?.dispose();
});

const replaced = (changes: Change[]) => changes.filter((c) => c.change.actions.includes("delete") && c.change.actions.includes("create"));
const KEPT = /^aws_(ecs_service|ecs_cluster|lb|lb_target_group|lb_listener|vpc|subnet|security_group|cloudwatch_log_group|kms_key)$/;

describe("moving a direct deployment onto the mirror, then off NAT", () => {
  it("step 1 (registry.mode) creates the cache and its secret before deleting the old secret, and replaces nothing that serves", () => {
    const changes = plans.cache;
    expect(
      changes
        .filter((c) => c.change.actions.join() === "create")
        .map((c) => c.type)
        .sort(),
    ).toEqual(["aws_ecr_pull_through_cache_rule", "aws_ecr_repository_creation_template", "aws_iam_role", "aws_iam_role_policy"]);
    // The new secret exists before the old goes (the old keeps its AWSCURRENT value until then); the old task
    // definition is deregistered, which the service may still scale with until it rolls onto the new one.
    expect(replaced(changes).map((c) => [c.type, c.change.actions])).toEqual([
      ["aws_ecs_task_definition", ["delete", "create"]],
      ["aws_secretsmanager_secret", ["create", "delete"]],
      ["aws_secretsmanager_secret_version", ["delete", "create"]],
    ]);
    expect(changes.find((c) => c.type === "aws_ecs_service")?.change.actions).toEqual(["update"]);
  });

  it("step 2 (network.egress) removes the NAT gateway and the private default routes, adds the endpoints, and replaces nothing that serves", () => {
    const changes = plans.endpoints;
    const deleted = changes
      .filter((c) => c.change.actions.join() === "delete")
      .map((c) => c.type)
      .sort();
    expect(deleted).toEqual(["aws_eip", "aws_nat_gateway", "aws_route", "aws_route", "aws_vpc_security_group_egress_rule"]);
    expect(changes.filter((c) => c.type === "aws_vpc_endpoint" && c.change.actions.join() === "create")).toHaveLength(5);
    expect(replaced(changes).filter((c) => KEPT.test(c.type))).toEqual([]);
    expect(changes.filter((c) => c.type === "aws_ecs_service").map((c) => c.change.actions)).toEqual([]);
  });

  it("ends with the cache's secret and without the old one", async () => {
    const secrets = new SecretsManagerClient(deployment.clientConfig());
    expect((await secrets.send(new DescribeSecretCommand({ SecretId: "ecr-pullthroughcache/orders" }))).Name).toBe("ecr-pullthroughcache/orders");
    const old = await secrets.send(new DescribeSecretCommand({ SecretId: "orders/registry-credentials" })).catch((error: Error) => error);
    expect(old instanceof Error ? old.name : old.DeletedDate).toEqual(old instanceof Error ? "ResourceNotFoundException" : expect.any(Date));
    const outputs = await deployment.terraform.outputs();
    expect(outputs).toMatchObject({
      registry_auth_mode: "ecr-pull-through-cache",
      mirror_image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/ghcr/acme/orders-service:1.4.2",
    });
  });
});
