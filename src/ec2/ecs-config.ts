/**
 * `/etc/ecs/ecs.config`: the ECS agent's settings. Pure functions: typed settings in, file text out, every value
 * validated on the way.
 *
 * Who reads the file (sources in aws/amazon-ecs-agent): ecs-init, which starts the agent container. Its `getEnvVars`
 * (ecs-init/docker/docker.go) splits each line at the first `=` and keeps the rest verbatim — no quotes removed, no
 * escapes — and `getContainerConfig` hands every pair to the container as a Docker `Env` entry `KEY=value`, which the
 * agent reads with `os.Getenv` (agent/config/config.go `environmentConfig`). systemd parses the same file
 * (`EnvironmentFile=-/etc/ecs/ecs.config` in packaging/amazon-linux-ami-integrated/ecs.service), but only into
 * ecs-init's own environment, where ecs-init reads the keys in `READ_BY_ECS_INIT_ITSELF`. So every value is written
 * raw, as `KEY=value`, and a value either reader would see differently is refused.
 */
import { DOCUMENTED_SETTINGS } from "./agent-settings";
import { nearestName } from "../util/nearest-name";

export const IMAGE_PULL_BEHAVIORS = ["default", "always", "once", "prefer-cached"] as const;
export type ImagePullBehavior = (typeof IMAGE_PULL_BEHAVIORS)[number];

/** The agent-level registry auth keys. Only the user-data script writes them, at boot, from Secrets Manager. */
export const ENGINE_AUTH_TYPE_KEY = "ECS_ENGINE_AUTH_TYPE";
export const ENGINE_AUTH_DATA_KEY = "ECS_ENGINE_AUTH_DATA";

/** What ghcr-ecs writes itself; each maps to the config key (if any) that controls it. */
export const MANAGED_KEYS: Readonly<Record<string, string>> = {
  ECS_CLUSTER: "it is always the stack's cluster",
  ECS_ENABLE_TASK_IAM_ROLE: "it is always true (tasks use their task role, never the instance role)",
  ECS_AWSVPC_BLOCK_IMDS: "it is always true (awsvpc tasks must not reach the instance role through IMDS)",
  ECS_ENABLE_CONTAINER_METADATA: "it is always true",
  ECS_CONTAINER_STOP_TIMEOUT: "set ec2.containerStopTimeoutSeconds instead",
  ECS_IMAGE_PULL_BEHAVIOR: "set ec2.imagePullBehavior instead",
  ECS_ENABLE_SPOT_INSTANCE_DRAINING: "it is true exactly when ec2.spot is set",
  [ENGINE_AUTH_TYPE_KEY]: 'set ec2.registryAuth ("task" or "agent-dockercfg"); credentials never go into user data',
  [ENGINE_AUTH_DATA_KEY]: 'set ec2.registryAuth ("task" or "agent-dockercfg"); credentials never go into user data',
};

/**
 * Keys ecs-init itself takes from its process environment, i.e. from systemd's reading of ecs.config:
 * ecs-init/config/common.go (`AgentDockerLogDriverConfiguration`, `parseLogOptions`), ecs-init/logger/log.go
 * (`Setup`), ecs-init/exec/iptables/iptables.go (`skipLocalhostTrafficFilter`, `allowOffhostIntrospection`).
 */
export const READ_BY_ECS_INIT_ITSELF: readonly string[] = [
  "ECS_LOG_DRIVER",
  "ECS_LOG_OPTS",
  "ECS_LOGLEVEL",
  "ECS_SKIP_LOCALHOST_TRAFFIC_FILTER",
  "ECS_ALLOW_OFFHOST_INTROSPECTION_ACCESS",
];

/** What is wrong with a user-supplied `ecsConfig` entry, or undefined when it may be written. */
export function extraSettingProblem(key: string, value: string): string | undefined {
  if (key in MANAGED_KEYS) return `is managed by ghcr-ecs and cannot be set here: ${MANAGED_KEYS[key]}`;
  const check = DOCUMENTED_SETTINGS[key];
  if (!check) {
    const nearest = nearestName(key, [...Object.keys(DOCUMENTED_SETTINGS), ...Object.keys(MANAGED_KEYS)]);
    return `is not a documented ECS agent setting${nearest ? ` (did you mean ${nearest}?)` : ""}; allowed: the Linux keys of the amazon-ecs-agent README such as ECS_RESERVED_MEMORY, ECS_LOGLEVEL, ECS_INSTANCE_ATTRIBUTES (full list: DOCUMENTED_SETTINGS in src/ec2/agent-settings.ts)`;
  }
  const lineProblem = ecsConfigValueProblem(value);
  if (lineProblem) return `${JSON.stringify(value)} ${lineProblem}`;
  if (READ_BY_ECS_INIT_ITSELF.includes(key) && value.includes("\\")) {
    // systemd's EnvironmentFile= parser (src/basic/env-file.c, state VALUE) drops an unquoted backslash and keeps the
    // character after it, so ecs-init would see another value than the agent container.
    return `${JSON.stringify(value)} contains a backslash, which ecs-init would not see: it reads ${key} from its own environment, where systemd's EnvironmentFile= removes unquoted backslashes; allowed: the value without backslashes`;
  }
  const valueProblem = check(value);
  return valueProblem ? `${JSON.stringify(value)} ${valueProblem}` : undefined;
}

export interface EcsAgentSettings {
  /** The cluster the agent joins; `[A-Za-z0-9_-]`, 1-255 characters. */
  readonly clusterName: string;
  /** Seconds between SIGTERM and SIGKILL when a task stops. */
  readonly containerStopTimeoutSeconds: number;
  readonly imagePullBehavior: ImagePullBehavior;
  /** Drain tasks on a Spot interruption notice. */
  readonly spotInstanceDraining: boolean;
  /** Further documented settings (validated with `extraSettingProblem`). */
  readonly extras?: Readonly<Record<string, string>>;
}

/** The settings as ordered `[key, value]` pairs: the managed ones first in a fixed order, then extras by key. */
export function ecsConfigEntries(settings: EcsAgentSettings): [string, string][] {
  if (!/^[A-Za-z0-9_-]{1,255}$/.test(settings.clusterName)) {
    throw new Error(`ecs.config cluster name ${JSON.stringify(settings.clusterName)} is invalid: use 1-255 letters, digits, _ and -`);
  }
  if (!Number.isInteger(settings.containerStopTimeoutSeconds) || settings.containerStopTimeoutSeconds < 1) {
    throw new Error(`ecs.config containerStopTimeoutSeconds ${settings.containerStopTimeoutSeconds} is invalid: use a whole number of seconds, 1 or more`);
  }
  if (!IMAGE_PULL_BEHAVIORS.includes(settings.imagePullBehavior)) {
    throw new Error(`ecs.config imagePullBehavior ${JSON.stringify(settings.imagePullBehavior)} is invalid: use ${IMAGE_PULL_BEHAVIORS.join(", ")}`);
  }
  const entries: [string, string][] = [
    ["ECS_CLUSTER", settings.clusterName],
    ["ECS_ENABLE_TASK_IAM_ROLE", "true"],
    ["ECS_AWSVPC_BLOCK_IMDS", "true"],
    ["ECS_ENABLE_CONTAINER_METADATA", "true"],
    ["ECS_CONTAINER_STOP_TIMEOUT", `${settings.containerStopTimeoutSeconds}s`],
    ["ECS_IMAGE_PULL_BEHAVIOR", settings.imagePullBehavior],
  ];
  if (settings.spotInstanceDraining) entries.push(["ECS_ENABLE_SPOT_INSTANCE_DRAINING", "true"]);
  const extras = settings.extras ?? {};
  for (const key of Object.keys(extras).sort()) {
    const problem = extraSettingProblem(key, extras[key]);
    if (problem) throw new Error(`ecs.config ${key}: ${problem}`);
    entries.push([key, extras[key]]);
  }
  return entries;
}

/** The file text: one `KEY=value` line per setting, newline-terminated. */
export function renderEcsConfig(settings: EcsAgentSettings): string {
  return ecsConfigEntries(settings)
    .map(([key, value]) => ecsConfigLine(key, value))
    .join("");
}

/** One ecs.config line, `KEY=value\n`, the value raw (ecs-init keeps everything after the first `=` as it is). */
export function ecsConfigLine(key: string, value: string): string {
  if (!/^[A-Z][A-Z0-9_]*$/.test(key)) throw new Error(`ecs.config key ${JSON.stringify(key)} is invalid: use A-Z, 0-9 and _`);
  const problem = ecsConfigValueProblem(value);
  if (problem) throw new Error(`ecs.config ${key}: ${JSON.stringify(value)} ${problem}`);
  return `${key}=${value}\n`;
}

/** The characters Go's strings.TrimSpace removes (unicode.IsSpace: White_Space, with U+0085 and U+00A0; not U+FEFF). */
const GO_SPACE = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const GO_SPACE_AT_ENDS = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, "g");
const goTrimSpace = (text: string) => text.replace(GO_SPACE_AT_ENDS, "");
const ALLOWED_CHARACTERS = "allowed: printable characters, with whitespace only between them";
const CHARACTER_NAMES: Readonly<Record<string, string>> = { "\n": "a newline", "\r": "a carriage return", "\t": "a tab", "\u0000": "a NUL" };
const codePoint = (c: string) => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;

/**
 * Why ecs-init (or systemd, reading the same file) would not carry this value unchanged, or undefined. Every value
 * written passes: a control character would split or end the line, whitespace at either end is trimmed (ecs-init
 * trims each line, the agent's parsers trim values), and systemd takes a leading quote as an opening quote and a
 * trailing backslash as a line continuation — either swallows the following lines for ecs-init's own settings.
 */
export function ecsConfigValueProblem(value: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u001f\u007f-\u009f]/.exec(value)?.[0];
  if (control !== undefined) {
    const name = CHARACTER_NAMES[control] ? `${CHARACTER_NAMES[control]} (${codePoint(control)})` : `the control character ${codePoint(control)}`;
    return `contains ${name}, which ecs.config cannot carry: ecs-init splits the file into lines and trims each one; ${ALLOWED_CHARACTERS}`;
  }
  const surrogate = /[\ud800-\udfff]/u.exec(value)?.[0];
  if (surrogate !== undefined) return `contains an unpaired surrogate (${codePoint(surrogate)}), which has no UTF-8 form; ${ALLOWED_CHARACTERS}`;
  if (goTrimSpace(value) !== value) {
    const [side, char] = goTrimSpace(value[0]) === "" ? ["starts", value[0]] : ["ends", value[value.length - 1]];
    return `${side} with whitespace (${codePoint(char)}), which does not survive ecs.config: ecs-init trims the end of each line and the agent's parsers trim both ends (Go's strings.TrimSpace); ${ALLOWED_CHARACTERS}`;
  }
  if (/^["']/.test(value)) {
    return `starts with a quote (${value[0]}), which systemd (EnvironmentFile=, ecs-init's own settings) takes as an opening quote that can swallow the following lines; allowed: any other first character`;
  }
  if (value.endsWith("\\")) {
    return "ends with a backslash, which systemd (EnvironmentFile=, ecs-init's own settings) takes as a line continuation that swallows the next setting; allowed: any other last character";
  }
  return undefined;
}

/**
 * Reads ecs.config text exactly as ecs-init does before it starts the agent: `getEnvVars` in ecs-init/docker/docker.go
 * (aws/amazon-ecs-agent) — strings.TrimSpace on the whole file, split at "\n", strings.TrimSpace on each line,
 * strings.SplitN(line, "=", 2). A line without `=` is skipped; nothing else is: `#` starts no comment, quotes and
 * backslashes stay as they are, spaces before the `=` stay in the key. A later line wins for a repeated key (Go map
 * assignment). (`LoadEnvVars` then lays these over /var/lib/ecs/ecs.config, and `getContainerConfig` over ecs-init's
 * defaults, and passes each pair to the agent container as the Docker `Env` entry `KEY=value`.)
 */
export function readAsEcsInit(text: string): Record<string, string> {
  const settings = new Map<string, string>();
  for (const line of goTrimSpace(text).split("\n")) {
    const trimmed = goTrimSpace(line);
    const eq = trimmed.indexOf("=");
    if (eq >= 0) settings.set(trimmed.slice(0, eq), trimmed.slice(eq + 1));
  }
  return Object.fromEntries(settings);
}
