import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Readable } from "node:stream";
import { EXIT, OperationError } from "../../../src/operations/exit-codes";
import { MAX_TOKEN_LENGTH, readDockerConfig, readToken, validateCredential } from "../../../src/operations/token";

const CLASSIC = "ghp_" + "R8x2Lq9VnT4wYz6Kb1Mc3Dd5Fg7Hj0Ps2Uv4";
const USER = "acme-ci-bot";

async function rejection(run: () => unknown): Promise<OperationError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(OperationError);
    return error as OperationError;
  }
  throw new Error("expected an OperationError");
}

describe("validateCredential", () => {
  it("accepts a classic PAT for ghcr.io without warnings", () => {
    expect(validateCredential({ username: USER, password: CLASSIC }, "ghcr.io")).toEqual({ warnings: [] });
  });

  it.each([
    [
      "a fine-grained token",
      "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUV",
      "this is a fine-grained token; ghcr.io accepts it only where the package grants it access. If pulls are denied, use a classic PAT (ghp_…) with read:packages",
    ],
    [
      "an OAuth app token",
      "gho_" + "16C7e42F292c6912E7710c838347Ae178B4a",
      "this is an OAuth app token; it lives as long as the app's authorization, prefer a classic PAT of a bot account with read:packages",
    ],
    [
      "a GitHub App user token",
      "ghu_" + "16C7e42F292c6912E7710c838347Ae178B4a",
      "this is a GitHub App user token; it expires after 8 hours and ECS pulls will then fail",
    ],
    [
      "an installation token such as GITHUB_TOKEN",
      "ghs_" + "16C7e42F292c6912E7710c838347Ae178B4a",
      "this is a GitHub App installation token (such as GITHUB_TOKEN in Actions); it expires within an hour and ECS pulls will then fail",
    ],
    [
      "a refresh token",
      "ghr_" + "1B4a2e77838347a7E420ce178F2E7c6912E169246c34E1ccbF66C46812d16D5B1A9Dc86A1498",
      "this is a GitHub refresh token; it cannot authenticate to ghcr.io at all",
    ],
    [
      "a token without a GitHub prefix",
      "dckr_pat_2b3e36beeb386dfdaacb9b46004ccb7c",
      "the token does not start with a GitHub token prefix (ghp_, github_pat_, …); ghcr.io accepts GitHub tokens only",
    ],
  ])("warns about %s for ghcr.io", (_name, password, warning) => {
    expect(validateCredential({ username: USER, password }, "ghcr.io")).toEqual({ warnings: [warning] });
  });

  it.each(["docker.io", "registry.gitlab.com", "123456789012.dkr.ecr.us-east-1.amazonaws.com", "127.0.0.1:5000"])(
    "gives no prefix warnings for %s",
    (registry) => {
      for (const password of ["ghs_" + "16C7e42F292c6912E7710c838347Ae178B4a", "ghr_x1234", "dckr_pat_2b3e36beeb386dfdaacb9b46004ccb7c", CLASSIC]) {
        expect(validateCredential({ username: USER, password }, registry)).toEqual({ warnings: [] });
      }
    },
  );

  it("matches prefixes case-sensitively, as GitHub issues them", () => {
    expect(validateCredential({ username: USER, password: "GHS_16C7e42F292c6912E7710c838347Ae178B4a" }, "ghcr.io").warnings).toEqual([
      "the token does not start with a GitHub token prefix (ghp_, github_pat_, …); ghcr.io accepts GitHub tokens only",
    ]);
  });

  describe("errors", () => {
    const FIX = "Supply a username and a token without whitespace (see ghcr-ecs credentials set --help).";

    it("rejects an empty username", async () => {
      const error = await rejection(() => validateCredential({ username: "", password: CLASSIC }, "ghcr.io"));
      expect(error.exitCode).toBe(EXIT.usage);
      expect(error.message).toBe("invalid credential: username is empty");
      expect(error.fix).toBe(FIX);
    });

    it.each([
      ["a colon", "acme:bot"],
      ["a space", "acme bot"],
      ["a trailing newline", "acme-ci-bot\n"],
    ])("rejects a username with %s, which Basic auth cannot carry", async (_name, username) => {
      const error = await rejection(() => validateCredential({ username, password: CLASSIC }, "ghcr.io"));
      expect(error.message).toBe(`invalid credential: username "${username}" contains whitespace or ":" (HTTP Basic auth cannot carry it)`);
      expect(error.message).not.toContain(CLASSIC);
    });

    it("rejects a username longer than 256 characters", async () => {
      expect((await rejection(() => validateCredential({ username: "a".repeat(257), password: CLASSIC }, "ghcr.io"))).message).toBe(
        "invalid credential: username is 257 characters long; at most 256 are allowed",
      );
      expect(validateCredential({ username: "a".repeat(256), password: CLASSIC }, "ghcr.io")).toEqual({ warnings: [] });
    });

    it("rejects an empty token", async () => {
      expect((await rejection(() => validateCredential({ username: USER, password: "" }, "ghcr.io"))).message).toBe("invalid credential: token is empty");
    });

    it.each([
      ["a trailing newline", `${CLASSIC}\n`, CLASSIC.length + 1],
      ["a trailing CRLF", `${CLASSIC}\r\n`, CLASSIC.length + 1],
      ["a leading space", ` ${CLASSIC}`, 1],
      ["a tab in the middle", `${CLASSIC.slice(0, 10)}\t${CLASSIC.slice(10)}`, 11],
    ])("rejects a token with %s by position, without echoing it", async (_name, password, position) => {
      const error = await rejection(() => validateCredential({ username: USER, password }, "ghcr.io"));
      expect(error.exitCode).toBe(EXIT.usage);
      expect(error.message).toBe(
        `invalid credential: token contains whitespace at position ${position} (of ${password.length}); paste it without spaces or line breaks`,
      );
      expect(`${error.message}${error.fix}`).not.toContain(CLASSIC.slice(4, 14));
    });

    it("rejects a token longer than the limit without echoing it", async () => {
      const password = `ghp_${"A".repeat(MAX_TOKEN_LENGTH)}`;
      const error = await rejection(() => validateCredential({ username: USER, password }, "ghcr.io"));
      expect(error.message).toBe(`invalid credential: token is ${MAX_TOKEN_LENGTH + 4} characters long; at most 16384 are allowed`);
      expect(error.message).not.toContain("AAAA");
    });

    it("accepts a token of exactly the limit", () => {
      expect(validateCredential({ username: USER, password: `ghp_${"A".repeat(MAX_TOKEN_LENGTH - 4)}` }, "ghcr.io")).toEqual({ warnings: [] });
    });

    it("lists every problem at once", async () => {
      expect((await rejection(() => validateCredential({ username: "", password: "" }, "ghcr.io"))).message).toBe(
        "invalid credential: username is empty; token is empty",
      );
    });
  });
});

describe("readToken", () => {
  it("reads the token from stdin and strips one trailing newline", async () => {
    expect(await readToken({ kind: "stdin" }, "ghcr.io", Readable.from([`${CLASSIC}\n`]))).toEqual({ password: CLASSIC, origin: "stdin" });
  });

  it("strips a trailing CRLF", async () => {
    expect((await readToken({ kind: "stdin" }, "ghcr.io", Readable.from([`${CLASSIC}\r\n`]))).password).toBe(CLASSIC);
  });

  it("keeps a token without a trailing newline as is", async () => {
    expect((await readToken({ kind: "stdin" }, "ghcr.io", Readable.from([CLASSIC]))).password).toBe(CLASSIC);
  });

  it("strips only one newline, leaving the rest for validation to reject", async () => {
    expect((await readToken({ kind: "stdin" }, "ghcr.io", Readable.from([`${CLASSIC}\n\n`]))).password).toBe(`${CLASSIC}\n`);
  });

  it("joins a token that arrives in several chunks, including Buffers", async () => {
    const stdin = Readable.from([Buffer.from(CLASSIC.slice(0, 7)), CLASSIC.slice(7, 20), Buffer.from(`${CLASSIC.slice(20)}\n`)]);
    expect((await readToken({ kind: "stdin" }, "ghcr.io", stdin)).password).toBe(CLASSIC);
  });

  it("reads an empty stdin as an empty token", async () => {
    expect(await readToken({ kind: "stdin" }, "ghcr.io", Readable.from([]))).toEqual({ password: "", origin: "stdin" });
  });

  it("rejects more than four times the token limit on stdin", async () => {
    const limit = MAX_TOKEN_LENGTH * 4;
    const stdin = Readable.from([Buffer.alloc(limit, "a"), Buffer.from("b")]);
    const error = await rejection(() => readToken({ kind: "stdin" }, "ghcr.io", stdin));
    expect(error.exitCode).toBe(EXIT.usage);
    expect(error.message).toBe(`stdin carried ${limit + 1} bytes; a token is at most 16384 characters`);
    expect(error.fix).toBe("Pipe only the token.");
  });

  it("passes input of exactly the stdin limit on to validation", async () => {
    expect((await readToken({ kind: "stdin" }, "ghcr.io", Readable.from([Buffer.alloc(MAX_TOKEN_LENGTH * 4, "a")]))).password).toHaveLength(
      MAX_TOKEN_LENGTH * 4,
    );
  });

  it("refuses to wait on a terminal", async () => {
    const tty = Object.assign(Readable.from([CLASSIC]), { isTTY: true });
    const error = await rejection(() => readToken({ kind: "stdin" }, "ghcr.io", tty));
    expect(error.exitCode).toBe(EXIT.usage);
    expect(error.message).toBe("--token-stdin reads the token from a pipe, but stdin is a terminal");
  });

  it("passes on a stream error", async () => {
    const stdin = new Readable({
      read() {
        this.destroy(new Error("EPIPE from the test"));
      },
    });
    await expect(readToken({ kind: "stdin" }, "ghcr.io", stdin)).rejects.toThrow("EPIPE from the test");
  });

  describe("from the environment", () => {
    const VARIABLE = "GHCR_ECS_UNIT_TEST_TOKEN";
    afterEach(() => {
      delete process.env[VARIABLE];
    });

    it("reads the variable and names it as the origin", async () => {
      process.env[VARIABLE] = CLASSIC;
      expect(await readToken({ kind: "env", variable: VARIABLE }, "ghcr.io")).toEqual({ password: CLASSIC, origin: `$${VARIABLE}` });
    });

    it("passes an empty variable on to validation", async () => {
      process.env[VARIABLE] = "";
      expect(await readToken({ kind: "env", variable: VARIABLE }, "ghcr.io")).toEqual({ password: "", origin: `$${VARIABLE}` });
    });

    it("reports an unset variable by name", async () => {
      const error = await rejection(() => readToken({ kind: "env", variable: VARIABLE }, "ghcr.io"));
      expect(error.exitCode).toBe(EXIT.usage);
      expect(error.message).toBe(`environment variable ${VARIABLE} is not set`);
      expect(error.fix).toBe(`export ${VARIABLE}=<token> first, or pipe the token into --token-stdin.`);
    });

    it("does not echo an unset name that does not look like a variable, since it may be the token itself", async () => {
      const tokenLike = "QuayRobot_a1B2c3D4e5F6g7H8i9J0";
      const error = await rejection(() => readToken({ kind: "env", variable: tokenLike }, "quay.io"));
      expect(error.exitCode).toBe(EXIT.usage);
      expect(`${error.message} ${error.fix}`).not.toContain(tokenLike);
      expect(error.message).toMatch(/the environment variable named by --token-env is not set/);
    });
  });
});

describe("readDockerConfig", () => {
  let dir: string;
  let savedPath: string | undefined;
  const b64 = (text: string) => Buffer.from(text).toString("base64");
  const writeConfig = (config: unknown) => {
    const file = path.join(dir, "config.json");
    fs.writeFileSync(file, typeof config === "string" ? config : JSON.stringify(config));
    return file;
  };

  /** A credential helper that logs the server URL it was asked for and knows ghcr.io and Docker Hub. */
  const installHelper = (name: string, script: string) => {
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, `docker-credential-${name}`), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    process.env.PATH = `${bin}${path.delimiter}${savedPath ?? ""}`;
  };
  const FAKE_HELPER = `[ "$1" = get ] || exit 3
url=$(cat)
printf '%s\\n' "$url" >> "${"$"}{0%/*}/asked"
case "$url" in
  ghcr.io) printf '{"ServerURL":"ghcr.io","Username":"acme-ci-bot","Secret":"${CLASSIC}"}\\n' ;;
  https://index.docker.io/v1/) printf '{"ServerURL":"https://index.docker.io/v1/","Username":"hubuser","Secret":"dckr_pat_2b3e36beeb386dfdaacb9b46004ccb7c"}\\n' ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac`;
  const asked = () =>
    fs
      .readFileSync(path.join(dir, "bin", "asked"), "utf8")
      .split("\n")
      .filter(Boolean);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-docker-config-"));
    savedPath = process.env.PATH;
  });
  afterEach(() => {
    process.env.PATH = savedPath;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe("inline auths entries", () => {
    it("decodes an inline auth value", () => {
      const file = writeConfig({ auths: { "ghcr.io": { auth: b64(`${USER}:${CLASSIC}`) } } });
      expect(readDockerConfig(file, "ghcr.io")).toEqual({ username: USER, password: CLASSIC, origin: file });
    });

    it("keeps colons after the first as part of the token", () => {
      const file = writeConfig({ auths: { "registry.test": { auth: b64("robot$ci:pa:ss:word") } } });
      expect(readDockerConfig(file, "registry.test")).toEqual({ username: "robot$ci", password: "pa:ss:word", origin: file });
    });

    it.each(["https://ghcr.io", "https://ghcr.io/", "http://ghcr.io/v2/", "ghcr.io/"])("finds the entry written under %j", (key) => {
      const file = writeConfig({ auths: { [key]: { auth: b64(`${USER}:${CLASSIC}`) } } });
      expect(readDockerConfig(file, "ghcr.io").password).toBe(CLASSIC);
    });

    it.each(["https://index.docker.io/v1/", "index.docker.io", "registry-1.docker.io"])("finds Docker Hub's entry under %j for docker.io", (key) => {
      const file = writeConfig({ auths: { [key]: { auth: b64("hubuser:dckr_pat_2b3e36beeb386dfdaacb9b46004ccb7c") } } });
      expect(readDockerConfig(file, "docker.io")).toEqual({ username: "hubuser", password: "dckr_pat_2b3e36beeb386dfdaacb9b46004ccb7c", origin: file });
    });

    it("picks the entry of the asked registry among several", () => {
      const file = writeConfig({
        auths: {
          "https://index.docker.io/v1/": { auth: b64("hubuser:hubtoken") },
          "ghcr.io": { auth: b64(`${USER}:${CLASSIC}`) },
          "registry.gitlab.com": { auth: b64("gl:gltoken") },
        },
      });
      expect(readDockerConfig(file, "ghcr.io").password).toBe(CLASSIC);
      expect(readDockerConfig(file, "registry.gitlab.com").password).toBe("gltoken");
      expect(readDockerConfig(file, "docker.io").password).toBe("hubtoken");
    });

    it("reads separate username and password fields", () => {
      const file = writeConfig({ auths: { "ghcr.io": { username: USER, password: CLASSIC } } });
      expect(readDockerConfig(file, "ghcr.io")).toEqual({ username: USER, password: CLASSIC, origin: file });
    });

    it("prefers the auth value over username and password fields", () => {
      const file = writeConfig({ auths: { "ghcr.io": { auth: b64(`${USER}:${CLASSIC}`), username: "other", password: "other-token" } } });
      expect(readDockerConfig(file, "ghcr.io").password).toBe(CLASSIC);
    });

    it("refuses an OAuth identity token", async () => {
      const file = writeConfig({ auths: { "ghcr.io": { auth: b64(`${USER}:`), identitytoken: "eyJhbGciOiJSUzI1NiJ9.identity" } } });
      const error = await rejection(() => readDockerConfig(file, "ghcr.io"));
      expect(error.exitCode).toBe(EXIT.usage);
      expect(error.message).toBe(`the ghcr.io entry in ${file} holds an OAuth identity token, which ECS cannot use`);
      expect(error.message).not.toContain("eyJhbGciOiJSUzI1NiJ9");
      expect(error.fix).toBe("Use --token-stdin with a token instead.");
    });

    it.each([
      ["without a colon", b64(CLASSIC)],
      ["with an empty username", b64(`:${CLASSIC}`)],
    ])("rejects an auth value %s, without quoting it", async (_name, auth) => {
      const file = writeConfig({ auths: { "ghcr.io": { auth } } });
      const error = await rejection(() => readDockerConfig(file, "ghcr.io"));
      expect(error.message).toBe(`the ghcr.io entry in ${file} has an "auth" value that is not base64 of user:token`);
      expect(error.fix).toBe("Run `docker login ghcr.io` again.");
      expect(`${error.message}${error.fix}`).not.toContain(auth);
      expect(`${error.message}${error.fix}`).not.toContain(CLASSIC);
    });
  });

  describe("unusable files", () => {
    it("reports a missing file", async () => {
      const file = path.join(dir, "nope", "config.json");
      const error = await rejection(() => readDockerConfig(file, "ghcr.io"));
      expect(error.exitCode).toBe(EXIT.usage);
      expect(error.message).toBe(`Docker config ${file} does not exist`);
      expect(error.fix).toBe("Run `docker login ghcr.io` first, or pass --docker-config PATH.");
    });

    it("reports invalid JSON", async () => {
      const file = writeConfig('{"auths": {"ghcr.io": {"auth": ');
      expect((await rejection(() => readDockerConfig(file, "ghcr.io"))).message).toBe(`Docker config ${file} is not valid JSON`);
    });

    it("reports JSON that is not an object", async () => {
      const file = writeConfig("null");
      expect((await rejection(() => readDockerConfig(file, "ghcr.io"))).message).toBe(`Docker config ${file} is not a JSON object`);
    });

    it("reports a path it cannot read as unreadable, not as invalid JSON", async () => {
      expect((await rejection(() => readDockerConfig(dir, "ghcr.io"))).message).toBe(`Docker config ${dir} cannot be read (EISDIR)`);
    });

    it("lists the registries it has when the asked one is missing", async () => {
      const file = writeConfig({
        auths: { "https://index.docker.io/v1/": { auth: b64("hubuser:hubtoken") }, "registry.gitlab.com": { auth: b64("gl:gltoken") } },
      });
      const error = await rejection(() => readDockerConfig(file, "ghcr.io"));
      expect(error.exitCode).toBe(EXIT.usage);
      expect(error.message).toBe(`${file} has no credential for ghcr.io (it has: docker.io, registry.gitlab.com)`);
      expect(error.fix).toBe("Run `docker login ghcr.io` first, or use --token-stdin.");
      expect(error.message).not.toContain("hubtoken");
    });

    it("says nothing about other registries when it has none", async () => {
      const file = writeConfig({});
      expect((await rejection(() => readDockerConfig(file, "ghcr.io"))).message).toBe(`${file} has no credential for ghcr.io`);
    });

    it("does not use an entry that has only a username", async () => {
      const file = writeConfig({ auths: { "ghcr.io": { username: USER } } });
      expect((await rejection(() => readDockerConfig(file, "ghcr.io"))).message).toBe(`${file} has no credential for ghcr.io (it has: ghcr.io)`);
    });
  });

  describe("credential helpers", () => {
    it("asks credsStore's helper with the registry host on stdin", () => {
      installHelper("fake", FAKE_HELPER);
      const file = writeConfig({ auths: { "ghcr.io": {} }, credsStore: "fake" });
      expect(readDockerConfig(file, "ghcr.io")).toEqual({ username: USER, password: CLASSIC, origin: "docker-credential-fake" });
      expect(asked()).toEqual(["ghcr.io"]);
    });

    it("asks for Docker Hub under the index URL docker login stores it under", () => {
      installHelper("fake", FAKE_HELPER);
      const file = writeConfig({ auths: { "https://index.docker.io/v1/": {} }, credsStore: "fake" });
      expect(readDockerConfig(file, "docker.io")).toEqual({
        username: "hubuser",
        password: "dckr_pat_2b3e36beeb386dfdaacb9b46004ccb7c",
        origin: "docker-credential-fake",
      });
      expect(asked()).toEqual(["https://index.docker.io/v1/"]);
    });

    it("prefers the registry's credHelpers entry over credsStore", () => {
      installHelper("fake", FAKE_HELPER);
      installHelper("wrong", "exit 1");
      const file = writeConfig({ credsStore: "wrong", credHelpers: { "ghcr.io": "fake" } });
      expect(readDockerConfig(file, "ghcr.io").origin).toBe("docker-credential-fake");
    });

    it("prefers an inline entry over the helper", () => {
      installHelper("fake", FAKE_HELPER);
      const file = writeConfig({ auths: { "ghcr.io": { auth: b64(`${USER}:inline-token`) } }, credsStore: "fake" });
      expect(readDockerConfig(file, "ghcr.io")).toEqual({ username: USER, password: "inline-token", origin: file });
      expect(fs.existsSync(path.join(dir, "bin", "asked"))).toBe(false);
    });

    it("reports a helper that has no credential by its exit status", async () => {
      installHelper("fake", FAKE_HELPER);
      const file = writeConfig({ credsStore: "fake" });
      const error = await rejection(() => readDockerConfig(file, "registry.gitlab.com"));
      expect(error.exitCode).toBe(EXIT.usage);
      expect(error.message).toBe("docker-credential-fake has no credential for registry.gitlab.com (exit 1)");
      expect(error.fix).toBe("Run `docker login registry.gitlab.com` first, or use --token-stdin.");
    });

    it("reports a helper that exits without reading stdin by its exit status", async () => {
      // Without reading, the URL write may fail with EPIPE; the helper still ran and answered.
      installHelper("quick", "exec 0<&-\nexit 1");
      const file = writeConfig({ credsStore: "quick" });
      for (let i = 0; i < 20; i++) {
        expect((await rejection(() => readDockerConfig(file, "ghcr.io"))).message).toBe("docker-credential-quick has no credential for ghcr.io (exit 1)");
      }
    });

    it("reports a helper that is not installed", async () => {
      const file = writeConfig({ credsStore: "ghcr-ecs-test-missing" });
      const error = await rejection(() => readDockerConfig(file, "ghcr.io"));
      expect(error.exitCode).toBe(EXIT.usage);
      expect(error.message).toBe(
        `${file} names the credential helper "ghcr-ecs-test-missing", but docker-credential-ghcr-ecs-test-missing could not run (ENOENT)`,
      );
      expect(error.fix).toBe("Install docker-credential-ghcr-ecs-test-missing or use --token-stdin.");
    });

    it.each([
      ["not JSON", `echo "${CLASSIC}"`],
      ["JSON without Secret", `echo '{"Username":"acme-ci-bot"}'`],
      ["a non-string Secret", `echo '{"Username":"acme-ci-bot","Secret":42}'`],
    ])("reports a helper answering %s, without quoting the answer", async (_name, script) => {
      installHelper("odd", script);
      const file = writeConfig({ credsStore: "odd" });
      const error = await rejection(() => readDockerConfig(file, "ghcr.io"));
      expect(error.message).toBe('docker-credential-odd answered with something other than {"Username","Secret"} JSON');
      expect(error.message).not.toContain(CLASSIC);
    });
  });

  it("is what readToken uses for a docker-config source", async () => {
    const file = writeConfig({ auths: { "ghcr.io": { auth: b64(`${USER}:${CLASSIC}`) } } });
    expect(await readToken({ kind: "docker-config", file }, "ghcr.io")).toEqual({ username: USER, password: CLASSIC, origin: file });
  });
});
