import {
  alarmTopicPolicy,
  containerInstancePolicy,
  ec2TrustPolicy,
  ecrCreationTemplatePolicy,
  ecrCreationTemplateTrustPolicy,
  execCommandPolicy,
  customerManagedKeyPolicy,
  ecsTasksTrustPolicy,
  executionRolePolicy,
  secretArnOf,
  type ExecutionRolePolicyInput,
  type PolicyDocument,
  type PolicyStatement,
} from "../../../src/aws/iam-policies";

const ACCOUNT = "123456789012";
const REGION = "eu-central-1";
const REGISTRY_SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:ghcr/orders-AbC123`;
const DB_SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:orders/db-XyZ789`;
const API_KEY_PARAMETER = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/orders/api-key`;
const FLAGS_PARAMETER = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/orders/flags`;
const KEY_A = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const KEY_B = `arn:aws:kms:${REGION}:${ACCOUNT}:key/mrk-1234567890abcdef1234567890abcdef`;
const LOG_GROUP = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/ecs/orders`;

function input(overrides: Partial<ExecutionRolePolicyInput> = {}): ExecutionRolePolicyInput {
  return { registrySecretArn: REGISTRY_SECRET, containerSecretSources: [], kmsKeyArns: [], logGroupArn: LOG_GROUP, region: REGION, ...overrides };
}

function statement(document: PolicyDocument, sid: string): PolicyStatement | undefined {
  return document.Statement.find((s) => s.Sid === sid);
}

function asList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

describe("ecsTasksTrustPolicy", () => {
  it("lets only ECS tasks of this account assume the role", () => {
    expect(ecsTasksTrustPolicy(ACCOUNT, "aws", REGION)).toStrictEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "EcsTasksOfThisAccountOnly",
          Effect: "Allow",
          Principal: { Service: "ecs-tasks.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: {
            StringEquals: { "aws:SourceAccount": ACCOUNT },
            ArnLike: { "aws:SourceArn": `arn:aws:ecs:${REGION}:${ACCOUNT}:*` },
          },
        },
      ],
    });
  });

  it("uses the given partition in the source ARN condition", () => {
    const document = ecsTasksTrustPolicy("210987654321", "aws-us-gov", "us-gov-west-1");
    expect(document.Statement[0].Condition).toStrictEqual({
      StringEquals: { "aws:SourceAccount": "210987654321" },
      ArnLike: { "aws:SourceArn": "arn:aws-us-gov:ecs:us-gov-west-1:210987654321:*" },
    });
  });
});

describe("executionRolePolicy", () => {
  it("grants only reading the registry secret and writing its own log group when nothing else is configured", () => {
    expect(executionRolePolicy(input())).toStrictEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "ReadRegistryAndContainerSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: [REGISTRY_SECRET] },
        {
          Sid: "WriteOwnLogGroup",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: `${LOG_GROUP}:log-stream:*`,
        },
      ],
    });
  });

  it("scopes GetSecretValue to the credentials secret only", () => {
    const read = statement(executionRolePolicy(input()), "ReadRegistryAndContainerSecrets");
    expect(read?.Action).toBe("secretsmanager:GetSecretValue");
    expect(read?.Resource).toStrictEqual([REGISTRY_SECRET]);
    expect(asList(read?.Resource).some((arn) => arn.includes("*") || arn.includes("?"))).toBe(false);
  });

  it("reduces a container secret with a :json-key:stage:id suffix to the secret ARN", () => {
    const document = executionRolePolicy(input({ containerSecretSources: [`${DB_SECRET}:password:AWSCURRENT:`] }));
    expect(statement(document, "ReadRegistryAndContainerSecrets")?.Resource).toStrictEqual([REGISTRY_SECRET, DB_SECRET]);
  });

  it("lists each secret once however many keys of it the container reads", () => {
    const document = executionRolePolicy(
      input({
        containerSecretSources: [`${DB_SECRET}:password::`, `${DB_SECRET}:username::`, DB_SECRET, `${REGISTRY_SECRET}:password::`],
      }),
    );
    expect(statement(document, "ReadRegistryAndContainerSecrets")?.Resource).toStrictEqual([REGISTRY_SECRET, DB_SECRET]);
  });

  it("grants ssm:GetParameters on SSM parameter sources, not secretsmanager:GetSecretValue", () => {
    const document = executionRolePolicy(input({ containerSecretSources: [API_KEY_PARAMETER, FLAGS_PARAMETER, API_KEY_PARAMETER] }));
    expect(statement(document, "ReadContainerParameters")).toStrictEqual({
      Sid: "ReadContainerParameters",
      Effect: "Allow",
      Action: "ssm:GetParameters",
      Resource: [API_KEY_PARAMETER, FLAGS_PARAMETER],
    });
    expect(statement(document, "ReadRegistryAndContainerSecrets")?.Resource).toStrictEqual([REGISTRY_SECRET]);
  });

  it("has no ssm statement without SSM parameter sources", () => {
    const document = executionRolePolicy(input({ containerSecretSources: [DB_SECRET] }));
    expect(document.Statement.flatMap((s) => asList(s.Action)).filter((action) => action.startsWith("ssm:"))).toEqual([]);
  });

  it("has no kms:Decrypt statement when no customer-managed keys are given", () => {
    const document = executionRolePolicy(input({ containerSecretSources: [DB_SECRET, API_KEY_PARAMETER] }));
    expect(document.Statement.flatMap((s) => asList(s.Action)).filter((action) => action.startsWith("kms:"))).toEqual([]);
  });

  it("allows kms:Decrypt on the given keys only through Secrets Manager in the region", () => {
    const document = executionRolePolicy(input({ kmsKeyArns: [KEY_A, KEY_B, KEY_A] }));
    expect(statement(document, "DecryptSecretsThroughSecretsManagerOnly")).toStrictEqual({
      Sid: "DecryptSecretsThroughSecretsManagerOnly",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: [KEY_A, KEY_B],
      Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com` } },
    });
  });

  it("lets the role write only log streams of its own log group", () => {
    const document = executionRolePolicy(input());
    expect(statement(document, "WriteOwnLogGroup")).toStrictEqual({
      Sid: "WriteOwnLogGroup",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `${LOG_GROUP}:log-stream:*`,
    });
  });

  it("builds the full document in a fixed order when every kind of source is given", () => {
    const document = executionRolePolicy(input({ containerSecretSources: [`${DB_SECRET}:password::`, API_KEY_PARAMETER], kmsKeyArns: [KEY_A] }));
    expect(document.Statement.map((s) => s.Sid)).toEqual([
      "ReadRegistryAndContainerSecrets",
      "ReadContainerParameters",
      "DecryptSecretsThroughSecretsManagerOnly",
      "WriteOwnLogGroup",
    ]);
  });

  it("never grants a wildcard resource or a wildcard action, and nothing from ECR", () => {
    const document = executionRolePolicy(
      input({
        containerSecretSources: [`${DB_SECRET}:password::`, DB_SECRET, API_KEY_PARAMETER],
        kmsKeyArns: [KEY_A, KEY_B],
      }),
    );
    for (const s of document.Statement) {
      expect(s.Effect).toBe("Allow");
      expect(s.Resource).toBeDefined();
      expect(s.Resource).not.toBe("*");
      for (const resource of asList(s.Resource)) expect({ sid: s.Sid, resource }).not.toEqual({ sid: s.Sid, resource: "*" });
      for (const action of asList(s.Action)) {
        expect({ sid: s.Sid, action, wildcard: action.includes("*") }).toEqual({ sid: s.Sid, action, wildcard: false });
        expect(action.startsWith("ecr:")).toBe(false);
      }
      expect(s.Principal).toBeUndefined();
    }
  });

  it("survives JSON serialisation unchanged (it is passed to Terraform as a string)", () => {
    const document = executionRolePolicy(input({ containerSecretSources: [API_KEY_PARAMETER], kmsKeyArns: [KEY_A] }));
    expect(JSON.parse(JSON.stringify(document))).toStrictEqual(document);
  });
});

describe("secretArnOf", () => {
  it.each([
    ["keeps a plain secret ARN", REGISTRY_SECRET, REGISTRY_SECRET],
    ["drops a JSON key", `${DB_SECRET}:password::`, DB_SECRET],
    ["drops a JSON key and version stage", `${DB_SECRET}:password:AWSPREVIOUS:`, DB_SECRET],
    ["drops a version stage without a JSON key", `${DB_SECRET}::AWSCURRENT:`, DB_SECRET],
    ["drops a version id", `${DB_SECRET}:::0123456789abcdef`, DB_SECRET],
    [
      "keeps a GovCloud partition",
      "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:a/b-AbC123:key::",
      "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:a/b-AbC123",
    ],
  ])("%s", (_label, source, expected) => {
    expect(secretArnOf(source)).toBe(expected);
  });
});

describe("customerManagedKeyPolicy", () => {
  const keyInput = { accountId: ACCOUNT, partition: "aws", region: REGION, logGroupArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/ecs/orders` };

  it("keeps the account in control of the key and lets CloudWatch Logs use it for this log group only", () => {
    expect(customerManagedKeyPolicy(keyInput)).toStrictEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AccountAdministersThroughIam",
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: "kms:*",
          Resource: "*",
        },
        {
          Sid: "CloudWatchLogsForThisLogGroupOnly",
          Effect: "Allow",
          Principal: { Service: `logs.${REGION}.amazonaws.com` },
          Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
          Resource: "*",
          Condition: { ArnEquals: { "kms:EncryptionContext:aws:logs:arn": keyInput.logGroupArn } },
        },
      ],
    });
  });

  it("conditions the logs statement on the log group's encryption context", () => {
    const logs = statement(customerManagedKeyPolicy(keyInput), "CloudWatchLogsForThisLogGroupOnly");
    expect(logs?.Condition).toStrictEqual({ ArnEquals: { "kms:EncryptionContext:aws:logs:arn": keyInput.logGroupArn } });
    expect(logs?.Principal).toStrictEqual({ Service: "logs.eu-central-1.amazonaws.com" });
  });

  it("names the root principal in the given partition", () => {
    const document = customerManagedKeyPolicy({ ...keyInput, partition: "aws-us-gov", region: "us-gov-west-1", accountId: "210987654321" });
    expect(statement(document, "AccountAdministersThroughIam")?.Principal).toStrictEqual({ AWS: "arn:aws-us-gov:iam::210987654321:root" });
    expect(statement(document, "CloudWatchLogsForThisLogGroupOnly")?.Principal).toStrictEqual({ Service: "logs.us-gov-west-1.amazonaws.com" });
  });
});

describe("executionRolePolicy without a registry secret (EC2 agent-dockercfg)", () => {
  it("grants no secret at all when the container reads none", () => {
    expect(executionRolePolicy(input({ registrySecretArn: undefined })).Statement.map((s) => s.Sid)).toEqual(["WriteOwnLogGroup"]);
  });

  it("still grants the container's own secrets, under a name that says so", () => {
    const document = executionRolePolicy(input({ registrySecretArn: undefined, containerSecretSources: [`${DB_SECRET}:password::`] }));
    expect(statement(document, "ReadContainerSecrets")).toEqual({
      Sid: "ReadContainerSecrets",
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: [DB_SECRET],
    });
    expect(statement(document, "ReadRegistryAndContainerSecrets")).toBeUndefined();
  });
});

describe("containerInstancePolicy", () => {
  const CLUSTER = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/orders-ec2`;
  const instance = (overrides: Partial<Parameters<typeof containerInstancePolicy>[0]> = {}) =>
    containerInstancePolicy({ clusterArn: CLUSTER, clusterName: "orders-ec2", accountId: ACCOUNT, partition: "aws", region: REGION, ...overrides });

  it("lets the agent register, report and poll for this cluster only", () => {
    expect(instance()).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "JoinThisClusterOnly",
          Effect: "Allow",
          Action: [
            "ecs:RegisterContainerInstance",
            "ecs:DeregisterContainerInstance",
            "ecs:SubmitAttachmentStateChanges",
            "ecs:SubmitContainerStateChange",
            "ecs:SubmitTaskStateChange",
            "ecs:UpdateContainerInstancesState",
          ],
          Resource: CLUSTER,
        },
        {
          Sid: "PollAsThisClustersInstances",
          Effect: "Allow",
          Action: ["ecs:Poll", "ecs:StartTelemetrySession"],
          Resource: `arn:aws:ecs:${REGION}:${ACCOUNT}:container-instance/orders-ec2/*`,
          Condition: { ArnEquals: { "ecs:cluster": CLUSTER } },
        },
        { Sid: "DiscoverPollEndpoint", Effect: "Allow", Action: "ecs:DiscoverPollEndpoint", Resource: "*" },
      ],
    });
  });

  it("adds the registry secret (and its key, through Secrets Manager only) for agent-dockercfg", () => {
    const statements = instance({ registrySecret: { arn: REGISTRY_SECRET, kmsKeyArn: KEY_A } }).Statement;
    expect(statements.slice(3)).toEqual([
      { Sid: "ReadRegistrySecretAtBoot", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: [REGISTRY_SECRET] },
      {
        Sid: "DecryptSecretsThroughSecretsManagerOnly",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: [KEY_A],
        Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com` } },
      },
    ]);
  });

  it("adds ec2:DescribeTags only for tag propagation, and never ECR, logs or a wildcard action", () => {
    expect(instance({ describeTags: true }).Statement.map((s) => s.Sid)).toContain("PropagateInstanceTags");
    const actions = instance({ registrySecret: { arn: REGISTRY_SECRET } }).Statement.flatMap((s) => asList(s.Action));
    expect(actions.filter((a) => a.includes("*") || a.startsWith("ecr:") || a.startsWith("logs:"))).toEqual([]);
  });

  it("is assumed by EC2 only", () => {
    expect(ec2TrustPolicy().Statement).toEqual([
      { Sid: "Ec2InstancesAssume", Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
  });
});

describe("customerManagedKeyPolicy for EC2 volumes", () => {
  const keyInput = { accountId: ACCOUNT, partition: "aws", region: REGION, logGroupArn: LOG_GROUP };
  const role = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;

  it("lets EC2 Auto Scaling's service-linked role use the key and create grants for AWS resources only", () => {
    const statements = customerManagedKeyPolicy({ ...keyInput, ebsForAutoScaling: true }).Statement;
    expect(statements.slice(2)).toEqual([
      {
        Sid: "AutoScalingUsesKeyForEbs",
        Effect: "Allow",
        Principal: { AWS: role },
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
        Resource: "*",
      },
      {
        Sid: "AutoScalingGrantsForEbsOnly",
        Effect: "Allow",
        Principal: { AWS: role },
        Action: "kms:CreateGrant",
        Resource: "*",
        Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
      },
    ]);
  });

  it("leaves Auto Scaling out for Fargate", () => {
    expect(customerManagedKeyPolicy(keyInput).Statement).toHaveLength(2);
  });
});

describe("executionRolePolicy through the ECR pull-through cache", () => {
  it("adds the token action on * and the four pull and import actions on the cache's repositories only", () => {
    const repositories = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/ghcr/*`;
    expect(executionRolePolicy(input({ registrySecretArn: undefined, mirrorRepositoriesArn: repositories })).Statement).toStrictEqual([
      { Sid: "EcrAuthorizationToken", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
      {
        Sid: "PullThroughTheCache",
        Effect: "Allow",
        Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
        Resource: repositories,
      },
      { Sid: "WriteOwnLogGroup", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${LOG_GROUP}:log-stream:*` },
    ]);
  });
});

describe("customerManagedKeyPolicy for Fargate storage and alarm topics", () => {
  const keyInput = { accountId: ACCOUNT, partition: "aws", region: REGION, logGroupArn: LOG_GROUP };

  it("lets Fargate make data keys and decrypt grants for this cluster's storage only", () => {
    const document = customerManagedKeyPolicy({ ...keyInput, fargateEphemeralStorageOfCluster: "orders" });
    const ofCluster = { "kms:EncryptionContext:aws:ecs:clusterAccount": [ACCOUNT], "kms:EncryptionContext:aws:ecs:clusterName": ["orders"] };
    expect(document.Statement.slice(2)).toStrictEqual([
      {
        Sid: "FargateDataKeysForThisClustersStorage",
        Effect: "Allow",
        Principal: { Service: "fargate.amazonaws.com" },
        Action: "kms:GenerateDataKeyWithoutPlaintext",
        Resource: "*",
        Condition: { StringEquals: ofCluster },
      },
      {
        Sid: "FargateDecryptGrantsForThisClustersStorage",
        Effect: "Allow",
        Principal: { Service: "fargate.amazonaws.com" },
        Action: "kms:CreateGrant",
        Resource: "*",
        Condition: { StringEquals: ofCluster, "ForAllValues:StringEquals": { "kms:GrantOperations": ["Decrypt"] } },
      },
    ]);
  });

  it("lets CloudWatch alarms publish to a topic encrypted with the key", () => {
    expect(customerManagedKeyPolicy({ ...keyInput, cloudWatchAlarms: true }).Statement.slice(2)).toStrictEqual([
      {
        Sid: "CloudWatchAlarmsPublishToEncryptedTopic",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
      },
    ]);
  });
});

describe("execCommandPolicy", () => {
  it("opens the session channels, finds and writes the session log, and decrypts with the session key", () => {
    const key = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    expect(execCommandPolicy({ accountId: ACCOUNT, partition: "aws", region: REGION, logGroupName: "/ecs/orders", kmsKeyArn: key })).toStrictEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "OpenSessionChannels",
          Effect: "Allow",
          Action: ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
          Resource: "*",
        },
        { Sid: "FindSessionLogGroup", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" },
        {
          Sid: "WriteSessionLog",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
          Resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/ecs/orders:*`,
        },
        { Sid: "DecryptSessionKey", Effect: "Allow", Action: "kms:Decrypt", Resource: key },
      ],
    });
  });

  it("has no key statement without a key", () => {
    const document = execCommandPolicy({ accountId: ACCOUNT, partition: "aws", region: REGION, logGroupName: "/ecs/orders" });
    expect(document.Statement.map((s) => s.Sid)).toEqual(["OpenSessionChannels", "FindSessionLogGroup", "WriteSessionLog"]);
  });
});

describe("alarmTopicPolicy", () => {
  it("lets CloudWatch publish, for alarms of this account and region only", () => {
    const topicArn = `arn:aws:sns:${REGION}:${ACCOUNT}:orders-alarms`;
    expect(alarmTopicPolicy({ topicArn, accountId: ACCOUNT, partition: "aws", region: REGION })).toStrictEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "CloudWatchAlarmsOfThisAccountPublish",
          Effect: "Allow",
          Principal: { Service: "cloudwatch.amazonaws.com" },
          Action: "sns:Publish",
          Resource: topicArn,
          Condition: {
            StringEquals: { "aws:SourceAccount": ACCOUNT },
            ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:*` },
          },
        },
      ],
    });
  });
});

describe("the ECR creation template's role", () => {
  it("is assumed by ECR of this account only", () => {
    expect(ecrCreationTemplateTrustPolicy(ACCOUNT)).toStrictEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "EcrOfThisAccountOnly",
          Effect: "Allow",
          Principal: { Service: "ecr.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
        },
      ],
    });
  });

  it("may create and tag the prefix's repositories, and grant ECR the key when there is one", () => {
    const repositoriesArn = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/ghcr/*`;
    expect(ecrCreationTemplatePolicy({ repositoriesArn, kmsKeyArn: KEY_A }).Statement).toStrictEqual([
      { Sid: "CreateTheCachesRepositories", Effect: "Allow", Action: ["ecr:CreateRepository", "ecr:TagResource"], Resource: repositoriesArn },
      { Sid: "EncryptThemWithTheKey", Effect: "Allow", Action: ["kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey"], Resource: KEY_A },
    ]);
    expect(ecrCreationTemplatePolicy({ repositoriesArn }).Statement.map((s) => s.Sid)).toEqual(["CreateTheCachesRepositories"]);
  });
});
