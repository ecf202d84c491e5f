/** Where the deployment is: stack outputs (a file, or `terraform output` in a stack folder) overridden by flags. */
import * as fs from "node:fs";
import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { ECRClient } from "@aws-sdk/client-ecr";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { awsClientConfig } from "../operations/aws";
import { DEFAULT_OUTPUTS_FILE, readOutputsFile, selectService, terraformOutputs, type DeploymentTarget } from "../operations/deployment";
import { EXIT, OperationError } from "../operations/exit-codes";

/** The flags every deployment command takes. */
export const TARGET_OPTIONS = {
  outputs: { type: "string" },
  stack: { type: "string" },
  service: { type: "string" },
  "stack-dir": { type: "string" },
  region: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export const TARGET_HELP = `
Where the deployment is (flags win over outputs):
  --outputs FILE        outputs of \`cdktf deploy --outputs-file FILE\` or \`terraform output -json\`
                        (default: ./${DEFAULT_OUTPUTS_FILE} when it exists)
  --stack NAME          the stack in an outputs file holding several (an app: one per environment)
  --service NAME        the service in a stack holding several (the name in the config); default: the only one
  --stack-dir DIR       run \`terraform output -json\` in cdktf.out/stacks/<stack>
  --region REGION       default: the stack's region output, then AWS_REGION
  --json                one JSON document on stdout; progress on stderr`;

/** The flags that name the deployment or override one of its outputs. */
export interface TargetFlags {
  readonly outputs?: string;
  readonly stack?: string;
  readonly "stack-dir"?: string;
  readonly region?: string;
  readonly "secret-arn"?: string;
  readonly image?: string;
  readonly cluster?: string;
  readonly service?: string;
  readonly "autoscaling-group"?: string;
}

/**
 * The deployment the flags name: the stack's outputs, narrowed to one service (`--service`, or the only one) unless
 * `all` keeps every service of the stack, then the flags that override an output.
 */
export async function resolveTarget(flags: TargetFlags, options: { readonly all?: boolean } = {}): Promise<DeploymentTarget> {
  if (flags.outputs && flags["stack-dir"]) throw new OperationError(EXIT.usage, "--outputs and --stack-dir both given", "Use one of them.");
  let fromOutputs: DeploymentTarget = {};
  if (flags.outputs) fromOutputs = readOutputsFile(flags.outputs, flags.stack);
  else if (flags["stack-dir"]) fromOutputs = await terraformOutputs(flags["stack-dir"]);
  else if (fs.existsSync(DEFAULT_OUTPUTS_FILE)) fromOutputs = readOutputsFile(DEFAULT_OUTPUTS_FILE, flags.stack);
  if (options.all && flags.service !== undefined) throw new OperationError(EXIT.usage, "--all and --service both given", "Use one of them.");
  const selected = options.all ? fromOutputs : selectService(fromOutputs, flags.service);
  const overrides: DeploymentTarget = {
    region: flags.region ?? fromOutputs.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION,
    secretArn: flags["secret-arn"],
    image: flags.image,
    clusterName: flags.cluster,
    autoscalingGroupName: flags["autoscaling-group"],
  };
  return { ...selected, ...withoutUndefined(overrides) };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export interface AwsClients {
  readonly secrets: SecretsManagerClient;
  readonly ecs: ECSClient;
  readonly autoscaling: AutoScalingClient;
  readonly cloudWatch: CloudWatchClient;
  readonly logs: CloudWatchLogsClient;
  readonly elb: ElasticLoadBalancingV2Client;
  readonly ecr: ECRClient;
}

const CLIENTS: { readonly [K in keyof AwsClients]: new (config: ReturnType<typeof awsClientConfig>) => AwsClients[K] } = {
  secrets: SecretsManagerClient,
  ecs: ECSClient,
  autoscaling: AutoScalingClient,
  cloudWatch: CloudWatchClient,
  logs: CloudWatchLogsClient,
  elb: ElasticLoadBalancingV2Client,
  ecr: ECRClient,
};

/** Runs `use` with bounded AWS clients for `region`, each made on first use, and closes their sockets afterwards. */
export async function withClients<T>(region: string | undefined, use: (clients: AwsClients) => Promise<T>): Promise<T> {
  const config = awsClientConfig(region);
  const made = new Map<keyof AwsClients, { destroy(): void }>();
  const clients = Object.defineProperties(
    {},
    Object.fromEntries(
      (Object.keys(CLIENTS) as (keyof AwsClients)[]).map((name) => [
        name,
        {
          get: () => {
            if (!made.has(name)) made.set(name, new CLIENTS[name](config));
            return made.get(name);
          },
        },
      ]),
    ),
  ) as AwsClients;
  try {
    return await use(clients);
  } finally {
    for (const client of made.values()) client.destroy();
  }
}
