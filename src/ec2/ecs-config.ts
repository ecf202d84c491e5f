/**
 * `/etc/ecs/ecs.config`: the ECS agent's settings, as the file ecs-init's systemd unit reads with
 * `EnvironmentFile=`. Pure functions: typed settings in, file text out, every value validated on the way.
 */
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

/** What is wrong with one value ("must be ..."), or undefined. */
type ValueCheck = (value: string) => string | undefined;

const matches = (regex: RegExp, describe: string): ValueCheck => (value) => (regex.test(value) ? undefined : `must be ${describe}`);
const BOOLEAN = matches(/^(?:true|false)$/, "true or false");
const DURATION = matches(/^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/, "a Go duration such as 30s, 2m or 1h30m");
const oneOf = (...values: string[]): ValueCheck => matches(new RegExp(`^(?:${values.map(escapeRegExp).join("|")})$`), `one of ${values.join(", ")}`);
const integer = (min: number, max?: number): ValueCheck => (value) =>
  /^\d+$/.test(value) && Number(value) >= min && (max === undefined || Number(value) <= max)
    ? undefined
    : `must be a whole number from ${min}${max === undefined ? " up" : ` to ${max}`}`;
const json = (describe: string, accept: (parsed: unknown) => boolean): ValueCheck => (value) => {
  try {
    return accept(JSON.parse(value)) ? undefined : `must be JSON: ${describe}`;
  } catch {
    return `must be JSON: ${describe} (it does not parse)`;
  }
};
/** `"32768-60999"` → `{ from: 32768, to: 60999 }`; undefined unless a valid ascending range of ports. */
export function parsePortRange(value: string): { from: number; to: number } | undefined {
  const match = /^(\d+)-(\d+)$/.exec(value);
  if (!match) return undefined;
  const [from, to] = [Number(match[1]), Number(match[2])];
  return isPort(from) && isPort(to) && from <= to ? { from, to } : undefined;
}

const isPort = (p: unknown) => Number.isInteger(p) && (p as number) >= 1 && (p as number) <= 65535;
const PORTS = json("an array of port numbers such as [22, 8080]", (v) => Array.isArray(v) && v.every(isPort));
const STRING_MAP = json('an object of strings such as {"stack": "prod"}', (v) =>
  v !== null && typeof v === "object" && !Array.isArray(v) && Object.values(v).every((s) => typeof s === "string"),
);
const STRING_LIST = json('an array of strings such as ["json-file","awslogs"]', (v) => Array.isArray(v) && v.every((s) => typeof s === "string"));
const CIDR_LIST = json('an array of IPv4 CIDR blocks such as ["10.0.15.0/24"]', (v) =>
  Array.isArray(v) && v.every((s) => typeof s === "string" && /^\d{1,3}(?:\.\d{1,3}){3}\/\d{1,2}$/.test(s)),
);
const PORT_RANGE: ValueCheck = (value) => (parsePortRange(value) ? undefined : "must be a port range such as 32768-60999 (low-high, 1-65535)");
const LOG_LEVELS = ["crit", "error", "warn", "info", "debug"];
const LOG_DRIVERS = ["awslogs", "fluentd", "gelf", "json-file", "journald", "logentries", "syslog", "splunk"];

/**
 * The Linux agent settings from the amazon-ecs-agent README that may be set through `ec2.ecsConfig`, with their value
 * forms. Settings that move the agent's own files (ECS_DATADIR, ECS_LOGFILE, ...) or its credentials are left out on
 * purpose: the ECS-optimized AMI's ecs-init depends on them.
 */
export const DOCUMENTED_SETTINGS: Readonly<Record<string, ValueCheck>> = {
  ECS_RESERVED_PORTS: PORTS,
  ECS_RESERVED_PORTS_UDP: PORTS,
  ECS_RESERVED_MEMORY: integer(0),
  ECS_LOGLEVEL: oneOf(...LOG_LEVELS),
  ECS_LOGLEVEL_ON_INSTANCE: oneOf("none", ...LOG_LEVELS),
  ECS_LOG_DRIVER: oneOf(...LOG_DRIVERS),
  ECS_LOG_OPTS: STRING_MAP,
  ECS_LOG_ROLLOVER_TYPE: oneOf("size", "hourly"),
  ECS_LOG_OUTPUT_FORMAT: oneOf("logfmt", "json"),
  ECS_LOG_MAX_FILE_SIZE_MB: integer(1),
  ECS_LOG_MAX_ROLL_COUNT: integer(1),
  ECS_UPDATES_ENABLED: BOOLEAN,
  ECS_DISABLE_METRICS: BOOLEAN,
  ECS_POLL_METRICS: BOOLEAN,
  ECS_POLLING_METRICS_WAIT_DURATION: DURATION,
  ECS_PULL_DEPENDENT_CONTAINERS_UPFRONT: BOOLEAN,
  ECS_AVAILABLE_LOGGING_DRIVERS: STRING_LIST,
  ECS_DISABLE_PRIVILEGED: BOOLEAN,
  ECS_SELINUX_CAPABLE: BOOLEAN,
  ECS_APPARMOR_CAPABLE: BOOLEAN,
  ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: DURATION,
  ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION_JITTER: DURATION,
  ECS_MANIFEST_PULL_TIMEOUT: DURATION,
  ECS_CONTAINER_START_TIMEOUT: DURATION,
  ECS_CONTAINER_CREATE_TIMEOUT: DURATION,
  ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST: BOOLEAN,
  ECS_DISABLE_IMAGE_CLEANUP: BOOLEAN,
  ECS_IMAGE_CLEANUP_INTERVAL: DURATION,
  ECS_IMAGE_MINIMUM_CLEANUP_AGE: DURATION,
  ECS_NUM_IMAGES_DELETE_PER_CYCLE: integer(1),
  ECS_IMAGE_PULL_INACTIVITY_TIMEOUT: DURATION,
  ECS_IMAGE_PULL_TIMEOUT: DURATION,
  ECS_INSTANCE_ATTRIBUTES: STRING_MAP,
  ECS_ENABLE_TASK_ENI: BOOLEAN,
  ECS_ENABLE_HIGH_DENSITY_ENI: BOOLEAN,
  ECS_AWSVPC_ADDITIONAL_LOCAL_ROUTES: CIDR_LIST,
  ECS_ENABLE_TASK_CPU_MEM_LIMIT: BOOLEAN,
  ECS_CGROUP_CPU_PERIOD: DURATION,
  ECS_TASK_METADATA_RPS_LIMIT: matches(/^\d+,\d+$/, "steady and burst limits such as 40,60"),
  ECS_SHARED_VOLUME_MATCH_FULL_CONFIG: BOOLEAN,
  ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM: oneOf("none", "ec2_instance"),
  ECS_CONTAINER_INSTANCE_TAGS: STRING_MAP,
  ECS_ENABLE_UNTRACKED_IMAGE_CLEANUP: BOOLEAN,
  ECS_EXCLUDE_UNTRACKED_IMAGE: matches(/^[^\s,]+(?:,[^\s,]+)*$/, "a comma-separated list of image:tag"),
  ECS_DISABLE_DOCKER_HEALTH_CHECK: BOOLEAN,
  ECS_NVIDIA_RUNTIME: matches(/^[A-Za-z0-9_.-]+$/, "a runtime name such as nvidia"),
  ECS_ENABLE_GPU_SUPPORT: BOOLEAN,
  ECS_ENABLE_RUNTIME_STATS: BOOLEAN,
  ECS_EXCLUDE_IPV6_PORTBINDING: BOOLEAN,
  ECS_WARM_POOLS_CHECK: BOOLEAN,
  ECS_SKIP_LOCALHOST_TRAFFIC_FILTER: BOOLEAN,
  ECS_ALLOW_OFFHOST_INTROSPECTION_ACCESS: BOOLEAN,
  ECS_OFFHOST_INTROSPECTION_INTERFACE_NAME: matches(/^[A-Za-z0-9_.-]{1,15}$/, "a network interface name such as eth0"),
  ECS_DYNAMIC_HOST_PORT_RANGE: PORT_RANGE,
  ECS_TASK_PIDS_LIMIT: integer(1, 4194304),
  ECS_AGENT_LABELS: STRING_MAP,
};

/** What is wrong with a user-supplied `ecsConfig` entry, or undefined when it may be written. */
export function extraSettingProblem(key: string, value: string): string | undefined {
  if (key in MANAGED_KEYS) return `is managed by ghcr-ecs and cannot be set here: ${MANAGED_KEYS[key]}`;
  const check = DOCUMENTED_SETTINGS[key];
  if (!check) {
    const nearest = nearestName(key, [...Object.keys(DOCUMENTED_SETTINGS), ...Object.keys(MANAGED_KEYS)]);
    return `is not a documented ECS agent setting${nearest ? ` (did you mean ${nearest}?)` : ""}; allowed: the Linux keys of the amazon-ecs-agent README such as ECS_RESERVED_MEMORY, ECS_LOGLEVEL, ECS_INSTANCE_ATTRIBUTES (full list: DOCUMENTED_SETTINGS in src/ec2/ecs-config.ts)`;
  }
  const formatProblem = envFileValueProblem(value);
  if (formatProblem) return formatProblem;
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
    .map(([key, value]) => envFileLine(key, value))
    .join("");
}

/**
 * One systemd `EnvironmentFile=` line. Plain values stay unquoted (as AWS documents them, JSON included: quotes after
 * the first character are kept verbatim). A value systemd would alter unquoted (a backslash, surrounding whitespace,
 * a leading quote) is single-quoted (verbatim), or double-quoted with \ escapes when it contains a single quote.
 */
export function envFileLine(key: string, value: string): string {
  if (!/^[A-Z][A-Z0-9_]*$/.test(key)) throw new Error(`ecs.config key ${JSON.stringify(key)} is invalid: use A-Z, 0-9 and _`);
  const problem = envFileValueProblem(value);
  if (problem) throw new Error(`ecs.config ${key}: ${problem}`);
  return `${key}=${quoteEnvFileValue(value)}\n`;
}

function envFileValueProblem(value: string): string | undefined {
  // A newline would end the line (or continue it after a backslash): a value could smuggle in a second setting.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return "contains a newline or another control character, which ecs.config cannot hold";
  return undefined;
}

function quoteEnvFileValue(value: string): string {
  const plain = value === value.trim() && !value.includes("\\") && !/^["']/.test(value);
  if (plain) return value;
  if (!value.includes("'")) return `'${value}'`;
  return `"${value.replace(/[\\"`$]/g, (c) => `\\${c}`)}"`;
}

/**
 * Reads ecs.config text back the way systemd's EnvironmentFile= does for the forms `envFileLine` writes (unquoted,
 * '…' and "…" with \ escapes). Used to prove what the agent will see.
 */
export function parseEnvFile(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const line of text.split("\n")) {
    if (line.trim() === "" || /^[#;]/.test(line)) continue;
    const eq = line.indexOf("=");
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim();
    const raw = line.slice(eq + 1).trim();
    if (raw.startsWith("'") && raw.endsWith("'") && raw.length >= 2) {
      result[key] = raw.slice(1, -1);
    } else if (raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2) {
      result[key] = raw.slice(1, -1).replace(/\\([\\"`$])/g, "$1");
    } else {
      result[key] = raw.replace(/\\(.)/g, "$1");
    }
  }
  return result;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
