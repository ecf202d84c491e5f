import { imageReference, provePull } from "../../operations/check";
import { requireField } from "../../operations/deployment";
import { EXIT } from "../../operations/exit-codes";
import { readRegistrySecret } from "../../operations/registry-secret";
import { defineCommand } from "../command";
import { secondsFlag } from "../flags";
import { resolveTarget, TARGET_HELP, TARGET_OPTIONS, withClients } from "../target";

export const credentialsCheck = defineCommand({
  name: "credentials check",
  summary: "prove the stored credential can pull the image (run before every deploy)",
  usage: `ghcr-ecs credentials check [options]

Reads the secret as the task execution role would, checks its JSON shape, then performs the registry's
authentication flow for the image (GET /v2/, Bearer token or Basic, HEAD manifest) and prints the digest.
  --secret-arn ARN      default: the credentials_secret_arn output
  --image REF           default: the image output
  --timeout SECONDS     bound for the registry conversation (default 20)
${TARGET_HELP}

Exit codes: 10 secret missing, 11 secret unreadable, 12 secret malformed, 13 credentials rejected (401),
14 access denied (403), 15 image not found (404), 16 registry unreachable, 17 other registry error.`,
  options: { ...TARGET_OPTIONS, "secret-arn": { type: "string" }, image: { type: "string" }, timeout: { type: "string" } },
  async run(flags, { out }) {
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
