import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ecsConfigLine, readAsEcsInit, renderEcsConfig } from "../../../src/ec2/ecs-config";
import { CREDENTIAL_CHARACTERS_PROBLEM, ECS_CONFIG_PATH, ecsConfigWrittenBy, renderUserData, type UserDataInput } from "../../../src/ec2/user-data";

const SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:orders-ec2/registry-credentials-AbC123";
const ecsConfig = renderEcsConfig({
  clusterName: "orders-ec2",
  containerStopTimeoutSeconds: 30,
  imagePullBehavior: "once",
  spotInstanceDraining: true,
  extras: { ECS_INSTANCE_ATTRIBUTES: String.raw`{"share":"\\\\fs01\\builds"}`, ECS_LOG_OPTS: '{"tag":"a b"}' },
});
const taskMode: UserDataInput = { ecsConfig, region: "us-east-1", registryAuth: { mode: "task" } };
const agentMode: UserDataInput = {
  ecsConfig,
  region: "us-east-1",
  registryAuth: { mode: "agent-dockercfg", secretArn: SECRET_ARN, registryHost: "ghcr.io" },
};

function shellcheck(script: string) {
  const result = spawnSync("shellcheck", ["--shell=bash", "--severity=style", "-"], { input: script, encoding: "utf8" });
  if (result.error) throw result.error;
  return { status: result.status, findings: result.stdout };
}

describe("renderUserData", () => {
  it.each([
    ["task", taskMode],
    ["agent-dockercfg", agentMode],
  ])("renders a strict bash script that passes shellcheck (%s)", (_mode, input) => {
    const script = renderUserData(input);
    expect(script.split("\n").slice(0, 4)).toEqual(["#!/bin/bash", expect.stringMatching(/^# Rendered by ghcr-ecs/), "set -euo pipefail", "umask 077"]);
    expect(script).not.toMatch(/^\s*set -[a-z]*x|set -o xtrace/m);
    expect(shellcheck(script)).toEqual({ status: 0, findings: "" });
  });

  it("writes exactly the rendered ecs.config through a quoted heredoc (no shell expansion)", () => {
    const script = renderUserData(taskMode);
    expect(ecsConfigWrittenBy(script)).toBe(ecsConfig);
    expect(script).toContain(`cat > "$staged_config" <<'GHCR_ECS_CONFIG'\n${ecsConfig}GHCR_ECS_CONFIG\n`);
    expect(script).toContain(`mv -f "$staged_config" ${ECS_CONFIG_PATH}`);
  });

  it("in task mode never mentions a secret, the AWS CLI or the agent's auth keys", () => {
    const script = renderUserData(taskMode);
    expect(script).not.toMatch(/secretsmanager|ECS_ENGINE_AUTH|secret_arn|jq/);
  });

  it("in agent-dockercfg mode names only the secret's ARN, region and registry host", () => {
    const script = renderUserData(agentMode);
    expect(script).toContain(`secret_arn='${SECRET_ARN}'`);
    expect(script).toContain(`--secret-id "$secret_arn" --region "$aws_region" --query SecretString --output text`);
    expect(script).toContain("registry_host='ghcr.io'");
    expect(script).not.toContain("ECS_ENGINE_AUTH_DATA={");
  });

  it.each<[string, Partial<Extract<UserDataInput["registryAuth"], { mode: "agent-dockercfg" }>> & { region?: string }, string]>([
    ["an ARN with a quote", { secretArn: "arn:aws:x'; reboot; '" }, "user data: secret ARN \"arn:aws:x'; reboot; '\" is not an ARN"],
    ["a region with spaces", { region: "us east 1" }, 'user data: region "us east 1" is not an AWS region'],
    ["a registry host with a path", { registryHost: "ghcr.io/acme" }, 'user data: registry host "ghcr.io/acme" is not a host[:port]'],
  ])("refuses %s", (_label, { region, ...overrides }, message) => {
    const registryAuth = { ...(agentMode.registryAuth as object), ...overrides } as UserDataInput["registryAuth"];
    expect(() => renderUserData({ ...agentMode, region: region ?? agentMode.region, registryAuth })).toThrow(message);
  });

  it("refuses ecs.config text that is not newline-terminated lines", () => {
    expect(() => renderUserData({ ...taskMode, ecsConfig: "ECS_CLUSTER=x" })).toThrow("user data: ecs.config must be newline-terminated KEY=value lines");
    expect(() => renderUserData({ ...taskMode, ecsConfig: "GHCR_ECS_CONFIG\n" })).toThrow("user data: ecs.config must be newline-terminated");
  });
});

/**
 * Runs the agent-mode script for real with bash, `/etc/ecs` moved into a scratch folder and a stub `aws` on PATH
 * that answers get-secret-value like Secrets Manager (checking the arguments it is given).
 */
describe("the agent-dockercfg script, executed against a stub AWS CLI", () => {
  const username = "acme-ci-bot";
  const token = `ghp_canary${Date.now()}xyz`;
  let scratch: string;

  beforeEach(() => {
    scratch = mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-user-data-"));
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  function boot(secretString: string | undefined) {
    const bin = path.join(scratch, "bin");
    spawnSync("mkdir", ["-p", bin]);
    writeFileSync(
      path.join(bin, "aws"),
      [
        "#!/bin/bash",
        `[ "$*" = "secretsmanager get-secret-value --secret-id ${SECRET_ARN} --region us-east-1 --query SecretString --output text" ] || { echo "unexpected: $*" >&2; exit 2; }`,
        secretString === undefined ? "echo 'AccessDeniedException' >&2; exit 254" : `cat "${path.join(scratch, "secret.json")}"`,
        "",
      ].join("\n"),
    );
    chmodSync(path.join(bin, "aws"), 0o755);
    if (secretString !== undefined) writeFileSync(path.join(scratch, "secret.json"), `${secretString}\n`);
    const etc = path.join(scratch, "etc-ecs");
    // The retry sleeps are the only change besides the paths: the stub answers at once.
    const script = renderUserData(agentMode)
      .replace(/\/etc\/ecs/g, etc)
      .replace("sleep $((attempt * 5))", "sleep 0");
    const file = path.join(scratch, "user-data.sh");
    writeFileSync(file, script);
    const result = spawnSync("bash", [file], { encoding: "utf8", env: { PATH: `${bin}:/usr/bin:/bin`, HOME: scratch }, timeout: 20000 });
    return { result, etc, configFile: path.join(etc, "ecs.config") };
  }

  /** The agent's reading of a dockercfg entry: base64, then split at the first ":" (dockerauth.go parseAuthData). */
  function agentCredentials(authData: string) {
    const decoded = Buffer.from((JSON.parse(authData) as Record<string, { auth: string }>)["ghcr.io"].auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }

  it("appends ECS_ENGINE_AUTH_TYPE=dockercfg and {host: {auth: base64(user:token)}}, mode 0600, printing nothing secret", () => {
    const { result, etc, configFile } = boot(JSON.stringify({ username, password: token }));
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
    const text = readFileSync(configFile, "utf8");
    const settings = readAsEcsInit(text);
    expect(settings).toEqual({
      ...readAsEcsInit(ecsConfig),
      ECS_ENGINE_AUTH_TYPE: "dockercfg",
      ECS_ENGINE_AUTH_DATA: JSON.stringify({ "ghcr.io": { auth: Buffer.from(`${username}:${token}`).toString("base64") } }),
    });
    // Every line is one ecs-init reads verbatim (ecsConfigLine refuses anything else), and nothing else is in the file.
    expect(
      Object.entries(settings)
        .map(([key, value]) => ecsConfigLine(key, value))
        .join(""),
    ).toBe(text);
    expect(JSON.parse(settings.ECS_ENGINE_AUTH_DATA)).not.toHaveProperty("auths");
    expect(statSync(configFile).mode & 0o777).toBe(0o600);
    expect(result.stdout + result.stderr).not.toContain(token);
    expect(readdirSync(etc)).toEqual(["ecs.config"]);
  });

  it.each([
    ["quotes, backslashes, = and $", "p\"a\\s=s$HOME'\\ $(id) `x`"],
    ["spaces and a #", "correct horse # battery staple"],
    ["colons (the agent splits at the first one only)", "pa:ss:word"],
    ["non-ASCII letters", "pässwörd-ß"],
  ])("carries a password with %s to the agent unchanged", (_label, password) => {
    const { result, configFile } = boot(JSON.stringify({ username, password }));
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
    const text = readFileSync(configFile, "utf8");
    const settings = readAsEcsInit(text);
    expect(settings.ECS_ENGINE_AUTH_TYPE).toBe("dockercfg");
    expect(settings.ECS_ENGINE_AUTH_DATA).toMatch(/^\{"ghcr\.io":\{"auth":"[A-Za-z0-9+/]+=*"\}\}$/);
    expect(agentCredentials(settings.ECS_ENGINE_AUTH_DATA)).toEqual({ username, password });
    expect(
      Object.entries(settings)
        .map(([key, value]) => ecsConfigLine(key, value))
        .join(""),
    ).toBe(text);
  });

  it.each([
    ["a newline in the password", { username, password: "tok\nECS_CLUSTER=evil" }],
    ["a trailing newline in the password (a pasted token)", { username, password: `${token}\n` }],
    ["a carriage return in the password", { username, password: "tok\ren" }],
    ["a tab in the username", { username: "acme\tbot", password: token }],
    ["a newline in the username", { username: "acme\nECS_CLUSTER=evil", password: token }],
    ["a colon in the username (the agent would split there)", { username: "acme:bot", password: token }],
  ])("writes no ecs.config for %s, and says why without echoing it", (_label, secret) => {
    const { result, etc } = boot(JSON.stringify(secret));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(CREDENTIAL_CHARACTERS_PROBLEM);
    expect(result.stdout + result.stderr).not.toContain(secret.password);
    expect(result.stdout + result.stderr).not.toContain("evil");
    expect(readdirSync(etc)).toEqual([]);
  });

  it("keeps no ecs.config at all when the secret cannot be read, so the instance never joins the cluster", () => {
    const { result, etc } = boot(undefined);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`ghcr-ecs: cannot read ${SECRET_ARN}; this instance will not join the cluster`);
    expect(result.stderr).toContain("reading the registry secret failed (attempt 5 of 5)");
    expect(readdirSync(etc)).toEqual([]);
  });

  it("refuses a secret that is not {username, password} without echoing it", () => {
    const { result, etc } = boot(JSON.stringify({ token }));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('the secret must be {"username": ..., "password": ...}');
    expect(result.stdout + result.stderr).not.toContain(token);
    expect(readdirSync(etc)).toEqual([]);
  });
});

describe("the agent-dockercfg script's inputs", () => {
  const withHost = (registryHost: string) => ({ ...agentMode, registryAuth: { mode: "agent-dockercfg" as const, secretArn: SECRET_ARN, registryHost } });

  it.each(["ghcr.io", "registry.example.com:5000", "[::1]:5000", "[fd00::1]", "harbor.acme.io:443"])("accepts the registry host %s", (host) =>
    expect(renderUserData(withHost(host))).toContain(`registry_host='${host}'`),
  );

  it.each(["ghcr.io:123456", "ghcr.io:port", "[::1]:abc", "[]:5000", "[zz::1]", "[::1]:123456", "ghcr.io/acme", "x;rm", "[::1]x"])(
    "refuses the registry host %s",
    (host) => expect(() => renderUserData(withHost(host))).toThrow(`user data: registry host ${JSON.stringify(host)} is not a host[:port]`),
  );

  it.each([`${SECRET_ARN}'; rm -rf /`, `'; ${SECRET_ARN}`, `${SECRET_ARN} x`])("refuses a secret ARN a shell would read as more than a word: %s", (secretArn) =>
    expect(() => renderUserData({ ...agentMode, registryAuth: { mode: "agent-dockercfg", secretArn, registryHost: "ghcr.io" } })).toThrow(
      `user data: secret ARN ${JSON.stringify(secretArn)} is not an ARN`,
    ),
  );

  it("says on the instance's console what failed, and that the instance stays out of the cluster", () => {
    const script = renderUserData(agentMode);
    expect(script).toContain('  echo "ghcr-ecs: reading the registry secret failed (attempt $attempt of 5)" >&2\n');
    expect(script).toContain('  echo "ghcr-ecs: cannot read $secret_arn; this instance will not join the cluster" >&2\n');
    expect(script).toContain('fi\nsecret_json=""\nfor attempt in 1 2 3 4 5; do\n');
    expect(script).toContain("\nunset secret_json auth_data\n");
  });
});

describe("ecsConfigWrittenBy", () => {
  it("refuses a script without the ecs.config heredoc, or with one that never ends", () => {
    expect(() => ecsConfigWrittenBy("#!/bin/bash\necho hi\n")).toThrow("the script writes no ecs.config heredoc");
    const script = renderUserData(taskMode);
    const unterminated = script.slice(0, script.lastIndexOf("\nGHCR_ECS_CONFIG\n"));
    expect(() => ecsConfigWrittenBy(unterminated)).toThrow("the script writes no ecs.config heredoc");
  });
});
