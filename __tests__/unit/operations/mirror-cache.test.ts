import type { ECRClient } from "@aws-sdk/client-ecr";
import { cacheState, parseMirrorImage } from "../../../src/operations/mirror-cache";

const DIGEST = `sha256:${"c".repeat(64)}`;
const IMAGE = "123456789012.dkr.ecr.eu-west-2.amazonaws.com/ghcr/acme/payments:2.0.0";

/** An ECR stand-in answering DescribeImages with `answer` (a value, or an error to throw). */
function ecrAnswering(answer: unknown): ECRClient {
  return { send: () => (answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer)) } as unknown as ECRClient;
}
const named = (name: string, message = name) => Object.assign(new Error(message), { name });

describe("parseMirrorImage", () => {
  it("splits an ECR image into registry, repository and tag or digest", () => {
    expect(parseMirrorImage(IMAGE)).toEqual({ registryId: "123456789012", repository: "ghcr/acme/payments", imageId: { imageTag: "2.0.0" } });
    expect(parseMirrorImage(`123456789012.dkr.ecr.us-east-1.amazonaws.com/ghcr/acme/payments@${DIGEST}`).imageId).toEqual({ imageDigest: DIGEST });
  });

  it("refuses what is not an ECR image with a tag or digest", () => {
    expect(() => parseMirrorImage("ghcr.io/acme/payments:2.0.0")).toThrow("is not an ECR image reference with a tag or digest");
    expect(() => parseMirrorImage("123456789012.dkr.ecr.us-east-1.amazonaws.com/ghcr/acme/payments")).toThrow();
  });
});

describe("cacheState", () => {
  it("reports the cached digest, when ECR first pulled it through and its last recorded pull", async () => {
    const state = await cacheState(
      ecrAnswering({
        imageDetails: [{ imageDigest: DIGEST, imagePushedAt: new Date("2026-11-30T08:00:00Z"), lastRecordedPullTime: new Date("2026-12-01T07:00:00Z") }],
      }),
      IMAGE,
    );
    expect(state).toEqual({
      cached: true,
      repository: "ghcr/acme/payments",
      digest: DIGEST,
      cachedAt: "2026-11-30T08:00:00.000Z",
      lastPulledAt: "2026-12-01T07:00:00.000Z",
    });
  });

  it("says why the image is not cached: no repository yet, another tag, or ECR could not be asked", async () => {
    expect(await cacheState(ecrAnswering(named("RepositoryNotFoundException")), IMAGE)).toEqual({
      cached: false,
      repository: "ghcr/acme/payments",
      reason: "the cache has not created its repository yet",
    });
    expect(await cacheState(ecrAnswering(named("ImageNotFoundException")), IMAGE)).toMatchObject({
      cached: false,
      reason: "the cache holds other tags of it, not this one",
    });
    expect(await cacheState(ecrAnswering(named("AccessDeniedException", "not authorized to perform: ecr:DescribeImages")), IMAGE)).toMatchObject({
      cached: false,
      reason: "ECR could not be asked (AccessDeniedException: not authorized to perform: ecr:DescribeImages)",
    });
  });
});
