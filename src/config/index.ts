/**
 * The configuration schema: one JSON file describes one deployment. Its parts live beside this file — `service.ts`
 * (what a service is), `network.ts`, `credentials.ts`, `ec2.ts` — and `derive.ts` computes what follows from a
 * valid config (stack names, EC2 settings). Every default is in `defaults.ts`.
 */
import { z } from "zod";
import { REGION_SOURCE } from "../aws/patterns";
import { backendSchema, backendStackProblems } from "../backend/schema";
import { policyWaiversSchema } from "../policy-gate/waivers";
import { singleServiceAlarmsSchema } from "./alarms";
import { ciSchema } from "./ci";
import { checkRegistry, registry } from "./registry";
import { DEFAULTS } from "./defaults";
import { credentials, encryption } from "./credentials";
import { checkEc2, ec2Schema } from "./ec2";
import { checkNetworkAndLoadBalancer, loadBalancer, network } from "./network";
import { addProblem, bool, described, pattern, strictObject, tagMap } from "./primitives";
import { checkService, serviceShape } from "./service";
import { ciStackName, stackNames } from "./derive";

export const configSchema = strictObject({
  $schema: described(z.string().optional(), "The JSON Schema for editor completion: `./ghcr-ecs.schema.json`."),
  name: described(
    pattern("[a-z][a-z0-9-]{0,22}[a-z0-9]", "2-24 lowercase letters, digits and -, starting with a letter (it prefixes every resource name)"),
    "2-24 characters `[a-z0-9-]`, starting with a letter; the stack's name and the prefix of every resource name.",
  ),
  region: described(
    pattern(REGION_SOURCE, "an AWS region such as us-east-1").refine(
      (region) => !region.startsWith("cn-"),
      "is in the AWS China partition, which is not supported yet (its service DNS names differ)",
    ),
    "The AWS region, e.g. `us-east-1` (China regions are not supported yet).",
  ),
  image: serviceShape.image,
  containerPort: serviceShape.containerPort,
  cpu: serviceShape.cpu,
  memory: serviceShape.memory,
  containerMemory: serviceShape.containerMemory,
  cpuArchitecture: serviceShape.cpuArchitecture,
  desiredCount: serviceShape.desiredCount,
  healthCheck: serviceShape.healthCheck,
  deregistrationDelaySeconds: serviceShape.deregistrationDelaySeconds,
  stopTimeoutSeconds: serviceShape.stopTimeoutSeconds,
  deployment: serviceShape.deployment,
  autoscaling: serviceShape.autoscaling,
  alarms: singleServiceAlarmsSchema,
  credentials,
  registry,
  encryption,
  network,
  loadBalancer,
  environment: serviceShape.environment,
  secrets: serviceShape.secrets,
  logRetentionDays: serviceShape.logRetentionDays,
  containerInsights: described(bool().default(DEFAULTS.containerInsights), "CloudWatch Container Insights on the cluster."),
  production: described(
    bool().default(false),
    "Marks the stack as production: the policy gate fails a service without autoscaling or alarms (rule `production-service-scales-and-alarms`, waivable).",
  ),
  readOnlyRootFilesystem: serviceShape.readOnlyRootFilesystem,
  exec: serviceShape.exec,
  policyWaivers: described(policyWaiversSchema, 'Deliberate exceptions to the policy gate: `[{ "rule", "resource"?, "reason" }]`, printed in every report.'),
  backend: described(backendSchema, "Where Terraform keeps each stack's state: `local` (default), `s3` or `cloud`."),
  tags: described(tagMap.default({}), "Tags added to every resource, beside `ManagedBy=ghcr-ecs`."),
  launchType: described(
    z
      .enum(["fargate", "ec2", "both"], { error: '"fargate", "ec2" (container instances in an Auto Scaling group) or "both" (two stacks side by side)' })
      .default(DEFAULTS.launchType),
    "`fargate`; `ec2` (container instances, stack `<name>-ec2`); or `both`, the two stacks side by side.",
  ),
  ec2: described(ec2Schema.optional(), "The EC2 variant's settings (launchType `ec2` or `both`)."),
  ci: described(
    ciSchema.optional(),
    "Opt-in CI bootstrap stack `<name>-ci`: the GitHub OIDC provider and the plan, deploy and watch roles the workflows assume, trusted only for this repository.",
  ),
}).superRefine((config, ctx) => {
  for (const problem of backendStackProblems(config.backend, [...stackNames(config), ...(config.ci ? [ciStackName(config.name)] : [])])) {
    addProblem(ctx, { path: ["backend", problem.field], input: problem.input, message: problem.message });
  }
  checkService(config, ctx);
  checkNetworkAndLoadBalancer(config, ctx);
  checkRegistry(
    {
      registry: config.registry,
      network: config.network,
      images: [{ path: ["image"], image: config.image }],
      ownCredentials: [],
      credentials: config.credentials,
      ...(config.launchType !== "fargate" ? { ec2RegistryAuth: config.ec2?.registryAuth ?? DEFAULTS.ec2.registryAuth } : {}),
    },
    ctx,
  );
  checkEc2(config.ec2, config, ctx);
});

/** The configuration as written in the JSON file (defaults optional). */
export type ConfigInput = z.input<typeof configSchema>;
/** The configuration with every default applied. */
export type Config = z.output<typeof configSchema>;
