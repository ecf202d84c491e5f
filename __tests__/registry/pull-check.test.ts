import { randomBytes } from "node:crypto";
import { parseImageReference } from "../../src/registry/image-reference";
import { LocalRegistry, type LocalRegistryAuth } from "../../src/emulator/registry-server";
import { checkPull, type PullCheckResult } from "../../src/registry/pull-check";
import { freeLoopbackPort } from "../../src/util/free-port";
import { match } from "../helpers/matchers";

jest.setTimeout(60000);

const secret = () => `ghp_${randomBytes(18).toString("hex")}`;

function expectFailure(result: PullCheckResult, kind: string) {
  if (result.ok) throw new Error(`expected a ${kind} failure, got digest ${result.digest}`);
  expect(result.failure.kind).toBe(kind);
  return result.failure;
}

describe.each<["htpasswd" | "token-distribution" | "token-ghcr"]>([["htpasswd"], ["token-distribution"], ["token-ghcr"]])(
  "pull check against a real registry with %s auth",
  (mode) => {
    const reader = { username: "acme-ci-bot", password: secret() };
    const outsider = { username: "someone-else", password: secret() };
    const pusher = { username: "publisher", password: secret() };
    let registry: LocalRegistry;
    let pushed: { reference: string; digest: string };

    beforeAll(async () => {
      const users = [
        { username: reader.username, passwords: [reader.password], pull: ["acme/orders-service"] },
        { username: outsider.username, passwords: [outsider.password], pull: ["acme/other"] },
        { username: pusher.username, passwords: [pusher.password], pull: ["*"], push: ["*"] },
      ];
      const auth: LocalRegistryAuth =
        mode === "htpasswd" ? { kind: "htpasswd", users } : { kind: "token", users, style: mode === "token-ghcr" ? "ghcr" : "distribution" };
      registry = await LocalRegistry.start(auth);
      pushed = await registry.pushImage("acme/orders-service", "1.4.2", pusher);
    });
    afterAll(() => registry?.stop());

    it("resolves the pushed tag to its manifest digest with the right credential", async () => {
      const result = await checkPull(parseImageReference(pushed.reference), reader);
      expect(result).toEqual({
        ok: true,
        digest: pushed.digest,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        auth: mode === "htpasswd" ? "basic" : "bearer",
      });
    });

    it("names a wrong token as rejected credentials, without echoing it", async () => {
      const wrong = secret();
      const failure = expectFailure(
        await checkPull(parseImageReference(pushed.reference), { username: reader.username, password: wrong }),
        "credentials-rejected",
      );
      expect(JSON.stringify(failure)).not.toContain(wrong);
      expect(failure.fix).toMatch(/rotate/);
    });

    it("reports an unknown tag as not found", async () => {
      const failure = expectFailure(await checkPull(parseImageReference(`${registry.host}/acme/orders-service:9.9.9`), reader), "image-not-found");
      expect(failure.message).toContain("tag 9.9.9");
    });

    if (mode !== "htpasswd") {
      it("tells a valid user without access to the package apart from a bad credential", async () => {
        const failure = expectFailure(await checkPull(parseImageReference(pushed.reference), outsider), "access-denied");
        expect(failure.fix).toMatch(/read:packages/);
      });
    }

    if (mode !== "htpasswd") {
      it("rejects a revoked token while the user's other token keeps working", async () => {
        const second = secret();
        const rotating = await LocalRegistry.start({
          kind: "token",
          style: mode === "token-ghcr" ? "ghcr" : "distribution",
          users: [
            { username: reader.username, passwords: [reader.password, second], pull: ["acme/orders-service"] },
            { username: pusher.username, passwords: [pusher.password], pull: ["*"], push: ["*"] },
          ],
        });
        try {
          const { reference } = await rotating.pushImage("acme/orders-service", "1.4.2", pusher);
          rotating.revoke(reader.username, reader.password);
          expectFailure(await checkPull(parseImageReference(reference), reader), "credentials-rejected");
          expect((await checkPull(parseImageReference(reference), { username: reader.username, password: second })).ok).toBe(true);
        } finally {
          await rotating.stop();
        }
      });
    }

    it("bounds the wait when the registry hangs", async () => {
      registry.freeze();
      try {
        const started = Date.now();
        const failure = expectFailure(await checkPull(parseImageReference(pushed.reference), reader, { timeoutMs: 1500 }), "registry-unreachable");
        expect(Date.now() - started).toBeLessThan(5000);
        expect(failure.message).toMatch(/did not answer within 1.5 s/);
      } finally {
        registry.thaw();
      }
    });
  },
);

it("reports a registry that refuses connections as unreachable", async () => {
  const port = await freeLoopbackPort();
  const failure = await checkPull(parseImageReference(`127.0.0.1:${port}/acme/orders-service:1`), { username: "u", password: "p" }, { timeoutMs: 3000 });
  expect(failure).toEqual({
    ok: false,
    failure: match.objectContaining({ kind: "registry-unreachable", message: `cannot connect to 127.0.0.1:${port} (ECONNREFUSED)` }),
  });
});
