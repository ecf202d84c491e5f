/**
 * The ECR mirror with endpoint-only networking (config/examples/private-mirror.json) applied to moto, with the test
 * fixture that adds ECR's pull-through-cache and creation-template APIs (moto 5.2.1 has neither): every new resource
 * read back through the AWS SDK, the token only in Secrets Manager, and a second plan with no real drift.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import {
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { DescribeTaskDefinitionCommand, ECSClient } from "@aws-sdk/client-ecs";
import { DescribePullThroughCacheRulesCommand, DescribeRepositoryCreationTemplatesCommand, ECRClient } from "@aws-sdk/client-ecr";
import { GetRolePolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { parseConfig } from "../../src/config/load";
import { EmulatedDeployment } from "../../src/emulator/emulated-deployment";
import { filesContaining } from "../../src/emulator/leaks";
import { makeCanary, needlesFor, searchFiles, searchTexts } from "../helpers/canary";
import { match } from "../helpers/matchers";
import { driftBeyond, FARGATE_MOTO_DROPPED_FIELDS, secondPlanChanges } from "../helpers/second-plan";

jest.setTimeout(600_000);

const EXAMPLE = path.join(__dirname, "..", "..", "config", "examples", "private-mirror.json");
const FIXTURE = path.join(__dirname, "..", "fixtures", "moto_with_ecr_cache.py");
const ACCOUNT = "123456789012";
const REGION = "eu-west-2";
const DIGEST = "sha256:4b5e6f0c1a2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f";
const canary = makeCanary("mirror");
let deployment: EmulatedDeployment;
let outputs: Record<string, string>;
const logs: string[] = [];

beforeAll(async () => {
  deployment = await EmulatedDeployment.start(parseConfig(JSON.parse(readFileSync(EXAMPLE, "utf8"))), { motoScript: FIXTURE });
  const applied = await deployment.terraform.apply({ TF_VAR_registry_token: canary });
  logs.push(applied.stdout, applied.stderr);
  outputs = (await deployment.terraform.outputs()) as Record<string, string>;
});
afterAll(async () => {
  await deployment?.dispose();
});

const client = <T>(Client: new (config: ReturnType<EmulatedDeployment["clientConfig"]>) => T): T => new Client(deployment.clientConfig());

async function vpcEndpoints() {
  return (await client(EC2Client).send(new DescribeVpcEndpointsCommand({}))).VpcEndpoints ?? [];
}

describe("the ECR mirror with VPC endpoints, applied to moto", () => {
  it("outputs the mirror image ECS pulls and the mode the CLI reads", () => {
    expect(outputs).toMatchObject({
      image: `ghcr.io/acme/payments@${DIGEST}`,
      mirror_image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/ghcr/acme/payments@${DIGEST}`,
      registry_auth_mode: "ecr-pull-through-cache",
    });
  });

  it("stores {username, accessToken} in the ecr-pullthroughcache/ secret the rule names", async () => {
    const secrets = client(SecretsManagerClient);
    expect((await secrets.send(new DescribeSecretCommand({ SecretId: outputs.credentials_secret_arn }))).Name).toBe("ecr-pullthroughcache/payments");
    const value = await secrets.send(new GetSecretValueCommand({ SecretId: outputs.credentials_secret_arn }));
    expect(JSON.parse(value.SecretString ?? "")).toEqual({ username: "acme-ci-bot", accessToken: canary });
    const rules = await client(ECRClient).send(new DescribePullThroughCacheRulesCommand({ ecrRepositoryPrefixes: ["ghcr"] }));
    expect(rules.pullThroughCacheRules).toEqual([
      expect.objectContaining({
        ecrRepositoryPrefix: "ghcr",
        upstreamRegistryUrl: "ghcr.io",
        upstreamRegistry: "github-container-registry",
        credentialArn: outputs.credentials_secret_arn,
        registryId: ACCOUNT,
      }),
    ]);
  });

  it("creates every cached repository from the template: immutable tags, the stack's key, the lifecycle policy, ECR's own role", async () => {
    const [template] = (await client(ECRClient).send(new DescribeRepositoryCreationTemplatesCommand({ prefixes: ["ghcr"] }))).repositoryCreationTemplates ?? [];
    expect(template).toMatchObject({
      prefix: "ghcr",
      appliedFor: ["PULL_THROUGH_CACHE"],
      imageTagMutability: "IMMUTABLE",
      encryptionConfiguration: { encryptionType: "KMS", kmsKey: match.stringMatching(new RegExp(`^arn:aws:kms:${REGION}:${ACCOUNT}:key/`)) },
      customRoleArn: `arn:aws:iam::${ACCOUNT}:role/payments-ecr-cache`,
    });
    expect(template.resourceTags).toContainEqual({ Key: "ManagedBy", Value: "ghcr-ecs" });
    expect(JSON.parse(template.lifecyclePolicy ?? "")).toEqual({
      rules: [
        {
          rulePriority: 1,
          description: "Keep the newest 50 images pulled through the cache",
          selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 50 },
          action: { type: "expire" },
        },
      ],
    });
  });

  it("runs the image from ECR by digest, with no repositoryCredentials, and an execution role that can only pull through the cache", async () => {
    const definition = (await client(ECSClient).send(new DescribeTaskDefinitionCommand({ taskDefinition: "payments" }))).taskDefinition;
    const [container] = definition?.containerDefinitions ?? [];
    expect(container.image).toBe(outputs.mirror_image);
    expect(container.repositoryCredentials).toBeUndefined();
    const stored = await client(IAMClient).send(new GetRolePolicyCommand({ RoleName: "payments-execution", PolicyName: "pull-image-read-secrets-write-logs" }));
    const policy = JSON.parse(decodeURIComponent(stored.PolicyDocument ?? "")) as { Statement: { Sid: string; Action: unknown; Resource: unknown }[] };
    expect(policy.Statement.map((s) => [s.Sid, s.Action, s.Resource])).toEqual([
      ["EcrAuthorizationToken", "ecr:GetAuthorizationToken", "*"],
      [
        "PullThroughTheCache",
        ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
        `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/ghcr/*`,
      ],
      ["WriteOwnLogGroup", ["logs:CreateLogStream", "logs:PutLogEvents"], expect.stringMatching(/:log-group:\/ecs\/payments:log-stream:\*$/)],
    ]);
    expect(JSON.stringify(policy)).not.toContain("secretsmanager");
  });

  it("reaches AWS through four interface endpoints and the S3 gateway, each scoped, and has no NAT gateway or route out", async () => {
    const endpoints = await vpcEndpoints();
    const interfaces = endpoints.filter((e) => e.VpcEndpointType === "Interface");
    expect(interfaces.map((e) => e.ServiceName).sort()).toEqual(["ecr.api", "ecr.dkr", "logs", "secretsmanager"].map((s) => `com.amazonaws.${REGION}.${s}`));
    for (const endpoint of interfaces) {
      expect(endpoint.PrivateDnsEnabled).toBe(true);
      expect(endpoint.SubnetIds).toHaveLength(2);
      expect(JSON.parse(endpoint.PolicyDocument ?? "")).toEqual({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "PrincipalsOfThisAccountOnly",
            Effect: "Allow",
            Principal: { AWS: "*" },
            Action: "*",
            Resource: "*",
            Condition: { StringEquals: { "aws:PrincipalAccount": ACCOUNT } },
          },
        ],
      });
    }
    const [s3] = endpoints.filter((e) => e.VpcEndpointType === "Gateway");
    expect(s3.ServiceName).toBe(`com.amazonaws.${REGION}.s3`);
    expect((JSON.parse(s3.PolicyDocument ?? "") as { Statement: unknown }).Statement).toEqual([
      {
        Sid: "EcrImageLayersOnly",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: "s3:GetObject",
        Resource: `arn:aws:s3:::prod-${REGION}-starport-layer-bucket/*`,
      },
    ]);

    const ec2 = client(EC2Client);
    const vpcId = interfaces[0].VpcId!;
    expect((await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: "vpc-id", Values: [vpcId] }] }))).NatGateways ?? []).toEqual([]);
    const tables = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }))).RouteTables ?? [];
    const privateTables = tables.filter((t) => (t.Tags ?? []).some((tag) => tag.Key === "Name" && /-private-\d$/.test(tag.Value ?? "")));
    expect(privateTables.map((t) => t.RouteTableId).sort()).toEqual([...(s3.RouteTableIds ?? [])].sort());
    for (const table of privateTables) {
      expect((table.Routes ?? []).filter((r) => r.DestinationCidrBlock === "0.0.0.0/0")).toEqual([]);
    }
  });

  it("lets the tasks out on 443 to the endpoints' security group and the S3 prefix list only", async () => {
    const ec2 = client(EC2Client);
    const rules = (await ec2.send(new DescribeSecurityGroupRulesCommand({}))).SecurityGroupRules ?? [];
    const endpointsGroup = (await vpcEndpoints()).find((e) => e.VpcEndpointType === "Interface")!.Groups![0].GroupId;
    const s3PrefixList = (await vpcEndpoints()).find((e) => e.VpcEndpointType === "Gateway");
    const taskEgress = rules.filter((r) => r.IsEgress && r.ReferencedGroupInfo?.GroupId !== undefined && r.ReferencedGroupInfo.GroupId === endpointsGroup);
    expect(taskEgress).toHaveLength(1);
    const tasksGroup = taskEgress[0].GroupId;
    const allEgress = rules.filter((r) => r.IsEgress && r.GroupId === tasksGroup);
    expect(allEgress.map((r) => [r.IpProtocol, r.FromPort, r.ToPort])).toEqual([
      ["tcp", 443, 443],
      ["tcp", 443, 443],
    ]);
    expect(allEgress.filter((r) => r.ReferencedGroupInfo?.GroupId === endpointsGroup)).toHaveLength(1);
    expect(allEgress.filter((r) => /^pl-/.test(r.PrefixListId ?? ""))).toHaveLength(1);
    expect(allEgress.some((r) => r.CidrIpv4 === "0.0.0.0/0")).toBe(false);
    expect(s3PrefixList).toBeDefined();
    const endpointIngress = rules.filter((r) => !r.IsEgress && r.GroupId === endpointsGroup);
    expect(endpointIngress.map((r) => [r.FromPort, r.ToPort, r.ReferencedGroupInfo?.GroupId])).toEqual([[443, 443, tasksGroup]]);
  });

  it("plans no change after the apply besides what moto drops", async () => {
    const changes = await secondPlanChanges(deployment, canary, logs);
    expect(driftBeyond(changes, FARGATE_MOTO_DROPPED_FIELDS)).toEqual([]);
  });

  it("never writes the cache's token to state, plan, cdktf.out or Terraform's output, raw or base64 at any alignment", () => {
    expect(readFileSync(deployment.stateFile, "utf8")).toContain("ecr-pullthroughcache/payments");
    expect(filesContaining(canary, [deployment.workdir])).toEqual([]);
    const needles = needlesFor([canary]);
    expect(searchFiles(needles, [deployment.workdir], [canary])).toEqual([]);
    expect(searchTexts(needles, [{ label: "terraform output", text: logs.join("\n") }], [canary])).toEqual([]);
  });
});
