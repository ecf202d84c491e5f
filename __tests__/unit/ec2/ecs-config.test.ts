import {
  DOCUMENTED_SETTINGS,
  MANAGED_KEYS,
  type EcsAgentSettings,
  ecsConfigEntries,
  envFileLine,
  extraSettingProblem,
  parseEnvFile,
  parsePortRange,
  renderEcsConfig,
} from "../../../src/ec2/ecs-config";

const base: EcsAgentSettings = { clusterName: "orders-ec2", containerStopTimeoutSeconds: 30, imagePullBehavior: "default", spotInstanceDraining: false };

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
    const entries = Object.fromEntries(ecsConfigEntries({ ...base, containerStopTimeoutSeconds: 90, imagePullBehavior: "prefer-cached", spotInstanceDraining: true }));
    expect(entries).toMatchObject({ ECS_CONTAINER_STOP_TIMEOUT: "90s", ECS_IMAGE_PULL_BEHAVIOR: "prefer-cached", ECS_ENABLE_SPOT_INSTANCE_DRAINING: "true" });
    expect(Object.keys(Object.fromEntries(ecsConfigEntries(base)))).not.toContain("ECS_ENABLE_SPOT_INSTANCE_DRAINING");
  });

  it("appends extras after the managed settings, sorted by key, whatever order they were given in", () => {
    const text = renderEcsConfig({ ...base, extras: { ECS_RESERVED_MEMORY: "256", ECS_INSTANCE_ATTRIBUTES: '{"stack":"prod"}', ECS_LOGLEVEL: "warn" } });
    expect(text.split("\n").slice(6)).toEqual(['ECS_INSTANCE_ATTRIBUTES={"stack":"prod"}', "ECS_LOGLEVEL=warn", "ECS_RESERVED_MEMORY=256", ""]);
  });

  it("is read back by the EnvironmentFile rules as exactly the settings given", () => {
    const extras = { ECS_LOG_OPTS: '{"tag":"a b\\\\c"}', ECS_INSTANCE_ATTRIBUTES: '{"it\'s":"x"}', ECS_AGENT_LABELS: '{"k":"v"}' };
    expect(parseEnvFile(renderEcsConfig({ ...base, extras }))).toEqual({ ...Object.fromEntries(ecsConfigEntries(base)), ...extras });
  });

  it.each<[string, Partial<EcsAgentSettings>, string]>([
    ["a cluster name with a space", { clusterName: "orders ec2" }, 'ecs.config cluster name "orders ec2" is invalid: use 1-255 letters, digits, _ and -'],
    ["a zero stop timeout", { containerStopTimeoutSeconds: 0 }, "ecs.config containerStopTimeoutSeconds 0 is invalid: use a whole number of seconds, 1 or more"],
    ["an unknown pull behavior", { imagePullBehavior: "never" as never }, 'ecs.config imagePullBehavior "never" is invalid: use default, always, once, prefer-cached'],
    ["a managed key among the extras", { extras: { ECS_CLUSTER: "other" } }, "ecs.config ECS_CLUSTER: is managed by ghcr-ecs"],
    ["an unknown extra", { extras: { ECS_FROBNICATE: "1" } }, "ecs.config ECS_FROBNICATE: is not a documented ECS agent setting"],
    ["a malformed extra", { extras: { ECS_RESERVED_MEMORY: "lots" } }, 'ecs.config ECS_RESERVED_MEMORY: "lots" must be a whole number from 0 up'],
  ])("refuses %s", (_label, overrides, message) => {
    expect(() => renderEcsConfig({ ...base, ...overrides })).toThrow(message);
  });
});

describe("envFileLine (systemd EnvironmentFile= quoting)", () => {
  it.each<[string, string, string]>([
    ["a plain value, unquoted", "256", "K=256\n"],
    ["JSON, unquoted: quotes after the first character are kept", '{"stack":"prod"}', 'K={"stack":"prod"}\n'],
    ["a value with a backslash, single-quoted (verbatim)", "a\\b", "K='a\\b'\n"],
    ["a value starting with a double quote, single-quoted", '"x"', "K='\"x\"'\n"],
    ["a value with surrounding spaces, single-quoted so they survive", " x ", "K=' x '\n"],
    ["a value needing quotes that contains a single quote, double-quoted with \\ escapes", "it's \\ \"$x\" `y`", 'K="it\'s \\\\ \\"\\$x\\" \\`y\\`"\n'],
    ["an empty value", "", "K=\n"],
  ])("writes %s", (_label, value, line) => {
    expect(envFileLine("K", value)).toBe(line);
    expect(parseEnvFile(line)).toEqual({ K: value });
  });

  it.each([
    ["a newline", "a\nECS_CLUSTER=evil"],
    ["a carriage return", "a\rb"],
    ["a NUL", "a\u0000b"],
    ["a tab", "a\tb"],
  ])("refuses a value with %s: it could end the line and smuggle in another setting", (_label, value) => {
    expect(() => envFileLine("ECS_LOGLEVEL", value)).toThrow("ecs.config ECS_LOGLEVEL: contains a newline or another control character, which ecs.config cannot hold");
  });

  it("refuses a key that is not an environment variable name", () => {
    expect(() => envFileLine("ecs_cluster", "x")).toThrow('ecs.config key "ecs_cluster" is invalid: use A-Z, 0-9 and _');
  });
});

describe("extraSettingProblem", () => {
  it.each(Object.keys(MANAGED_KEYS))("refuses the managed key %s and says what controls it", (key) => {
    expect(extraSettingProblem(key, "true")).toBe(`is managed by ghcr-ecs and cannot be set here: ${MANAGED_KEYS[key]}`);
  });

  it("points the auth keys at ec2.registryAuth, never at user data", () => {
    expect(extraSettingProblem("ECS_ENGINE_AUTH_DATA", '{"ghcr.io":{"auth":"eDp5"}}')).toContain('set ec2.registryAuth ("task" or "agent-dockercfg"); credentials never go into user data');
  });

  it("suggests the nearest documented key for a typo", () => {
    expect(extraSettingProblem("ECS_RESERVED_MEMROY", "256")).toMatch(/^is not a documented ECS agent setting \(did you mean ECS_RESERVED_MEMORY\?\); allowed: /);
  });

  it("refuses keys that would move the agent's own files or credentials", () => {
    for (const key of ["ECS_DATADIR", "ECS_LOGFILE", "AWS_ACCESS_KEY_ID", "ECS_ALTERNATE_CREDENTIAL_PROFILE"]) {
      expect(extraSettingProblem(key, "x")).toMatch(/^is not a documented ECS agent setting/);
    }
  });

  it.each<[string, string, string | undefined]>([
    ["ECS_DISABLE_PRIVILEGED", "true", undefined],
    ["ECS_DISABLE_PRIVILEGED", "yes", '"yes" must be true or false'],
    ["ECS_IMAGE_CLEANUP_INTERVAL", "1h30m", undefined],
    ["ECS_IMAGE_CLEANUP_INTERVAL", "30", '"30" must be a Go duration such as 30s, 2m or 1h30m'],
    ["ECS_RESERVED_MEMORY", "0", undefined],
    ["ECS_RESERVED_MEMORY", "-1", '"-1" must be a whole number from 0 up'],
    ["ECS_TASK_PIDS_LIMIT", "4194305", '"4194305" must be a whole number from 1 to 4194304'],
    ["ECS_LOGLEVEL", "debug", undefined],
    ["ECS_LOGLEVEL", "loud", '"loud" must be one of crit, error, warn, info, debug'],
    ["ECS_RESERVED_PORTS", "[22, 8080]", undefined],
    ["ECS_RESERVED_PORTS", "[22, 70000]", '"[22, 70000]" must be JSON: an array of port numbers such as [22, 8080]'],
    ["ECS_RESERVED_PORTS", "[22", '"[22" must be JSON: an array of port numbers such as [22, 8080] (it does not parse)'],
    ["ECS_INSTANCE_ATTRIBUTES", '{"stack":"prod"}', undefined],
    ["ECS_INSTANCE_ATTRIBUTES", '{"replicas":3}', '"{\\"replicas\\":3}" must be JSON: an object of strings such as {"stack": "prod"}'],
    ["ECS_AVAILABLE_LOGGING_DRIVERS", '["json-file","awslogs"]', undefined],
    ["ECS_AWSVPC_ADDITIONAL_LOCAL_ROUTES", '["10.0.15.0/24"]', undefined],
    ["ECS_AWSVPC_ADDITIONAL_LOCAL_ROUTES", '["10.0.15.0"]', '"[\\"10.0.15.0\\"]" must be JSON: an array of IPv4 CIDR blocks such as ["10.0.15.0/24"]'],
    ["ECS_DYNAMIC_HOST_PORT_RANGE", "32768-60999", undefined],
    ["ECS_DYNAMIC_HOST_PORT_RANGE", "60999-32768", '"60999-32768" must be a port range such as 32768-60999 (low-high, 1-65535)'],
    ["ECS_TASK_METADATA_RPS_LIMIT", "40,60", undefined],
    ["ECS_TASK_METADATA_RPS_LIMIT", "40", '"40" must be steady and burst limits such as 40,60'],
    ["ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM", "ec2_instance", undefined],
  ])("%s=%s → %s", (key, value, problem) => {
    expect(extraSettingProblem(key, value)).toBe(problem);
  });

  it("validates every documented key with a check that rejects garbage", () => {
    for (const [key, check] of Object.entries(DOCUMENTED_SETTINGS)) {
      expect({ key, problem: check("\u00a7garbage value\u00a7") }).toEqual({ key, problem: expect.stringMatching(/^must be /) });
    }
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
