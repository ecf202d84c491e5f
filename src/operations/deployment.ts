import * as fs from "node:fs";
import * as path from "node:path";
import { EXIT, OperationError } from "./exit-codes";
import { runOrThrow } from "../terraform/run";
import { terraformEnv } from "../terraform/cli-config";

/** One service of a stack, from the stack's `services` output. */
export interface ServiceTarget {
  readonly serviceName?: string;
  readonly image?: string;
  readonly secretArn?: string;
  readonly username?: string;
  readonly registryAuthMode?: string;
  readonly logGroupName?: string;
  readonly loadBalanced?: boolean;
  /** Where ECS pulls the image from through the ECR pull-through cache. */
  readonly mirrorImage?: string;
}

const SERVICE_OUTPUT_NAMES: Record<string, keyof ServiceTarget> = {
  service_name: "serviceName",
  image: "image",
  credentials_secret_arn: "secretArn",
  registry_username: "username",
  registry_auth_mode: "registryAuthMode",
  log_group_name: "logGroupName",
  mirror_image: "mirrorImage",
};

/** The fields both a service and (in a stack of one service, as in ghcr-ecs 0.1) the stack's top level carry. */
const SERVICE_FIELDS = ["serviceName", "image", "secretArn", "username", "registryAuthMode", "logGroupName", "mirrorImage"] as const;

/** What the operations commands need to know about a deployed stack; all from its Terraform outputs. */
export interface DeploymentTarget {
  readonly region?: string;
  readonly secretArn?: string;
  readonly image?: string;
  readonly username?: string;
  readonly clusterName?: string;
  readonly serviceName?: string;
  /**
   * `task` (repositoryCredentials), `agent-dockercfg` (EC2 agent reads the secret at boot) or
   * `ecr-pull-through-cache` (ECR reads it; ECS pulls from ECR).
   */
  readonly registryAuthMode?: string;
  readonly autoscalingGroupName?: string;
  readonly logGroupName?: string;
  readonly mirrorImage?: string;
  /** Every service of the stack by its name in the config, when the outputs have the `services` map. */
  readonly services?: Readonly<Record<string, ServiceTarget>>;
}

const OUTPUT_NAMES: Record<string, keyof DeploymentTarget> = {
  region: "region",
  credentials_secret_arn: "secretArn",
  image: "image",
  registry_username: "username",
  cluster_name: "clusterName",
  service_name: "serviceName",
  registry_auth_mode: "registryAuthMode",
  autoscaling_group_name: "autoscalingGroupName",
  log_group_name: "logGroupName",
  mirror_image: "mirrorImage",
};

/** `cdktf deploy --outputs-file` writes the file npm run deploy points at; the CLI looks for it by default. */
export const DEFAULT_OUTPUTS_FILE = "cdktf-outputs.json";

/**
 * Reads stack outputs in either format: `cdktf deploy --outputs-file` (`{"<stack>": {"name": value}}`) or
 * `terraform output -json` (`{"name": {"value": …, "type": …}}`). With several stacks in the file, `stack` picks one.
 */
export function parseOutputs(json: string, source: string, stack?: string): DeploymentTarget {
  let document: unknown;
  try {
    document = JSON.parse(json);
  } catch {
    throw new OperationError(EXIT.usage, `${source} is not JSON`, "Write it with `cdktf deploy --outputs-file FILE` or `terraform output -json > FILE`.");
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw new OperationError(
      EXIT.usage,
      `${source} is not a JSON object of outputs`,
      "Write it with `cdktf deploy --outputs-file FILE` or `terraform output -json > FILE`.",
    );
  }
  const entries = document as Record<string, unknown>;
  const isTerraformFormat = Object.values(entries).some((v) => typeof v === "object" && v !== null && "value" in v);
  let flat: Record<string, unknown>;
  if (isTerraformFormat) {
    flat = Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, (v as { value?: unknown }).value]));
  } else {
    const stacks = Object.keys(entries);
    if (stacks.length === 0) {
      // `terraform output -json` prints {} for a stack that has not been applied (or declares no outputs).
      throw new OperationError(
        EXIT.usage,
        `${source} has no outputs`,
        "Deploy the stack first (npm run deploy), then write the outputs with `cdktf deploy --outputs-file FILE` or `terraform output -json > FILE`.",
      );
    }
    const chosen = stack ?? (stacks.length === 1 ? stacks[0] : undefined);
    if (!chosen) throw new OperationError(EXIT.usage, `${source} has outputs of several stacks (${stacks.join(", ")})`, "Pick one with --stack NAME.");
    if (!(chosen in entries))
      throw new OperationError(EXIT.usage, `${source} has no stack "${chosen}" (it has: ${stacks.join(", ") || "none"})`, "Check --stack.");
    const outputs = entries[chosen];
    if (typeof outputs !== "object" || outputs === null || Array.isArray(outputs)) {
      throw new OperationError(
        EXIT.usage,
        `${source} has no outputs object for stack "${chosen}"`,
        "Write it with `cdktf deploy --outputs-file FILE` or `terraform output -json > FILE`.",
      );
    }
    flat = outputs as Record<string, unknown>;
  }
  const target: Record<string, string> = {};
  for (const [output, field] of Object.entries(OUTPUT_NAMES)) {
    const value = flat[output];
    if (typeof value === "string") target[field] = value;
  }
  const services = servicesOutput(flat.services);
  return services ? { ...target, services } : target;
}

function servicesOutput(value: unknown): Record<string, ServiceTarget> | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const services: Record<string, ServiceTarget> = {};
  for (const [name, outputs] of Object.entries(value as Record<string, unknown>)) {
    if (outputs === null || typeof outputs !== "object") continue;
    const entry: Record<string, string | boolean> = {};
    for (const [output, field] of Object.entries(SERVICE_OUTPUT_NAMES)) {
      const v = (outputs as Record<string, unknown>)[output];
      if (typeof v === "string") entry[field] = v;
    }
    const loadBalanced = (outputs as Record<string, unknown>).load_balanced;
    if (typeof loadBalanced === "boolean") entry.loadBalanced = loadBalanced;
    services[name] = entry;
  }
  return services;
}

/**
 * The target narrowed to one service of its `services` map: `name`, or the only one. Outputs without the map (ghcr-ecs
 * 0.1) name one service at the top level already; there `name` is the ECS service's name.
 */
export function selectService(target: DeploymentTarget, name: string | undefined): DeploymentTarget {
  const services = target.services;
  if (!services) return name === undefined ? target : { ...target, serviceName: name };
  const names = Object.keys(services);
  const chosen = name ?? (names.length === 1 ? names[0] : undefined);
  if (chosen === undefined) {
    throw new OperationError(EXIT.usage, `the stack has ${names.length} services (${names.join(", ")})`, "Pick one with --service NAME.");
  }
  const service = services[chosen];
  if (!service) throw new OperationError(EXIT.usage, `the stack has no service "${chosen}" (it has: ${names.join(", ")})`, "Check --service.");
  if (names.length > 1) return { ...target, ...service };
  // A stack of one service also has the outputs of ghcr-ecs 0.1 at the top level; where an edited file makes them
  // differ, those win, as they did in 0.1.
  const topLevel = Object.fromEntries(SERVICE_FIELDS.filter((field) => target[field] !== undefined).map((field) => [field, target[field]]));
  return { ...target, ...service, ...topLevel };
}

/** Every service of the target, by name (one entry, unnamed in the map, for outputs of ghcr-ecs 0.1). */
export function allServices(target: DeploymentTarget): [string, DeploymentTarget][] {
  if (!target.services) return [[target.serviceName ?? "service", target]];
  return Object.keys(target.services).map((name) => [name, selectService(target, name)]);
}

export function readOutputsFile(file: string, stack?: string): DeploymentTarget {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new OperationError(
      EXIT.usage,
      `outputs file ${file} cannot be read`,
      "Write it with `cdktf deploy --outputs-file FILE` or `terraform output -json > FILE`.",
    );
  }
  return parseOutputs(text, file, stack);
}

/** `terraform output -json` in a synthesized stack directory that has been initialised and applied. */
export async function terraformOutputs(stackDir: string): Promise<DeploymentTarget> {
  if (!fs.existsSync(path.join(stackDir, "cdk.tf.json"))) {
    throw new OperationError(EXIT.usage, `${stackDir} is not a synthesized stack directory (no cdk.tf.json)`, "Point --stack-dir at cdktf.out/stacks/<stack>.");
  }
  const result = await runOrThrow("terraform", ["output", "-json"], { cwd: stackDir, env: terraformEnv(), timeoutMs: 60000 });
  return parseOutputs(result.stdout, `terraform output in ${stackDir}`);
}

/** Flags win over outputs; a value neither provides is reported with the flag that supplies it. */
export function requireField(target: DeploymentTarget, field: Exclude<keyof DeploymentTarget, "services">, flag: string): string {
  const value = target[field];
  if (!value) {
    throw new OperationError(
      EXIT.usage,
      `don't know the ${flag.replace(/^--/, "").replace(/-/g, " ")} of the deployment`,
      `Pass ${flag}, or --outputs FILE (from \`cdktf deploy --outputs-file FILE\`) / --stack-dir cdktf.out/stacks/<stack>.`,
    );
  }
  return value;
}
