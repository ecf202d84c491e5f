import { imageReference, provePull } from "../../operations/check";
import { allServices, requireField, type DeploymentTarget } from "../../operations/deployment";
import { EXIT, OperationError } from "../../operations/exit-codes";
import { readRegistrySecret } from "../../operations/registry-secret";
import { defineCommand } from "../command";
import { secondsFlag } from "../flags";
import type { Reporter } from "../reporter";
import { resolveTarget, TARGET_HELP, TARGET_OPTIONS, withClients } from "../target";

export const credentialsCheck = defineCommand({
  name: "credentials check",
  summary: "prove the stored credential can pull the image (run before every deploy)",
  usage: `ghcr-ecs credentials check [options]

Reads the secret as the task execution role would, checks its JSON shape, then performs the registry's
authentication flow for the image (GET /v2/, Bearer token or Basic, HEAD manifest) and prints the digest.
  --all                 every service of the stack (each image with its service's secret)
  --secret-arn ARN      default: the credentials_secret_arn output
  --image REF           default: the image output
  --timeout SECONDS     bound for the registry conversation (default 20)
${TARGET_HELP}

Exit codes: 10 secret missing, 11 secret unreadable, 12 secret malformed, 13 credentials rejected (401),
14 access denied (403), 15 image not found (404), 16 registry unreachable, 17 other registry error.`,
  options: { ...TARGET_OPTIONS, all: { type: "boolean" }, "secret-arn": { type: "string" }, image: { type: "string" }, timeout: { type: "string" } },
  async run(flags, { out }) {
    if (flags.all) return checkAll(await resolveTarget(flags, { all: true }), secondsFlag(flags.timeout, "timeout", 20, 600), out);
    const target = await resolveTarget(flags);
    const secretArn = requireField(target, "secretArn", "--secret-arn");
    const image = requireField(target, "image", "--image");
    imageReference(image);
    const timeoutMs = secondsFlag(flags.timeout, "timeout", 20, 600);
    const proof = await withClients(target.region, async (c) => {
      const credential = await readRegistrySecret(c.secrets, secretArn);
      out.addSecret(credential.password, credential.username);
      return provePull(image, credential, timeoutMs);
    });
    out.line(`ok: ${proof.username} can pull ${image}`);
    out.line(`digest: ${proof.digest}`);
    if (proof.auth === "none") out.warn("the registry did not ask for credentials, so this check did not exercise them");
    out.result({ ok: true, secretArn, ...proof });
    return EXIT.ok;
  },
});

/** `--all`: every service's pull, each reported; the exit code is the first failure's. */
async function checkAll(target: DeploymentTarget, timeoutMs: number, out: Reporter): Promise<number> {
  const checks: Record<string, unknown>[] = [];
  let exitCode: number = EXIT.ok;
  await withClients(target.region, async (c) => {
    for (const [name, service] of allServices(target)) {
      const secretArn = requireField(service, "secretArn", "--secret-arn");
      const image = requireField(service, "image", "--image");
      try {
        const credential = await readRegistrySecret(c.secrets, secretArn);
        out.addSecret(credential.password, credential.username);
        const proof = await provePull(image, credential, timeoutMs);
        out.line(`ok: ${name}: ${proof.username} can pull ${image} (${proof.digest})`);
        checks.push({ service: name, ok: true, secretArn, ...proof });
      } catch (error) {
        if (!(error instanceof OperationError)) throw error;
        out.error(new OperationError(error.exitCode, `${name}: ${error.message}`, error.fix));
        checks.push({ service: name, ok: false, exitCode: error.exitCode, secretArn, image, error: out.redact(error.message) });
        if (exitCode === EXIT.ok) exitCode = error.exitCode;
      }
    }
  });
  out.result({ ok: exitCode === EXIT.ok, exitCode, checks });
  return exitCode;
}
