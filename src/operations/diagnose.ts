/** What a stopped task's reasons mean and what to do, derived from the messages ECS and its agent write. */
export interface Diagnosis {
  /** Stable identifier for scripts (`--json`). */
  readonly code:
    | "pull-unauthorized"
    | "pull-denied"
    | "pull-not-found"
    | "pull-timeout"
    | "pull-platform-mismatch"
    | "pull-rate-limited"
    | "pull-other"
    | "mirror-upstream-unauthorized"
    | "mirror-import-denied"
    | "mirror-secret-name"
    | "secret-access-denied"
    | "secret-kms-denied"
    | "secret-not-found"
    | "secret-unreachable"
    | "secret-malformed"
    | "init-other"
    | "health-check-failed"
    | "container-exited"
    | "out-of-memory"
    | "unknown";
  readonly summary: string;
  readonly fix: string;
}

export interface StoppedTaskReasons {
  readonly stoppedReason?: string;
  readonly stopCode?: string;
  readonly containers?: readonly { readonly name?: string; readonly reason?: string; readonly exitCode?: number }[];
}

/** Tasks ECS stopped on purpose (scale-in, replacement by a newer deployment): not failures. */
export function isRoutineStop(task: StoppedTaskReasons): boolean {
  const reason = task.stoppedReason ?? "";
  return /^Scaling activity initiated by|^Task stopped by user|^Service .* was deleted|^Deployment .* replaced/i.test(reason) && !hasContainerProblem(task);
}

function hasContainerProblem(task: StoppedTaskReasons): boolean {
  return (task.containers ?? []).some((c) => /CannotPull|OutOfMemory|ResourceInitialization/i.test(c.reason ?? ""));
}

const CHECK = "Run `ghcr-ecs credentials check` to reproduce the pull from here.";

/**
 * An HTTP status as the agent and containerd print it (`: 401 Unauthorized`, `status 403`), not digits inside a
 * digest, a date tag (`:20240105`), an ECR account id or an IP address.
 */
const httpStatus = (code: number) => new RegExp(`(?<![\\w.:/@%-])${code}(?![\\w./-]|:\\d)`);
const STATUS_401 = httpStatus(401);
const STATUS_403 = httpStatus(403);
const STATUS_404 = httpStatus(404);
const STATUS_429 = httpStatus(429);

/** The failure is about the task's secrets or registry auth (not, say, its log group, which fails the same way). */
const SECRET_RETRIEVAL = /unable to (?:pull|retrieve) secrets?|registry auth|secret from asm|secretsmanager|Secrets Manager/i;
/** KMS named as such, not three letters inside a secret's random suffix (`ghcr/orders-xKmSq1`). */
const KMS = /\bkms:|Access to KMS|\bKMS key|KMSAccessDenied|KMSInvalidState|decrypt/i;

/** A pull from a private ECR registry (the pull-through cache's repositories). */
const ECR_MIRROR = /\b\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\//;

/**
 * The pull-through cache's own failures. The tasks authenticate to ECR with IAM (a refusal names the action), so a
 * 401 on the ECR host is the cache's credential being refused upstream.
 */
function diagnoseMirrorPull(all: string): Diagnosis | undefined {
  if (/ecr-pullthroughcache\//i.test(all) && /prefix|secret name|invalid/i.test(all)) {
    return {
      code: "mirror-secret-name",
      summary: "ECR refused the cache's credential: the secret's name must start with ecr-pullthroughcache/",
      fix: 'Keep the credential in a secret named ecr-pullthroughcache/<name> holding {"username","accessToken"} (ghcr-ecs creates one in registry.mode "ecr-pull-through-cache"), and point the rule at it.',
    };
  }
  const refused = /not authorized to perform:?\s*(ecr:(?:BatchImportUpstreamImage|CreateRepository))/i.exec(all);
  if (refused) {
    return {
      code: "mirror-import-denied",
      summary: `the execution role may not fill the cache (${refused[1]}): the image is not cached yet, and the first pull must import it`,
      fix: "Give the execution role ecr:BatchImportUpstreamImage and ecr:CreateRepository on the cache's repositories (arn:…:repository/<prefix>/*), as ghcr-ecs does; then roll the service.",
    };
  }
  if (STATUS_401.test(all) || /unauthori[sz]ed|upstream.*(?:auth|credential)/i.test(all)) {
    return {
      code: "mirror-upstream-unauthorized",
      summary: "the pull-through cache could not pull from the upstream registry: it refused the stored credential (expired or revoked token, wrong user)",
      fix: `Create a new token (GitHub: classic PAT with read:packages) and run \`ghcr-ecs rotate --token-stdin\`; cached tags keep being served meanwhile. ${CHECK}`,
    };
  }
  return undefined;
}

/**
 * Translates `stoppedReason` and container reasons into a diagnosis. The patterns come from the ECS agent and
 * containerd messages seen for each cause, e.g. `CannotPullContainerError: … failed to fetch oauth token:
 * unexpected status: 401 Unauthorized`, or `ResourceInitializationError: unable to pull secrets or registry auth:
 * … AccessDeniedException: … is not authorized to perform: secretsmanager:GetSecretValue …`.
 */
export function diagnoseStoppedTask(task: StoppedTaskReasons): Diagnosis {
  const messages = [task.stoppedReason ?? "", ...(task.containers ?? []).map((c) => c.reason ?? "")].filter(Boolean);
  const all = messages.join("\n");

  if (/CannotPullContainerError/i.test(all)) {
    const mirror = ECR_MIRROR.test(all) ? diagnoseMirrorPull(all) : undefined;
    if (mirror) return mirror;
    if (STATUS_401.test(all) || /unauthori[sz]ed|authentication required|incorrect username or password/i.test(all)) {
      return {
        code: "pull-unauthorized",
        summary: "the registry rejected the credentials (401): wrong username or token, or the token expired or was revoked",
        fix: `Create a new token (GitHub: classic PAT with read:packages) and run \`ghcr-ecs rotate --token-stdin\`. ${CHECK}`,
      };
    }
    if (STATUS_403.test(all) || /forbidden|denied/i.test(all)) {
      // ghcr.io's token endpoint answers 403 for a wrong or revoked token as well as for a token without access.
      const tokenEndpoint = /fetch (?:oauth|anonymous) token/i.test(all);
      return {
        code: "pull-denied",
        summary: tokenEndpoint
          ? "the registry refused a pull token (403): the token may not pull this image, or (on ghcr.io) it is wrong, expired or revoked"
          : "the credentials are valid but may not pull this image (403/denied)",
        fix: `Grant the token access: read:packages on a classic PAT, or add the account under the package's Manage access. ${CHECK}`,
      };
    }
    if (/no match for platform|platform .* not (found|supported)|descriptor matching platform|no matching manifest for|exec format/i.test(all)) {
      return {
        code: "pull-platform-mismatch",
        summary: "the image has no variant for the task's CPU architecture",
        fix: "Build the image for the configured cpuArchitecture (docker buildx --platform linux/amd64,linux/arm64) or change cpuArchitecture.",
      };
    }
    if (STATUS_404.test(all) || /not found|manifest unknown|name unknown/i.test(all)) {
      return {
        code: "pull-not-found",
        summary: "the image or tag does not exist in the registry (404)",
        fix: `Check the image reference and that the tag was pushed. ${CHECK}`,
      };
    }
    if (STATUS_429.test(all) || /toomanyrequests|too many requests|rate limit/i.test(all)) {
      return { code: "pull-rate-limited", summary: "the registry is rate limiting pulls (429)", fix: "Retry later; pulls with credentials get higher limits." };
    }
    if (/timeout|timed out|deadline exceeded|i\/o timeout|dial tcp|no such host|connection refused/i.test(all)) {
      return {
        code: "pull-timeout",
        summary: "the task could not reach the registry (network timeout)",
        fix: "Tasks in private subnets need a NAT gateway (network.natGateways) or a public IP, and security-group egress on 443.",
      };
    }
    return { code: "pull-other", summary: "the image could not be pulled", fix: CHECK };
  }

  if (/ResourceInitializationError/i.test(all) || SECRET_RETRIEVAL.test(all)) {
    if (!SECRET_RETRIEVAL.test(all)) {
      // e.g. `failed to validate logger args: … The specified log group does not exist.`
      return {
        code: "init-other",
        summary: "the task could not be initialised",
        fix: "Read the full reason below; `ghcr-ecs credentials check` verifies the secret and the pull.",
      };
    }
    if (KMS.test(all) && /AccessDenied|not authorized/i.test(all)) {
      return {
        code: "secret-kms-denied",
        summary: "the task execution role cannot decrypt the credentials secret (kms:Decrypt)",
        fix: "Give the execution role kms:Decrypt on the secret's key with kms:ViaService secretsmanager.<region>.amazonaws.com (this stack does when the key is in its config).",
      };
    }
    if (/AccessDenied|not authorized/i.test(all)) {
      return {
        code: "secret-access-denied",
        summary: "the task execution role may not read the credentials secret (secretsmanager:GetSecretValue)",
        fix: "Allow secretsmanager:GetSecretValue on the secret's full ARN (with its 6-character suffix) in the execution role.",
      };
    }
    if (/ResourceNotFound|can't find the specified secret|not found/i.test(all)) {
      return {
        code: "secret-not-found",
        summary: "the credentials secret does not exist or has no value",
        fix: "Write it with `ghcr-ecs credentials set --token-stdin`.",
      };
    }
    if (/timeout|timed out|deadline exceeded|dial tcp|connection refused|no such host|RequestError/i.test(all)) {
      return {
        code: "secret-unreachable",
        summary: "the task could not reach Secrets Manager",
        fix: "Tasks need a route to Secrets Manager: a NAT gateway, a public IP, or a secretsmanager VPC interface endpoint, and egress on 443.",
      };
    }
    if (/json|invalid|unmarshal/i.test(all)) {
      return {
        code: "secret-malformed",
        summary: 'the credentials secret is not {"username","password"} JSON',
        fix: "Rewrite it with `ghcr-ecs credentials set --token-stdin`.",
      };
    }
    return {
      code: "init-other",
      summary: "the task could not be initialised",
      fix: "Read the full reason below; `ghcr-ecs credentials check` verifies the secret and the pull.",
    };
  }

  if (/OutOfMemory/i.test(all)) {
    return {
      code: "out-of-memory",
      summary: "the container was killed for exceeding its memory",
      fix: "Raise memory/containerMemory, or bound the JVM heap (-XX:MaxRAMPercentage=75).",
    };
  }
  if (/failed (ELB|container) health checks/i.test(all)) {
    return {
      code: "health-check-failed",
      summary: "the task failed its load balancer health checks",
      fix: "Check that /actuator/health answers 200 on the container port, and that the grace period covers Spring Boot's start-up.",
    };
  }
  if (/Essential container in task exited/i.test(all)) {
    const exit = (task.containers ?? []).find((c) => c.exitCode !== undefined && c.exitCode !== 0);
    return {
      code: "container-exited",
      summary: `the application exited${exit ? ` with code ${exit.exitCode}` : ""}`,
      fix: "Read the task's log stream in the service's log group for the start-up error.",
    };
  }
  return { code: "unknown", summary: messages[0] ?? "stopped without a reason", fix: "See the service events: aws ecs describe-services." };
}
