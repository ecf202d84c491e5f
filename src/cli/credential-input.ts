/** The new credential for `credentials set` and `rotate`: from stdin, an environment variable or Docker's config. */
import { imageReference } from "../operations/check";
import type { DeploymentTarget } from "../operations/deployment";
import { EXIT, OperationError } from "../operations/exit-codes";
import { readToken, validateCredential, type TokenSource } from "../operations/token";
import type { RegistryCredential } from "../registry/pull-check";
import { ENV_VAR_NAME } from "../util/patterns";
import type { Reporter } from "./reporter";

export const TOKEN_OPTIONS = {
  "token-stdin": { type: "boolean" },
  "token-env": { type: "string" },
  "from-docker-config": { type: "boolean" },
  "docker-config": { type: "string" },
  username: { type: "string" },
  "github-api": { type: "string" },
} as const;

export const TOKEN_HELP = `
The token never comes from the command line (argv is visible to every user in \`ps\`). Exactly one of:
  --token-stdin         read it from stdin:  printf '%s' "$TOKEN" | ghcr-ecs …
  --token-env NAME      read it from environment variable NAME
  --from-docker-config  take user and token for the image's registry from Docker's config.json
                        (inline auths entry or its credential helper); --docker-config FILE to choose the file
  --username USER       default: the Docker config entry, the registry_username output, then the current secret
  --github-api URL      GitHub Enterprise Server's API (https://HOST/api/v3); for ghcr.io api.github.com is asked
                        for the token's expiry, which is recorded as the secret's tag ghcr-ecs:token-expires`;

export interface TokenFlags {
  readonly "token-stdin"?: boolean;
  readonly "token-env"?: string;
  readonly "from-docker-config"?: boolean;
  readonly "docker-config"?: string;
  readonly username?: string;
}

function tokenSource(flags: TokenFlags): TokenSource {
  const chosen = [
    flags["token-stdin"] && "--token-stdin",
    flags["token-env"] !== undefined && "--token-env",
    flags["from-docker-config"] && "--from-docker-config",
  ].filter(Boolean);
  if (chosen.length !== 1) {
    throw new OperationError(
      EXIT.usage,
      chosen.length === 0 ? "no token source given" : `several token sources given (${chosen.join(", ")})`,
      "Pass exactly one of --token-stdin, --token-env NAME, --from-docker-config. Tokens are never accepted as arguments.",
    );
  }
  if (flags["docker-config"] !== undefined && !flags["from-docker-config"]) {
    throw new OperationError(EXIT.usage, "--docker-config only applies with --from-docker-config", "Add --from-docker-config.");
  }
  if (flags["token-stdin"]) return { kind: "stdin" };
  const variable = flags["token-env"];
  if (variable !== undefined) {
    if (!ENV_VAR_NAME.test(variable) || variable.length > 128 || /^(ghp|gho|ghu|ghs|ghr|github_pat)_/.test(variable)) {
      throw new OperationError(
        EXIT.usage,
        "--token-env takes the name of an environment variable, and the value given (not shown) is not one",
        "Pass the variable's name, not the token: --token-env GHCR_TOKEN.",
      );
    }
    return { kind: "env", variable };
  }
  return { kind: "docker-config", ...(flags["docker-config"] ? { file: flags["docker-config"] } : {}) };
}

export interface NewCredential {
  readonly credential: RegistryCredential;
  /** Where the token came from, for messages (`stdin`, `$GHCR_TOKEN`, a Docker config file). */
  readonly origin: string;
  readonly warnings: readonly string[];
}

/** Reads and validates the new credential; registers it with the reporter before anything can print it. */
export async function readNewCredential(
  flags: TokenFlags,
  target: DeploymentTarget,
  image: string,
  out: Reporter,
  stdin: NodeJS.ReadableStream,
): Promise<NewCredential> {
  const registry = imageReference(image).registry;
  const input = await readToken(tokenSource(flags), registry, stdin);
  const username = flags.username ?? input.username ?? target.username;
  out.addSecret(input.password, username);
  if (!username) {
    throw new OperationError(
      EXIT.usage,
      "don't know the registry username",
      "Pass --username (the account that owns the token), or use outputs with registry_username.",
    );
  }
  const credential = { username, password: input.password };
  const { warnings } = validateCredential(credential, registry);
  for (const warning of warnings) out.warn(warning);
  return { credential, origin: input.origin, warnings };
}
