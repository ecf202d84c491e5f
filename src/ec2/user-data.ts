/**
 * The user-data script of the ECS container instances: the one place that decides what an instance does at boot.
 * Pure: settings in, bash out. The ECS agent starts after cloud-init and reads `/etc/ecs/ecs.config` only then.
 */
import { REGION } from "../aws/patterns";
import { ENGINE_AUTH_DATA_KEY, ENGINE_AUTH_TYPE_KEY } from "./ecs-config";
import type { RegistryAuth } from "./registry-auth";

export const ECS_CONFIG_PATH = "/etc/ecs/ecs.config";
const HEREDOC_DELIMITER = "GHCR_ECS_CONFIG";

export interface UserDataInput {
  /** Rendered ecs.config (see `renderEcsConfig`). */
  readonly ecsConfig: string;
  readonly registryAuth: RegistryAuth;
  /** The region of the secret the agent-dockercfg script reads. */
  readonly region: string;
}

/** What the boot script says when the secret's username or password would not reach the registry unchanged. */
export const CREDENTIAL_CHARACTERS_PROBLEM =
  "the username in the secret must not contain a colon (the agent splits the decoded auth at the first one), and neither it nor the password a control character such as a newline";
const SHELL_SAFE = /^[A-Za-z0-9:/_+=.@-]+$/;
const REGISTRY_HOST = /^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:]+\](?::\d{1,5})?$/;

export function renderUserData(input: UserDataInput): string {
  if (!input.ecsConfig.endsWith("\n") || input.ecsConfig.split("\n").includes(HEREDOC_DELIMITER)) {
    throw new Error("user data: ecs.config must be newline-terminated KEY=value lines (render it with renderEcsConfig)");
  }
  const lines = [
    "#!/bin/bash",
    "# Rendered by ghcr-ecs. Configures the ECS agent, which starts after cloud-init and reads ecs.config only then.",
    "set -euo pipefail",
    "umask 077",
    "",
    "install -d -m 0755 /etc/ecs",
    `staged_config="$(mktemp /etc/ecs/.ecs.config.XXXXXX)"`,
    `trap 'rm -f "$staged_config"' EXIT`,
    `cat > "$staged_config" <<'${HEREDOC_DELIMITER}'`,
    `${input.ecsConfig}${HEREDOC_DELIMITER}`,
  ];
  if (input.registryAuth.mode === "agent-dockercfg") lines.push("", ...agentAuthLines(input.registryAuth, input.region));
  lines.push(
    "",
    // Written complete or not at all: an instance that could not read its registry credentials keeps no ecs.config,
    // so it never joins the cluster (the agent would fall back to the "default" cluster, which it may not use).
    `chmod 0600 "$staged_config"`,
    `mv -f "$staged_config" ${ECS_CONFIG_PATH}`,
    "trap - EXIT",
    "",
  );
  return lines.join("\n");
}

function agentAuthLines(auth: Extract<RegistryAuth, { mode: "agent-dockercfg" }>, region: string): string[] {
  if (!SHELL_SAFE.test(auth.secretArn)) throw new Error(`user data: secret ARN ${JSON.stringify(auth.secretArn)} is not an ARN`);
  if (!REGION.test(region)) throw new Error(`user data: region ${JSON.stringify(region)} is not an AWS region`);
  if (!REGISTRY_HOST.test(auth.registryHost)) throw new Error(`user data: registry host ${JSON.stringify(auth.registryHost)} is not a host[:port]`);
  return [
    "# Agent-level registry auth (dockercfg), built here from Secrets Manager: only the secret's ARN is in this script.",
    "# The credential stays in shell variables and pipes (never argv or the environment); no `set -x`, ever.",
    `secret_arn='${auth.secretArn}'`,
    `aws_region='${region}'`,
    `registry_host='${auth.registryHost}'`,
    "if ! command -v aws >/dev/null 2>&1 || ! command -v jq >/dev/null 2>&1; then",
    "  dnf install -y --quiet awscli-2 jq",
    "fi",
    `secret_json=""`,
    "for attempt in 1 2 3 4 5; do",
    `  if secret_json="$(aws secretsmanager get-secret-value --secret-id "$secret_arn" --region "$aws_region" --query SecretString --output text)"; then`,
    "    break",
    "  fi",
    `  echo "ghcr-ecs: reading the registry secret failed (attempt $attempt of 5)" >&2`,
    "  sleep $((attempt * 5))",
    "done",
    `if [ -z "$secret_json" ]; then`,
    `  echo "ghcr-ecs: cannot read $secret_arn; this instance will not join the cluster" >&2`,
    "  exit 1",
    "fi",
    // {"<host>":{"auth":"<base64 user:token>"}}: the dockercfg form without a config.json's outer "auths".
    // jq's @base64 encodes without line breaks (what `base64 -w0` does) and keeps the token out of argv. The line is
    // read verbatim by ecs-init and systemd alike: -c output has no whitespace, the host matches REGISTRY_HOST and
    // base64 is [A-Za-z0-9+/=]. The agent decodes it and splits at the first ":" (parseAuthData in
    // agent/dockerclient/dockerauth/dockerauth.go), so a username with a colon, or a credential with a control
    // character (a pasted trailing newline), is refused here rather than sent to the registry altered.
    `auth_data="$(jq -ce --arg registry "$registry_host" '`,
    `  if ([.username, .password] | all(type == "string")) and ((.username | contains(":")) or ([.username, .password] | any(test("[[:cntrl:]]"))))`,
    `  then error("${CREDENTIAL_CHARACTERS_PROBLEM}") else . end |`,
    `  if (.username | type) == "string" and (.password | type) == "string" and .username != "" and .password != ""`,
    `  then {($registry): {auth: ("\\(.username):\\(.password)" | @base64)}}`,
    `  else error("the secret must be {\\"username\\": ..., \\"password\\": ...}") end' <<<"$secret_json")"`,
    `printf '%s=%s\\n' ${ENGINE_AUTH_TYPE_KEY} dockercfg ${ENGINE_AUTH_DATA_KEY} "$auth_data" >> "$staged_config"`,
    "unset secret_json auth_data",
  ];
}

/**
 * The ecs.config text a rendered script writes (the heredoc body), for tests and the read-back checks: what the agent
 * reads at boot, before any auth lines the script appends from Secrets Manager.
 */
export function ecsConfigWrittenBy(script: string): string {
  const start = script.indexOf(`<<'${HEREDOC_DELIMITER}'\n`);
  const end = script.indexOf(`\n${HEREDOC_DELIMITER}\n`, start);
  if (start < 0 || end < 0) throw new Error("the script writes no ecs.config heredoc");
  return script.slice(start + `<<'${HEREDOC_DELIMITER}'\n`.length, end + 1);
}
