import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EXIT, OperationError } from "./exit-codes";
import type { RegistryCredential } from "../registry/pull-check";

/** Secrets Manager stores at most 64 KiB; registry tokens (even cloud access tokens) are far below 16 KiB. */
export const MAX_TOKEN_LENGTH = 16384;

/** GitHub token prefixes and what each means for a long-lived ECS pull credential. */
const GITHUB_TOKEN_KINDS: readonly { prefix: string; warning?: string }[] = [
  { prefix: "ghp_" },
  {
    prefix: "github_pat_",
    warning:
      "this is a fine-grained token; ghcr.io accepts it only where the package grants it access. If pulls are denied, use a classic PAT (ghp_…) with read:packages",
  },
  {
    prefix: "gho_",
    warning: "this is an OAuth app token; it lives as long as the app's authorization, prefer a classic PAT of a bot account with read:packages",
  },
  { prefix: "ghu_", warning: "this is a GitHub App user token; it expires after 8 hours and ECS pulls will then fail" },
  {
    prefix: "ghs_",
    warning: "this is a GitHub App installation token (such as GITHUB_TOKEN in Actions); it expires within an hour and ECS pulls will then fail",
  },
  { prefix: "ghr_", warning: "this is a GitHub refresh token; it cannot authenticate to ghcr.io at all" },
];

/**
 * Checks a username and token before anything is written. Errors name the problem (never the value); warnings
 * cover tokens that will work today but are the wrong kind for a long-lived pull credential.
 */
export function validateCredential(credential: RegistryCredential, registry: string): { warnings: string[] } {
  const problems: string[] = [];
  const { username, password } = credential;
  if (username.length === 0) problems.push("username is empty");
  else if (/[\s:]/.test(username)) problems.push(`username "${username}" contains whitespace or ":" (HTTP Basic auth cannot carry it)`);
  else if (username.length > 256) problems.push(`username is ${username.length} characters long; at most 256 are allowed`);
  if (password.length === 0) problems.push("token is empty");
  else if (/\s/.test(password))
    problems.push(`token contains whitespace at position ${password.search(/\s/) + 1} (of ${password.length}); paste it without spaces or line breaks`);
  else if (password.length > MAX_TOKEN_LENGTH) problems.push(`token is ${password.length} characters long; at most ${MAX_TOKEN_LENGTH} are allowed`);
  if (problems.length > 0) {
    throw new OperationError(
      EXIT.usage,
      `invalid credential: ${problems.join("; ")}`,
      "Supply a username and a token without whitespace (see ghcr-ecs credentials set --help).",
    );
  }
  const warnings: string[] = [];
  if (registry === "ghcr.io") {
    const kind = GITHUB_TOKEN_KINDS.find((k) => password.startsWith(k.prefix));
    if (!kind) warnings.push(`the token does not start with a GitHub token prefix (ghp_, github_pat_, …); ghcr.io accepts GitHub tokens only`);
    else if (kind.warning) warnings.push(kind.warning);
  }
  return { warnings };
}

/** Where the token comes from. Never argv: a value on the command line is visible to every user in `ps`. */
export type TokenSource =
  { readonly kind: "stdin" } | { readonly kind: "env"; readonly variable: string } | { readonly kind: "docker-config"; readonly file?: string };

export interface TokenInput {
  readonly username?: string;
  readonly password: string;
  /** Where it was found, for messages (`stdin`, `$GHCR_TOKEN`, `~/.docker/config.json`). */
  readonly origin: string;
}

export async function readToken(source: TokenSource, registry: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<TokenInput> {
  switch (source.kind) {
    case "stdin": {
      const text = await readAll(stdin, MAX_TOKEN_LENGTH * 4);
      return { password: text.replace(/\r?\n$/, ""), origin: "stdin" };
    }
    case "env": {
      const value = process.env[source.variable];
      if (value === undefined) {
        // Name the variable only when it looks like one (upper case, short): a token passed by mistake must not be echoed.
        const conventional = /^[A-Z][A-Z0-9_]{0,63}$/.test(source.variable);
        throw new OperationError(
          EXIT.usage,
          conventional
            ? `environment variable ${source.variable} is not set`
            : "the environment variable named by --token-env is not set (its name is not shown: it does not look like one, and may be the token itself)",
          `${conventional ? `export ${source.variable}=<token>` : "pass the variable's name, e.g. --token-env GHCR_TOKEN, after exporting it"} first, or pipe the token into --token-stdin.`,
        );
      }
      return { password: value, origin: `$${source.variable}` };
    }
    case "docker-config":
      return readDockerConfig(source.file ?? defaultDockerConfigFile(), registry);
  }
}

function defaultDockerConfigFile(): string {
  return path.join(process.env.DOCKER_CONFIG ?? path.join(os.homedir(), ".docker"), "config.json");
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** Docker writes keys as `ghcr.io`, `https://ghcr.io`, or `https://index.docker.io/v1/`. */
function registryKey(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//, "").replace(/\/(v1|v2)?\/?$/, "");
  return host === "index.docker.io" || host === "registry-1.docker.io" ? "docker.io" : host;
}

/** Reads a registry credential from a Docker `config.json`: an inline `auths` entry, else its credential helper. */
export function readDockerConfig(file: string, registry: string): TokenInput {
  const unusable = (why: string) =>
    new OperationError(EXIT.usage, `Docker config ${file} ${why}`, `Run \`docker login ${registry}\` first, or pass --docker-config PATH.`);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw unusable(code === "ENOENT" ? "does not exist" : `cannot be read (${code ?? (error as Error).message})`);
  }
  let config: DockerConfig;
  try {
    config = JSON.parse(text) as DockerConfig;
  } catch {
    throw unusable("is not valid JSON");
  }
  if (typeof config !== "object" || config === null || Array.isArray(config)) throw unusable("is not a JSON object");
  const wanted = registryKey(registry);
  const entry = Object.entries(config.auths ?? {}).find(([key]) => registryKey(key) === wanted)?.[1];
  if (entry?.identitytoken) {
    throw new OperationError(
      EXIT.usage,
      `the ${registry} entry in ${file} holds an OAuth identity token, which ECS cannot use`,
      "Use --token-stdin with a token instead.",
    );
  }
  if (entry?.auth) {
    const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon <= 0)
      throw new OperationError(
        EXIT.usage,
        `the ${registry} entry in ${file} has an "auth" value that is not base64 of user:token`,
        `Run \`docker login ${registry}\` again.`,
      );
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), origin: file };
  }
  if (entry?.username && entry.password) return { username: entry.username, password: entry.password, origin: file };

  const helper = config.credHelpers?.[wanted] ?? config.credHelpers?.[registry] ?? config.credsStore;
  if (helper) return readCredentialHelper(helper, registry, file);
  const known = Object.keys(config.auths ?? {}).map(registryKey);
  throw new OperationError(
    EXIT.usage,
    `${file} has no credential for ${registry}${known.length > 0 ? ` (it has: ${known.join(", ")})` : ""}`,
    `Run \`docker login ${registry}\` first, or use --token-stdin.`,
  );
}

/**
 * The Docker credential-helper protocol: `docker-credential-<name> get`, server URL on stdin, JSON on stdout. The
 * URL is the one `docker login` stored the credential under: the host, except Docker Hub's legacy index URL.
 */
function readCredentialHelper(helper: string, registry: string, file: string): TokenInput {
  const program = `docker-credential-${helper}`;
  const serverUrl = registryKey(registry) === "docker.io" ? "https://index.docker.io/v1/" : registry;
  // env explicitly: the PATH lookup then follows this process's (possibly adjusted) environment, also under jest.
  const result = spawnSync(program, ["get"], { input: serverUrl, encoding: "utf8", timeout: 15000, env: process.env });
  // EPIPE only means the helper exited without reading the URL (one that knows nothing, say): it did run.
  const errorCode = result.error && "code" in result.error ? String(result.error.code) : undefined;
  const ranWithoutReading = errorCode === "EPIPE" && result.status !== null;
  if (result.error && !ranWithoutReading) {
    throw new OperationError(
      EXIT.usage,
      `${file} names the credential helper "${helper}", but ${program} could not run (${errorCode ?? result.error.message})`,
      `Install ${program} or use --token-stdin.`,
    );
  }
  if (result.status !== 0) {
    throw new OperationError(
      EXIT.usage,
      `${program} has no credential for ${registry} (exit ${result.status})`,
      `Run \`docker login ${registry}\` first, or use --token-stdin.`,
    );
  }
  try {
    const { Username, Secret } = JSON.parse(result.stdout) as { Username?: string; Secret?: string };
    if (typeof Username !== "string" || typeof Secret !== "string") throw new Error("missing Username or Secret");
    return { username: Username, password: Secret, origin: program };
  } catch {
    throw new OperationError(EXIT.usage, `${program} answered with something other than {"Username","Secret"} JSON`, "Use --token-stdin instead.");
  }
}

function readAll(stream: NodeJS.ReadableStream, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    if ((stream as NodeJS.ReadStream).isTTY) {
      reject(
        new OperationError(
          EXIT.usage,
          "--token-stdin reads the token from a pipe, but stdin is a terminal",
          "printf '%s' \"$TOKEN\" | ghcr-ecs … --token-stdin, or use --token-env NAME.",
        ),
      );
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on("data", (chunk: Buffer | string) => {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      size += buffer.length;
      if (size <= limit) chunks.push(buffer);
    });
    stream.on("error", reject);
    stream.on("end", () => {
      if (size > limit)
        reject(new OperationError(EXIT.usage, `stdin carried ${size} bytes; a token is at most ${MAX_TOKEN_LENGTH} characters`, "Pipe only the token."));
      else resolve(Buffer.concat(chunks).toString("utf8"));
    });
  });
}
