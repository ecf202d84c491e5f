/**
 * What ECR's pull-through cache holds of an image (`credentials check` in mirror mode): DescribeImages on the cached
 * repository. Not cached yet is no failure — the first task start pulls it through — but it says the next start
 * depends on the upstream.
 */
import { DescribeImagesCommand, type ECRClient } from "@aws-sdk/client-ecr";
import { awsFailure } from "./aws";
import { OperationError } from "./exit-codes";

export type CacheState =
  | {
      readonly cached: true;
      readonly repository: string;
      readonly digest: string;
      /** When ECR first pulled the image through (its push into the cache). */
      readonly cachedAt?: string;
      /** The last pull ECR recorded (ECR re-checks a cached tag upstream about once a day on a pull). */
      readonly lastPulledAt?: string;
    }
  | { readonly cached: false; readonly repository: string; readonly reason: string };

/** `<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>` or `@sha256:…` → its parts. */
export function parseMirrorImage(mirrorImage: string): { registryId: string; repository: string; imageId: { imageTag?: string; imageDigest?: string } } {
  const match = /^(\d{12})\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\/([^:@]+)(?::([^@]+))?(?:@(sha256:[a-f0-9]{64}))?$/.exec(mirrorImage);
  if (!match || (!match[3] && !match[4])) throw new Error(`${mirrorImage} is not an ECR image reference with a tag or digest`);
  return { registryId: match[1], repository: match[2], imageId: match[4] ? { imageDigest: match[4] } : { imageTag: match[3] } };
}

export async function cacheState(ecr: ECRClient, mirrorImage: string): Promise<CacheState> {
  const { registryId, repository, imageId } = parseMirrorImage(mirrorImage);
  try {
    const described = await ecr.send(new DescribeImagesCommand({ registryId, repositoryName: repository, imageIds: [imageId] }));
    const [image] = described.imageDetails ?? [];
    if (!image?.imageDigest) return { cached: false, repository, reason: "ECR returned no image" };
    return {
      cached: true,
      repository,
      digest: image.imageDigest,
      ...(image.imagePushedAt ? { cachedAt: image.imagePushedAt.toISOString() } : {}),
      ...(image.lastRecordedPullTime ? { lastPulledAt: image.lastRecordedPullTime.toISOString() } : {}),
    };
  } catch (error) {
    const name = (error as Error).name;
    if (name === "RepositoryNotFoundException") return { cached: false, repository, reason: "the cache has not created its repository yet" };
    if (name === "ImageNotFoundException") return { cached: false, repository, reason: "the cache holds other tags of it, not this one" };
    const failure = awsFailure(error, "ECR");
    if (failure instanceof OperationError) throw failure;
    return { cached: false, repository, reason: `ECR could not be asked (${name}: ${(error as Error).message})` };
  }
}
