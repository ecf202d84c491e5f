import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { DEFAULTS } from "../../../src/config/defaults";
import { jsonSchemaText } from "../../../src/config/json-schema";
import { FARGATE_MEMORY_BY_CPU, LOG_RETENTION_DAYS } from "../../../src/aws/limits";
import { configSchema } from "../../../src/config";

const CONFIG_DIR = path.join(__dirname, "..", "..", "..", "config");
const SCHEMA_FILE = path.join(CONFIG_DIR, "ghcr-ecs.schema.json");
const REFERENCE_FILE = path.join(CONFIG_DIR, "reference-app.json");

interface JsonSchema {
  [keyword: string]: unknown;
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
}

function committedSchema(): JsonSchema {
  return JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as JsonSchema;
}

/** The single-service form: the first of the schema's two forms. */
function singleForm(): JsonSchema {
  const [single] = committedSchema().oneOf ?? [];
  return single;
}

const KNOWN_KEYWORDS = new Set([
  "$schema",
  "title",
  "description",
  "default",
  "type",
  "properties",
  "required",
  "additionalProperties",
  "propertyNames",
  "items",
  "minItems",
  "maxItems",
  "oneOf",
  "enum",
  "const",
  "pattern",
  "minLength",
  "minimum",
  "maximum",
]);

/**
 * A small validator for exactly the keywords the generated schema uses (it fails on any other keyword rather than
 * ignoring it), so the committed schema can be checked against real config files without another dependency.
 */
function validate(schema: JsonSchema, value: unknown, at = "$"): string[] {
  const unknown = Object.keys(schema).filter((keyword) => !KNOWN_KEYWORDS.has(keyword));
  if (unknown.length > 0) throw new Error(`${at}: the test validator does not know the keywords ${unknown.join(", ")}`);
  const errors: string[] = [];
  if (schema.oneOf) {
    const matching = schema.oneOf.filter((option) => validate(option, value, at).length === 0).length;
    if (matching !== 1) errors.push(`${at}: matches ${matching} of the oneOf options`);
  }
  if (schema.const !== undefined && value !== schema.const) errors.push(`${at}: is not ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${at}: is not one of ${JSON.stringify(schema.enum)}`);
  switch (schema.type) {
    case undefined:
      break;
    case "string":
      if (typeof value !== "string") return [...errors, `${at}: is not a string`];
      if (schema.pattern !== undefined && !new RegExp(schema.pattern, "u").test(value)) errors.push(`${at}: does not match ${schema.pattern}`);
      if (schema.minLength !== undefined && value.length < schema.minLength) errors.push(`${at}: is shorter than ${schema.minLength}`);
      break;
    case "number":
    case "integer":
      if (typeof value !== "number" || (schema.type === "integer" && !Number.isInteger(value))) return [...errors, `${at}: is not an ${schema.type}`];
      if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${at}: is below ${schema.minimum}`);
      if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${at}: is above ${schema.maximum}`);
      break;
    case "boolean":
      if (typeof value !== "boolean") errors.push(`${at}: is not a boolean`);
      break;
    case "array":
      if (!Array.isArray(value)) return [...errors, `${at}: is not an array`];
      if (schema.minItems !== undefined && value.length < schema.minItems) errors.push(`${at}: has fewer than ${schema.minItems} items`);
      if (schema.maxItems !== undefined && value.length > schema.maxItems) errors.push(`${at}: has more than ${schema.maxItems} items`);
      if (schema.items) value.forEach((item, i) => errors.push(...validate(schema.items as JsonSchema, item, `${at}[${i}]`)));
      break;
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return [...errors, `${at}: is not an object`];
      const record = value as Record<string, unknown>;
      for (const key of schema.required ?? []) if (!(key in record)) errors.push(`${at}: lacks required "${key}"`);
      for (const [key, item] of Object.entries(record)) {
        if (schema.propertyNames) errors.push(...validate(schema.propertyNames, key, `${at} key "${key}"`));
        const property = schema.properties?.[key];
        if (property) errors.push(...validate(property, item, `${at}.${key}`));
        else if (schema.additionalProperties === false) errors.push(`${at}: does not allow "${key}"`);
        else if (typeof schema.additionalProperties === "object") errors.push(...validate(schema.additionalProperties, item, `${at}.${key}`));
      }
      break;
    }
    default:
      throw new Error(`${at}: the test validator does not know type ${String(schema.type)}`);
  }
  return errors;
}

describe("config/ghcr-ecs.schema.json", () => {
  it("is exactly what jsonSchemaText() generates from the zod schema in src/config/", () => {
    const committed = readFileSync(SCHEMA_FILE, "utf8");
    const generated = jsonSchemaText();
    if (committed !== generated) {
      const committedLines = committed.split("\n");
      const generatedLines = generated.split("\n");
      const line = committedLines.findIndex((text, i) => text !== generatedLines[i]);
      throw new Error(
        `config/ghcr-ecs.schema.json is out of date with the zod schema in src/config/; run \`npm run schema\` and commit the result.\n` +
          `First difference at line ${line + 1}:\n  committed: ${committedLines[line]}\n  generated: ${generatedLines[line]}`,
      );
    }
    expect(committed).toBe(generated);
  });

  it("is a titled draft 2020-12 schema: exactly one of the single-service form and the app form, both objects", () => {
    const schema = committedSchema();
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.title).toBe("ghcr-ecs deployment configuration");
    expect((schema.oneOf ?? []).map((form) => [form.title, form.type])).toEqual([
      ["one service", "object"],
      ["an app", "object"],
    ]);
  });

  it("forbids unknown top-level keys", () => {
    expect(singleForm().additionalProperties).toBe(false);
  });

  it("forbids unknown keys in the nested objects too", () => {
    const properties = singleForm().properties ?? {};
    for (const key of ["healthCheck", "deployment", "loadBalancer"]) {
      expect({ key, additionalProperties: properties[key].additionalProperties }).toEqual({ key, additionalProperties: false });
    }
    for (const key of ["credentials", "encryption", "network"]) {
      const options = properties[key].oneOf ?? [];
      expect(options.length).toBeGreaterThanOrEqual(2);
      for (const option of options) expect({ key, additionalProperties: option.additionalProperties }).toEqual({ key, additionalProperties: false });
    }
  });

  it("describes every top-level key of configSchema and nothing else", () => {
    expect(Object.keys(singleForm().properties ?? {}).sort()).toEqual(Object.keys(configSchema.shape).sort());
  });

  it("requires exactly the keys without a default", () => {
    expect([...(singleForm().required ?? [])].sort()).toEqual(["cpu", "credentials", "image", "memory", "name", "region"]);
  });

  it("carries the defaults from DEFAULTS", () => {
    const properties = singleForm().properties ?? {};
    expect(properties.containerPort.default).toBe(DEFAULTS.containerPort);
    expect(properties.desiredCount.default).toBe(DEFAULTS.desiredCount);
    expect(properties.cpuArchitecture.default).toBe(DEFAULTS.cpuArchitecture);
    expect(properties.deregistrationDelaySeconds.default).toBe(DEFAULTS.deregistrationDelaySeconds);
    expect(properties.logRetentionDays.default).toBe(DEFAULTS.logRetentionDays);
    expect(properties.containerInsights.default).toBe(DEFAULTS.containerInsights);
    expect(properties.healthCheck.default).toEqual(DEFAULTS.healthCheck);
    expect(properties.deployment.default).toEqual(DEFAULTS.deployment);
    expect(properties.loadBalancer.default).toEqual(DEFAULTS.loadBalancer);
    expect(properties.network.default).toEqual({ mode: "create", ...DEFAULTS.network });
  });

  it("offers exactly the Fargate CPU sizes and CloudWatch retention periods the loader accepts", () => {
    const properties = singleForm().properties ?? {};
    expect(properties.cpu.enum).toEqual(Object.keys(FARGATE_MEMORY_BY_CPU).map(Number));
    expect(properties.logRetentionDays.enum).toEqual([...LOG_RETENTION_DAYS]);
  });

  it("accepts config/reference-app.json, as the single-service form only", () => {
    const reference = JSON.parse(readFileSync(REFERENCE_FILE, "utf8")) as unknown;
    expect(validate(committedSchema(), reference)).toEqual([]);
    expect(validate(singleForm(), reference)).toEqual([]);
  });

  it("accepts config/example-app.json, as the app form only", () => {
    const example = JSON.parse(readFileSync(path.join(CONFIG_DIR, "example-app.json"), "utf8")) as unknown;
    expect(validate(committedSchema(), example)).toEqual([]);
    expect(validate(singleForm(), example)).toContainEqual('$: does not allow "services"');
  });

  it("accepts the other modes of credentials, encryption and network with container secrets", () => {
    const config = {
      ...(JSON.parse(readFileSync(REFERENCE_FILE, "utf8")) as Record<string, unknown>),
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
        assignPublicIp: true,
      },
      secrets: {
        DB_PASSWORD: "arn:aws:secretsmanager:us-east-1:123456789012:secret:orders/db-AbC123:password::",
        API_KEY: "arn:aws:ssm:us-east-1:123456789012:parameter/orders/api-key",
      },
    };
    expect(validate(singleForm(), config)).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["a misspelt top-level key", { helthCheck: {} }, '$: does not allow "helthCheck"'],
    ["a misspelt nested key", { healthCheck: { pth: "/x" } }, '$.healthCheck: does not allow "pth"'],
    ["a name with uppercase letters", { name: "Orders" }, "$.name: does not match"],
    ["a cpu that is not a Fargate size", { cpu: 300 }, "$.cpu: is not one of"],
    ["an unknown credentials mode", { credentials: { mode: "vault" } }, "$.credentials: matches 0 of the oneOf options"],
    ["a tag key starting with aws:", { tags: { "aws:team": "x" } }, '$.tags key "aws:team": does not match'],
    [
      "one ALB subnet",
      {
        network: {
          mode: "existing",
          vpcId: "vpc-0123456789abcdef0",
          loadBalancerSubnetIds: ["subnet-0123456789abcdef0"],
          serviceSubnetIds: ["subnet-0123456789abcdef1"],
        },
      },
      "$.network: matches 0 of the oneOf options",
    ],
  ])("rejects %s", (_label, change, expected) => {
    const config = { ...(JSON.parse(readFileSync(REFERENCE_FILE, "utf8")) as Record<string, unknown>), ...change };
    expect(validate(singleForm(), config)).toContainEqual(expect.stringContaining(expected));
  });
});

describe("config/reference-app.json", () => {
  it('points its "$schema" at the committed schema file', () => {
    const reference = JSON.parse(readFileSync(REFERENCE_FILE, "utf8")) as { $schema?: string };
    expect(reference.$schema).toBe("./ghcr-ecs.schema.json");
    const target = path.resolve(CONFIG_DIR, reference.$schema ?? "");
    expect(target).toBe(path.resolve(SCHEMA_FILE));
    expect(existsSync(target)).toBe(true);
  });
});
