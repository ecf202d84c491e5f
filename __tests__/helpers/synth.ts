import { readFileSync } from "node:fs";
import * as path from "node:path";
import { Testing } from "cdktf";
import type { Construct } from "constructs";
import type { TerraformBlock, TerraformDocument } from "../../src/terraform/document";
import { parseConfig, parseDeploymentConfig } from "../../src/config/load";
import { environmentsOf } from "../../src/config/model";
import { EnvironmentStack } from "../../src/stacks/environment-stack";
import type { ConfigInput } from "../../src/config";

/** A resource with the logical name Terraform addresses it by. */
export interface NamedResource {
  readonly name: string;
  readonly block: TerraformBlock;
}

export const REFERENCE_CONFIG_PATH = path.join(__dirname, "..", "..", "config", "reference-app.json");

/** A fresh, mutable copy of config/reference-app.json as written (defaults not applied). */
export function referenceConfig(): ConfigInput {
  return JSON.parse(readFileSync(REFERENCE_CONFIG_PATH, "utf8")) as ConfigInput;
}

/** Synthesizes constructs built in `fn` inside a bare test stack (`Testing.synthScope`) and parses the JSON. */
export function synthConstruct(fn: (scope: Construct) => void): TerraformDocument {
  return JSON.parse(Testing.synthScope(fn)) as TerraformDocument;
}

/** Validates `input` with the real config schema, builds its Fargate stack (`<name>`) and parses `Testing.synth`. */
export function synthStack(input: unknown, options: { localStateFile?: string } = {}): TerraformDocument {
  const config = parseConfig(input);
  const [environment] = environmentsOf({ ...config, launchType: "fargate" });
  const stack = new EnvironmentStack(Testing.app(), environment.stackName, { environment, localStateFile: options.localStateFile });
  return JSON.parse(Testing.synth(stack)) as TerraformDocument;
}

/** Every resource of a type (empty when there is none). */
export function resources(tf: TerraformDocument, type: string): NamedResource[] {
  return Object.entries(tf.resource?.[type] ?? {}).map(([name, block]) => ({ name, block }));
}

/** The one resource of a type; fails the test when there are none or several. */
export function onlyResource(tf: TerraformDocument, type: string): NamedResource {
  const all = resources(tf, type);
  if (all.length !== 1) {
    throw new Error(`expected exactly one ${type}, found ${all.length}: ${all.map((r) => r.name).join(", ") || "none"}`);
  }
  return all[0];
}

/** The one resource of a type whose block satisfies `predicate`. */
export function findResource(tf: TerraformDocument, type: string, predicate: (block: TerraformBlock) => boolean): NamedResource {
  const matches = resources(tf, type).filter((r) => predicate(r.block));
  if (matches.length !== 1) throw new Error(`expected exactly one matching ${type}, found ${matches.length}`);
  return matches[0];
}

/** A nested block such as `launch_template` or `ebs`; fails the test when `value` is not an object. */
export function asBlock(value: unknown): TerraformBlock {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error(`expected a block, got ${JSON.stringify(value)}`);
  return value;
}

/** A list of nested blocks such as `block_device_mappings`; fails the test when `value` is not a list of objects. */
export function blockList(value: unknown): TerraformBlock[] {
  if (!Array.isArray(value)) throw new Error(`expected a list of blocks, got ${JSON.stringify(value)}`);
  return value.map(asBlock);
}

/** Fails the test when `value` is not a string (a name, an expression). */
export function asString(value: unknown): string {
  if (typeof value !== "string") throw new Error(`expected a string, got ${JSON.stringify(value)}`);
  return value;
}

/** Fails the test when `value` is not a list of strings (`depends_on`, subnet ids). */
export function asStrings(value: unknown): string[] {
  if (!Array.isArray(value)) throw new Error(`expected a list of strings, got ${JSON.stringify(value)}`);
  return value.map(asString);
}

/** The value of tag `key` of a resource (undefined when the resource has no such tag). */
export function tagOf(block: TerraformBlock, key: string): unknown {
  const tags: unknown = block.tags;
  return tags !== null && typeof tags === "object" ? (tags as Record<string, unknown>)[key] : undefined;
}

/** Number of resources per type, for exact inventory assertions. */
export function resourceCounts(tf: TerraformDocument): Record<string, number> {
  return Object.fromEntries(Object.entries(tf.resource ?? {}).map(([type, byName]) => [type, Object.keys(byName).length]));
}

/** The Terraform expression cdktf renders for `<type>.<name>.<attribute>`. */
export function ref(type: string, name: string, attribute: string): string {
  return `\${${type}.${name}.${attribute}}`;
}

/** Matches a reference to an attribute of any resource of `type`, without depending on the generated name suffix. */
export function refPattern(type: string, attribute: string): RegExp {
  return new RegExp(`^\\$\\{${type.replace(/[.]/g, "\\.")}\\.[^.}]+\\.${attribute}\\}$`);
}

/** The `depends_on` entry for a resource. */
export function address(type: string, resource: NamedResource): string {
  return `${type}.${resource.name}`;
}

/** Parses a JSON-encoded attribute (IAM policy, container_definitions). */
export function parseJsonAttribute<T = unknown>(value: unknown): T {
  if (typeof value !== "string") throw new Error(`expected a JSON string, got ${typeof value}`);
  return JSON.parse(value) as T;
}

/** One entry of a task definition's `container_definitions` JSON (camelCase keys, as ECS reads it). */
export interface ContainerDefinitionJson {
  name: string;
  image: string;
  essential: boolean;
  memory: number;
  privileged?: boolean;
  portMappings: { containerPort: number; hostPort: number; protocol: string; name: string }[];
  repositoryCredentials?: { credentialsParameter: string };
  environment: { name: string; value: string }[];
  secrets: { name: string; valueFrom: string }[];
  logConfiguration: { logDriver: string; options: Record<string, string> };
  /** ECS's default is false. */
  readonlyRootFilesystem?: boolean;
  /** Seconds from SIGTERM to SIGKILL; ECS's default is 30. */
  stopTimeout?: number;
  mountPoints: { sourceVolume: string; containerPath: string; readOnly: boolean }[];
}

/** The containers of a `container_definitions` attribute. */
export function containerDefinitions(value: unknown): ContainerDefinitionJson[] {
  return parseJsonAttribute<ContainerDefinitionJson[]>(value);
}

export interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Principal?: "*" | Record<string, unknown>;
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

/** The statements of a JSON policy attribute. */
export function policyStatements(value: unknown): PolicyStatement[] {
  return parseJsonAttribute<{ Version: string; Statement: PolicyStatement[] }>(value).Statement;
}

/** The one statement with `sid`. */
export function statement(statements: PolicyStatement[], sid: string): PolicyStatement {
  const found = statements.filter((s) => s.Sid === sid);
  if (found.length !== 1) throw new Error(`expected one statement ${sid}, found ${found.length}`);
  return found[0];
}

/** The statements that allow `action` (exactly, not through a wildcard). */
export function statementsAllowing(statements: PolicyStatement[], action: string): PolicyStatement[] {
  return statements.filter((s) => s.Effect === "Allow" && asArray(s.Action).includes(action));
}

export function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** Every object key anywhere in a JSON value (to prove a key such as `secret_string` is absent everywhere). */
export function allKeys(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(allKeys);
  if (value !== null && typeof value === "object") {
    return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) => [key, ...allKeys(inner)]);
  }
  return [];
}

/** The resource an expression such as `${aws_nat_gateway.network_nat-0_D2F55FEE.id}` points at. */
export function referenced(tf: TerraformDocument, type: string, attribute: string, expression: unknown): NamedResource {
  const match = typeof expression === "string" ? refPattern(type, attribute).exec(expression) : null;
  if (typeof expression !== "string" || !match) throw new Error(`${String(expression)} is not a reference to ${type}.*.${attribute}`);
  const name = expression.slice(`\${${type}.`.length, -`.${attribute}}`.length);
  const block = tf.resource?.[type]?.[name];
  if (!block) throw new Error(`${String(expression)} points at a ${type} that is not in the stack`);
  return { name, block };
}

/** Validates `input`, builds the EC2 stack (`<name>-ec2`) from it and parses `Testing.synth`. */
/** Validates an app config (or any config) and synthesizes the stack of one of its environments. */
export function synthEnvironment(input: unknown, stackName: string): TerraformDocument {
  const environment = environmentsOf(parseDeploymentConfig(input)).find((env) => env.stackName === stackName);
  if (!environment) throw new Error(`the config has no stack ${stackName}`);
  const stack = new EnvironmentStack(Testing.app(), environment.stackName, { environment });
  return JSON.parse(Testing.synth(stack)) as TerraformDocument;
}

export function synthEc2Stack(input: unknown): TerraformDocument {
  const config = parseConfig(input);
  const [environment] = environmentsOf({ ...config, launchType: "ec2" });
  const stack = new EnvironmentStack(Testing.app(), environment.stackName, { environment });
  return JSON.parse(Testing.synth(stack)) as TerraformDocument;
}

/**
 * The script a launch template's `user_data` decodes to. A literal is base64; with a created secret the attribute is
 * `${base64encode(join("", ["…", <reference>, "…"]))}`, evaluated here the way Terraform does (HCL string escapes,
 * `$${` and `%%{`), with each reference replaced by `references[<reference>]`, else `${<reference>}`.
 */
export function decodeUserData(userData: unknown, references: Record<string, string> = {}): string {
  if (typeof userData !== "string") throw new Error(`user_data is ${typeof userData}, not a string`);
  const expression = /^\$\{base64encode\(join\("", \[(.*)\]\)\)\}$/s.exec(userData);
  if (!expression) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(userData)) throw new Error(`user_data is neither base64 nor base64encode(join(...)): ${userData.slice(0, 80)}`);
    return Buffer.from(userData, "base64").toString("utf8");
  }
  const parts: string[] = [];
  let rest = expression[1];
  while (rest.length > 0) {
    const element = /^\s*(?:"((?:[^"\\]|\\.)*)"|([A-Za-z0-9_.-]+))\s*(?:,|$)/s.exec(rest);
    if (!element) throw new Error(`cannot read the join() arguments at ${rest.slice(0, 80)}`);
    if (element[1] !== undefined) {
      parts.push((JSON.parse(`"${element[1]}"`) as string).replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{"));
    } else {
      parts.push(references[element[2]] ?? `\${${element[2]}}`);
    }
    rest = rest.slice(element[0].length);
  }
  return parts.join("");
}
