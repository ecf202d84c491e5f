import { readFileSync } from "node:fs";
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient, TagResourceCommand } from "@aws-sdk/client-secrets-manager";
import { GetRoleCommand, GetRolePolicyCommand, IAMClient, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand } from "@aws-sdk/client-iam";
import { DescribeKeyCommand, GetKeyPolicyCommand, GetKeyRotationStatusCommand, KMSClient } from "@aws-sdk/client-kms";
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import {
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { DescribeClustersCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand, DescribeScalingPoliciesCommand } from "@aws-sdk/client-application-auto-scaling";
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeSecurityGroupRulesCommand, DescribeSubnetsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { EmulatedDeployment } from "../../src/emulator/emulated-deployment";
import { filesContaining } from "../../src/emulator/leaks";
import { configWith } from "../helpers/configs";
import { driftBeyond, FARGATE_MOTO_DROPPED_FIELDS, secondPlanChanges } from "../helpers/second-plan";
import { match } from "../helpers/matchers";
import type { PolicyStatement } from "../helpers/synth";

jest.setTimeout(600_000);

const canary = `ghp_canary${Date.now()}${Math.random().toString(36).slice(2, 12)}`;
let deployment: EmulatedDeployment;
let outputs: Record<string, string>;
const logs: string[] = [];

beforeAll(async () => {
  deployment = await EmulatedDeployment.start(configWith({ alarms: { notify: { emails: ["oncall@example.com"] } } }));
  const applied = await deployment.terraform.apply({ TF_VAR_registry_token: canary });
  logs.push(applied.stdout, applied.stderr);
  outputs = (await deployment.terraform.outputs()) as Record<string, string>;
});
afterAll(async () => {
  await deployment?.dispose();
});

const client = <T>(Client: new (config: ReturnType<EmulatedDeployment["clientConfig"]>) => T): T => new Client(deployment.clientConfig());

describe("the reference app applied to moto", () => {
  it("stores the registry credential as {username, password} in the secret, encrypted with the created CMK", async () => {
    const secrets = client(SecretsManagerClient);
    const value = await secrets.send(new GetSecretValueCommand({ SecretId: outputs.credentials_secret_arn }));
    expect(JSON.parse(value.SecretString ?? "")).toEqual({ username: "acme-ci-bot", password: canary });
    const described = await secrets.send(new DescribeSecretCommand({ SecretId: outputs.credentials_secret_arn }));
    expect(described.Name).toBe("orders/registry-credentials");
    const kms = client(KMSClient);
    const key = await kms.send(new DescribeKeyCommand({ KeyId: described.KmsKeyId }));
    expect(key.KeyMetadata?.KeyManager).toBe("CUSTOMER");
    expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyMetadata?.KeyId }))).KeyRotationEnabled).toBe(true);
  });

  it("lets the execution role read exactly that secret, decrypt only via Secrets Manager, and nothing else", async () => {
    const iam = client(IAMClient);
    const role = await iam.send(new GetRoleCommand({ RoleName: "orders-execution" }));
    const trust = JSON.parse(decodeURIComponent(role.Role?.AssumeRolePolicyDocument ?? "")) as { Statement: PolicyStatement[] };
    expect(trust.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: "ecs-tasks.amazonaws.com" },
        Condition: match.objectContaining({ StringEquals: { "aws:SourceAccount": "123456789012" } }),
      }),
    ]);
    expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "orders-execution" }))).AttachedPolicies).toEqual([]);
    const names = (await iam.send(new ListRolePoliciesCommand({ RoleName: "orders-execution" }))).PolicyNames ?? [];
    expect(names).toEqual(["pull-image-read-secrets-write-logs"]);
    const inline = await iam.send(new GetRolePolicyCommand({ RoleName: "orders-execution", PolicyName: names[0] }));
    const statements = (JSON.parse(decodeURIComponent(inline.PolicyDocument ?? "")) as { Statement: Record<string, unknown>[] }).Statement;
    const secretsManager = await client(SecretsManagerClient).send(new DescribeSecretCommand({ SecretId: outputs.credentials_secret_arn }));
    expect(statements.find((s) => s.Action === "secretsmanager:GetSecretValue")?.Resource).toEqual([outputs.credentials_secret_arn]);
    const decrypt = statements.find((s) => s.Action === "kms:Decrypt");
    expect(decrypt?.Resource).toEqual([expect.stringMatching(/^arn:aws:kms:us-east-1:123456789012:key\//)]);
    expect(decrypt?.Resource).toEqual([(await client(KMSClient).send(new DescribeKeyCommand({ KeyId: secretsManager.KmsKeyId }))).KeyMetadata?.Arn]);
    expect(decrypt?.Condition).toEqual({ StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } });
    expect(JSON.stringify(statements)).not.toMatch(/"\*"/);
  });

  it("registers a Fargate task definition that pulls with repositoryCredentials from that secret", async () => {
    const ecs = client(ECSClient);
    const { taskDefinition } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "orders" }));
    expect(taskDefinition).toMatchObject({
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: "512",
      memory: "1024",
      executionRoleArn: outputs.execution_role_arn,
    });
    expect(taskDefinition?.taskRoleArn).toMatch(/role\/orders-task$/);
    expect(taskDefinition?.containerDefinitions?.[0]).toMatchObject({
      name: "orders",
      image: "ghcr.io/acme/orders-service:1.4.2",
      memory: 768,
      repositoryCredentials: { credentialsParameter: outputs.credentials_secret_arn },
      portMappings: [expect.objectContaining({ containerPort: 8098 })],
      logConfiguration: { logDriver: "awslogs", options: match.objectContaining({ "awslogs-group": "/ecs/orders" }) },
    });
  });

  it("runs the service on private subnets without public IPs, behind the target group", async () => {
    const ecs = client(ECSClient);
    const cluster = (await ecs.send(new DescribeClustersCommand({ clusters: [outputs.cluster_name], include: ["SETTINGS"] }))).clusters?.[0];
    expect(cluster?.settings).toEqual([{ name: "containerInsights", value: "enabled" }]);
    const service = (await ecs.send(new DescribeServicesCommand({ cluster: outputs.cluster_name, services: [outputs.service_name] }))).services?.[0];
    expect(service).toMatchObject({ launchType: "FARGATE", desiredCount: 2, platformVersion: "LATEST" });
    const awsvpc = service?.networkConfiguration?.awsvpcConfiguration;
    expect(awsvpc?.assignPublicIp).toBe("DISABLED");
    const subnets = (await client(EC2Client).send(new DescribeSubnetsCommand({ SubnetIds: awsvpc?.subnets }))).Subnets ?? [];
    expect(subnets.map((s) => s.Tags?.find((t) => t.Key === "Tier")?.Value)).toEqual(["private", "private"]);
    expect(new Set(subnets.map((s) => s.AvailabilityZone)).size).toBe(2);
    expect(service?.loadBalancers).toEqual([expect.objectContaining({ containerName: "orders", containerPort: 8098 })]);
  });

  it("health-checks /actuator/health on an ip target group and drains in 30 s", async () => {
    const elb = client(ElasticLoadBalancingV2Client);
    const lb = (await elb.send(new DescribeLoadBalancersCommand({ Names: ["orders"] }))).LoadBalancers?.[0];
    // moto leaves Scheme out of DescribeLoadBalancers; the unit tests pin `internal = false`.
    expect(lb).toMatchObject({ Type: "application", LoadBalancerName: "orders" });
    expect(outputs.service_url).toBe(`http://${lb?.DNSName}`);
    const lbAttributes = (await elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lb?.LoadBalancerArn }))).Attributes ?? [];
    expect(lbAttributes).toContainEqual({ Key: "routing.http.drop_invalid_header_fields.enabled", Value: "true" });
    const group = (await elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lb?.LoadBalancerArn }))).TargetGroups?.[0];
    expect(group).toMatchObject({
      TargetType: "ip",
      Port: 8098,
      HealthCheckPath: "/actuator/health",
      Matcher: { HttpCode: "200" },
      HealthCheckIntervalSeconds: 10,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 3,
    });
    const groupAttributes = (await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: group?.TargetGroupArn }))).Attributes ?? [];
    expect(groupAttributes).toContainEqual({ Key: "deregistration_delay.timeout_seconds", Value: "30" });
    const listeners = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb?.LoadBalancerArn }))).Listeners ?? [];
    expect(listeners).toEqual([
      expect.objectContaining({
        Port: 80,
        Protocol: "HTTP",
        DefaultActions: [expect.objectContaining({ Type: "forward", TargetGroupArn: group?.TargetGroupArn })],
      }),
    ]);
  });

  it("admits only the load balancer to the tasks, and lets tasks out on 443 only", async () => {
    const service = (await client(ECSClient).send(new DescribeServicesCommand({ cluster: "orders", services: ["orders"] }))).services?.[0];
    const groupId = service?.networkConfiguration?.awsvpcConfiguration?.securityGroups?.[0];
    const rules =
      (await client(EC2Client).send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [groupId as string] }] })))
        .SecurityGroupRules ?? [];
    const ingress = rules.filter((r) => !r.IsEgress);
    const egress = rules.filter((r) => r.IsEgress);
    expect(ingress).toEqual([
      expect.objectContaining({
        FromPort: 8098,
        ToPort: 8098,
        IpProtocol: "tcp",
        ReferencedGroupInfo: match.objectContaining({ GroupId: match.stringMatching(/^sg-/) }),
      }),
    ]);
    expect(egress).toEqual([expect.objectContaining({ FromPort: 443, ToPort: 443, CidrIpv4: "0.0.0.0/0" })]);
  });

  it("keeps logs for 30 days, encrypted with the CMK", async () => {
    const group = (await client(CloudWatchLogsClient).send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/ecs/orders" }))).logGroups?.[0];
    expect(group).toMatchObject({ logGroupName: outputs.log_group_name, retentionInDays: 30 });
    expect(group?.kmsKeyId).toMatch(/^arn:aws:kms:us-east-1:123456789012:key\//);
  });

  it("lets Application Auto Scaling keep the service between 2 and 4 tasks at 70 % average CPU", async () => {
    const scaling = client(ApplicationAutoScalingClient);
    const targets = (await scaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs" }))).ScalableTargets ?? [];
    expect(targets.map((t) => [t.ResourceId, t.ScalableDimension, t.MinCapacity, t.MaxCapacity])).toEqual([
      ["service/orders/orders", "ecs:service:DesiredCount", 2, 4],
    ]);
    const policies = (await scaling.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs" }))).ScalingPolicies ?? [];
    expect(policies.map((p) => [p.PolicyName, p.PolicyType, p.ResourceId, p.TargetTrackingScalingPolicyConfiguration])).toEqual([
      [
        "orders-cpu",
        "TargetTrackingScaling",
        "service/orders/orders",
        {
          TargetValue: 70,
          DisableScaleIn: false,
          PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" },
          ScaleInCooldown: 300,
          ScaleOutCooldown: 60,
        },
      ],
    ]);
  });

  it("alarms on the service's target group and the load balancer with the dimensions CloudWatch expects, notifying one topic", async () => {
    const elb = client(ElasticLoadBalancingV2Client);
    const [lb] = (await elb.send(new DescribeLoadBalancersCommand({ Names: ["orders"] }))).LoadBalancers ?? [];
    const [group] = (await elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).TargetGroups ?? [];
    // CloudWatch names them by the ARN's resource part: app/<name>/<id> and targetgroup/<name>/<id>.
    const loadBalancer = (lb.LoadBalancerArn ?? "").split(":loadbalancer/")[1];
    const targetGroup = (group.TargetGroupArn ?? "").split(":").pop();
    expect(loadBalancer).toMatch(/^app\/orders\/\w+$/);
    expect(targetGroup).toMatch(/^targetgroup\/orders-8098\/\w+$/);

    const alarms = (await client(CloudWatchClient).send(new DescribeAlarmsCommand({ AlarmNamePrefix: "orders: " }))).MetricAlarms ?? [];
    const topicArn = `arn:aws:sns:us-east-1:123456789012:orders-alarms`;
    const dims = (d: Record<string, string>) => Object.entries(d).map(([Name, Value]) => ({ Name, Value }));
    const summary = alarms.map((a) => ({
      name: a.AlarmName,
      metric:
        a.MetricName ??
        (a.Metrics ?? [])
          .map((m) => m.Expression ?? `${m.Id}=${m.MetricStat?.Metric?.MetricName}`)
          .sort()
          .join(" "),
      statistic: a.ExtendedStatistic ?? a.Statistic,
      // Terraform sends dimensions as a map: their order means nothing.
      dimensions: [...((a.Dimensions?.length ? a.Dimensions : (a.Metrics ?? []).find((m) => m.MetricStat)?.MetricStat?.Metric?.Dimensions) ?? [])].sort(
        (x, y) => (x.Name ?? "").localeCompare(y.Name ?? ""),
      ),
      threshold: a.Threshold,
      periods: [a.EvaluationPeriods, a.DatapointsToAlarm],
      actions: [a.AlarmActions, a.OKActions],
    }));
    const notify = [[topicArn], [topicArn]];
    const lbAndGroup = dims({ LoadBalancer: loadBalancer, TargetGroup: targetGroup ?? "" });
    const service = dims({ ClusterName: "orders", ServiceName: "orders" });
    expect(summary.sort((a, b) => (a.name ?? "").localeCompare(b.name ?? ""))).toEqual([
      {
        name: "orders: 5xx responses high",
        metric: "IF(requests >= 10, 100 * FILL(errors, 0) / requests, 0) errors=HTTPCode_Target_5XX_Count requests=RequestCount",
        statistic: undefined,
        dimensions: lbAndGroup,
        threshold: 5,
        periods: [3, 3],
        actions: notify,
      },
      { name: "orders: CPU high", metric: "CPUUtilization", statistic: "Average", dimensions: service, threshold: 90, periods: [3, 3], actions: notify },
      {
        name: "orders: load balancer 5xx high",
        metric: "HTTPCode_ELB_5XX_Count",
        statistic: "Sum",
        dimensions: dims({ LoadBalancer: loadBalancer }),
        threshold: 10,
        periods: [3, 3],
        actions: notify,
      },
      { name: "orders: memory high", metric: "MemoryUtilization", statistic: "Average", dimensions: service, threshold: 90, periods: [3, 3], actions: notify },
      {
        name: "orders: p99 response time high",
        metric: "TargetResponseTime",
        statistic: "p99",
        dimensions: lbAndGroup,
        threshold: 2,
        periods: [3, 3],
        actions: notify,
      },
      {
        name: "orders: running tasks below desired",
        metric: "desired - running desired=DesiredTaskCount running=RunningTaskCount",
        statistic: undefined,
        dimensions: service,
        threshold: 0,
        periods: [5, 5],
        actions: notify,
      },
      {
        name: "orders: unhealthy targets",
        metric: "UnHealthyHostCount",
        statistic: "Maximum",
        dimensions: lbAndGroup,
        threshold: 1,
        periods: [3, 3],
        actions: notify,
      },
    ]);
  });

  it("encrypts the topic with the stack's key, whose policy admits CloudWatch; only CloudWatch alarms may publish; the email is subscribed", async () => {
    const sns = client(SNSClient);
    const topicArn = "arn:aws:sns:us-east-1:123456789012:orders-alarms";
    const attributes = (await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes ?? {};
    const secret = await client(SecretsManagerClient).send(new DescribeSecretCommand({ SecretId: outputs.credentials_secret_arn }));
    expect(attributes.KmsMasterKeyId).toBe(secret.KmsKeyId);
    const policy = JSON.parse(attributes.Policy ?? "{}") as { Statement: PolicyStatement[] };
    expect(policy.Statement).toEqual([
      {
        Sid: "CloudWatchAlarmsOfThisAccountPublish",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: "sns:Publish",
        Resource: topicArn,
        Condition: {
          StringEquals: { "aws:SourceAccount": "123456789012" },
          ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:*" },
        },
      },
    ]);
    const keyPolicy = JSON.parse((await client(KMSClient).send(new GetKeyPolicyCommand({ KeyId: secret.KmsKeyId, PolicyName: "default" }))).Policy ?? "{}") as {
      Statement: PolicyStatement[];
    };
    expect(keyPolicy.Statement).toContainEqual({
      Sid: "CloudWatchAlarmsPublishToEncryptedTopic",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
    });
    const subscriptions = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }))).Subscriptions ?? [];
    expect(subscriptions.map((s) => [s.Protocol, s.Endpoint])).toEqual([["email", "oncall@example.com"]]);
  });

  it("has ECS watch the 5xx-rate and unhealthy-targets alarms during deployments (as applied: moto does not store deployment alarms)", () => {
    const state = JSON.parse(readFileSync(deployment.stateFile, "utf8")) as {
      resources: { type: string; instances: { attributes: { alarms?: unknown } }[] }[];
    };
    const service = state.resources.find((r) => r.type === "aws_ecs_service");
    expect(service?.instances[0].attributes.alarms).toEqual([
      { alarm_names: ["orders: 5xx responses high", "orders: unhealthy targets"], enable: true, rollback: true },
    ]);
  });

  it("changes nothing on a second plan, after a scale-out and a recorded token expiry too, except the fields moto drops", async () => {
    // What the scaler does on a burst: the service's desired count moves away from the config's 2.
    await client(ECSClient).send(new UpdateServiceCommand({ cluster: "orders", service: "orders", desiredCount: 4 }));
    // What `credentials set` / `rotate` record on the secret: the stack leaves that tag alone.
    await client(SecretsManagerClient).send(
      new TagResourceCommand({ SecretId: outputs.credentials_secret_arn, Tags: [{ Key: "ghcr-ecs:token-expires", Value: "2027-03-01T00:00:00.000Z" }] }),
    );
    const changes = await secondPlanChanges(deployment, canary, logs);
    expect(driftBeyond(changes, FARGATE_MOTO_DROPPED_FIELDS)).toEqual([]);
  });

  it("never writes the token to state, plan, cdktf.out or Terraform's output", () => {
    expect(readFileSync(deployment.stateFile, "utf8")).toContain("aws_secretsmanager_secret_version");
    expect(filesContaining(canary, [deployment.workdir])).toEqual([]);
    expect(logs.join("\n")).not.toContain(canary);
  });

  it("destroys everything it created", async () => {
    const destroyed = await deployment.terraform.destroy();
    expect(destroyed.stdout).toMatch(/Destroy complete! Resources: \d+ destroyed/);
    // Deleted clusters stay describable as INACTIVE (moto also keeps listing them).
    const clusters = (await client(ECSClient).send(new DescribeClustersCommand({ clusters: ["orders"] }))).clusters ?? [];
    expect(clusters.map((c) => c.status)).toEqual(["INACTIVE"]);
    expect((await client(ElasticLoadBalancingV2Client).send(new DescribeLoadBalancersCommand({}))).LoadBalancers).toEqual([]);
    expect((JSON.parse(readFileSync(deployment.stateFile, "utf8")) as { resources: unknown[] }).resources).toEqual([]);
  });
});
