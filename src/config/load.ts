import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import type { z } from "zod";
import { configSchema, type Config } from ".";
import { parseAppConfig } from "./environments";
import type { DeploymentConfig } from "./model";
import { projectRoot } from "../util/project-root";

/** The example configuration, used when GHCR_ECS_CONFIG is not set. */
export const DEFAULT_CONFIG_PATH = path.join(projectRoot(), "config", "reference-app.json");

/** The configs that ship with the project, relative to its root: the reference app, the example app and `config/examples/*.json`. */
export function exampleConfigFiles(): string[] {
  const examples = readdirSync(path.join(projectRoot(), "config", "examples")).filter((file) => file.endsWith(".json"));
  return [
    path.join("config", "reference-app.json"),
    path.join("config", "example-app.json"),
    ...examples.sort().map((file) => path.join("config", "examples", file)),
  ];
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`Invalid configuration in ${file}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Resolves which config file to use: `GHCR_ECS_CONFIG`, else the reference app's example. */
export function configPathFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.GHCR_ECS_CONFIG;
  return fromEnv && fromEnv.length > 0 ? path.resolve(fromEnv) : DEFAULT_CONFIG_PATH;
}

export function loadConfigFile(file: string): DeploymentConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(file, [
      code === "ENOENT"
        ? "the file does not exist (set GHCR_ECS_CONFIG to a config file, or unset it to use config/reference-app.json)"
        : `the file cannot be read: ${code ?? (error as Error).message}`,
    ]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(file, [`not valid JSON: ${(error as Error).message}`]);
  }
  return parseDeploymentConfig(data, file);
}

/** Either form: a file with `services` (or `environments`) is an app; one without is the single-service form. */
export function parseDeploymentConfig(data: unknown, source = "<inline>"): DeploymentConfig {
  if (data !== null && typeof data === "object" && !Array.isArray(data) && ("services" in data || "environments" in data)) {
    const result = parseAppConfig(data);
    if ("issues" in result)
      throw new ConfigError(
        source,
        withoutLengthsOfNonLists(result.issues).map(({ path, issue }) => describeIssue(issue, path)),
      );
    return result.app;
  }
  return parseConfig(data, source);
}

/** The single-service form (a file without `services`). */
export function parseConfig(data: unknown, source = "<inline>"): Config {
  const result = configSchema.safeParse(data, { reportInput: true });
  if (!result.success)
    throw new ConfigError(
      source,
      withoutLengthsOfNonLists(result.error.issues.map((issue) => ({ path: issue.path, issue }))).map(({ path, issue }) => describeIssue(issue, path)),
    );
  return result.data;
}

/**
 * zod measures a string given for a list with the list's length checks too; the line saying it is not a list is the
 * only true one, so a length problem at a path that also has a type problem is dropped.
 */
function withoutLengthsOfNonLists<T extends { readonly path: readonly PropertyKey[]; readonly issue: z.core.$ZodIssue }>(issues: readonly T[]): T[] {
  const wrongType = new Set(issues.filter(({ issue }) => issue.code === "invalid_type").map(({ path }) => JSON.stringify(path)));
  return issues.filter(({ path, issue }) => !((issue.code === "too_small" || issue.code === "too_big") && wrongType.has(JSON.stringify(path))));
}

function describeIssue(issue: z.core.$ZodIssue, path: readonly PropertyKey[] = issue.path): string {
  const field = path.length === 0 ? "(top level)" : formatPath(path);
  if (issue.code === "unrecognized_keys") return `${field}: ${issue.message}`;
  // Record keys: zod's own message is generic; the schema's explanation is on the nested issue.
  const message = issue.code === "invalid_key" && issue.issues.length > 0 ? issue.issues[0].message : issue.message;
  // A bad discriminator is reported at `<object>.mode` with the whole object as input; show the mode itself.
  let input = (issue as { input?: unknown }).input;
  const key = path[path.length - 1];
  if (issue.code === "invalid_union" && typeof key === "string" && input && typeof input === "object" && key in input) {
    input = (input as Record<string, unknown>)[key];
  }
  const got = input === undefined ? "missing" : `got ${preview(input)}`;
  return `${field}: ${got}; ${message.replace(/^Invalid input: /, "")}`;
}

function formatPath(segments: readonly PropertyKey[]): string {
  return segments
    .map((segment, i) =>
      typeof segment === "number"
        ? `[${segment}]`
        : /^[A-Za-z_$][\w$]*$/.test(String(segment))
          ? `${i ? "." : ""}${String(segment)}`
          : `[${JSON.stringify(String(segment))}]`,
    )
    .join("");
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
