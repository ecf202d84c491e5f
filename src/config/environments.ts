/**
 * An app's environments: each one is the app's settings with its overrides deep-merged in (objects merge key by
 * key; arrays and values replace), validated as a whole, and becomes one stack, `<name>-<environment>`. Without
 * environments the app is one stack, `<name>`. The app's own settings must be complete and valid by themselves;
 * a problem an environment's merge brings in is reported under `environments.<environment>.`, alongside the app's.
 */
import type { z } from "zod";
import { backendStackProblems } from "../backend/schema";
import { appSchema, appSettingsSchema, type AppSettings } from "./app";
import type { CiSettings } from "./ci";
import { ciStackName } from "./derive";
import { checkApp } from "./app-checks";

export interface AppEnvironment {
  /** Undefined for an app without environments. */
  readonly name?: string;
  /** The stack, and the prefix of every resource name: `<app>-<environment>`, or `<app>`. */
  readonly stackName: string;
  readonly settings: AppSettings;
}

/** An app config with every environment merged and validated. */
export interface AppConfig {
  readonly form: "app";
  readonly name: string;
  readonly environments: readonly AppEnvironment[];
  /** The CI bootstrap stack's settings, when the app has `ci`. */
  readonly ci?: CiSettings;
}

/** A problem to report: where (a path into the file as written) and the zod issue. */
export interface AppIssue {
  readonly path: readonly PropertyKey[];
  readonly issue: z.core.$ZodIssue;
}

type JsonObject = { [key: string]: unknown };

const isObject = (value: unknown): value is JsonObject => value !== null && typeof value === "object" && !Array.isArray(value);

/** Objects merge key by key, recursively; anything else in `override` replaces what `base` has. */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (!isObject(base) || !isObject(override)) return override;
  const merged: JsonObject = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = key in base ? deepMerge(base[key], value) : value;
  return merged;
}

/** Keys an environment cannot override: they name the app itself. */
const FIXED_KEYS = ["name", "$schema", "environments", "ci"];

/** Validates an app config (a file with `services`); returns the app, or every problem with its path. */
export function parseAppConfig(data: unknown): { app: AppConfig } | { issues: AppIssue[] } {
  const structure = appSchema.safeParse(data, { reportInput: true });
  // Environments that are not a map of override objects cannot be merged; any other problem is reported below,
  // from the app's settings, alongside the environments'.
  if (!structure.success && (!isObject(data) || structure.error.issues.some((issue) => issue.path[0] === "environments"))) {
    return { issues: structure.error.issues.map((issue) => ({ path: issue.path, issue })) };
  }
  const { environments = {}, ci: ciInput, ...baseInput } = data as JsonObject & { environments?: Record<string, JsonObject> };
  const name = typeof baseInput.name === "string" ? baseInput.name : "";
  const environmentNames = Object.keys(environments);
  const ci = structure.success ? structure.data.ci : undefined;
  const ciIssues = structure.success ? [] : structure.error.issues.filter((issue) => issue.path[0] === "ci");

  const base = settingsFor(baseInput, environmentNames.length === 0 ? name : undefined);
  const issues: AppIssue[] = "issues" in base ? base.issues.map((issue) => ({ path: issue.path, issue })) : [];
  issues.push(...ciIssues.map((issue) => ({ path: issue.path, issue })));
  const environmentStacks = environmentNames.length === 0 ? [name] : environmentNames.map((env) => `${name}-${env}`);
  const stacks = [...environmentStacks, ...(ciInput !== undefined ? [ciStackName(name)] : [])];
  if (ciInput !== undefined && environmentStacks.includes(ciStackName(name))) {
    issues.push(
      custom(
        ["environments", "ci"],
        "ci",
        `is named ci, and its stack ${name ? ciStackName(name) : "<name>-ci"} would be the CI bootstrap stack's; rename the environment (e.g. build)`,
      ),
    );
  }
  if ("settings" in base) {
    for (const problem of backendStackProblems(base.settings.backend, stacks)) {
      issues.push({
        path: ["backend", problem.field],
        issue: { code: "custom", path: ["backend", problem.field], input: problem.input, message: problem.message },
      });
    }
  }
  if (environmentNames.length === 0) {
    return issues.length > 0 || !("settings" in base)
      ? { issues }
      : { app: { form: "app", name, environments: [{ stackName: name, settings: base.settings }], ...(ci ? { ci } : {}) } };
  }

  const serviceNames = isObject(baseInput.services) ? Object.keys(baseInput.services) : undefined;
  const resolved: AppEnvironment[] = [];
  for (const env of environmentNames) {
    const override = environments[env];
    const at = (path: readonly PropertyKey[]) => ["environments", env, ...path];
    const own: AppIssue[] = [];
    for (const key of FIXED_KEYS.filter((k) => k in override)) {
      own.push(custom(at([key]), override[key], `cannot be overridden per environment (it names the app)`));
    }
    const overriddenServices = isObject(override.services) ? Object.keys(override.services) : [];
    for (const service of overriddenServices.filter((s) => serviceNames && !serviceNames.includes(s))) {
      own.push(custom(at(["services", service]), service, `overrides a service that does not exist; services: ${serviceNames?.join(", ")}`));
    }
    issues.push(...own);
    if (own.length > 0) continue;
    const merged = settingsFor(deepMerge(baseInput, override), `${name}-${env}`);
    if ("issues" in merged) {
      // Over settings that are themselves invalid, only what the environment sets is its own problem; the rest is
      // the app's, reported above.
      const fromEnvironment = "settings" in base ? merged.issues : merged.issues.filter((issue) => overrideSets(override, issue));
      issues.push(...fromEnvironment.map((issue) => ({ path: at(issue.path), issue })));
    } else resolved.push({ name: env, stackName: `${name}-${env}`, settings: merged.settings });
  }
  return issues.length > 0 ? { issues } : { app: { form: "app", name, environments: resolved, ...(ci ? { ci } : {}) } };
}

/** Whether the override sets the value an issue is about (or an object or value above it). */
function overrideSets(override: JsonObject, issue: z.core.$ZodIssue): boolean {
  let node: unknown = override;
  for (const segment of issue.path) {
    if (!isObject(node) || !(String(segment) in node)) return false;
    node = node[String(segment)];
    if (!isObject(node)) return true;
  }
  // One issue lists every unknown key of an object, the app's and the environment's: any of the environment's is enough.
  if (issue.code === "unrecognized_keys") return isObject(node) && issue.keys.some((key) => key in node);
  return true;
}

/** The app's settings validated with every cross-field check; `prefix` names a deployed stack (name checks run). */
function settingsFor(input: unknown, prefix: string | undefined): { settings: AppSettings } | { issues: z.core.$ZodIssue[] } {
  const schema = appSettingsSchema.superRefine((settings, ctx) => {
    checkApp(settings, prefix, ctx);
  });
  const result = schema.safeParse(input, { reportInput: true });
  return result.success ? { settings: result.data } : { issues: result.error.issues };
}

function custom(path: readonly PropertyKey[], input: unknown, message: string): AppIssue {
  return { path, issue: { code: "custom", path: [...path], input, message } };
}
