import fc from "fast-check";
import { DOCUMENTED_SETTINGS, goDurationNanoseconds, parsePortRange } from "../../../src/ec2/agent-settings";
import {
  MANAGED_KEYS,
  type EcsAgentSettings,
  ecsConfigEntries,
  ecsConfigLine,
  ecsConfigValueProblem,
  extraSettingProblem,
  readAsEcsInit,
  renderEcsConfig,
} from "../../../src/ec2/ecs-config";

const base: EcsAgentSettings = { clusterName: "orders-ec2", containerStopTimeoutSeconds: 30, imagePullBehavior: "default", spotInstanceDraining: false };
/** The example of the agent's README: a UNC path, JSON-escaped, so the file holds four and two backslashes. */
const SHARE_ATTRIBUTES = String.raw`{"share":"\\\\fs01\\builds"}`;
const ALLOWED = "allowed: printable characters, with whitespace only between them";
const CANNOT_CARRY = `which ecs.config cannot carry: ecs-init splits the file into lines and trims each one; ${ALLOWED}`;
const TRIMMED = `which does not survive ecs.config: ecs-init trims the end of each line and the agent's parsers trim both ends (Go's strings.TrimSpace); ${ALLOWED}`;

describe("renderEcsConfig", () => {
  it("writes the managed settings in a fixed order, one KEY=value line each", () => {
    expect(renderEcsConfig(base)).toBe(
      [
        "ECS_CLUSTER=orders-ec2",
        "ECS_ENABLE_TASK_IAM_ROLE=true",
        "ECS_AWSVPC_BLOCK_IMDS=true",
        "ECS_ENABLE_CONTAINER_METADATA=true",
        "ECS_CONTAINER_STOP_TIMEOUT=30s",
        "ECS_IMAGE_PULL_BEHAVIOR=default",
        "",
      ].join("\n"),
    );
  });

  it("passes the stop timeout and pull behavior through, and drains on Spot interruptions only with Spot", () => {
    const entries = Object.fromEntries(
      ecsConfigEntries({ ...base, containerStopTimeoutSeconds: 90, imagePullBehavior: "prefer-cached", spotInstanceDraining: true }),
    );
    expect(entries).toMatchObject({ ECS_CONTAINER_STOP_TIMEOUT: "90s", ECS_IMAGE_PULL_BEHAVIOR: "prefer-cached", ECS_ENABLE_SPOT_INSTANCE_DRAINING: "true" });
    expect(Object.keys(Object.fromEntries(ecsConfigEntries(base)))).not.toContain("ECS_ENABLE_SPOT_INSTANCE_DRAINING");
  });

  it("appends extras after the managed settings, sorted by key, whatever order they were given in", () => {
    const text = renderEcsConfig({ ...base, extras: { ECS_RESERVED_MEMORY: "256", ECS_INSTANCE_ATTRIBUTES: '{"stack":"prod"}', ECS_LOGLEVEL: "warn" } });
    expect(text.split("\n").slice(6)).toEqual(['ECS_INSTANCE_ATTRIBUTES={"stack":"prod"}', "ECS_LOGLEVEL=warn", "ECS_RESERVED_MEMORY=256", ""]);
  });

  it("writes every value raw, and ecs-init reads back exactly the settings given", () => {
    const extras = {
      ECS_INSTANCE_ATTRIBUTES: SHARE_ATTRIBUTES,
      ECS_AGENT_LABELS: String.raw`{"it's":"say \"hi\" = #1"}`,
      ECS_LOG_OPTS: '{"tag":"a b=c #d $HOME"}',
      ECS_AVAILABLE_LOGGING_DRIVERS: '["json-file","awslogs"]',
      ECS_EXCLUDE_UNTRACKED_IMAGE: "amazon/amazon-ecs-pause:0.1.0,busybox:1.36",
    };
    const text = renderEcsConfig({ ...base, extras });
    expect(text).toContain(`\nECS_INSTANCE_ATTRIBUTES=${SHARE_ATTRIBUTES}\n`);
    expect(readAsEcsInit(text)).toEqual({ ...Object.fromEntries(ecsConfigEntries(base)), ...extras });
    // What the agent then does with it (agent/config/parse.go parseInstanceAttributes: json.Unmarshal).
    expect(JSON.parse(readAsEcsInit(text).ECS_INSTANCE_ATTRIBUTES)).toEqual({ share: "\\\\fs01\\builds" });
  });

  it.each<[string, Partial<EcsAgentSettings>, string]>([
    ["a cluster name with a space", { clusterName: "orders ec2" }, 'ecs.config cluster name "orders ec2" is invalid: use 1-255 letters, digits, _ and -'],
    [
      "a zero stop timeout",
      { containerStopTimeoutSeconds: 0 },
      "ecs.config containerStopTimeoutSeconds 0 is invalid: use a whole number of seconds, 1 or more",
    ],
    [
      "an unknown pull behavior",
      { imagePullBehavior: "never" as never },
      'ecs.config imagePullBehavior "never" is invalid: use default, always, once, prefer-cached',
    ],
    ["a managed key among the extras", { extras: { ECS_CLUSTER: "other" } }, "ecs.config ECS_CLUSTER: is managed by ghcr-ecs"],
    ["an unknown extra", { extras: { ECS_FROBNICATE: "1" } }, "ecs.config ECS_FROBNICATE: is not a documented ECS agent setting"],
    ["a malformed extra", { extras: { ECS_RESERVED_MEMORY: "lots" } }, 'ecs.config ECS_RESERVED_MEMORY: "lots" must be a whole number from 0 to 65535'],
    [
      "an extra with a newline",
      { extras: { ECS_LOGLEVEL: "info\nECS_CLUSTER=evil" } },
      `ecs.config ECS_LOGLEVEL: "info\\nECS_CLUSTER=evil" contains a newline (U+000A), ${CANNOT_CARRY}`,
    ],
    ["an extra ending in a space", { extras: { ECS_LOGLEVEL: "info " } }, `ecs.config ECS_LOGLEVEL: "info " ends with whitespace (U+0020), ${TRIMMED}`],
  ])("refuses %s", (_label, overrides, message) => {
    expect(() => renderEcsConfig({ ...base, ...overrides })).toThrow(message);
  });
});

describe("ecsConfigLine (KEY=value, the value raw)", () => {
  it.each<[string, string]>([
    ["a plain value", "256"],
    ["a JSON hash", '{"stack":"prod","tier":"web"}'],
    ["a JSON list", '["json-file","awslogs"]'],
    ["a value containing =", "a=b==c"],
    ["backslashes (the README's UNC share)", SHARE_ATTRIBUTES],
    ["a backslash before a quote", String.raw`{"k":"say \"hi\""}`],
    ["single quotes inside", "it's 'quoted'"],
    ["double quotes inside", 'say "hi"'],
    ["inner spaces, several in a row", "a b   c"],
    ["# at the start: no comment to ecs-init", "#not-a-comment"],
    ["; at the start", ";x"],
    ["$ and backticks: nobody expands them", "$HOME `id` ${X}"],
    ["non-ASCII letters and an inner no-break space", "ünïcødé a\u00a0b"],
    ["a leading U+FEFF, which Go's TrimSpace keeps", "\ufeffx"],
    ["an empty value", ""],
  ])("writes %s as it is, and ecs-init reads it back unchanged", (_label, value) => {
    const line = ecsConfigLine("ECS_X", value);
    expect(line).toBe(`ECS_X=${value}\n`);
    expect(readAsEcsInit(line)).toEqual({ ECS_X: value });
    expect(readAsEcsInit(`ECS_A=1\n${line}ECS_B=2\n`)).toEqual({ ECS_A: "1", ECS_X: value, ECS_B: "2" });
  });

  it.each<[string, string, string]>([
    ["a newline, which would start a line of its own", "a\nECS_CLUSTER=evil", `contains a newline (U+000A), ${CANNOT_CARRY}`],
    ["a carriage return", "a\rb", `contains a carriage return (U+000D), ${CANNOT_CARRY}`],
    ["a tab inside", "a\tb", `contains a tab (U+0009), ${CANNOT_CARRY}`],
    ["a tab at the end", "ab\t", `contains a tab (U+0009), ${CANNOT_CARRY}`],
    ["a NUL", "a\u0000b", `contains a NUL (U+0000), ${CANNOT_CARRY}`],
    ["an escape character", "a\u001b[31m", `contains the control character U+001B, ${CANNOT_CARRY}`],
    ["DEL", "a\u007f", `contains the control character U+007F, ${CANNOT_CARRY}`],
    ["a C1 next-line character", "a\u0085b", `contains the control character U+0085, ${CANNOT_CARRY}`],
    ["a space at the start", " x", `starts with whitespace (U+0020), ${TRIMMED}`],
    ["a space at the end", "x ", `ends with whitespace (U+0020), ${TRIMMED}`],
    ["a no-break space at the end", "x\u00a0", `ends with whitespace (U+00A0), ${TRIMMED}`],
    ["an ideographic space at the start", "\u3000x", `starts with whitespace (U+3000), ${TRIMMED}`],
    ["a line separator at the end", "x\u2028", `ends with whitespace (U+2028), ${TRIMMED}`],
    ["only spaces", "   ", `starts with whitespace (U+0020), ${TRIMMED}`],
    [
      "a leading double quote",
      '"x"',
      "starts with a quote (\"), which systemd (EnvironmentFile=, ecs-init's own settings) takes as an opening quote that can swallow the following lines; allowed: any other first character",
    ],
    [
      "a leading single quote",
      "'x'",
      "starts with a quote ('), which systemd (EnvironmentFile=, ecs-init's own settings) takes as an opening quote that can swallow the following lines; allowed: any other first character",
    ],
    [
      "a trailing backslash",
      "C:\\",
      "ends with a backslash, which systemd (EnvironmentFile=, ecs-init's own settings) takes as a line continuation that swallows the next setting; allowed: any other last character",
    ],
    ["an unpaired surrogate", "a\ud800b", `contains an unpaired surrogate (U+D800), which has no UTF-8 form; ${ALLOWED}`],
  ])("refuses a value with %s", (_label, value, problem) => {
    expect(ecsConfigValueProblem(value)).toBe(problem);
    expect(() => ecsConfigLine("ECS_X", value)).toThrow(`ecs.config ECS_X: ${JSON.stringify(value)} ${problem}`);
  });

  it.each(["ecs_cluster", "ECS X", "ECS_X ", "A=B", "#ECS_X", "1ECS", ""])("refuses the key %j: ecs-init would pass on another name", (key) => {
    expect(() => ecsConfigLine(key, "x")).toThrow(`ecs.config key ${JSON.stringify(key)} is invalid: use A-Z, 0-9 and _`);
  });

  it("writes nothing ecs-init reads differently: any value is either refused or read back exactly, among other lines", () => {
    const chars = fc.constantFrom(
      "a",
      "Z",
      "0",
      " ",
      "\t",
      "\n",
      "\r",
      "=",
      "#",
      ";",
      '"',
      "'",
      "\\",
      "$",
      "{",
      "}",
      "\u00a0",
      "\u0085",
      "\u2028",
      "\ufeff",
      "\u0000",
      "é",
    );
    fc.assert(
      fc.property(
        fc.array(chars, { maxLength: 12 }).map((c) => c.join("")),
        (value) => {
          if (ecsConfigValueProblem(value) !== undefined) return;
          expect(readAsEcsInit(`ECS_A=1\n${ecsConfigLine("ECS_X", value)}ECS_B=2\n`)).toEqual({ ECS_A: "1", ECS_X: value, ECS_B: "2" });
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("readAsEcsInit (ecs-init's getEnvVars)", () => {
  it("splits each trimmed line at the first =, keeps the rest verbatim and skips lines without =", () => {
    const text = "\n\n  ECS_CLUSTER=orders  \r\nno equals sign here\n\tECS_A=x=y\n# a comment to systemd\n#ECS_B=1\nECS_C='quoted'\nECS_D=\"dq\"\nECS_E=\n";
    expect(readAsEcsInit(text)).toEqual({ ECS_CLUSTER: "orders", ECS_A: "x=y", "#ECS_B": "1", ECS_C: "'quoted'", ECS_D: '"dq"', ECS_E: "" });
  });

  it("keeps spaces around = in the key and the value, and lets a later line win", () => {
    expect(readAsEcsInit("ECS_X = v\nECS_Y=1\nECS_Y=2\n=orphan\n")).toEqual({ "ECS_X ": " v", ECS_Y: "2", "": "orphan" });
  });

  it("trims as Go's strings.TrimSpace does: Unicode White_Space, but not U+FEFF", () => {
    expect(readAsEcsInit("\u3000ECS_X=a\u00a0\u0085\nECS_Y=b\u2028\n\ufeffECS_Z=c\ufeff\n")).toEqual({ ECS_X: "a", ECS_Y: "b", "\ufeffECS_Z": "c\ufeff" });
  });

  it("shows the defect that was: the systemd-style single quotes reach the agent, which then cannot parse the JSON", () => {
    const value = readAsEcsInit(`ECS_INSTANCE_ATTRIBUTES='${SHARE_ATTRIBUTES}'\n`).ECS_INSTANCE_ATTRIBUTES;
    expect(value).toBe(`'${SHARE_ATTRIBUTES}'`);
    expect(() => {
      JSON.parse(value);
    }).toThrow();
  });

  it("records every key as data, including __proto__", () => {
    const read = readAsEcsInit("__proto__=x\n");
    expect(Object.keys(read)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
  });
});

describe("extraSettingProblem", () => {
  it.each(Object.keys(MANAGED_KEYS))("refuses the managed key %s and says what controls it", (key) => {
    expect(extraSettingProblem(key, "true")).toBe(`is managed by ghcr-ecs and cannot be set here: ${MANAGED_KEYS[key]}`);
  });

  it("points the auth keys at ec2.registryAuth, never at user data", () => {
    expect(extraSettingProblem("ECS_ENGINE_AUTH_DATA", '{"ghcr.io":{"auth":"eDp5"}}')).toContain(
      'set ec2.registryAuth ("task" or "agent-dockercfg"); credentials never go into user data',
    );
  });

  it("suggests the nearest documented key for a typo", () => {
    expect(extraSettingProblem("ECS_RESERVED_MEMROY", "256")).toMatch(
      /^is not a documented ECS agent setting \(did you mean ECS_RESERVED_MEMORY\?\); allowed: /,
    );
  });

  it("refuses keys that would move the agent's own files or credentials", () => {
    for (const key of ["ECS_DATADIR", "ECS_LOGFILE", "AWS_ACCESS_KEY_ID", "ECS_ALTERNATE_CREDENTIAL_PROFILE"]) {
      expect(extraSettingProblem(key, "x")).toMatch(/^is not a documented ECS agent setting/);
    }
  });

  it("refuses what ecs-init would not carry before judging the value", () => {
    expect(extraSettingProblem("ECS_LOGLEVEL", "info\nECS_CLUSTER=evil")).toBe(`"info\\nECS_CLUSTER=evil" contains a newline (U+000A), ${CANNOT_CARRY}`);
    expect(extraSettingProblem("ECS_RESERVED_MEMORY", " 256")).toBe(`" 256" starts with whitespace (U+0020), ${TRIMMED}`);
  });

  it("refuses a backslash in a key ecs-init reads through systemd, and keeps it where only the agent reads it", () => {
    expect(extraSettingProblem("ECS_LOG_OPTS", String.raw`{"tag":"a\\b"}`)).toBe(
      String.raw`"{\"tag\":\"a\\\\b\"}" contains a backslash, which ecs-init would not see: it reads ECS_LOG_OPTS from its own environment, where systemd's EnvironmentFile= removes unquoted backslashes; allowed: the value without backslashes`,
    );
    expect(extraSettingProblem("ECS_INSTANCE_ATTRIBUTES", SHARE_ATTRIBUTES)).toBeUndefined();
  });

  it.each<[string, string, string | undefined]>([
    // booleans: the one spelling ecs-init and the agent agree on, anchored
    ["ECS_DISABLE_PRIVILEGED", "true", undefined],
    ["ECS_DISABLE_PRIVILEGED", "false", undefined],
    ["ECS_DISABLE_PRIVILEGED", "yes", '"yes" must be true or false'],
    ["ECS_DISABLE_PRIVILEGED", "xtrue", '"xtrue" must be true or false'],
    ["ECS_DISABLE_PRIVILEGED", "truex", '"truex" must be true or false'],
    ["ECS_ENABLE_GPU_SUPPORT", "TRUE", '"TRUE" must be true or false'],
    ["ECS_ENABLE_GPU_SUPPORT", "1", '"1" must be true or false'],
    // durations: Go's syntax, anchored, within the agent's bounds
    ["ECS_IMAGE_CLEANUP_INTERVAL", "1h30m", undefined],
    ["ECS_IMAGE_CLEANUP_INTERVAL", "30", '"30" must be a Go duration of at least 10m, written like 30s, 2m or 1h30m'],
    ["ECS_IMAGE_CLEANUP_INTERVAL", "5m", '"5m" must be a Go duration of at least 10m, written like 30s, 2m or 1h30m'],
    ["ECS_IMAGE_PULL_TIMEOUT", "30s", undefined],
    ["ECS_IMAGE_PULL_TIMEOUT", "30sx", '"30sx" must be a Go duration such as 30s, 2m or 1h30m'],
    ["ECS_IMAGE_PULL_TIMEOUT", "x30s", '"x30s" must be a Go duration such as 30s, 2m or 1h30m'],
    ["ECS_IMAGE_PULL_TIMEOUT", "-30s", '"-30s" must be a Go duration such as 30s, 2m or 1h30m'],
    ["ECS_IMAGE_PULL_TIMEOUT", "3000000h", '"3000000h" must be a Go duration such as 30s, 2m or 1h30m'],
    ["ECS_IMAGE_MINIMUM_CLEANUP_AGE", "1.5h", undefined],
    ["ECS_CONTAINER_START_TIMEOUT", "45s", undefined],
    ["ECS_CONTAINER_START_TIMEOUT", "30s", '"30s" must be a Go duration of at least 45s, written like 30s, 2m or 1h30m'],
    ["ECS_CONTAINER_CREATE_TIMEOUT", "2m", undefined],
    ["ECS_MANIFEST_PULL_TIMEOUT", "1m", undefined],
    ["ECS_IMAGE_PULL_INACTIVITY_TIMEOUT", "59s", '"59s" must be a Go duration of at least 1m, written like 30s, 2m or 1h30m'],
    ["ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION", "1h", undefined],
    ["ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION", "500ms", '"500ms" must be a Go duration of at least 1s, written like 30s, 2m or 1h30m'],
    ["ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION_JITTER", "10m", undefined],
    ["ECS_CGROUP_CPU_PERIOD", "10ms", undefined],
    ["ECS_CGROUP_CPU_PERIOD", "200ms", '"200ms" must be a Go duration from 8ms to 100ms, written like 30s, 2m or 1h30m'],
    ["ECS_POLLING_METRICS_WAIT_DURATION", "10s", undefined],
    ["ECS_POLLING_METRICS_WAIT_DURATION", "1m", '"1m" must be a Go duration from 5s to 20s, written like 30s, 2m or 1h30m'],
    // whole numbers within the bounds of the agent's parser
    ["ECS_RESERVED_MEMORY", "0", undefined],
    ["ECS_RESERVED_MEMORY", "65535", undefined],
    ["ECS_RESERVED_MEMORY", "65536", '"65536" must be a whole number from 0 to 65535'],
    ["ECS_RESERVED_MEMORY", "-1", '"-1" must be a whole number from 0 to 65535'],
    ["ECS_TASK_PIDS_LIMIT", "1024", undefined],
    ["ECS_TASK_PIDS_LIMIT", "4194304", undefined],
    ["ECS_TASK_PIDS_LIMIT", "0", '"0" must be a whole number from 1 to 4194304'],
    ["ECS_TASK_PIDS_LIMIT", "4194305", '"4194305" must be a whole number from 1 to 4194304'],
    ["ECS_NUM_IMAGES_DELETE_PER_CYCLE", "5", undefined],
    ["ECS_NUM_IMAGES_DELETE_PER_CYCLE", "9223372036854775808", '"9223372036854775808" must be a whole number from 1 up'],
    ["ECS_LOG_MAX_FILE_SIZE_MB", "10", undefined],
    ["ECS_LOG_MAX_ROLL_COUNT", "24", undefined],
    ["ECS_LOG_MAX_ROLL_COUNT", "0", '"0" must be a whole number from 1 up'],
    // enums
    ["ECS_LOGLEVEL", "debug", undefined],
    ["ECS_LOGLEVEL", "loud", '"loud" must be one of crit, error, warn, info, debug'],
    ["ECS_LOGLEVEL_ON_INSTANCE", "none", undefined],
    ["ECS_LOG_DRIVER", "awslogs", undefined],
    ["ECS_LOG_DRIVER", "loki", '"loki" must be one of awslogs, fluentd, gelf, json-file, journald, logentries, syslog, splunk'],
    ["ECS_LOG_ROLLOVER_TYPE", "hourly", undefined],
    ["ECS_LOG_OUTPUT_FORMAT", "json", undefined],
    ["ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM", "ec2_instance", undefined],
    ["ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM", "ec2", '"ec2" must be one of none, ec2_instance'],
    // JSON lists
    ["ECS_RESERVED_PORTS", "[22, 8080]", undefined],
    ["ECS_RESERVED_PORTS", "[]", undefined],
    ["ECS_RESERVED_PORTS", "[22, 70000]", '"[22, 70000]" must be JSON: an array of port numbers such as [22, 8080]'],
    ["ECS_RESERVED_PORTS", "[22.0]", '"[22.0]" must be JSON: an array of port numbers such as [22, 8080]'],
    ["ECS_RESERVED_PORTS_UDP", "[1e3]", '"[1e3]" must be JSON: an array of port numbers such as [22, 8080]'],
    ["ECS_RESERVED_PORTS", "[22", '"[22" must be JSON: an array of port numbers such as [22, 8080] (it does not parse)'],
    ["ECS_AVAILABLE_LOGGING_DRIVERS", '["json-file","awslogs","awsfirelens"]', undefined],
    [
      "ECS_AVAILABLE_LOGGING_DRIVERS",
      '["json-file","loki"]',
      '"[\\"json-file\\",\\"loki\\"]" must be JSON: an array of logging drivers such as ["json-file","awslogs"] (json-file, syslog, journald, gelf, fluentd, awslogs, splunk, logentries, sumologic, none, awsfirelens)',
    ],
    ["ECS_AWSVPC_ADDITIONAL_LOCAL_ROUTES", '["10.0.15.0/24","172.31.0.0/16"]', undefined],
    ["ECS_AWSVPC_ADDITIONAL_LOCAL_ROUTES", '["10.0.15.0"]', '"[\\"10.0.15.0\\"]" must be JSON: an array of IPv4 CIDR blocks such as ["10.0.15.0/24"]'],
    ["ECS_AWSVPC_ADDITIONAL_LOCAL_ROUTES", '["010.0.15.0/24"]', '"[\\"010.0.15.0/24\\"]" must be JSON: an array of IPv4 CIDR blocks such as ["10.0.15.0/24"]'],
    ["ECS_AWSVPC_ADDITIONAL_LOCAL_ROUTES", '["300.0.0.0/8"]', '"[\\"300.0.0.0/8\\"]" must be JSON: an array of IPv4 CIDR blocks such as ["10.0.15.0/24"]'],
    // JSON maps of strings, and the ECS rules for attributes and tags
    ["ECS_INSTANCE_ATTRIBUTES", '{"stack":"prod"}', undefined],
    ["ECS_INSTANCE_ATTRIBUTES", '{"team/name":"pay ments","v":"a@b:c"}', undefined],
    ["ECS_INSTANCE_ATTRIBUTES", '{"replicas":3}', '"{\\"replicas\\":3}" must be JSON: an object of strings such as {"stack": "prod"}'],
    ["ECS_INSTANCE_ATTRIBUTES", "null", '"null" must be JSON: an object of strings such as {"stack": "prod"}'],
    ["ECS_INSTANCE_ATTRIBUTES", '["a"]', '"[\\"a\\"]" must be JSON: an object of strings such as {"stack": "prod"}'],
    [
      "ECS_INSTANCE_ATTRIBUTES",
      '{"my attr":"x"}',
      '"{\\"my attr\\":\\"x\\"}" must have attribute names of 1-128 letters, digits and - _ . / \\ (ECS\'s rule); "my attr" is not one',
    ],
    [
      "ECS_INSTANCE_ATTRIBUTES",
      '{"k":" x"}',
      '"{\\"k\\":\\" x\\"}" must have attribute values of 1-128 letters, digits, inner spaces and - _ . @ / \\ : (ECS\'s rule); " x" (of "k") is not one',
    ],
    [
      "ECS_INSTANCE_ATTRIBUTES",
      '{"k":""}',
      '"{\\"k\\":\\"\\"}" must have attribute values of 1-128 letters, digits, inner spaces and - _ . @ / \\ : (ECS\'s rule); "" (of "k") is not one',
    ],
    ["ECS_CONTAINER_INSTANCE_TAGS", '{"team":"payments","cost center":"42","empty":""}', undefined],
    [
      "ECS_CONTAINER_INSTANCE_TAGS",
      '{"AWS:owner":"x"}',
      '"{\\"AWS:owner\\":\\"x\\"}" must have tag keys of 1-128 letters, digits, spaces and _ . : / = + - @, not starting with aws: (ECS\'s rule); "AWS:owner" is not one',
    ],
    [
      "ECS_CONTAINER_INSTANCE_TAGS",
      '{"k":"a!"}',
      '"{\\"k\\":\\"a!\\"}" must have tag values of at most 256 letters, digits, spaces and _ . : / = + - @, not starting with aws: (ECS\'s rule); "a!" (of "k") is not one',
    ],
    ["ECS_LOG_OPTS", '{"awslogs-group":"/ecs/agent","tag":"a b"}', undefined],
    ["ECS_LOG_OPTS", '{"max-size":10}', '"{\\"max-size\\":10}" must be JSON: an object of strings such as {"stack": "prod"}'],
    ["ECS_AGENT_LABELS", '{"com.example.team":"payments"}', undefined],
    ["ECS_AGENT_LABELS", '{"k":["v"]}', '"{\\"k\\":[\\"v\\"]}" must be JSON: an object of strings such as {"stack": "prod"}'],
    // the rest
    ["ECS_DYNAMIC_HOST_PORT_RANGE", "32768-60999", undefined],
    ["ECS_DYNAMIC_HOST_PORT_RANGE", "60999-32768", '"60999-32768" must be a port range such as 32768-60999 (low-high, 1-65535)'],
    ["ECS_TASK_METADATA_RPS_LIMIT", "40,60", undefined],
    ["ECS_TASK_METADATA_RPS_LIMIT", "40", '"40" must be steady and burst limits such as 40,60'],
    ["ECS_TASK_METADATA_RPS_LIMIT", "0,60", '"0,60" must be steady and burst limits such as 40,60'],
    ["ECS_EXCLUDE_UNTRACKED_IMAGE", "busybox:1.36,amazon/amazon-ecs-pause:0.1.0", undefined],
    ["ECS_EXCLUDE_UNTRACKED_IMAGE", "busybox:1.36, alpine:3", '"busybox:1.36, alpine:3" must be a comma-separated list of image:tag'],
    ["ECS_NVIDIA_RUNTIME", "nvidia", undefined],
    ["ECS_OFFHOST_INTROSPECTION_INTERFACE_NAME", "ens5", undefined],
  ])("%s=%s → %s", (key, value, problem) => {
    expect(extraSettingProblem(key, value)).toBe(problem);
  });

  it("holds instance attributes and tags to ECS's counts: 10 custom attributes, 50 tags", () => {
    const entries = (n: number) => JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "x"])));
    expect(extraSettingProblem("ECS_INSTANCE_ATTRIBUTES", entries(10))).toBeUndefined();
    expect(extraSettingProblem("ECS_INSTANCE_ATTRIBUTES", entries(11))).toBe(
      `${JSON.stringify(entries(11))} must be at most 10 attributes (ECS's limit for custom attributes), not 11`,
    );
    expect(extraSettingProblem("ECS_CONTAINER_INSTANCE_TAGS", entries(50))).toBeUndefined();
    expect(extraSettingProblem("ECS_CONTAINER_INSTANCE_TAGS", entries(51))).toBe(
      `${JSON.stringify(entries(51))} must be at most 50 tags (ECS's limit), not 51`,
    );
  });

  it("validates every documented key with a check that rejects garbage", () => {
    for (const [key, check] of Object.entries(DOCUMENTED_SETTINGS)) {
      expect(`${key}: ${check("\u00a7garbage value\u00a7")}`).toMatch(new RegExp(`^${key}: must be `));
    }
  });

  it("accepts nothing that is empty: ecs-init would pass it on, and the agent reads it as unset", () => {
    for (const key of Object.keys(DOCUMENTED_SETTINGS)) expect(`${key}: ${extraSettingProblem(key, "")}`).toMatch(new RegExp(`^${key}: "" must `));
  });
});

describe("goDurationNanoseconds", () => {
  it("reads Go durations, and refuses what time.ParseDuration refuses or we do not write", () => {
    expect(goDurationNanoseconds("1h30m")).toBe(5400e9);
    expect(goDurationNanoseconds("1.5s")).toBe(1.5e9);
    expect(goDurationNanoseconds("250ms")).toBe(250e6);
    expect(goDurationNanoseconds("10µs")).toBe(10e3);
    expect(goDurationNanoseconds("2562047h")).toBe(2562047 * 3600e9);
    expect(goDurationNanoseconds("2562048h")).toBeUndefined();
    for (const bad of ["", "30", "s", "30 s", "1d", "30S", "1mss", ".5s", "+1s"])
      expect({ bad, ns: goDurationNanoseconds(bad) }).toEqual({ bad, ns: undefined });
  });
});

describe("parsePortRange", () => {
  it("reads low-high and refuses anything else", () => {
    expect(parsePortRange("32768-60999")).toEqual({ from: 32768, to: 60999 });
    expect(parsePortRange("80-80")).toEqual({ from: 80, to: 80 });
    expect(parsePortRange("0-10")).toBeUndefined();
    expect(parsePortRange("1-65536")).toBeUndefined();
    expect(parsePortRange("1000")).toBeUndefined();
  });
});
