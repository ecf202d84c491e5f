import { provePull, type PullProof } from "../../operations/check";
import { requireField } from "../../operations/deployment";
import { EXIT } from "../../operations/exit-codes";
import { secretReaderFor, writeRegistrySecret } from "../../operations/registry-secret";
import { checkGithubApiFlag, recordNewTokenExpiry } from "../../operations/token-facts";
import { reportExpiryRecord } from "../token-report";
import { defineCommand } from "../command";
import { readNewCredential, TOKEN_HELP, TOKEN_OPTIONS } from "../credential-input";
import { secondsFlag } from "../flags";
import { resolveTarget, TARGET_HELP, TARGET_OPTIONS, withClients } from "../target";

export const credentialsSet = defineCommand({
  name: "credentials set",
  summary: "write {username, password} into the stack's credentials secret",
  usage: `ghcr-ecs credentials set (--token-stdin | --token-env NAME | --from-docker-config) [options]

Validates the username and token (and warns about GitHub token kinds that expire) before writing a new
AWSCURRENT version of the secret. Running tasks keep working; new tasks pull with the new credential.
  --secret-arn ARN      default: the credentials_secret_arn output
  --image REF           default: the image output (decides the registry for --from-docker-config)
  --check               prove the credential can pull the image before writing anything
  --timeout SECONDS     bound for --check (default 20)
${TOKEN_HELP}
${TARGET_HELP}`,
  options: {
    ...TARGET_OPTIONS,
    ...TOKEN_OPTIONS,
    "secret-arn": { type: "string" },
    image: { type: "string" },
    check: { type: "boolean" },
    timeout: { type: "string" },
  },
  async run(flags, { out, stdin }) {
    checkGithubApiFlag(flags["github-api"]);
    const target = await resolveTarget(flags);
    const secretArn = requireField(target, "secretArn", "--secret-arn");
    const image = requireField(target, "image", "--image");
    const { credential, origin, warnings } = await readNewCredential(flags, target, image, out, stdin);
    let proof: PullProof | undefined;
    if (flags.check) {
      proof = await provePull(image, credential, secondsFlag(flags.timeout, "timeout", 20, 600));
      out.line(`checked: ${credential.username} can pull ${image} (${proof.digest})`);
    }
    const timeoutMs = secondsFlag(flags.timeout, "timeout", 20, 600);
    const { versionId, expiry } = await withClients(target.region, async (c) => {
      const written = await writeRegistrySecret(c.secrets, secretArn, credential, secretReaderFor(target.registryAuthMode));
      return {
        versionId: written,
        expiry: await recordNewTokenExpiry(c.secrets, secretArn, image, credential.password, { githubApi: flags["github-api"], timeoutMs }),
      };
    });
    out.line(`wrote the credential for ${credential.username} (from ${origin}) to ${secretArn} as version ${versionId}`);
    if (expiry) reportExpiryRecord(out, expiry, "");
    out.line("running tasks keep their pulled image; new tasks use the new credential. Roll the service with `ghcr-ecs rollout`.");
    out.result({
      ok: true,
      secretArn,
      versionId,
      username: credential.username,
      warnings,
      ...(proof ? { digest: proof.digest } : {}),
      ...(expiry && "recorded" in expiry ? { tokenExpires: expiry.recorded } : {}),
    });
    return EXIT.ok;
  },
});
