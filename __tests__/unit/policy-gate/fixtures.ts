import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { synthesizeStacks } from "../../../src/app";
import type { DeploymentConfig } from "../../../src/config/model";
import { configWith, STACK_VARIANTS } from "../../helpers/configs";
import { expectationsFromConfig } from "../../../src/policy-gate/gate";
import { type PolicyExpectations, type StackInput } from "../../../src/policy-gate/types";
import type { TerraformBlock, TerraformDocument } from "../../../src/terraform/document";
import type { ContainerDefinitionJson, PolicyStatement } from "../../helpers/synth";

export interface SynthesizedVariant {
  readonly label: string;
  readonly stacks: StackInput[];
  readonly expectations: PolicyExpectations;
}

/** Every stack the real app builds for a config variant (all of them, so stacks added later are covered too). */
export function synthesizeVariant(label: string): SynthesizedVariant {
  const config = configWith(STACK_VARIANTS[label]);
  return { label, stacks: synthesizeCached(config), expectations: expectationsFromConfig(config) };
}

/**
 * `npm run mutation` sets GHCR_ECS_TEST_SYNTH_CACHE to a folder of its own for the policy rules: the stacks a config
 * synthesizes to do not depend on the rules being mutated, so each is synthesized once per run, not once per mutant.
 */
export function synthesizeCached(config: DeploymentConfig): StackInput[] {
  const cacheDir = process.env.GHCR_ECS_TEST_SYNTH_CACHE;
  const cacheFile = cacheDir && path.join(cacheDir, `${createHash("sha256").update(JSON.stringify(config)).digest("hex")}.json`);
  if (cacheFile && existsSync(cacheFile)) return JSON.parse(readFileSync(cacheFile, "utf8")) as StackInput[];
  const stacks = synthesizeStacks(config);
  if (cacheFile) writeFileSync(cacheFile, JSON.stringify(stacks));
  return stacks;
}

export const REFERENCE = "reference app (created CMK, single NAT, HTTP)";
export const HTTPS_INTERNAL = "HTTPS, internal ALB, per-AZ NAT, 3 AZs, container secrets";
export const NO_NAT = "no NAT (public tasks), existing KMS key, ARM64";
export const MIRROR = "ECR pull-through cache, VPC endpoints instead of NAT";

const cache = new Map<string, SynthesizedVariant>();

/** A deep copy of the Fargate stack of a variant, free to mutate. */
export function fargateDocument(label: string): TerraformDocument & { resource: Record<string, Record<string, TerraformBlock>> } {
  if (!cache.has(label)) cache.set(label, synthesizeVariant(label));
  const variant = cache.get(label)!;
  const fargate = variant.stacks.find(
    (s) => s.document.resource?.aws_ecs_service && Object.values(s.document.resource.aws_ecs_service).some((svc) => svc.launch_type === "FARGATE"),
  );
  if (!fargate) throw new Error(`no Fargate stack in variant ${label}`);
  const copy = structuredClone(fargate.document);
  if (!copy.resource) throw new Error(`the Fargate stack of variant ${label} has no resources`);
  return { ...copy, resource: copy.resource };
}

/** The only (or first) resource block of a type; throws when there is none. */
export function first(doc: TerraformDocument, type: string, predicate: (block: TerraformBlock) => boolean = () => true): TerraformBlock {
  const found = Object.values(doc.resource?.[type] ?? {}).find(predicate);
  if (!found) throw new Error(`no ${type} in the fixture`);
  return found;
}

export function addressOf(doc: TerraformDocument, type: string, predicate: (block: TerraformBlock) => boolean = () => true): string {
  const entry = Object.entries(doc.resource?.[type] ?? {}).find(([, block]) => predicate(block));
  if (!entry) throw new Error(`no ${type} in the fixture`);
  return `${type}.${entry[0]}`;
}

/** Rewrites a JSON-string attribute (policy, container_definitions) through `edit`. */
export function editJson<T>(block: TerraformBlock, key: string, edit: (value: T) => void): void {
  const value = JSON.parse(String(block[key])) as T;
  edit(value);
  block[key] = JSON.stringify(value);
}

/** Rewrites an IAM policy attribute (`policy`, `assume_role_policy`) through `edit`. */
export function editPolicy(block: TerraformBlock, key: string, edit: (policy: { Version: string; Statement: PolicyStatement[] }) => void): void {
  editJson(block, key, edit);
}

/** Rewrites the first container of a task definition's `container_definitions` through `edit`. */
export function editContainer(taskDefinition: TerraformBlock, edit: (container: ContainerDefinitionJson) => void): void {
  editJson<ContainerDefinitionJson[]>(taskDefinition, "container_definitions", (list) => edit(list[0]));
}

export function addResource(doc: TerraformDocument, type: string, name: string, block: TerraformBlock): void {
  const resources = doc.resource;
  if (!resources) throw new Error("the fixture has no resources");
  resources[type] = { ...(resources[type] ?? {}), [name]: block };
}

/** Replaces every data source of `type` with `byName`. */
export function setDataSources(doc: TerraformDocument, type: string, byName: Record<string, TerraformBlock>): void {
  if (!doc.data) throw new Error("the fixture has no data sources");
  doc.data[type] = byName;
}

/** The boot script of an agent-dockercfg launch template: it reads the secret at boot, so no credential is in it. */
export const BOOT_TIME_AUTH_SCRIPT = [
  "#!/bin/bash",
  "set -euo pipefail",
  'SECRET_JSON="$(aws secretsmanager get-secret-value --secret-id "${SECRET_ARN}" --query SecretString --output text)"',
  'USERNAME="$(jq -r .username <<<"$SECRET_JSON")"',
  'PASSWORD="$(jq -r .password <<<"$SECRET_JSON")"',
  'AUTH="$(printf \'%s:%s\' "$USERNAME" "$PASSWORD" | base64 -w0)"',
  "cat >>/etc/ecs/ecs.config <<EOF",
  "ECS_CLUSTER=orders",
  "ECS_ENGINE_AUTH_TYPE=dockercfg",
  'ECS_ENGINE_AUTH_DATA={"ghcr.io":{"auth":"${AUTH}"}}',
  "EOF",
  "",
].join("\n");

export function base64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

/** The HCL string literal cdktf renders for `text` inside `${base64encode("...")}`. */
export function hclQuoted(text: string): string {
  return JSON.stringify(text).replace(/\$\{/g, "$${").replace(/%\{/g, "%%{");
}

/**
 * Adds an EC2 capacity stack's resources the way the EC2 variant renders them (launch template with IMDSv2,
 * hop limit 1, encrypted gp3 root volume, boot-time registry auth; an ASG on that template, tags propagated).
 */
export function addEc2Capacity(doc: TerraformDocument, userData: string = base64(BOOT_TIME_AUTH_SCRIPT)): void {
  addResource(doc, "aws_launch_template", "capacity_template_1A2B3C4D", {
    name_prefix: "orders-ecs-",
    image_id: "${data.aws_ssm_parameter.capacity_ami_5E6F7A8B.value}",
    instance_type: "t3.medium",
    user_data: userData,
    metadata_options: { http_endpoint: "enabled", http_tokens: "required", http_put_response_hop_limit: 1 },
    block_device_mappings: [{ device_name: "/dev/xvda", ebs: { encrypted: "true", volume_size: 30, volume_type: "gp3" } }],
    iam_instance_profile: { arn: "${aws_iam_instance_profile.capacity_profile_9A8B7C6D.arn}" },
  });
  addResource(doc, "aws_autoscaling_group", "capacity_asg_0F1E2D3C", {
    name_prefix: "orders-ecs-",
    min_size: 1,
    max_size: 4,
    launch_template: {
      id: "${aws_launch_template.capacity_template_1A2B3C4D.id}",
      version: "${aws_launch_template.capacity_template_1A2B3C4D.latest_version}",
    },
    tag: [
      { key: "Name", value: "orders-ecs", propagate_at_launch: true },
      { key: "AmazonECSManaged", value: "true", propagate_at_launch: true },
    ],
  });
}
