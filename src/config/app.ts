/**
 * The app form of the config: several services from the same private registry, deployed to several environments,
 * behind one load balancer per environment. A file with `services` is an app; a file without is today's
 * single-service form (index.ts), which means an app with one service and no environments.
 */
import { z } from "zod";
import { REGION_SOURCE } from "../aws/patterns";
import { backendSchema } from "../backend/schema";
import { policyWaiversSchema } from "../policy-gate/waivers";
import { environmentAlarmsSchema } from "./alarms";
import { ciSchema } from "./ci";
import { registry } from "./registry";
import { DEFAULTS } from "./defaults";
import { credentials, encryption } from "./credentials";
import { ec2Schema } from "./ec2";
import { loadBalancer, network } from "./network";
import { addProblem, bool, described, int, pattern, strictObject, tagMap } from "./primitives";
import { serviceShape } from "./service";

/** A service's name: it names the ECS service and is part of every name of its resources. */
export const SERVICE_NAME_SOURCE = "[a-z][a-z0-9-]{0,14}[a-z0-9]";
/** An environment's name: the stack is `<app>-<environment>`. */
export const ENVIRONMENT_NAME_SOURCE = "[a-z][a-z0-9-]{0,10}[a-z0-9]";

/** ALB listener rule limits: condition values per rule, and rules per listener besides the default (AWS quotas). */
export const MAX_ROUTE_CONDITION_VALUES = 5;
export const MAX_LISTENER_RULES = 100;

const pathPattern = z
  .string({ error: "must be a path pattern such as /api/*" })
  .regex(/^\/[A-Za-z0-9\-._~%!$&'()*+,;=:@/?]{0,127}$/, "must be a path pattern of at most 128 characters starting with / (wildcards * and ?), such as /api/*");
const hostHeader = z
  .string({ error: "must be a host name such as api.example.com" })
  .regex(
    /^(?=.{1,128}$)[A-Za-z0-9*?](?:[A-Za-z0-9*?.-]*[A-Za-z0-9*?])?$/,
    "must be a host name of at most 128 characters (wildcards * and ?), such as api.example.com or *.example.com",
  );

const route = strictObject({
  pathPatterns: described(
    z.array(pathPattern, { error: "must be a list of path patterns such as /api/*" }).min(1, "must list at least one path pattern").optional(),
    'Paths this service answers, e.g. `["/api/*"]` (ALB path-pattern condition).',
  ),
  hostHeaders: described(
    z.array(hostHeader, { error: "must be a list of host names such as admin.example.com" }).min(1, "must list at least one host name").optional(),
    'Host names this service answers, e.g. `["admin.example.com"]` (ALB host-header condition).',
  ),
  priority: described(
    int(1, 50000).optional(),
    "The listener rule's priority (lower is evaluated first). Default: after every explicit priority, in the order the services are written, in steps of 10.",
  ),
}).superRefine((value, ctx) => {
  const count = (value.pathPatterns?.length ?? 0) + (value.hostHeaders?.length ?? 0);
  if (count === 0) addProblem(ctx, { message: "must have pathPatterns and/or hostHeaders (a route matches on them)", input: value });
  if (count > MAX_ROUTE_CONDITION_VALUES) {
    addProblem(ctx, { message: `has ${count} path patterns and host names; an ALB rule evaluates at most ${MAX_ROUTE_CONDITION_VALUES}`, input: value });
  }
});

export const appServiceSchema = strictObject({
  ...serviceShape,
  containerPort: described(serviceShape.containerPort, "Port the application listens on; the service's target group forwards there (unused for a worker)."),
  launchType: described(
    z.enum(["fargate", "ec2"], { error: '"fargate" or "ec2" (the environment\'s container instances, see ec2)' }).default("fargate"),
    "`fargate`, or `ec2`: on the environment's container instances (the app's `ec2` settings) in the same cluster, VPC and load balancer.",
  ),
  credentials: described(
    credentials.optional(),
    "This service's own registry credential (a second registry, another organisation's token). Default: the app's `credentials`.",
  ),
  loadBalanced: described(bool().default(true), "`false` for a worker: no port mapping, no target group, no ingress."),
  serviceConnect: described(
    bool().default(false),
    "Join the environment's ECS Service Connect namespace: the other members reach this service as `<service>:<containerPort>` (security groups admit exactly them), and it reaches theirs.",
  ),
  route: described(
    route.optional(),
    "Which requests the load balancer sends to this service. At most one load-balanced service has none: it answers the listener's default action; without one, the default answers a fixed 404.",
  ),
});

const appSettingsShape = {
  $schema: described(z.string().optional(), "The JSON Schema for editor completion: `./ghcr-ecs.schema.json`."),
  name: described(
    pattern("[a-z][a-z0-9-]{0,22}[a-z0-9]", "2-24 lowercase letters, digits and -, starting with a letter (it prefixes every stack and resource name)"),
    "2-24 characters `[a-z0-9-]`, starting with a letter: the app's name, the prefix of every stack (`<name>-<environment>`) and resource. With its environment and services it must fit AWS's name limits (32 characters for load balancers and target groups).",
  ),
  region: described(
    pattern(REGION_SOURCE, "an AWS region such as us-east-1").refine(
      (region) => !region.startsWith("cn-"),
      "is in the AWS China partition, which is not supported yet (its service DNS names differ)",
    ),
    "The AWS region, e.g. `us-east-1`.",
  ),
  credentials: described(
    credentials.optional(),
    "The registry credential every service pulls with unless it names its own. One secret per distinct credential.",
  ),
  registry,
  encryption,
  network,
  loadBalancer,
  containerInsights: described(bool().default(DEFAULTS.containerInsights), "CloudWatch Container Insights on the environment's cluster."),
  alarms: environmentAlarmsSchema,
  production: described(
    bool().default(false),
    'Marks the environment as production (usually `{"environments": {"prod": {"production": true}}}`): the policy gate fails a service without autoscaling or alarms (rule `production-service-scales-and-alarms`, waivable).',
  ),
  policyWaivers: described(policyWaiversSchema, 'Deliberate exceptions to the policy gate: `[{ "rule", "resource"?, "reason" }]`, printed in every report.'),
  backend: described(backendSchema, "Where Terraform keeps each environment's state; `{stack}` in a key, path or workspace name becomes the stack name."),
  tags: described(tagMap.default({}), "Tags added to every resource, beside `ManagedBy=ghcr-ecs`."),
  ec2: described(ec2Schema.optional(), 'The container instances of the services with `launchType: "ec2"` (one Auto Scaling group per environment).'),
  services: described(
    z
      .record(pattern(SERVICE_NAME_SOURCE, "2-16 lowercase letters, digits and -, starting with a letter"), appServiceSchema)
      .refine((services) => Object.keys(services).length > 0, "must have at least one service"),
    "Service name → its settings: the same settings a single-service config has at the top level, plus `route`, `loadBalanced`, `launchType` and `credentials`.",
  ),
};

/** The app's settings, before or after an environment's overrides are merged in. */
export const appSettingsSchema = strictObject(appSettingsShape);

export const appSchema = strictObject({
  ...appSettingsShape,
  environments: described(
    z
      .record(
        pattern(ENVIRONMENT_NAME_SOURCE, "2-12 lowercase letters, digits and -, starting with a letter"),
        z.record(z.string(), z.unknown(), { error: 'must be an object of overrides, e.g. {"services": {"api": {"desiredCount": 1}}}' }),
      )
      .optional(),
    'Environment name → overrides deep-merged over the app\'s settings, e.g. `{"staging": {"services": {"api": {"desiredCount": 1}}}}`. Each environment is one stack, `<name>-<environment>`. Default: one stack, `<name>`.',
  ),
  ci: described(
    ciSchema.optional(),
    "Opt-in CI bootstrap stack `<name>-ci`: the GitHub OIDC provider and the plan, deploy and watch roles the workflows assume, trusted only for this repository. One for the whole app (not per environment).",
  ),
});

export type AppInput = z.input<typeof appSchema>;
export type AppSettings = z.output<typeof appSettingsSchema>;
export type AppService = AppSettings["services"][string];
