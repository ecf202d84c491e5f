/**
 * Property-based bad input. Invalid configs are generated from the committed JSON Schema
 * (config/ghcr-ecs.schema.json): start from a valid base config (the reference app, or a variant that reaches the
 * other branches of the discriminated unions), walk schema and config together to find every field, and break one
 * field at a time — drop a required key, the wrong JSON type, an out-of-range or fractional number, an unknown key
 * at any depth, a value outside an enum or a pattern, a malformed CIDR / ARN / image reference, or a cross-field
 * rule (containerMemory > memory, timeout ≥ interval, …).
 *
 * Every one must fail `parseDeploymentConfig` with a ConfigError whose message has a line for the mutated field path (never
 * another exception type); a sample also goes through the compiled entry point `node dist/main.js`: exit 2, the field
 * on stderr, no stack trace, nothing written. Then malformed secret contents for the CLI (`parseRegistrySecret`).
 *
 * Runs use fast-check's random seed; a failure prints the seed and the shrunk counterexample
 * (replay with `fc.assert(..., { seed, path })`). FC_SEED pins the seed.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { inspect } from "node:util";
import fc from "fast-check";
import { ConfigError, parseDeploymentConfig } from "../../src/config/load";
import { parseRegistrySecret } from "../../src/operations/registry-secret";
import { EXIT, OperationError } from "../../src/operations/exit-codes";
import { referenceInput } from "../helpers/configs";

jest.setTimeout(60_000);

const ROOT = path.join(__dirname, "..", "..");
const MAIN = path.join(ROOT, "dist", "main.js");
const SCHEMA = JSON.parse(readFileSync(path.join(ROOT, "config", "ghcr-ecs.schema.json"), "utf8")) as SchemaNode;
const FC_OPTIONS = process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Segment = string | number;
interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean | SchemaNode;
  propertyNames?: SchemaNode;
  items?: SchemaNode;
  oneOf?: SchemaNode[];
  enum?: (string | number)[];
  const?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
}

/** A field of a base config: where it is, its schema, and whether the base sets it. */
interface Site {
  readonly path: Segment[];
  readonly schema: SchemaNode;
  readonly present: boolean;
  /** The discriminated union this node is a branch of (its discriminator's constants), if any. */
  readonly unionModes?: string[];
}

/** A config with one field broken, and the field path the error must name. */
interface Mutant {
  readonly kind: string;
  /** The base config it came from. */
  readonly base?: string;
  /** A rule between fields (those are checked only once every field is valid on its own). */
  readonly crossField?: boolean;
  readonly config: Json;
  /** The path as the error prints it (`healthCheck.timeoutSeconds`, `loadBalancer.ingressCidrs[0]`, `(top level)`). */
  readonly field: string;
  /** A further fragment the line must contain (the unknown key's name). */
  readonly mentions?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Base configs: valid, and together reaching every branch of the schema's unions and the optional blocks.

const REFERENCE = referenceInput() as unknown as { [key: string]: Json };
const BASES: Record<string, { [key: string]: Json }> = {
  reference: REFERENCE,
  "existing secret, key and network; spot; HTTPS": {
    ...REFERENCE,
    credentials: {
      mode: "existing",
      existingSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:ghcr/orders-XyZ789",
      kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    },
    encryption: { mode: "existing-key", keyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
    network: {
      mode: "existing",
      vpcId: "vpc-0123456789abcdef0",
      loadBalancerSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
      serviceSubnetIds: ["subnet-0123456789abcdef2"],
      assignPublicIp: false,
    },
    loadBalancer: {
      scheme: "internal",
      ingressCidrs: ["10.0.0.0/8", "192.168.0.0/16"],
      certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab",
      sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
      idleTimeoutSeconds: 60,
      deletionProtection: true,
    },
    deployment: { minimumHealthyPercent: 100, maximumPercent: 200, waitForSteadyState: false },
    secrets: { DB_PASSWORD: "arn:aws:secretsmanager:us-east-1:123456789012:secret:orders/db-AbC123:password::" },
    backend: {
      type: "s3",
      bucket: "acme-terraform-state",
      key: "ghcr-ecs/{stack}.tfstate",
      region: "eu-west-1",
      encrypt: true,
      kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      useLockfile: true,
      dynamodbTable: "terraform-locks",
    },
    ec2: {
      instanceType: "t3.medium",
      amiId: "ami-0123456789abcdef0",
      minSize: 1,
      maxSize: 3,
      desiredCapacity: 2,
      spot: {
        onDemandBaseCapacity: 1,
        onDemandPercentageAboveBaseCapacity: 50,
        allocationStrategy: "capacity-optimized",
        instanceTypes: ["t3.large", "m5.large"],
      },
    },
  },
  "AWS-managed encryption, Fargate only": {
    ...REFERENCE,
    encryption: { mode: "aws-managed" },
    launchType: "fargate",
    ec2: undefined as unknown as Json,
    backend: { type: "cloud", organization: "acme", workspace: "orders-prod", hostname: "tfe.example.com", project: "Platform" },
  },
  "Terraform Cloud workspaces by tag": { ...REFERENCE, backend: { type: "cloud", organization: "acme", workspaceTags: ["ghcr-ecs", "prod"] } },
  "local state file": { ...REFERENCE, backend: { type: "local", path: "state/{stack}.tfstate" } },
  "every autoscaling setting": {
    ...REFERENCE,
    autoscaling: {
      enabled: true,
      minCount: 2,
      maxCount: 6,
      cpuPercent: 60,
      memoryPercent: 75,
      requestsPerTarget: 500,
      scaleOutCooldownSeconds: 30,
      scaleInCooldownSeconds: 600,
      schedules: [{ name: "workday", schedule: "cron(0 7 ? * MON-FRI *)", timezone: "Europe/London", minCount: 3, maxCount: 8 }],
    },
  },
  "every alarm setting": {
    ...REFERENCE,
    production: true,
    stopTimeoutSeconds: 45,
    alarms: {
      enabled: true,
      rollback: false,
      targetErrorPercent: 2,
      unhealthyTargets: 2,
      p99ResponseSeconds: 0.5,
      cpuPercent: 85,
      memoryPercent: 80,
      evaluationMinutes: 2,
      tasksBelowDesiredMinutes: 10,
      notify: { emails: ["oncall@example.com", "team+pager@example.co.uk"] },
      loadBalancerErrorsPerMinute: 50,
    },
  },
  "alarms to an existing topic": { ...REFERENCE, alarms: { notify: { snsTopicArn: "arn:aws:sns:us-east-1:123456789012:acme-pager" } } },
  "the example app": JSON.parse(readFileSync(path.join(__dirname, "..", "..", "config", "example-app.json"), "utf8")) as { [key: string]: Json },
  "the ECR mirror without NAT": {
    ...REFERENCE,
    name: "orders-mirror",
    launchType: "fargate",
    registry: { mode: "ecr-pull-through-cache", ecrRepositoryPrefix: "ghcr", keepImages: 50 },
    network: { mode: "create", azCount: 2, egress: "vpc-endpoints" },
  },
};
delete BASES["AWS-managed encryption, Fargate only"].ec2;
delete BASES["the ECR mirror without NAT"].ec2;

// ---------------------------------------------------------------------------------------------------------------
// Walking schema and config together.

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The property every branch of a discriminated union fixes with a `const` (`mode`, or `type` for backend). */
function discriminatorOf(node: SchemaNode): string {
  const branches = node.oneOf ?? [];
  const key = Object.keys(branches[0]?.properties ?? {}).find((k) => branches.every((b) => b.properties?.[k]?.const !== undefined));
  if (!key) throw new Error(`a oneOf without a discriminator: ${JSON.stringify(node).slice(0, 200)}`);
  return key;
}

/**
 * The union branch a value takes, or undefined when the node is not a union: by its discriminator, or for the two
 * forms of the whole config (one service, an app) the one whose required fields the value has.
 */
function branch(node: SchemaNode, value: Json | undefined): { node: SchemaNode; modes?: string[]; discriminator?: string } | undefined {
  if (!node.oneOf) return undefined;
  if (node === SCHEMA) {
    const forms = node.oneOf.filter((b) => isObject(value) && (b.required ?? []).every((key) => key in value));
    if (forms.length !== 1) throw new Error(`base config matches ${forms.length} forms of the config: ${JSON.stringify(value).slice(0, 200)}`);
    return { node: forms[0] };
  }
  const discriminator = discriminatorOf(node);
  const modes = node.oneOf.map((b) => b.properties?.[discriminator]?.const as string);
  const mode = isObject(value) ? value[discriminator] : undefined;
  const chosen = node.oneOf.find((b) => b.properties?.[discriminator]?.const === mode);
  if (!chosen) throw new Error(`base config has a union value without a known ${discriminator}: ${JSON.stringify(value)}`);
  return { node: chosen, modes, discriminator };
}

function sitesOf(node: SchemaNode, value: Json | undefined, at: Segment[], present: boolean, unionModes?: string[]): Site[] {
  const union = present ? branch(node, value) : undefined;
  if (node.oneOf && !present) return [{ path: at, schema: node, present }]; // an absent union: wrong types only
  const effective = union?.node ?? node;
  const sites: Site[] = [{ path: at, schema: effective, present, unionModes: union?.modes ?? unionModes }];
  if (!present) return sites;
  if (effective.type === "object" && isObject(value)) {
    for (const [key, child] of Object.entries(effective.properties ?? {})) {
      sites.push(...sitesOf(child, value[key], [...at, key], key in value, key === union?.discriminator ? union.modes : undefined));
    }
    // An environment's overrides are open in the JSON Schema (they are checked once merged: the cases of
    // __tests__/unit/config/app.test.ts); a value no schema constrains has no wrong value to generate.
    if (typeof effective.additionalProperties === "object" && Object.keys(effective.additionalProperties).length > 0) {
      for (const key of Object.keys(value)) sites.push(...sitesOf(effective.additionalProperties, value[key], [...at, key], true));
    }
  }
  if (effective.type === "array" && Array.isArray(value) && effective.items) {
    value.forEach((item, i) => sites.push(...sitesOf(effective.items as SchemaNode, item, [...at, i], true)));
  }
  return sites;
}

const SITES: Record<string, Site[]> = Object.fromEntries(Object.entries(BASES).map(([name, base]) => [name, sitesOf(SCHEMA, base, [], true)]));

/** How an error names a path: identifiers joined with dots, `[0]` for items, `["a b"]` for other keys. */
function fieldName(segments: readonly Segment[]): string {
  if (segments.length === 0) return "(top level)";
  return segments.map((s, i) => (typeof s === "number" ? `[${s}]` : /^[A-Za-z_$][\w$]*$/.test(s) ? `${i ? "." : ""}${s}` : `[${JSON.stringify(s)}]`)).join("");
}

function clone<T extends Json>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Sets (or, with `undefined`, deletes) the value at `at`; own-property semantics even for `__proto__`. */
function setAt(config: Json, at: readonly Segment[], value: Json | undefined): Json {
  const copy = clone(config);
  let parent = copy as { [key: string]: Json } | Json[];
  for (const segment of at.slice(0, -1)) parent = (parent as Record<string | number, Json>)[segment] as { [key: string]: Json };
  const last = at[at.length - 1];
  if (value === undefined) delete (parent as Record<string | number, Json>)[last];
  // Through JSON text, as a config file would deliver it (plain prototypes; `{"toString": 1}` stays a plain key).
  else Object.defineProperty(parent, last, { value: JSON.parse(JSON.stringify(value)), enumerable: true, writable: true, configurable: true });
  return copy;
}

function valueAt(config: Json, at: readonly Segment[]): Json | undefined {
  return at.reduce<Json | undefined>((v, s) => (v === undefined || v === null ? undefined : (v as Record<string | number, Json>)[s]), config);
}

// ---------------------------------------------------------------------------------------------------------------
// Generators of bad values, by schema node.

const anyJson = (depth = 1): fc.Arbitrary<Json> =>
  fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.integer({ min: -1e6, max: 1e6 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    ...(depth > 0
      ? [
          fc.array(anyJson(depth - 1), { maxLength: 3 }),
          fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom("toString", "valueOf", "__proto__")), anyJson(depth - 1), { maxKeys: 3 }),
        ]
      : []),
  );

function jsonType(value: Json): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/** A value of another JSON type than the node allows. */
function wrongType(node: SchemaNode): fc.Arbitrary<Json> {
  const allowed = node.type === "integer" || node.type === "number" ? ["integer", "number"] : node.oneOf ? ["object"] : node.type ? [node.type] : ["string"];
  return anyJson().filter((v) => !allowed.includes(jsonType(v)));
}

/** Strings a pattern rejects: random text, and near misses of a valid value (a character changed, cut, padded). */
function notMatching(pattern: string, valid: string | undefined): fc.Arbitrary<string> {
  const regex = new RegExp(pattern, "u");
  const nearMiss = valid
    ? fc.oneof(
        fc.nat({ max: valid.length }).map((i) => valid.slice(0, i)),
        fc
          .tuple(fc.nat({ max: valid.length }), fc.constantFrom(" ", "#", "*", "\n", "é", "/", ":", "A", "\u0000"))
          .map(([i, c]) => valid.slice(0, i) + c + valid.slice(i)),
        fc.constantFrom(` ${valid}`, `${valid} `, valid.toUpperCase(), `${valid}${"x".repeat(300)}`),
      )
    : fc.constant("");
  return fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: "binary", maxLength: 20 }), nearMiss).filter((s) => !regex.test(s));
}

/** Malformed image references, family by family (each breaks one rule of registry/repository:tag|@digest). */
const badImage: fc.Arbitrary<string> = fc.oneof(
  fc.constant(""),
  fc.constantFrom("ghcr.io/acme/orders-service", "acme/orders-service:1.4.2", "orders:1.4.2", "ghcr.io/:1.0", "ghcr.io/acme/orders-service:"),
  fc.stringMatching(/^[a-z]{2,8}$/).map((repo) => `ghcr.io/acme/${repo.toUpperCase()}:1.0`), // uppercase repository
  fc.stringMatching(/^[0-9a-f]{1,63}$/).map((hex) => `ghcr.io/acme/orders@sha256:${hex}`), // short digest
  fc.stringMatching(/^[a-z0-9]{3,10}$/).map((t) => ` ghcr.io/acme/orders:${t}`), // leading space
  fc.constantFrom("-x", ".x", "a b", "x".repeat(129)).map((tag) => `ghcr.io/acme/orders:${tag}`), // bad tag
  fc.stringMatching(/^[a-z]{3,10}$/).map((host) => `${host}/acme/orders:1.0`), // host without dot, port or localhost
);

/** Malformed IPv4 CIDR blocks; for the VPC block also valid blocks of the wrong size. */
function badCidr(forVpc: boolean): fc.Arbitrary<string> {
  const octet = fc.integer({ min: 0, max: 255 });
  return fc.oneof(
    fc.tuple(octet, octet, octet, fc.integer({ min: 256, max: 999 }), fc.integer({ min: 0, max: 32 })).map(([a, b, c, d, p]) => `${a}.${b}.${c}.${d}/${p}`),
    fc.tuple(octet, octet, fc.integer({ min: 33, max: 99 })).map(([a, b, p]) => `${a}.${b}.0.0/${p}`),
    fc.tuple(octet, octet, octet, octet).map(([a, b, c, d]) => `${a}.${b}.${c}.${d}`),
    fc.tuple(fc.integer({ min: 1, max: 255 }), fc.integer({ min: 16, max: 24 })).map(([d, p]) => `10.0.0.${d}/${p}`), // host bits set
    fc.string({ maxLength: 20 }).filter((s) => !/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(s)),
    ...(forVpc ? [fc.constantFrom("10.0.0.0/8", "10.0.0.0/15", "10.0.0.0/23", "10.0.0.0/28")] : []),
  );
}

function outOfRange(node: SchemaNode, field: string): fc.Arbitrary<number> {
  if (field === "credentials.recoveryWindowInDays") {
    // The JSON Schema cannot say "0 or 7 to 30"; the config schema can.
    return fc.oneof(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 31, max: 100000 }), fc.integer({ min: -1000, max: -1 }), fc.constant(7.5));
  }
  const min = node.minimum as number;
  const max = node.maximum as number;
  return fc.oneof(
    fc.integer({ min: min - 100000, max: min - 1 }),
    fc.integer({ min: max + 1, max: max + 100000 }),
    fc.double({ min, max, noNaN: true }).filter((d) => !Number.isInteger(d)),
  );
}

const identifierKey = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,15}$/);

/** Mutations available at one site of one base config. */
function mutationsAt(base: Json, site: Site): fc.Arbitrary<Mutant>[] {
  const { path: at, schema, present } = site;
  const field = fieldName(at);
  const out: fc.Arbitrary<Mutant>[] = [];
  const put = (kind: string, values: fc.Arbitrary<Json>, target: Segment[] = at, named = field) =>
    out.push(values.map((v) => ({ kind, config: setAt(base, target, v), field: named })));
  const current = valueAt(base, at);

  if (at.length > 0) put("wrong type", wrongType(schema));
  if (schema.type === "object" && present) {
    for (const key of schema.required ?? []) {
      out.push(fc.constant({ kind: "drop required key", config: setAt(base, [...at, key], undefined), field: fieldName([...at, key]) }));
    }
    if (schema.additionalProperties === false) {
      const allowed = Object.keys(schema.properties ?? {});
      const unknown = fc.oneof(
        identifierKey,
        fc.string({ minLength: 1, maxLength: 12 }),
        fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty"),
      );
      out.push(
        fc
          .tuple(
            unknown.filter((k) => !allowed.includes(k) && !/["\\]/.test(k)),
            anyJson(),
          )
          .map(([key, v]) => ({
            kind: "unknown key",
            config: setAt(base, [...at, key], v),
            field,
            mentions: `unknown key "${key}"`,
          })),
      );
    }
    if (schema.propertyNames?.pattern) {
      const regex = new RegExp(schema.propertyNames.pattern, "u");
      const valid: Json = Object.values(current as { [key: string]: Json })[0] ?? "x";
      const badKey = fc
        .oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom("aws:owner", "1ABC", "A-B", "x".repeat(129), "with space#"))
        .filter((k) => !regex.test(k) && !/["\\]/.test(k));
      out.push(badKey.map((key) => ({ kind: "invalid record key", config: setAt(base, [...at, key], valid), field: fieldName([...at, key]) })));
    }
    if (field === "ec2.ecsConfig") {
      // Undocumented agent settings: the documented ones are all upper case.
      const lower = fc.stringMatching(/^[a-z][a-z_]{2,20}$/);
      out.push(lower.map((key) => ({ kind: "undocumented ecs.config key", config: setAt(base, [...at, key], "1"), field: fieldName([...at, key]) })));
    }
  }
  if (schema.type === "array" && (schema.minItems ?? 0) > 0) {
    put("too few items", fc.constant([]));
  }
  if (schema.type === "integer" && schema.minimum !== undefined) put("out of range", outOfRange(schema, field));
  if (schema.enum) {
    const values = schema.enum;
    put(
      "not in enum",
      typeof values[0] === "number"
        ? fc.integer({ min: -10, max: 100000 }).filter((n) => !values.includes(n))
        : fc.string({ maxLength: 30 }).filter((s) => !values.includes(s)),
    );
  }
  if (schema.const !== undefined) {
    const modes = site.unionModes ?? [schema.const];
    put(
      "invalid discriminator",
      fc.string({ maxLength: 20 }).filter((s) => !modes.includes(s)),
    );
  }
  if (schema.pattern) put("pattern violation", notMatching(schema.pattern, typeof current === "string" ? current : undefined));
  if (field === "image") put("malformed image reference", badImage);
  if (field === "network.cidr") put("malformed VPC CIDR", badCidr(true));
  if (/^loadBalancer\.ingressCidrs\[\d+\]$/.test(field)) put("malformed CIDR", badCidr(false));
  if (field.startsWith("tags.")) put("invalid tag value", fc.oneof(fc.constant("x".repeat(257)), fc.constantFrom("a#b", "<script>", "semi;colon")));
  return out;
}

/** Rules between fields, each with the field its error is reported at. */
function crossFieldMutations(name: string, base: { [key: string]: Json }): fc.Arbitrary<Mutant>[] {
  const sizes: Record<number, number[]> = { 256: [512, 1024, 2048], 512: [1024, 2048, 3072, 4096], 1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192] };
  const with_ = (kind: string, field: string, patch: (c: { [key: string]: Json }) => void): Mutant => {
    const config = clone(base);
    patch(config);
    return { kind, config, field };
  };
  const out: fc.Arbitrary<Mutant>[] = [
    fc
      .integer({ min: 1, max: 122880 - (base.memory as number) })
      .map((extra) => with_("containerMemory > memory", "containerMemory", (c) => (c.containerMemory = (c.memory as number) + extra))),
    fc
      .tuple(fc.constantFrom(256, 512, 1024), fc.integer({ min: 512, max: 122880 }))
      .filter(([cpu, memory]) => !sizes[cpu].includes(memory))
      .map(([cpu, memory]) =>
        with_("memory not a Fargate size for cpu", "memory", (c) => {
          c.cpu = cpu;
          c.memory = memory;
          delete c.containerMemory;
        }),
      ),
    fc
      .integer({ min: 5, max: 120 })
      .chain((interval) => fc.tuple(fc.constant(interval), fc.integer({ min: interval, max: 120 })))
      .map(([interval, timeout]) =>
        with_(
          "timeout >= interval",
          "healthCheck.timeoutSeconds",
          (c) => (c.healthCheck = { ...(c.healthCheck as object), intervalSeconds: interval, timeoutSeconds: timeout }),
        ),
      ),
    fc.constantFrom(...Object.keys(base.environment as object)).map((variable) =>
      with_("variable in environment and secrets", `secrets.${variable}`, (c) => {
        c.secrets = { ...(c.secrets as object), [variable]: "arn:aws:ssm:us-east-1:123456789012:parameter/orders/x" };
      }),
    ),
    fc.constant(
      with_("launchType fargate with an ec2 block", "launchType", (c) => {
        c.launchType = "fargate";
        c.ec2 = { minSize: 1 };
      }),
    ),
    fc
      .tuple(fc.integer({ min: 2, max: 1000 }), fc.integer({ min: 1, max: 999 }))
      .filter(([min, max]) => min > max)
      .map(([min, max]) =>
        with_(
          "ec2 minSize > maxSize",
          "ec2.minSize",
          (c) => (c.ec2 = { ...(c.ec2 as object), minSize: min, maxSize: max, desiredCapacity: undefined as unknown as Json }),
        ),
      ),
    fc.constantFrom("t3.medium", "m7i.large", "c5.xlarge").map((type) =>
      with_("x86 instance type on ARM64", "ec2.instanceType", (c) => {
        c.cpuArchitecture = "ARM64";
        c.launchType = "ec2";
        c.ec2 = { ...(c.ec2 as object), instanceType: type, spot: undefined as unknown as Json };
      }),
    ),
  ];
  if (isObject(base.network) && base.network.mode === "create") {
    out.push(
      fc.constant(
        with_("no NAT behind an internal ALB", "network.natGateways", (c) => {
          c.network = { ...(c.network as object), natGateways: "none", egress: "nat" };
          c.loadBalancer = { ...(c.loadBalancer as object), scheme: "internal" };
        }),
      ),
      fc.constant(
        with_("VPC endpoints without the pull-through cache", "network.egress", (c) => {
          c.network = { ...(c.network as object), egress: "vpc-endpoints" };
          c.registry = { mode: "direct" };
        }),
      ),
    );
  }
  if (isObject(base.ec2)) {
    out.push(
      fc
        .tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 6, max: 20 }), fc.integer({ min: 0, max: 1000 }))
        .filter(([, max, desired]) => desired > max)
        .map(([min, max, desired]) =>
          with_(
            "ec2 desiredCapacity outside min..max",
            "ec2.desiredCapacity",
            (c) => (c.ec2 = { ...(c.ec2 as object), minSize: min, maxSize: max, desiredCapacity: desired }),
          ),
        ),
    );
  }
  return out.map((arb) => arb.map((m) => ({ ...m, kind: `${name}: ${m.kind}`, base: name, crossField: true, config: clone(m.config) })));
}

const ALL_MUTATIONS: fc.Arbitrary<Mutant>[] = Object.entries(BASES).flatMap(([name, base]) => [
  ...SITES[name].flatMap((site) =>
    mutationsAt(base, site).map((arb) => arb.map((m) => ({ ...m, base: name, kind: `${name}: ${m.kind} at ${fieldName(site.path)}` }))),
  ),
  // The app form's rules between fields (routes, defaults, overrides) are the table in __tests__/unit/config/app.test.ts.
  ...("services" in base ? [] : crossFieldMutations(name, base)),
]);
const mutant: fc.Arbitrary<Mutant> = fc.oneof(...ALL_MUTATIONS.map((arbitrary) => ({ arbitrary, weight: 1 })));

/** The ConfigError line for `field`, or a description of what happened instead. */
function errorFor(config: Json): { error?: ConfigError; other?: unknown } {
  try {
    parseDeploymentConfig(config);
    return {};
  } catch (error) {
    return error instanceof ConfigError ? { error } : { other: error };
  }
}

function namesField(message: string, m: Mutant): boolean {
  return message.split("\n").some((line) => line.startsWith(`  - ${m.field}: `) && (m.mentions === undefined || line.includes(m.mentions)));
}

describe("the generator", () => {
  it("starts from valid base configs and reaches every field of the schema", () => {
    for (const base of Object.values(BASES)) expect(() => parseDeploymentConfig(base)).not.toThrow();
    const reached = new Set(Object.values(SITES).flatMap((sites) => sites.map((s) => fieldName(s.path.map((p) => (typeof p === "number" ? 0 : p))))));
    // Every property the schema declares, at any depth (record keys and array items excluded).
    const declared: string[] = [];
    const walk = (node: SchemaNode, at: string[]) => {
      for (const b of node.oneOf ?? []) walk(b, at);
      for (const [key, child] of Object.entries(node.properties ?? {})) {
        declared.push(fieldName([...at, key]));
        walk(child, [...at, key]);
      }
    };
    walk(SCHEMA, []);
    expect(declared.length).toBeGreaterThan(60);
    expect(declared.filter((f) => !reached.has(f))).toEqual([]);
    expect(ALL_MUTATIONS.length).toBeGreaterThan(250);
  });

  it("would notice a mutant that parses, or an error that names another field", () => {
    const valid: Mutant = { kind: "self-test", config: REFERENCE, field: "memory" };
    expect(errorFor(valid.config).error).toBeUndefined();
    const broken: Mutant = { kind: "self-test", config: setAt(REFERENCE, ["memory"], 3), field: "cpu" };
    expect(namesField(errorFor(broken.config).error?.message ?? "", broken)).toBe(false);
    expect(namesField(errorFor(broken.config).error?.message ?? "", { ...broken, field: "memory" })).toBe(true);
  });
});

describe("parseDeploymentConfig on generated invalid configs", () => {
  // Found by the property below (seed-independent replay). src/config/schema.ts builds the registryAuth message with
  // String(issue.input), which throws for a JSON object whose "toString" key is not a function: the entry point then
  // dies with a TypeError and a stack trace (exit 1) instead of exit 2 and a field-named line.
  it.each([['{"toString": 1}'], ['{"valueOf": 1, "toString": "x"}']])("names ec2.registryAuth = %s instead of crashing", (value) => {
    const { error, other } = errorFor(setAt(REFERENCE, ["ec2", "registryAuth"], JSON.parse(value) as Json));
    expect(other).toBeUndefined();
    expect(error?.message).toMatch(/^ {2}- ec2\.registryAuth: got /m);
  });

  it("throws a ConfigError naming the mutated field, never another exception", () => {
    fc.assert(
      fc.property(mutant, (m) => {
        const { error, other } = errorFor(m.config);
        if (other !== undefined) throw new Error(`${m.kind}: ${other instanceof Error ? `${other.name}: ${other.message}` : inspect(other)}`);
        if (!error) throw new Error(`${m.kind}: parsed without an error`);
        if (!namesField(error.message, m))
          throw new Error(`${m.kind}: the error does not name ${m.field}${m.mentions ? ` (${m.mentions})` : ""}:\n${error.message}`);
      }),
      { numRuns: 3000, ...FC_OPTIONS },
    );
  });

  it("names every field when two unrelated top-level fields are broken at once", () => {
    const topKey = (m: Mutant) => m.field.split(/[.[]/)[0];
    const pairs = fc
      .tuple(mutant, mutant)
      .filter(
        ([a, b]) => !a.crossField && !b.crossField && a.base === b.base && a.field !== "(top level)" && b.field !== "(top level)" && topKey(a) !== topKey(b),
      );
    fc.assert(
      fc.property(pairs, ([a, b]) => {
        // The base with both top-level subtrees taken from the two mutants.
        let config: Json = BASES[a.base as string];
        for (const m of [a, b]) config = setAt(config, [topKey(m)], valueAt(m.config, [topKey(m)]));
        const { error, other } = errorFor(config);
        if (other !== undefined || !error) throw new Error(`${a.kind} + ${b.kind}: ${other ? inspect(other) : "parsed"}`);
        for (const m of [a, b])
          if (!namesField(error.message, m)) throw new Error(`${m.kind}: not named when combined with ${m === a ? b.kind : a.kind}:\n${error.message}`);
      }),
      { numRuns: 300, ...FC_OPTIONS },
    );
  });
});

describe("node dist/main.js on generated invalid configs", () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-property-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  function synth(config: Json, i: number): Promise<{ code: number | null; stdout: string; stderr: string; dir: string }> {
    const dir = path.join(scratch, `case-${i}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    const file = path.join(dir, "config.json");
    writeFileSync(file, JSON.stringify(config));
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [MAIN], { cwd: dir, env: { ...process.env, GHCR_ECS_CONFIG: file, CDKTF_OUTDIR: path.join(dir, "cdktf.out") } });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr, dir });
      });
    });
  }

  it("exits 2 naming the field, without a stack trace, writing nothing, for a sample of 15", async () => {
    expect(existsSync(MAIN)).toBe(true);
    const sample = fc.sample(mutant, { numRuns: 15, ...FC_OPTIONS });
    const failures: string[] = [];
    for (let i = 0; i < sample.length; i += 5) {
      const runs = await Promise.all(sample.slice(i, i + 5).map((m, j) => synth(m.config, i + j).then((r) => ({ m, r }))));
      for (const { m, r } of runs) {
        const problems = [
          r.code !== 2 && `exit ${r.code}`,
          !namesField(r.stderr, m) && `stderr does not name ${m.field}`,
          /\n\s+at /.test(r.stderr) && "stack trace",
          r.stdout !== "" && "wrote to stdout",
          readdirSync(r.dir).join(",") !== "config.json" && `left files: ${readdirSync(r.dir).join(", ")}`,
        ].filter(Boolean);
        if (problems.length > 0) failures.push(`${m.kind}: ${problems.join("; ")}\n${r.stderr}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe("parseRegistrySecret on malformed secret contents", () => {
  /** Every string inside a JSON value (keys and values), to check none longer than 8 characters is echoed. */
  function stringsIn(text: string): string[] {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return [text];
    }
    const out: string[] = [];
    const visit = (v: unknown): void => {
      if (typeof v === "string") out.push(v);
      else if (Array.isArray(v)) v.forEach(visit);
      else if (v && typeof v === "object") {
        for (const [k, inner] of Object.entries(v)) {
          out.push(k);
          visit(inner);
        }
      }
    };
    visit(value);
    return out;
  }

  const credentialish = fc.record(
    {
      username: fc.oneof(fc.string({ maxLength: 30 }), anyJson(0)),
      password: fc.oneof(fc.string({ maxLength: 60 }), fc.stringMatching(/^ghp_[A-Za-z0-9]{36}$/), anyJson(0)),
      extra: anyJson(),
    },
    { requiredKeys: [] },
  );
  const secretText: fc.Arbitrary<string> = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.string({ unit: "binary", maxLength: 100 }),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    credentialish.map((v) => JSON.stringify(v)),
    fc
      .dictionary(fc.oneof(fc.string({ maxLength: 50 }), fc.stringMatching(/^ghp_[A-Za-z0-9]{36}$/)), fc.string({ maxLength: 50 }), { maxKeys: 12 })
      .map((v) => JSON.stringify(v)),
    fc.stringMatching(/^ghp_[A-Za-z0-9]{36}$/),
    credentialish.map((v) => JSON.stringify(v).slice(0, -1)), // cut short
    fc
      .tuple(fc.string({ minLength: 1, maxLength: 16 }), fc.integer({ min: 10_000, max: 70_000 }))
      .map(([s, n]) => s.repeat(Math.ceil(n / s.length)).slice(0, n)), // huge
    fc.integer({ min: 10_000, max: 70_000 }).map((n) => JSON.stringify({ username: "u", password: "p".repeat(n) })), // huge but valid
  );

  it("returns {username, password} or throws OperationError 12 that echoes none of the content", () => {
    fc.assert(
      fc.property(secretText, (text) => {
        let result: { username: string; password: string } | undefined;
        try {
          result = parseRegistrySecret(text);
        } catch (error) {
          if (!(error instanceof OperationError)) throw new Error(`not an OperationError: ${String(error)}`);
          expect(error.exitCode).toBe(EXIT.secretMalformed);
          expect(error.message).toMatch(/^the credentials secret /);
          if (text.length > 8) expect(error.message).not.toContain(text);
          const longer = stringsIn(text).filter((s) => s.length > 32 || (s.length > 8 && !/^[\x21-\x7e]+$/.test(s)));
          for (const s of longer) expect(error.message).not.toContain(s);
          return;
        }
        const parsed = JSON.parse(text) as Record<string, unknown>;
        expect(result).toEqual({ username: parsed.username, password: parsed.password });
        for (const value of [result.username, result.password]) expect(value).toMatch(/^\S+$/);
      }),
      { numRuns: 2000, ...FC_OPTIONS },
    );
  });

  it("accepts generated valid credentials unchanged", () => {
    const visible = fc.stringMatching(/^[\x21-\x7e]{1,64}$/);
    fc.assert(
      fc.property(visible, visible, anyJson(), (username, password, extra) => {
        const text = JSON.stringify({ extra, username, password });
        expect(parseRegistrySecret(text)).toEqual({ username, password });
      }),
      { numRuns: 300, ...FC_OPTIONS },
    );
  });
});
