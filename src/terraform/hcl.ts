/**
 * A synthesized stack as plain HCL: the exit from cdktf that needs no cdktf at all (`npm run synth:hcl`).
 *
 * Why not `cdktf synth --hcl`: cdktf 0.21's HCL renderer writes invalid HCL for these stacks — JSON policy documents
 * inside unescaped quotes (`policy = "{"Version":…}"`) and the `required_version` override as `0 = "required_version"`;
 * `terraform validate` rejects both (tested in __tests__/delivery/synth-hcl.test.ts). So this renders the synthesized
 * Terraform JSON itself, using the AWS provider's schema (`terraform providers schema -json`) to tell nested blocks
 * from object attributes, which JSON syntax does not distinguish.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { JsonValue, TerraformDocument } from "./document";
import { runOrThrow } from "./run";
import { TerraformWorkdir } from "./workdir";

/** The part of `terraform providers schema -json` the renderer reads. */
export interface SchemaBlock {
  attributes?: Record<string, unknown>;
  block_types?: Record<string, { nesting_mode: string; block: SchemaBlock }>;
}
export interface ProviderSchemas {
  provider_schemas: Record<
    string,
    { provider: { block: SchemaBlock }; resource_schemas: Record<string, { block: SchemaBlock }>; data_source_schemas: Record<string, { block: SchemaBlock }> }
  >;
}

type Json = JsonValue;
type Obj = { [key: string]: Json };

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const isObj = (v: Json | undefined): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Index just past the `}` closing the `${` or `%{` sequence that starts at `start`. */
function skipSequence(s: string, start: number): number {
  let depth = 0;
  for (let i = start + 1; i < s.length; i++) {
    const c = s[i];
    if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i + 1;
    else if (c === '"') i = skipQuoted(s, i) - 1;
  }
  throw new Error(`unterminated template sequence in ${JSON.stringify(s)}`);
}

/** Index just past a quoted string inside an expression (which may itself hold `${…}`). */
function skipQuoted(s: string, start: number): number {
  for (let i = start + 1; i < s.length; i++) {
    if (s[i] === "\\") i++;
    else if ((s[i] === "$" || s[i] === "%") && s[i + 1] === "{") i = skipSequence(s, i) - 1;
    else if (s[i] === '"') return i + 1;
  }
  throw new Error(`unterminated string in ${JSON.stringify(s)}`);
}

/**
 * A JSON-syntax template string as a quoted HCL template with the same meaning: the literal parts escaped (\" \\ \n
 * …), `${…}` / `%{…}` sequences copied as written (they are expressions, where quotes are not escaped), and the
 * `$${` / `%%{` escapes kept (both syntaxes share them).
 */
function str(value: string): string {
  let out = "";
  for (let i = 0; i < value.length;) {
    if (value.startsWith("$${", i) || value.startsWith("%%{", i)) {
      out += value.slice(i, i + 3);
      i += 3;
    } else if ((value[i] === "$" || value[i] === "%") && value[i + 1] === "{") {
      const end = skipSequence(value, i);
      out += value.slice(i, end);
      i = end;
    } else {
      out += JSON.stringify(value[i]).slice(1, -1);
      i++;
    }
  }
  return `"${out}"`;
}

function expr(value: Json, indent: string): string {
  if (value === null) return "null";
  if (typeof value === "string") return str(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.length === 0 ? "[]" : `[\n${value.map((v) => `${indent}  ${expr(v, `${indent}  `)},`).join("\n")}\n${indent}]`;
  const entries = Object.entries(value);
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([k, v]) => `${indent}  ${str(k)} = ${expr(v, `${indent}  `)}`).join("\n")}\n${indent}}`;
}

/** `"${aws_x.y}"` → `aws_x.y`, for arguments that take references, not strings (depends_on, ignore_changes, provider). */
function bare(value: Json): string {
  if (typeof value !== "string") throw new Error(`expected a reference, got ${JSON.stringify(value)}`);
  const inner = /^\$\{([^{}]+)\}$/.exec(value);
  return inner ? inner[1] : value;
}

function attribute(name: string, value: Json, indent: string): string {
  return `${indent}${IDENTIFIER.test(name) ? name : str(name)} = ${expr(value, indent)}`;
}

/** A block body: attributes, then nested blocks per the schema; `meta` renders Terraform's own arguments. */
function body(
  value: Obj,
  schema: SchemaBlock | undefined,
  indent: string,
  meta: (name: string, value: Json, indent: string) => string | undefined = () => undefined,
): string[] {
  const lines: string[] = [];
  for (const [name, v] of Object.entries(value)) {
    if (name === "//") continue;
    const special = meta(name, v, indent);
    if (special !== undefined) {
      lines.push(special);
      continue;
    }
    const nested = schema?.block_types?.[name];
    if (nested) {
      for (const item of Array.isArray(v) ? v : [v]) {
        if (!isObj(item)) throw new Error(`block ${name} is not an object`);
        lines.push(block([name], item, nested.block, indent));
      }
    } else {
      lines.push(attribute(name, v, indent));
    }
  }
  return lines;
}

function block(labels: string[], value: Obj, schema: SchemaBlock | undefined, indent: string, meta?: Parameters<typeof body>[3]): string {
  const [type, ...rest] = labels;
  const head = `${indent}${type}${rest.map((l) => ` ${str(l)}`).join("")}`;
  const lines = body(value, schema, `${indent}  `, meta);
  return lines.length === 0 ? `${head} {}` : `${head} {\n${lines.join("\n")}\n${indent}}`;
}

/** Meta-arguments every resource and data source may have. */
function resourceMeta(name: string, value: Json, indent: string): string | undefined {
  if (name === "depends_on") return `${indent}depends_on = [${(value as Json[]).map(bare).join(", ")}]`;
  if (name === "provider") return `${indent}provider = ${bare(value)}`;
  if (name === "lifecycle") {
    const lifecycle = Array.isArray(value) ? (value[0] as Obj) : (value as Obj);
    const lines = Object.entries(lifecycle).map(([k, v]) =>
      k === "ignore_changes" || k === "replace_triggered_by"
        ? `${indent}  ${k} = ${typeof v === "string" ? v : `[${(v as Json[]).map(bare).join(", ")}]`}`
        : k === "precondition" || k === "postcondition"
          ? (Array.isArray(v) ? v : [v]).map((c) => block([k], c as Obj, undefined, `${indent}  `)).join("\n")
          : attribute(k, v, `${indent}  `),
    );
    return `${indent}lifecycle {\n${lines.join("\n")}\n${indent}}`;
  }
  return undefined;
}

function schemaFor(schemas: ProviderSchemas, kind: "resource_schemas" | "data_source_schemas", type: string): SchemaBlock {
  for (const provider of Object.values(schemas.provider_schemas)) {
    const found = provider[kind][type];
    if (found) return found.block;
  }
  throw new Error(`no provider schema for ${kind === "resource_schemas" ? "resource" : "data source"} ${type}`);
}

/** Renders one synthesized stack (`cdk.tf.json`) as HCL. */
export function renderHcl(document: TerraformDocument, schemas: ProviderSchemas): string {
  const out: string[] = [];
  for (const [section, content] of Object.entries(document as Obj)) {
    if (section === "moved" && Array.isArray(content)) {
      for (const move of content) {
        if (!isObj(move)) throw new Error("a moved block is not an object");
        out.push(`moved {\n  from = ${bare(move.from)}\n  to   = ${bare(move.to)}\n}`);
      }
      continue;
    }
    if (section === "//" || !isObj(content)) continue;
    switch (section) {
      case "terraform": {
        const lines: string[] = [];
        for (const [k, v] of Object.entries(content)) {
          if (k === "backend") for (const [type, settings] of Object.entries(v as Obj)) lines.push(block(["backend", type], settings as Obj, undefined, "  "));
          else if (k === "cloud") lines.push(block(["cloud"], v as Obj, { block_types: { workspaces: { nesting_mode: "single", block: {} } } }, "  "));
          else if (k === "required_providers") lines.push(block(["required_providers"], v as Obj, undefined, "  "));
          else lines.push(attribute(k, v, "  "));
        }
        out.push(`terraform {\n${lines.join("\n")}\n}`);
        break;
      }
      case "provider":
        for (const [name, configs] of Object.entries(content)) {
          const providerSchema = Object.entries(schemas.provider_schemas).find(([source]) => source.endsWith(`/${name}`))?.[1].provider.block;
          for (const config of Array.isArray(configs) ? configs : [configs]) out.push(block(["provider", name], config as Obj, providerSchema, ""));
        }
        break;
      case "variable":
        for (const [name, v] of Object.entries(content)) {
          out.push(
            block(["variable", name], v as Obj, { block_types: { validation: { nesting_mode: "list", block: {} } } }, "", (k, value, indent) =>
              k === "type" ? `${indent}type = ${value as string}` : undefined,
            ),
          );
        }
        break;
      case "output":
      case "locals":
        if (section === "locals") out.push(`locals {\n${body(content, undefined, "  ").join("\n")}\n}`);
        else for (const [name, v] of Object.entries(content)) out.push(block(["output", name], v as Obj, undefined, "", resourceMeta));
        break;
      case "resource":
      case "data":
        for (const [type, instances] of Object.entries(content)) {
          const schema = schemaFor(schemas, section === "resource" ? "resource_schemas" : "data_source_schemas", type);
          for (const [name, v] of Object.entries(instances as Obj)) out.push(block([section, type, name], v as Obj, schema, "", resourceMeta));
        }
        break;
      case "check":
        for (const [name, v] of Object.entries(content)) {
          const { data, ...rest } = v as Obj;
          const lines = body(rest, { block_types: { assert: { nesting_mode: "list", block: {} } } }, "  ");
          if (isObj(data)) {
            for (const [type, instances] of Object.entries(data)) {
              for (const [n, d] of Object.entries(instances as Obj))
                lines.unshift(block(["data", type, n], d as Obj, schemaFor(schemas, "data_source_schemas", type), "  ", resourceMeta));
            }
          }
          out.push(`check ${str(name)} {\n${lines.join("\n")}\n}`);
        }
        break;
      default:
        throw new Error(`synth-hcl does not render top-level "${section}" blocks yet`);
    }
  }
  return `# Generated by ghcr-ecs synth:hcl from the synthesized stack; plain Terraform, no cdktf needed.\n\n${out.join("\n\n")}\n`;
}

/** The provider schemas for a synthesized stack: `terraform init -backend=false` in a scratch copy, then schema -json. */
export async function providerSchemas(stackJsonFile: string): Promise<ProviderSchemas> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-schema-"));
  try {
    // Only the provider requirements: `providers schema` refuses a configuration whose backend is not initialized.
    const { terraform: settings } = JSON.parse(readFileSync(stackJsonFile, "utf8")) as { terraform: { required_providers: unknown } };
    writeFileSync(path.join(scratch, "providers.tf.json"), JSON.stringify({ terraform: { required_providers: settings.required_providers } }));
    const terraform = new TerraformWorkdir(scratch);
    await terraform.init();
    const result = await runOrThrow("terraform", ["providers", "schema", "-json"], { cwd: scratch, env: terraform.env, timeoutMs: 120_000 });
    return JSON.parse(result.stdout) as ProviderSchemas;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
