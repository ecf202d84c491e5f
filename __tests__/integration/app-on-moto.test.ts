/**
 * An app environment applied to moto: two routed services (`api` by path, `admin` by host) that share the app's
 * credential, and a worker pulling with its own, behind a listener whose default action answers 404. Read back
 * through the AWS SDK: the listener rules, one target group per routed service, each service's execution role and
 * the worker's missing target group and ingress. Then the CLI on the stack's outputs: `credentials check --all`, and
 * `rotate` of the shared credential, which rolls exactly the two services that pull with it. Then destroy.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetRolePolicyCommand, IAMClient, ListRolePoliciesCommand } from "@aws-sdk/client-iam";
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { DescribeClustersCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from "@aws-sdk/client-ecs";
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  DescribeScheduledActionsCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { DescribeSecurityGroupRulesCommand, DescribeSecurityGroupsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { parseDeploymentConfig } from "../../src/config/load";
import { EmulatedDeployment } from "../../src/emulator/emulated-deployment";
import { filesContaining } from "../../src/emulator/leaks";
import { LocalRegistry } from "../../src/emulator/registry-server";
import { EXIT } from "../../src/operations/exit-codes";
import { runCli, type CliRun } from "../helpers/cli";
import { changedAttributes, secondPlanChanges } from "../helpers/second-plan";

jest.setTimeout(600_000);

const REGION = "us-east-1";
const DB_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/db-AbC123";
const token = `ghp_app${Date.now()}${Math.random().toString(36).slice(2, 12)}`;
const nextToken = `ghp_app${Date.now()}${Math.random().toString(36).slice(2, 12)}x`;
const workerToken = `ghp_wrk${Date.now()}${Math.random().toString(36).slice(2, 12)}`;
const publisher = { username: "publisher", password: `pub${Date.now()}` };

let registry: LocalRegistry;
let deployment: EmulatedDeployment;
let outputs: Record<string, unknown>;
let services: Record<string, { service_name: string; credentials_secret_arn: string; execution_role_arn: string }>;
let outputsFile: string;
const logs: string[] = [];

function app(host: string) {
  return {
    name: "shop",
    region: REGION,
    credentials: { mode: "managed", username: "acme-ci-bot" },
    services: {
      api: {
        image: `${host}/acme/shop-api:1.0.0`,
        containerPort: 8081,
        cpu: 256,
        memory: 512,
        desiredCount: 2,
        route: { pathPatterns: ["/api/*"], priority: 10 },
        secrets: { DB_PASSWORD: DB_SECRET },
        autoscaling: {
          minCount: 1,
          maxCount: 6,
          requestsPerTarget: 500,
          schedules: [{ name: "workday", schedule: "cron(0 7 ? * MON-FRI *)", timezone: "Europe/London", minCount: 2 }],
        },
      },
      admin: {
        image: `${host}/acme/shop-admin:1.0.0`,
        cpu: 256,
        memory: 512,
        desiredCount: 2,
        route: { hostHeaders: ["admin.example.com"] },
        autoscaling: { enabled: false },
        exec: true,
        readOnlyRootFilesystem: false,
      },
      worker: {
        image: `${host}/acme/shop-worker:1.0.0`,
        cpu: 256,
        memory: 512,
        desiredCount: 2,
        loadBalanced: false,
        credentials: { mode: "managed", username: "worker-bot" },
        autoscaling: { memoryPercent: 80 },
      },
    },
  };
}

const client = <T>(Client: new (config: ReturnType<EmulatedDeployment["clientConfig"]>) => T): T => new Client(deployment.clientConfig());

function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const env = { ...process.env, ...deployment.moto.awsEnv(REGION), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...extraEnv };
  return runCli([...args, "--outputs", outputsFile], { cwd: deployment.workdir, env, timeoutMs: 120_000 });
}

beforeAll(async () => {
  registry = await LocalRegistry.start({
    kind: "token",
    style: "ghcr",
    users: [
      { username: "acme-ci-bot", passwords: [token, nextToken], pull: ["acme/shop-api", "acme/shop-admin"] },
      { username: "worker-bot", passwords: [workerToken], pull: ["acme/shop-worker"] },
      { ...publisher, passwords: [publisher.password], pull: ["*"], push: ["*"] },
    ],
  });
  for (const name of ["shop-api", "shop-admin", "shop-worker"]) await registry.pushImage(`acme/${name}`, "1.0.0", publisher);
  deployment = await EmulatedDeployment.start(parseDeploymentConfig(app(registry.host)));
  const applied = await deployment.terraform.apply({ TF_VAR_registry_token: token, TF_VAR_registry_token_worker: workerToken });
  logs.push(applied.stdout, applied.stderr);
  outputs = await deployment.terraform.outputs();
  services = outputs.services as typeof services;
  outputsFile = path.join(deployment.workdir, "cdktf-outputs.json");
  fs.writeFileSync(outputsFile, JSON.stringify({ [deployment.stack]: outputs }));
});
afterAll(async () => {
  await Promise.all([deployment?.dispose(), registry?.stop()]);
});

describe("an app environment applied to moto", () => {
  it("is one stack, shop, whose outputs map every service", () => {
    expect(deployment.stack).toBe("shop");
    expect(Object.keys(services).sort()).toEqual(["admin", "api", "worker"]);
    expect(outputs.cluster_name).toBe("shop");
  });

  it("routes by path and by host with the rules' priorities, and answers 404 by default", async () => {
    const elb = client(ElasticLoadBalancingV2Client);
    const [lb] = (await elb.send(new DescribeLoadBalancersCommand({ Names: ["shop"] }))).LoadBalancers ?? [];
    const [listener] = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners ?? [];
    expect(listener.DefaultActions).toEqual([
      expect.objectContaining({
        Type: "fixed-response",
        FixedResponseConfig: expect.objectContaining({ StatusCode: "404", ContentType: "text/plain" }) as unknown,
      }),
    ]);
    const groups = (await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
    const groupArn = (name: string) => groups.find((g) => g.TargetGroupName === name)?.TargetGroupArn;
    const rules = ((await elb.send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).Rules ?? []).filter((r) => !r.IsDefault);
    const summary = rules
      .map((r) => ({
        priority: r.Priority,
        conditions: (r.Conditions ?? []).map((c) => [c.Field, ...(c.Values ?? c.PathPatternConfig?.Values ?? c.HostHeaderConfig?.Values ?? [])]),
        forwardsTo: r.Actions?.[0]?.TargetGroupArn,
      }))
      .sort((a, b) => Number(a.priority) - Number(b.priority));
    expect(summary).toEqual([
      { priority: "10", conditions: [["path-pattern", "/api/*"]], forwardsTo: groupArn("shop-api-8081") },
      { priority: "20", conditions: [["host-header", "admin.example.com"]], forwardsTo: groupArn("shop-admin-8080") },
    ]);
  });

  it("gives each routed service a target group checking /actuator/health, and the worker none", async () => {
    const groups = (await client(ElasticLoadBalancingV2Client).send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
    expect(groups.map((g) => [g.TargetGroupName, g.Port, g.HealthCheckPath, g.TargetType]).sort()).toEqual([
      ["shop-admin-8080", 8080, "/actuator/health", "ip"],
      ["shop-api-8081", 8081, "/actuator/health", "ip"],
    ]);
    const worker = (await client(ECSClient).send(new DescribeServicesCommand({ cluster: "shop", services: ["worker"] }))).services?.[0];
    expect(worker?.loadBalancers).toEqual([]);
  });

  it("lets each execution role read only the secret its service pulls with, and its own container secrets", async () => {
    const iam = client(IAMClient);
    const apiSecret = services.api.credentials_secret_arn;
    const workerSecret = services.worker.credentials_secret_arn;
    expect(services.admin.credentials_secret_arn).toBe(apiSecret);
    expect(workerSecret).not.toBe(apiSecret);
    const reads = async (role: string) => {
      const [policy] = (await iam.send(new ListRolePoliciesCommand({ RoleName: role }))).PolicyNames ?? [];
      const document = (await iam.send(new GetRolePolicyCommand({ RoleName: role, PolicyName: policy }))).PolicyDocument ?? "";
      const statements = (JSON.parse(decodeURIComponent(document)) as { Statement: { Action: string | string[]; Resource: string[] }[] }).Statement;
      return statements.filter((s) => s.Action === "secretsmanager:GetSecretValue").flatMap((s) => s.Resource);
    };
    expect(await reads("shop-api-execution")).toEqual([apiSecret, DB_SECRET]);
    expect(await reads("shop-admin-execution")).toEqual([apiSecret]);
    expect(await reads("shop-worker-execution")).toEqual([workerSecret]);
  });

  it("stores each credential in its own secret, and the worker's task pulls with its own", async () => {
    const secrets = client(SecretsManagerClient);
    const stored = async (arn: string) => JSON.parse((await secrets.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString ?? "") as unknown;
    expect(await stored(services.api.credentials_secret_arn)).toEqual({ username: "acme-ci-bot", password: token });
    expect(await stored(services.worker.credentials_secret_arn)).toEqual({ username: "worker-bot", password: workerToken });
    const { taskDefinition } = await client(ECSClient).send(new DescribeTaskDefinitionCommand({ taskDefinition: "shop-worker" }));
    expect(taskDefinition?.containerDefinitions?.[0]).toMatchObject({
      name: "worker",
      portMappings: [],
      repositoryCredentials: { credentialsParameter: services.worker.credentials_secret_arn },
    });
  });

  it("admits nothing to the worker's tasks, and only the load balancer to a routed service's port", async () => {
    const ec2 = client(EC2Client);
    const groups =
      (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: ["shop-worker-tasks", "shop-api-tasks", "shop-alb"] }] })))
        .SecurityGroups ?? [];
    const idOf = (name: string) => groups.find((g) => g.GroupName === name)?.GroupId;
    const ingress = async (name: string) =>
      ((await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [idOf(name)!] }] }))).SecurityGroupRules ?? []).filter(
        (r) => !r.IsEgress,
      );
    expect(await ingress("shop-worker-tasks")).toEqual([]);
    expect((await ingress("shop-api-tasks")).map((r) => [r.FromPort, r.ToPort, r.ReferencedGroupInfo?.GroupId])).toEqual([[8081, 8081, idOf("shop-alb")]]);
  });

  it("scales each service as configured: api on requests per task through its own target group and on a schedule, the worker on memory, admin not at all", async () => {
    const scaling = client(ApplicationAutoScalingClient);
    const targets = (await scaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs" }))).ScalableTargets ?? [];
    expect(targets.map((t) => [t.ResourceId, t.MinCapacity, t.MaxCapacity]).sort()).toEqual([
      ["service/shop/api", 1, 6],
      ["service/shop/worker", 2, 4],
    ]);
    const elb = client(ElasticLoadBalancingV2Client);
    const [alb] = (await elb.send(new DescribeLoadBalancersCommand({ Names: ["shop"] }))).LoadBalancers ?? [];
    const [apiGroup] = (await elb.send(new DescribeTargetGroupsCommand({ Names: ["shop-api-8081"] }))).TargetGroups ?? [];
    const suffix = (arn: string | undefined, marker: string) => arn?.slice(arn.indexOf(marker));
    const policies = (await scaling.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs" }))).ScalingPolicies ?? [];
    expect(
      policies
        .map((p) => [
          p.PolicyName,
          p.ResourceId,
          p.TargetTrackingScalingPolicyConfiguration?.TargetValue,
          p.TargetTrackingScalingPolicyConfiguration?.PredefinedMetricSpecification,
        ])
        .sort(),
    ).toEqual([
      [
        "shop-api-requests",
        "service/shop/api",
        500,
        {
          PredefinedMetricType: "ALBRequestCountPerTarget",
          ResourceLabel: `${suffix(alb.LoadBalancerArn, "app/")}/${suffix(apiGroup.TargetGroupArn, "targetgroup/")}`,
        },
      ],
      ["shop-worker-memory", "service/shop/worker", 80, { PredefinedMetricType: "ECSServiceAverageMemoryUtilization" }],
    ]);
    const actions = (await scaling.send(new DescribeScheduledActionsCommand({ ServiceNamespace: "ecs" }))).ScheduledActions ?? [];
    expect(actions.map((a) => [a.ScheduledActionName, a.ResourceId, a.Schedule, a.Timezone, a.ScalableTargetAction])).toEqual([
      ["shop-api-workday", "service/shop/api", "cron(0 7 ? * MON-FRI *)", "Europe/London", { MinCapacity: 2 }],
    ]);
  });

  // Terraform writes an output's map keys in sorted order, so the services come alphabetically.
  it("lets operators open a shell in admin's tasks only: ECS Exec on, its task role opens session channels, sessions logged to /ecs/shop/_exec", async () => {
    const ecs = client(ECSClient);
    const described = await ecs.send(new DescribeServicesCommand({ cluster: "shop", services: ["api", "admin", "worker"] }));
    const execOn = Object.fromEntries((described.services ?? []).map((s): [string, boolean] => [s.serviceName ?? "", s.enableExecuteCommand ?? false]));
    const iam = client(IAMClient);
    const taskPolicies = async (service: string) => (await iam.send(new ListRolePoliciesCommand({ RoleName: `shop-${service}-task` }))).PolicyNames ?? [];
    expect({ api: await taskPolicies("api"), admin: await taskPolicies("admin"), worker: await taskPolicies("worker") }).toEqual({
      api: [],
      admin: ["ecs-exec-sessions"],
      worker: [],
    });
    const policy = await iam.send(new GetRolePolicyCommand({ RoleName: "shop-admin-task", PolicyName: "ecs-exec-sessions" }));
    const statements = (JSON.parse(decodeURIComponent(policy.PolicyDocument ?? "")) as { Statement: { Sid: string; Resource: unknown }[] }).Statement;
    expect(statements.map((s) => [s.Sid, s.Resource])).toEqual([
      ["OpenSessionChannels", "*"],
      ["FindSessionLogGroup", "*"],
      ["WriteSessionLog", "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/shop/_exec:*"],
    ]);
    const groups = (await client(CloudWatchLogsClient).send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/ecs/shop/_exec" }))).logGroups ?? [];
    expect(groups.map((g) => [g.logGroupName, g.retentionInDays])).toEqual([["/ecs/shop/_exec", 30]]);
    const [cluster] = (await ecs.send(new DescribeClustersCommand({ clusters: ["shop"], include: ["CONFIGURATIONS"] }))).clusters ?? [];
    expect(cluster.configuration).toEqual({
      executeCommandConfiguration: { logging: "OVERRIDE", logConfiguration: { cloudWatchLogGroupName: "/ecs/shop/_exec" } },
    });
    // moto 5.2.1 does not keep a service's enableExecuteCommand, so the next plan sets it again, on admin alone.
    expect(execOn).toEqual({ api: false, admin: false, worker: false });
    const changes = await secondPlanChanges(deployment, token, logs, { TF_VAR_registry_token_worker: workerToken });
    const setsExec = changes
      .filter((c) => c.type === "aws_ecs_service" && changedAttributes(c.change).includes("enable_execute_command"))
      .map((c): unknown[] => [c.address, c.change.before.enable_execute_command, c.change.after.enable_execute_command]);
    expect(setsExec).toEqual([[expect.stringMatching(/^aws_ecs_service\.services_admin_service_/), false, true]]);
  });

  it("checks every service's pull with its own secret (credentials check --all)", async () => {
    const run = await cli(["credentials", "check", "--all"]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: EXIT.ok, stderr: "" });
    expect(
      run.stdout
        .split("\n")
        .filter(Boolean)
        .map((line) => line.replace(/ \(sha256:[a-f0-9]{64}\)$/, "")),
    ).toEqual([
      `ok: admin: acme-ci-bot can pull ${registry.host}/acme/shop-admin:1.0.0`,
      `ok: api: acme-ci-bot can pull ${registry.host}/acme/shop-api:1.0.0`,
      `ok: worker: worker-bot can pull ${registry.host}/acme/shop-worker:1.0.0`,
    ]);
  });

  it("asks which service when the stack has several and none is named", async () => {
    const run = await cli(["credentials", "check"]);
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain("error: the stack has 3 services (admin, api, worker)\nfix: Pick one with --service NAME.");
  });

  it("rotates the shared credential and rolls exactly the two services that pull with it, in parallel", async () => {
    const ecs = client(ECSClient);
    const primary = async (service: string) =>
      (await ecs.send(new DescribeServicesCommand({ cluster: "shop", services: [service] }))).services?.[0]?.deployments?.find((d) => d.status === "PRIMARY")
        ?.id;
    const before = { api: await primary("api"), admin: await primary("admin"), worker: await primary("worker") };
    const run = await cli(["rotate", "--service", "api", "--token-env", "NEW_TOKEN", "--poll-interval", "1", "--json"], { NEW_TOKEN: nextToken });
    expect(run.code).toBe(EXIT.ok);
    const result = JSON.parse(run.stdout) as { ok: boolean; rollouts: { service: string; outcome: string }[] };
    expect(result.ok).toBe(true);
    expect(result.rollouts.map((r) => [r.service, r.outcome]).sort()).toEqual([
      ["admin", "completed"],
      ["api", "completed"],
    ]);
    expect(run.stderr).toContain("4/4 rolling api: deployment");
    expect(run.stderr).toContain("4/4 rolling admin: deployment");
    expect(await primary("api")).not.toBe(before.api);
    expect(await primary("admin")).not.toBe(before.admin);
    expect(await primary("worker")).toBe(before.worker);
    const stored = await client(SecretsManagerClient).send(new GetSecretValueCommand({ SecretId: services.api.credentials_secret_arn }));
    expect(JSON.parse(stored.SecretString ?? "")).toEqual({ username: "acme-ci-bot", password: nextToken });
    expect(run.stdout + run.stderr).not.toContain(nextToken);
  });

  it("never writes a token to state, cdktf.out or Terraform's output", () => {
    for (const secret of [token, nextToken, workerToken]) {
      expect(filesContaining(secret, [deployment.stateFile, deployment.outdir])).toEqual([]);
      expect(logs.join("\n")).not.toContain(secret);
    }
  });

  it("destroys everything it created", async () => {
    await deployment.terraform.destroy();
    const groups = (await client(ElasticLoadBalancingV2Client).send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
    expect(groups).toEqual([]);
    const state = JSON.parse(fs.readFileSync(deployment.stateFile, "utf8")) as { resources: unknown[] };
    expect(state.resources).toEqual([]);
  });
});
