import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { parseImageReference, ImageReferenceError, type ImageReference } from "../registry/image-reference";
import { checkPull, type PullFailureKind, type RegistryCredential } from "../registry/pull-check";
import { EXIT, OperationError, type ExitCode } from "./exit-codes";
import { readRegistrySecret, type SecretReader } from "./registry-secret";

const EXIT_BY_FAILURE: Record<PullFailureKind, ExitCode> = {
  "credentials-rejected": EXIT.credentialsRejected,
  "access-denied": EXIT.accessDenied,
  "image-not-found": EXIT.imageNotFound,
  "registry-unreachable": EXIT.registryUnreachable,
  "registry-error": EXIT.registryError,
};

export interface PullProof {
  readonly image: string;
  readonly digest: string;
  readonly auth: "bearer" | "basic" | "none";
  readonly username: string;
}

export function imageReference(image: string, flag = "--image"): ImageReference {
  try {
    return parseImageReference(image);
  } catch (error) {
    if (error instanceof ImageReferenceError) throw new OperationError(EXIT.usage, `${flag} "${image}" ${error.message}`);
    throw error;
  }
}

/** Proves a credential can pull the image, or throws the failure with its exit code and fix. */
export async function provePull(image: string, credential: RegistryCredential, timeoutMs: number): Promise<PullProof> {
  const result = await checkPull(imageReference(image), credential, { timeoutMs });
  if (!result.ok) throw new OperationError(EXIT_BY_FAILURE[result.failure.kind], `${image}: ${result.failure.message}`, result.failure.fix);
  return { image, digest: result.digest, auth: result.auth, username: credential.username };
}

/** The pre-deploy proof: read the secret as its reader would, check its shape, then pull-check the image. */
export async function checkCredentials(
  secrets: SecretsManagerClient,
  secretId: string,
  image: string,
  timeoutMs: number,
  reader: SecretReader = "repository-credentials",
): Promise<PullProof> {
  const credential = await readRegistrySecret(secrets, secretId, reader);
  return provePull(image, credential, timeoutMs);
}
