/**
 * Faults during `terraform apply` of the Fargate stack on moto.
 *
 * 1. moto is killed (SIGKILL by PID) while the apply waits on the load balancer: the apply must fail within a bound,
 *    naming the endpoint it cannot reach. moto keeps its state in memory, so nothing of that "cloud" survives to
 *    re-apply against; convergence is what the second case proves.
 * 2. terraform itself is interrupted (SIGINT, what a CI cancel sends) at the same point: it must stop gracefully and
 *    write its state; a re-apply against the same moto must converge (a following plan changes nothing beyond the
 *    fields moto 5.2.1 does not store), and after `destroy` moto must hold nothing of ours — no active cluster or
 *    service, no live secret, load balancer, target group, role, log group, VPC or security group besides the defaults.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { DescribeLoadBalancersCommand, DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { DescribeClustersCommand, DescribeServicesCommand, ECSClient, ListClustersCommand, ListServicesCommand } from "@aws-sdk/client-ecs";
import { ListSecretsCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { IAMClient, ListRolesCommand } from "@aws-sdk/client-iam";
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeAddressesCommand, DescribeNatGatewaysCommand, DescribeSecurityGroupsCommand, DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DescribeKeyCommand, KMSClient, ListAliasesCommand, ListKeysCommand } from "@aws-sdk/client-kms";
import { EmulatedDeployment } from "../../src/emulator/emulated-deployment";
import { configWith } from "../helpers/configs";

jest.setTimeout(600_000);

/** As in __tests__/integration/fargate-on-moto.test.ts: fields moto 5.2.1 does not store, so every plan re-sets them. */
const MOTO_DROPPED_FIELDS: Record<string, string[]> = {
  aws_ecs_service: ["enable_ecs_managed_tags", "health_check_grace_period_seconds", "availability_zone_rebalancing"],
  aws_vpc_security_group_ingress_rule: ["description"],
  aws_vpc_security_group_egress_rule: ["description"],
};

const token = `ghp_${randomBytes(18).toString("hex")}`;

/** A terraform.tfstate file, as far as these tests read it. */
interface TerraformState {
  resources: { type: string; name: string }[];
}

interface ApplyRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  /** Seconds from the fault to terraform's exit. */
  secondsAfterFault: number;
}

/**
 * The resources an apply's output shows as started and not yet finished ("Creating..." without "Creation complete").
 */
function resourcesInFlight(output: string): string[] {
  const inFlight = new Set<string>();
  for (const line of output.split("\n")) {
    const match = /^(\S+): (Creating\.\.\.|Creation complete)/.exec(line.trim());
    if (!match) continue;
    if (match[2] === "Creating...") inFlight.add(match[1]);
    else inFlight.delete(match[1]);
  }
  return [...inFlight];
}

/**
 * Runs `terraform apply` (the wrapper's flags and environment) as a child we can signal; once moto holds a load
 * balancer and it is the only resource still being created — the provider is then in its fixed wait on it —
 * `fault()` runs. Any other create in flight at that moment (a route, say) could be made in AWS and lost from the
 * state when the provider's waiter is cancelled, which is how Terraform behaves, not what these tests are about.
 * Bounded: SIGKILL after `boundMs`.
 */
function applyWithFault(
  deployment: EmulatedDeployment,
  fault: (terraformPid: number) => void,
  boundMs: number,
): Promise<ApplyRun & { faultedAfterSeconds: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn("terraform", ["apply", "-input=false", "-no-color", "-auto-approve"], {
      cwd: deployment.stackDir,
      env: { ...deployment.terraform.env, TF_VAR_registry_token: token },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    let faultAt = 0;
    const elb = new ElasticLoadBalancingV2Client(deployment.clientConfig());
    const watch = setInterval(() => {
      if (faultAt) return;
      elb.send(new DescribeLoadBalancersCommand({})).then(
        (r) => {
          const inFlight = resourcesInFlight(output);
          if (!faultAt && (r.LoadBalancers ?? []).length > 0 && inFlight.length > 0 && inFlight.every((a) => a.startsWith("aws_lb."))) {
            faultAt = Date.now();
            fault(child.pid as number);
          }
        },
        () => undefined,
      );
    }, 500);
    const giveUp = setTimeout(() => child.kill("SIGKILL"), boundMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearInterval(watch);
      clearTimeout(giveUp);
      elb.destroy();
      resolve({
        code,
        signal,
        output,
        faultedAfterSeconds: faultAt ? (faultAt - started) / 1000 : NaN,
        secondsAfterFault: faultAt ? (Date.now() - faultAt) / 1000 : NaN,
      });
    });
  });
}

let killed: EmulatedDeployment;
let interrupted: EmulatedDeployment;

beforeAll(async () => {
  [killed, interrupted] = await Promise.all([EmulatedDeployment.start(configWith({})), EmulatedDeployment.start(configWith({}))]);
});
afterAll(async () => {
  await Promise.all([killed?.dispose(), interrupted?.dispose()]);
});

describe("resourcesInFlight", () => {
  it("lists the creates started and not finished, by address", () => {
    const output = [
      "aws_vpc.network_vpc_1A2B: Creating...",
      "aws_vpc.network_vpc_1A2B: Creation complete after 1s [id=vpc-1]",
      "aws_route.network_private-0-default_2C85: Creating...",
      "aws_lb.load-balancer_lb_3D4E: Creating...",
      "aws_lb.load-balancer_lb_3D4E: Still creating... [10s elapsed]",
    ].join("\n");
    expect(resourcesInFlight(output)).toEqual(["aws_route.network_private-0-default_2C85", "aws_lb.load-balancer_lb_3D4E"]);
    expect(resourcesInFlight(`${output}\naws_route.network_private-0-default_2C85: Creation complete after 0s [id=r-1]`)).toEqual([
      "aws_lb.load-balancer_lb_3D4E",
    ]);
  });
});

describe("moto killed in the middle of an apply", () => {
  it("fails the apply within 4 minutes, naming the endpoint it cannot reach", async () => {
    const endpoint = killed.moto.endpoint;
    const run = await applyWithFault(killed, () => process.kill(killed.moto.pid, "SIGKILL"), 420_000);
    expect(run.faultedAfterSeconds).toBeLessThan(90);
    expect(run.signal).toBeNull(); // terraform ended on its own, not by our bound
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/Error: /);
    expect(run.output).toContain(endpoint.replace(/^http:\/\//, ""));
    expect(run.output).toMatch(/connection refused/);
    expect(run.secondsAfterFault).toBeLessThan(240);
    // Terraform still wrote the state of what it had created before the endpoint died.
    const state = JSON.parse(readFileSync(killed.stateFile, "utf8")) as TerraformState;
    expect(state.resources.length).toBeGreaterThan(5);
    process.stdout.write(
      `moto killed ${run.faultedAfterSeconds.toFixed(0)} s into the apply; terraform exited ${run.code} ${run.secondsAfterFault.toFixed(0)} s later\n`,
    );
  });
});

describe("terraform interrupted (SIGINT) in the middle of an apply", () => {
  let run: ApplyRun & { faultedAfterSeconds: number };

  it("stops gracefully within 90 s of the interrupt and writes its state", async () => {
    run = await applyWithFault(interrupted, (pid) => process.kill(pid, "SIGINT"), 300_000);
    expect(run.faultedAfterSeconds).toBeLessThan(90);
    expect(run.signal).toBeNull();
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/Interrupt received/);
    expect(run.secondsAfterFault).toBeLessThan(90);
    expect(existsSync(interrupted.stateFile)).toBe(true);
    const state = JSON.parse(readFileSync(interrupted.stateFile, "utf8")) as TerraformState;
    expect(state.resources.length).toBeGreaterThan(5);
    process.stdout.write(
      `terraform interrupted ${run.faultedAfterSeconds.toFixed(0)} s into the apply; exited ${run.code} ${run.secondsAfterFault.toFixed(0)} s later\n`,
    );
  });

  it("converges on a re-apply against the same moto: the next plan changes only the fields moto drops", async () => {
    const applied = await interrupted.terraform.apply({ TF_VAR_registry_token: token });
    expect(applied.stdout).toMatch(/Apply complete!/);
    // The interrupted apply left exactly one load balancer (a second "orders" would be an orphan).
    const lbs = (await new ElasticLoadBalancingV2Client(interrupted.clientConfig()).send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
    expect(lbs.map((lb) => lb.LoadBalancerName)).toEqual(["orders"]);

    const planFile = path.join(interrupted.workdir, "after-reapply.tfplan");
    await interrupted.terraform.plan(planFile, { TF_VAR_registry_token: token });
    const plan = JSON.parse((await interrupted.terraform.showJson(planFile)).stdout) as {
      resource_changes: { type: string; address: string; change: { actions: string[]; before: Record<string, unknown>; after: Record<string, unknown> } }[];
    };
    const unexpected = plan.resource_changes
      .filter((c) => !c.change.actions.every((a) => a === "no-op" || a === "read"))
      .flatMap((c) => {
        if (!c.change.actions.every((a) => a === "update")) return [`${c.address}: ${c.change.actions.join("+")}`];
        const changed = Object.keys(c.change.after).filter((k) => JSON.stringify(c.change.after[k]) !== JSON.stringify(c.change.before[k]));
        return changed.filter((k) => !(MOTO_DROPPED_FIELDS[c.type] ?? []).includes(k)).map((k) => `${c.address}.${k}`);
      });
    expect(unexpected).toEqual([]);
  });

  it("destroys everything: moto holds nothing of ours afterwards", async () => {
    const destroyed = await interrupted.terraform.destroy({ TF_VAR_registry_token: token });
    expect(destroyed.stdout).toMatch(/Destroy complete! Resources: \d+ destroyed/);
    expect((JSON.parse(readFileSync(interrupted.stateFile, "utf8")) as TerraformState).resources).toEqual([]);

    const config = interrupted.clientConfig();
    const ecs = new ECSClient(config);
    const ec2 = new EC2Client(config);
    const kms = new KMSClient(config);
    try {
      const clusterArns = (await ecs.send(new ListClustersCommand({}))).clusterArns ?? [];
      const clusters = clusterArns.length ? ((await ecs.send(new DescribeClustersCommand({ clusters: clusterArns }))).clusters ?? []) : [];
      // moto keeps listing deleted services (ECS stops listing them); what counts is their status.
      const serviceStatuses = (
        await Promise.all(
          clusterArns.map(async (cluster) => {
            const arns = (await ecs.send(new ListServicesCommand({ cluster }))).serviceArns ?? [];
            return arns.length ? ((await ecs.send(new DescribeServicesCommand({ cluster, services: arns }))).services ?? []) : [];
          }),
        )
      ).flat();
      const secrets = (await new SecretsManagerClient(config).send(new ListSecretsCommand({ IncludePlannedDeletion: true }))).SecretList ?? [];
      const elb = new ElasticLoadBalancingV2Client(config);
      const roles = ((await new IAMClient(config).send(new ListRolesCommand({}))).Roles ?? []).filter((r) => r.RoleName?.startsWith("orders"));
      const logGroups = (await new CloudWatchLogsClient(config).send(new DescribeLogGroupsCommand({}))).logGroups ?? [];
      const vpcs = (await ec2.send(new DescribeVpcsCommand({}))).Vpcs ?? [];
      const groups = (await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups ?? [];
      const natGateways = (await ec2.send(new DescribeNatGatewaysCommand({}))).NatGateways ?? [];
      const addresses = (await ec2.send(new DescribeAddressesCommand({}))).Addresses ?? [];
      const keyIds = ((await kms.send(new ListKeysCommand({}))).Keys ?? []).map((k) => k.KeyId as string);
      const keys = await Promise.all(keyIds.map(async (KeyId) => (await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata));
      const aliases = ((await kms.send(new ListAliasesCommand({}))).Aliases ?? []).filter((a) => !a.AliasName?.startsWith("alias/aws/"));

      const leftovers = {
        // Deleted clusters stay describable as INACTIVE, in moto as in ECS.
        activeClusters: clusters.filter((c) => c.status !== "INACTIVE").map((c) => c.clusterName),
        activeServices: serviceStatuses.filter((s) => s.status !== "INACTIVE").map((s) => `${s.serviceName} (${s.status})`),
        liveSecrets: secrets.filter((s) => s.DeletedDate === undefined).map((s) => s.Name),
        loadBalancers: ((await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? []).map((l) => l.LoadBalancerName),
        targetGroups: ((await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? []).map((t) => t.TargetGroupName),
        roles: roles.map((r) => r.RoleName),
        logGroups: logGroups.map((g) => g.logGroupName),
        vpcs: vpcs.filter((v) => !v.IsDefault).map((v) => v.VpcId),
        securityGroups: groups.filter((g) => g.GroupName !== "default").map((g) => `${g.GroupName} (${g.GroupId})`),
        natGateways: natGateways.filter((n) => n.State !== "deleted" && n.State !== "deleting").map((n) => n.NatGatewayId),
        elasticIps: addresses.map((a) => a.AllocationId),
        enabledCustomerKeys: keys.filter((k) => k?.KeyManager === "CUSTOMER" && k.KeyState !== "PendingDeletion").map((k) => k?.KeyId),
        aliases: aliases.map((a) => a.AliasName),
      };
      elb.destroy();
      expect(leftovers).toEqual({
        activeClusters: [],
        activeServices: [],
        liveSecrets: [],
        loadBalancers: [],
        targetGroups: [],
        roles: [],
        logGroups: [],
        vpcs: [],
        securityGroups: [],
        natGateways: [],
        elasticIps: [],
        enabledCustomerKeys: [],
        aliases: [],
      });
      // The inventory looks at the right moto: our cluster is still described, as INACTIVE.
      expect(clusters.map((c) => `${c.clusterName} ${c.status}`)).toContain("orders INACTIVE");
    } finally {
      ecs.destroy();
      ec2.destroy();
      kms.destroy();
    }
  });
});
