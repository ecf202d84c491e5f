/**
 * The ECS agent settings `ec2.ecsConfig` may set, each with the value form the agent accepts — checked as the agent's
 * own parsers read them (sources in aws/amazon-ecs-agent, cited per check). The line rules every value must pass
 * first (what ecs-init can carry unchanged) are in ecs-config.ts.
 */
import { parseCidr } from "../aws/cidr";
import { TAG_TEXT } from "../config/primitives";

/** What is wrong with one value ("must be ..."), or undefined. */
export type ValueCheck = (value: string) => string | undefined;

const matches =
  (regex: RegExp, describe: string): ValueCheck =>
  (value) =>
    regex.test(value) ? undefined : `must be ${describe}`;
const oneOf = (...values: string[]): ValueCheck => matches(new RegExp(`^(?:${values.map(escapeRegExp).join("|")})$`), `one of ${values.join(", ")}`);

/**
 * The agent parses booleans with strconv.ParseBool (agent/config/parse.go `parseBooleanDefaultFalseConfig`,
 * agent/utils/utils.go `ParseBool`; ecs-init/exec/iptables/iptables.go), which also takes 1, t, TRUE, True, 0, f, ...;
 * but ecs-init compares ECS_ENABLE_GPU_SUPPORT with == "true" (ecs-init/docker/docker.go `LoadEnvVars`), so only the
 * spelling every reader agrees on is accepted.
 */
const BOOLEAN = matches(/^(?:true|false)$/, "true or false");

/** Go's `int` on the 64-bit agent: strconv.Atoi refuses anything larger ("value out of range"). */
const GO_INT_MAX = 9223372036854775807n;
/** A decimal whole number in [min, max], as strconv.ParseUint / Atoi read it (we refuse signs, which Atoi allows). */
const integer =
  (min: bigint, max: bigint): ValueCheck =>
  (value) =>
    /^\d+$/.test(value) && BigInt(value) >= min && BigInt(value) <= max
      ? undefined
      : `must be a whole number from ${min}${max === GO_INT_MAX ? " up" : ` to ${max}`}`;

const DURATION_UNIT_NANOSECONDS: Readonly<Record<string, number>> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
/**
 * Nanoseconds of a Go duration (`30s`, `1h30m`, `1.5h`) in the unsigned subset of time.ParseDuration's syntax, or
 * undefined; like Go, refuses a total beyond int64 nanoseconds (~292 years), which the agent would then ignore.
 */
export function goDurationNanoseconds(value: string): number | undefined {
  if (!/^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/.test(value)) return undefined;
  let total = 0;
  for (const [, amount, unit] of value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(amount) * DURATION_UNIT_NANOSECONDS[unit];
  return total <= Number(GO_INT_MAX) ? total : undefined;
}
/**
 * A Go duration (agent/config/parse.go `parseEnvVariableDuration`: time.ParseDuration, a warning and the default on
 * an error), within the bounds the agent enforces for that key (below them it clamps or falls back to its default).
 */
const duration = (bounds: { min?: string; max?: string } = {}): ValueCheck => {
  const [min, max] = [bounds.min, bounds.max].map((b) => (b === undefined ? undefined : goDurationNanoseconds(b)));
  const range = bounds.max ? ` from ${bounds.min ?? "0s"} to ${bounds.max}` : bounds.min ? ` of at least ${bounds.min}` : "";
  const describe = range ? `a Go duration${range}, written like 30s, 2m or 1h30m` : "a Go duration such as 30s, 2m or 1h30m";
  return (value) => {
    const ns = goDurationNanoseconds(value);
    return ns !== undefined && (min === undefined || ns >= min) && (max === undefined || ns <= max) ? undefined : `must be ${describe}`;
  };
};

/** `must be JSON: <describe>` unless `accept` takes the parsed value; `accept` may return its own "must ..." instead. */
const json =
  (describe: string, accept: (parsed: unknown, raw: string) => boolean | string): ValueCheck =>
  (value) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      return `must be JSON: ${describe} (it does not parse)`;
    }
    const verdict = accept(parsed, value);
    return verdict === true ? undefined : verdict === false ? `must be JSON: ${describe}` : verdict;
  };
const isStringMap = (v: unknown): v is Record<string, string> =>
  v !== null && typeof v === "object" && !Array.isArray(v) && Object.values(v).every((s) => typeof s === "string");

/** `"32768-60999"` → `{ from: 32768, to: 60999 }`; undefined unless a valid ascending range of ports. */
export function parsePortRange(value: string): { from: number; to: number } | undefined {
  const match = /^(\d+)-(\d+)$/.exec(value);
  if (!match) return undefined;
  const [from, to] = [Number(match[1]), Number(match[2])];
  return isPort(from) && isPort(to) && from <= to ? { from, to } : undefined;
}

const isPort = (p: unknown) => Number.isInteger(p) && (p as number) >= 1 && (p as number) <= 65535;
/**
 * agent/config/parse.go `parseReservedPorts` decodes a JSON array into []uint16: each element must be an integer
 * literal (Go refuses 22.0 and 1e3, which JavaScript would read as integers).
 */
const PORTS = json(
  "an array of port numbers such as [22, 8080]",
  (v, raw) => Array.isArray(v) && v.every(isPort) && /^\[ *(?:[1-9]\d* *(?:, *[1-9]\d* *)*)?\]$/.test(raw),
);
const STRING_MAP = json('an object of strings such as {"stack": "prod"}', isStringMap);

/**
 * The drivers agent/config/config.go `validateAndOverrideBounds` accepts (the keys of LoggingDriverMinimumVersion in
 * agent/dockerclient/logging_drivers.go, plus awsfirelens); any other makes `NewConfig` fail and the agent exit.
 */
const AGENT_LOGGING_DRIVERS = ["json-file", "syslog", "journald", "gelf", "fluentd", "awslogs", "splunk", "logentries", "sumologic", "none", "awsfirelens"];
const LOGGING_DRIVER_LIST = json(
  `an array of logging drivers such as ["json-file","awslogs"] (${AGENT_LOGGING_DRIVERS.join(", ")})`,
  (v) => Array.isArray(v) && v.every((s) => typeof s === "string" && AGENT_LOGGING_DRIVERS.includes(s)),
);

/**
 * agent/config/parse.go `parseAdditionalLocalRoutes` decodes []cniTypes.IPNet, each through net.ParseCIDR, and
 * `NewConfig` fails on an error. Go refuses IPv4 octets with a leading zero; we also want the network address.
 */
const CIDR_LIST = json(
  'an array of IPv4 CIDR blocks such as ["10.0.15.0/24"]',
  (v) =>
    Array.isArray(v) &&
    v.every((s) => {
      if (typeof s !== "string" || /(?:^|\.)0\d/.test(s)) return false;
      try {
        parseCidr(s);
        return true;
      } catch {
        return false;
      }
    }),
);

/**
 * ECS_INSTANCE_ATTRIBUTES: agent/config/parse.go `parseInstanceAttributes` (json.Unmarshal into map[string]string;
 * an error makes `NewConfig` fail). The ECS API then checks each attribute at RegisterContainerInstance, and
 * agent/app/agent.go `registerContainerInstance` treats an attribute error as terminal: the instance never joins.
 * Rules of the API's Attribute type: name 1-128 of A-Z a-z 0-9 - _ / \ .; value 1-128 of A-Z a-z 0-9 - _ . @ / \ :
 * and spaces, not starting or ending with a space; at most 10 custom attributes per resource.
 */
const ATTRIBUTE_NAME = /^[A-Za-z0-9_./\\-]{1,128}$/;
const ATTRIBUTE_VALUE = /^(?! )[A-Za-z0-9_.@/\\: -]{1,128}$(?<! )/;
const INSTANCE_ATTRIBUTES = json('an object of strings such as {"stack": "prod"}', (v) => {
  if (!isStringMap(v)) return false;
  const entries = Object.entries(v);
  if (entries.length > 10) return `must be at most 10 attributes (ECS's limit for custom attributes), not ${entries.length}`;
  const name = entries.find(([n]) => !ATTRIBUTE_NAME.test(n));
  if (name) return `must have attribute names of 1-128 letters, digits and - _ . / \\ (ECS's rule); ${JSON.stringify(name[0])} is not one`;
  const value = entries.find(([, val]) => !ATTRIBUTE_VALUE.test(val));
  if (value) {
    return `must have attribute values of 1-128 letters, digits, inner spaces and - _ . @ / \\ : (ECS's rule); ${JSON.stringify(value[1])} (of ${JSON.stringify(value[0])}) is not one`;
  }
  return true;
});

/**
 * ECS_CONTAINER_INSTANCE_TAGS: agent/config/parse.go `parseContainerInstanceTags` (map[string]string; an error makes
 * `NewConfig` fail); agent/app/agent.go registers them with the instance, and the ECS API's InvalidParameterException
 * for a bad tag is terminal there. Rules of the API's Tag type: at most 50; keys 1-128 and values 0-256 characters of
 * letters, digits, spaces and _ . : / = + - @; the aws: prefix (any case) is reserved on both.
 */
const CONTAINER_INSTANCE_TAGS = json('an object of strings such as {"stack": "prod"}', (v) => {
  if (!isStringMap(v)) return false;
  const entries = Object.entries(v);
  if (entries.length > 50) return `must be at most 50 tags (ECS's limit), not ${entries.length}`;
  const okText = (text: string, min: number, max: number) => TAG_TEXT.test(text) && [...text].length >= min && [...text].length <= max && !/^aws:/i.test(text);
  const key = entries.find(([k]) => !okText(k, 1, 128));
  if (key)
    return `must have tag keys of 1-128 letters, digits, spaces and _ . : / = + - @, not starting with aws: (ECS's rule); ${JSON.stringify(key[0])} is not one`;
  const value = entries.find(([, val]) => !okText(val, 0, 256));
  if (value) {
    return `must have tag values of at most 256 letters, digits, spaces and _ . : / = + - @, not starting with aws: (ECS's rule); ${JSON.stringify(value[1])} (of ${JSON.stringify(value[0])}) is not one`;
  }
  return true;
});

const PORT_RANGE: ValueCheck = (value) => (parsePortRange(value) ? undefined : "must be a port range such as 32768-60999 (low-high, 1-65535)");
/** ecs-agent/logger/log.go and ecs-init/logger/log.go `logLevels` (both also take "none"). */
const LOG_LEVELS = ["crit", "error", "warn", "info", "debug"];
/** ecs-init/config/common.go `validDrivers`: another driver makes ecs-init fall back to json-file with a warning. */
const LOG_DRIVERS = ["awslogs", "fluentd", "gelf", "json-file", "journald", "logentries", "syslog", "splunk"];

/**
 * The Linux agent settings from the amazon-ecs-agent README that may be set through `ec2.ecsConfig`, with their value
 * forms as the agent parses them (agent/config/config.go `environmentConfig`, agent/config/parse.go,
 * parse_linux.go, ecs-agent/logger/log.go `InitSeelog`). Settings that move the agent's own files (ECS_DATADIR,
 * ECS_LOGFILE, ...) or its credentials are left out on purpose: the ECS-optimized AMI's ecs-init depends on them.
 */
export const DOCUMENTED_SETTINGS: Readonly<Record<string, ValueCheck>> = {
  ECS_RESERVED_PORTS: PORTS,
  ECS_RESERVED_PORTS_UDP: PORTS,
  // parse.go parseEnvVariableUint16: strconv.ParseUint(value, 10, 16).
  ECS_RESERVED_MEMORY: integer(0n, 65535n),
  ECS_LOGLEVEL: oneOf(...LOG_LEVELS),
  ECS_LOGLEVEL_ON_INSTANCE: oneOf("none", ...LOG_LEVELS),
  ECS_LOG_DRIVER: oneOf(...LOG_DRIVERS),
  // ecs-init/config/common.go parseLogOptions: a JSON object of strings, read from ecs-init's own environment.
  ECS_LOG_OPTS: STRING_MAP,
  ECS_LOG_ROLLOVER_TYPE: oneOf("size", "hourly"),
  ECS_LOG_OUTPUT_FORMAT: oneOf("logfmt", "json"),
  // ecs-agent/logger/log.go: strconv.ParseFloat, then int(MB * 1000000) bytes, which must fit Go's int.
  ECS_LOG_MAX_FILE_SIZE_MB: integer(1n, GO_INT_MAX / 1000000n),
  // ecs-agent/logger/log.go: strconv.Atoi.
  ECS_LOG_MAX_ROLL_COUNT: integer(1n, GO_INT_MAX),
  ECS_UPDATES_ENABLED: BOOLEAN,
  ECS_DISABLE_METRICS: BOOLEAN,
  ECS_POLL_METRICS: BOOLEAN,
  // config.go pollMetricsOverrides: clamped to [5s, 20s] (DefaultContainerMetricsPublishInterval).
  ECS_POLLING_METRICS_WAIT_DURATION: duration({ min: "5s", max: "20s" }),
  ECS_PULL_DEPENDENT_CONTAINERS_UPFRONT: BOOLEAN,
  ECS_AVAILABLE_LOGGING_DRIVERS: LOGGING_DRIVER_LIST,
  ECS_DISABLE_PRIVILEGED: BOOLEAN,
  ECS_SELINUX_CAPABLE: BOOLEAN,
  ECS_APPARMOR_CAPABLE: BOOLEAN,
  // config.go validateAndOverrideBounds: below minimumTaskCleanupWaitDuration (1s) the default 3h is used.
  ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: duration({ min: "1s" }),
  ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION_JITTER: duration(),
  // parse.go parseManifestPullTimeout, parseContainerStartTimeout, parseContainerCreateTimeout: raised to the Linux
  // minimums of config_unix.go (30s, 45s, 1m).
  ECS_MANIFEST_PULL_TIMEOUT: duration({ min: "30s" }),
  ECS_CONTAINER_START_TIMEOUT: duration({ min: "45s" }),
  ECS_CONTAINER_CREATE_TIMEOUT: duration({ min: "1m" }),
  ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST: BOOLEAN,
  ECS_DISABLE_IMAGE_CLEANUP: BOOLEAN,
  // config.go validateAndOverrideBounds: below minimumImageCleanupInterval (10m) the default 30m is used.
  ECS_IMAGE_CLEANUP_INTERVAL: duration({ min: "10m" }),
  ECS_IMAGE_MINIMUM_CLEANUP_AGE: duration(),
  // parse.go parseNumImagesToDeletePerCycle: strconv.Atoi; below 1 the default 5 is used.
  ECS_NUM_IMAGES_DELETE_PER_CYCLE: integer(1n, GO_INT_MAX),
  // parse.go parseImagePullInactivityTimeout: raised to minimumImagePullInactivityTimeout (1m on Linux).
  ECS_IMAGE_PULL_INACTIVITY_TIMEOUT: duration({ min: "1m" }),
  ECS_IMAGE_PULL_TIMEOUT: duration(),
  ECS_INSTANCE_ATTRIBUTES: INSTANCE_ATTRIBUTES,
  ECS_ENABLE_TASK_ENI: BOOLEAN,
  ECS_ENABLE_HIGH_DENSITY_ENI: BOOLEAN,
  ECS_AWSVPC_ADDITIONAL_LOCAL_ROUTES: CIDR_LIST,
  ECS_ENABLE_TASK_CPU_MEM_LIMIT: BOOLEAN,
  // parse.go parseCgroupCPUPeriod: outside [minimumCgroupCPUPeriod, maximumCgroupCPUPeriod] the default is used.
  ECS_CGROUP_CPU_PERIOD: duration({ min: "8ms", max: "100ms" }),
  // parse.go parseTaskMetadataThrottles ("rate,burst", strconv.Atoi each); config.go validateAndOverrideBounds uses the
  // defaults when either is 0.
  ECS_TASK_METADATA_RPS_LIMIT: (value) => {
    const parts = /^(\d+),(\d+)$/.exec(value)?.slice(1) ?? [];
    return parts.length === 2 && parts.every((n) => integer(1n, GO_INT_MAX)(n) === undefined) ? undefined : "must be steady and burst limits such as 40,60";
  },
  ECS_SHARED_VOLUME_MATCH_FULL_CONFIG: BOOLEAN,
  ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM: oneOf("none", "ec2_instance"),
  ECS_CONTAINER_INSTANCE_TAGS: CONTAINER_INSTANCE_TAGS,
  ECS_ENABLE_UNTRACKED_IMAGE_CLEANUP: BOOLEAN,
  // parse.go parseImageCleanupExclusionList: strings.Split(value, ","), nothing trimmed.
  ECS_EXCLUDE_UNTRACKED_IMAGE: matches(/^[^\s,]+(?:,[^\s,]+)*$/, "a comma-separated list of image:tag"),
  ECS_DISABLE_DOCKER_HEALTH_CHECK: BOOLEAN,
  ECS_NVIDIA_RUNTIME: matches(/^[A-Za-z0-9_.-]+$/, "a runtime name such as nvidia"),
  ECS_ENABLE_GPU_SUPPORT: BOOLEAN,
  ECS_ENABLE_RUNTIME_STATS: BOOLEAN,
  ECS_EXCLUDE_IPV6_PORTBINDING: BOOLEAN,
  ECS_WARM_POOLS_CHECK: BOOLEAN,
  ECS_SKIP_LOCALHOST_TRAFFIC_FILTER: BOOLEAN,
  ECS_ALLOW_OFFHOST_INTROSPECTION_ACCESS: BOOLEAN,
  // In the agent README; the snapshot of ecs-init read for this (2026-06) no longer reads it.
  ECS_OFFHOST_INTROSPECTION_INTERFACE_NAME: matches(/^[A-Za-z0-9_.-]{1,15}$/, "a network interface name such as eth0"),
  // parse.go parseDynamicHostPortRange: nat.ParsePortRangeToInt; an invalid range falls back to the kernel's.
  ECS_DYNAMIC_HOST_PORT_RANGE: PORT_RANGE,
  // parse_linux.go parseTaskPidsLimit: strconv.Atoi, then 1 to 4194304 (runc's limit), else no limit.
  ECS_TASK_PIDS_LIMIT: integer(1n, 4194304n),
  // ecs-init/docker/docker.go setLabels: utils.JsonBlockToStringToStringMap; on an error the labels are skipped.
  ECS_AGENT_LABELS: STRING_MAP,
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
