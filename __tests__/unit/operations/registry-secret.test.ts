import { EXIT, OperationError } from "../../../src/operations/exit-codes";
import { checkSecretName, parseRegistrySecret, secretReaderFor } from "../../../src/operations/registry-secret";

const TOKEN = "ghp_" + "R8x2Lq9VnT4wYz6Kb1Mc3Dd5Fg7Hj0Ps2Uv4";
const SHAPE_FIX = 'The secret must be plaintext JSON {"username":"<user>","password":"<token>"}; write it with `ghcr-ecs credentials set --token-stdin`.';

/** Parses and returns the error, failing the test if it parsed. */
function rejection(secretString: string): OperationError {
  try {
    parseRegistrySecret(secretString);
  } catch (error) {
    expect(error).toBeInstanceOf(OperationError);
    return error as OperationError;
  }
  throw new Error("expected parseRegistrySecret to reject the secret");
}

/** Asserts the whole error (message and fix) carries none of the given secret material. */
function expectNotQuoting(error: OperationError, ...secrets: string[]) {
  const text = `${error.message}\n${error.fix ?? ""}`;
  for (const secret of secrets) expect(text).not.toContain(secret);
}

describe("parseRegistrySecret", () => {
  it("returns the username and password of a well-formed secret", () => {
    expect(parseRegistrySecret(JSON.stringify({ username: "acme-ci-bot", password: TOKEN }))).toEqual({ username: "acme-ci-bot", password: TOKEN });
  });

  it("ignores extra keys and returns only username and password", () => {
    expect(parseRegistrySecret(JSON.stringify({ username: "acme-ci-bot", password: TOKEN, rotatedAt: "2025-01-01", registry: "ghcr.io" }))).toEqual({
      username: "acme-ci-bot",
      password: TOKEN,
    });
  });

  it("accepts whitespace around the JSON document", () => {
    expect(parseRegistrySecret(`\n  {"username": "acme-ci-bot", "password": "${TOKEN}"}\n`)).toEqual({ username: "acme-ci-bot", password: TOKEN });
  });

  it("reports a bare token as not JSON, with its length but not its content", () => {
    const error = rejection(TOKEN);
    expect(error.exitCode).toBe(EXIT.secretMalformed);
    expect(error.exitCode).toBe(12);
    expect(error.message).toBe(`the credentials secret is not JSON (${TOKEN.length} characters, looks like a bare token)`);
    expect(error.fix).toBe(SHAPE_FIX);
    expectNotQuoting(error, TOKEN, TOKEN.slice(4, 12));
  });

  it("reports broken JSON as starting like JSON, without quoting it", () => {
    const secret = `{"username":"acme-ci-bot","password":"${TOKEN}"`;
    const error = rejection(secret);
    expect(error.message).toBe(`the credentials secret is not JSON (${secret.length} characters, starting like JSON but malformed)`);
    expectNotQuoting(error, TOKEN, "acme-ci-bot");
  });

  it("reports a user:token pair as not JSON", () => {
    const error = rejection(`acme-ci-bot:${TOKEN}`);
    expect(error.message).toBe(`the credentials secret is not JSON (${12 + TOKEN.length} characters, looks like a bare token)`);
    expectNotQuoting(error, TOKEN);
  });

  it.each([
    ["an empty string", ""],
    ["only whitespace", " \n\t "],
  ])("reports %s as empty", (_name, secret) => {
    const error = rejection(secret);
    expect(error.message).toBe("the credentials secret is empty");
    expect(error.exitCode).toBe(EXIT.secretMalformed);
  });

  it.each([
    ["an array", `["acme-ci-bot","${TOKEN}"]`, "array"],
    ["a number", "42", "number"],
    ["a string", JSON.stringify(TOKEN), "string"],
    ["a boolean", "true", "boolean"],
    ["null", "null", "null"],
  ])("reports JSON %s as not an object", (_name, secret, type) => {
    const error = rejection(secret);
    expect(error.message).toBe(`the credentials secret is JSON ${type}, not an object`);
    expect(error.exitCode).toBe(EXIT.secretMalformed);
    expectNotQuoting(error, TOKEN);
  });

  it("names the missing key and the keys it has, without quoting the secret", () => {
    const error = rejection(JSON.stringify({ username: "acme-ci-bot", token: TOKEN }));
    expect(error.message).toBe('the credentials secret has no "password" key (it has: "username", "token")');
    expect(error.exitCode).toBe(EXIT.secretMalformed);
    expectNotQuoting(error, TOKEN);
  });

  it("names both missing keys of a Docker-style secret", () => {
    const error = rejection(JSON.stringify({ user: "acme-ci-bot", pass: TOKEN }));
    expect(error.message).toBe('the credentials secret has no "username" or "password" key (it has: "user", "pass")');
    expectNotQuoting(error, TOKEN);
  });

  it("says an empty object has no keys", () => {
    expect(rejection("{}").message).toBe('the credentials secret has no "username" or "password" key (it has: no keys)');
  });

  it("does not list a key that holds a pasted token", () => {
    const error = rejection(JSON.stringify({ [TOKEN]: "acme-ci-bot" }));
    expect(error.message).toBe(`the credentials secret has no "username" or "password" key (it has: a ${TOKEN.length}-character key)`);
    expectNotQuoting(error, TOKEN, TOKEN.slice(0, 10));
  });

  it("matches keys case-sensitively, as ECS's agent does", () => {
    expect(rejection(JSON.stringify({ Username: "acme-ci-bot", Password: TOKEN })).message).toBe(
      'the credentials secret has no "username" or "password" key (it has: "Username", "Password")',
    );
  });

  it.each([
    ["a number username", { username: 42, password: TOKEN }, 'has a number "username"; it must be a string'],
    ["an object password", { username: "acme-ci-bot", password: { value: TOKEN } }, 'has an object "password"; it must be a string'],
    ["an array password", { username: "acme-ci-bot", password: [TOKEN] }, 'has an array "password"; it must be a string'],
    ["a null password", { username: "acme-ci-bot", password: null }, 'has a null "password"; it must be a string'],
    ["a boolean username", { username: true, password: TOKEN }, 'has a boolean "username"; it must be a string'],
  ])("rejects %s", (_name, value, message) => {
    const error = rejection(JSON.stringify(value));
    expect(error.message).toBe(`the credentials secret ${message}`);
    expect(error.exitCode).toBe(EXIT.secretMalformed);
    expectNotQuoting(error, TOKEN);
  });

  it.each([
    ["username", { username: "", password: TOKEN }],
    ["password", { username: "acme-ci-bot", password: "" }],
  ])("rejects an empty %s", (key, value) => {
    const error = rejection(JSON.stringify(value));
    expect(error.message).toBe(`the credentials secret has an empty "${key}"`);
    expectNotQuoting(error, TOKEN);
  });

  it.each([
    ["a trailing newline in the password", { username: "acme-ci-bot", password: `${TOKEN}\n` }, "password"],
    ["a leading space in the password", { username: "acme-ci-bot", password: ` ${TOKEN}` }, "password"],
    ["a non-breaking space in the password", { username: "acme-ci-bot", password: `${TOKEN}\u00a0` }, "password"],
    ["a space in the username", { username: "acme ci bot", password: TOKEN }, "username"],
  ])("rejects %s without quoting it", (_name, value, key) => {
    const error = rejection(JSON.stringify(value));
    expect(error.message).toBe(`the credentials secret has whitespace in "${key}"`);
    expectNotQuoting(error, TOKEN);
  });

  it("checks the username before the password", () => {
    expect(rejection(JSON.stringify({ username: "", password: 7 })).message).toBe('the credentials secret has an empty "username"');
  });

  describe("with 100 KB of input", () => {
    const huge = `${TOKEN}${"x".repeat(100 * 1024)}`;

    it("reports a huge bare value by its length only", () => {
      const error = rejection(huge);
      expect(error.message).toBe(`the credentials secret is not JSON (${huge.length} characters, looks like a bare token)`);
      expect(error.message.length).toBeLessThan(120);
      expectNotQuoting(error, TOKEN);
    });

    it("reports a huge key without quoting it", () => {
      const error = rejection(JSON.stringify({ [huge]: 1 }));
      expect(error.message).toBe(`the credentials secret has no "username" or "password" key (it has: a ${huge.length}-character key)`);
      expectNotQuoting(error, TOKEN);
    });

    it("lists at most eight of many keys", () => {
      const many = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, TOKEN]));
      expect(rejection(JSON.stringify(many)).message).toBe(
        'the credentials secret has no "username" or "password" key (it has: "k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7" and 4992 more)',
      );
    });

    it("accepts a huge password without whitespace", () => {
      expect(parseRegistrySecret(JSON.stringify({ username: "acme-ci-bot", password: huge })).password).toBe(huge);
    });

    it("reports whitespace at the end of a huge password without quoting it", () => {
      const error = rejection(JSON.stringify({ username: "acme-ci-bot", password: `${huge} ` }));
      expect(error.message).toBe('the credentials secret has whitespace in "password"');
      expectNotQuoting(error, TOKEN);
    });
  });
});

describe("the pull-through cache's secret shape", () => {
  it("is read and written as {username, accessToken} for registry_auth_mode ecr-pull-through-cache", () => {
    expect(secretReaderFor("ecr-pull-through-cache")).toBe("pull-through-cache");
    expect(secretReaderFor("task")).toBe("repository-credentials");
    expect(secretReaderFor(undefined)).toBe("repository-credentials");
    expect(parseRegistrySecret('{"username":"bot","accessToken":"ghp_x"}', "pull-through-cache")).toEqual({ username: "bot", password: "ghp_x" });
  });

  it("names the key its reader wants when the other shape is stored", () => {
    expect(() => parseRegistrySecret('{"username":"bot","password":"ghp_x"}', "pull-through-cache")).toThrow(
      'the credentials secret has no "accessToken" key (it has: "username", "password")',
    );
    expect(() => parseRegistrySecret('{"username":"bot","accessToken":"ghp_x"}')).toThrow(
      'the credentials secret has no "password" key (it has: "username", "accessToken")',
    );
  });
});

describe("checkSecretName", () => {
  it("accepts any secret for repositoryCredentials, and only ecr-pullthroughcache/ secrets for the cache", () => {
    expect(() =>
      checkSecretName("arn:aws:secretsmanager:us-east-1:123456789012:secret:orders/registry-credentials-AbC123", "repository-credentials"),
    ).not.toThrow();
    expect(() =>
      checkSecretName("arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/orders-AbC123", "pull-through-cache"),
    ).not.toThrow();
    expect(() => checkSecretName("ecr-pullthroughcache/orders", "pull-through-cache")).not.toThrow();
  });

  it("names the secret without AWS's suffix and the prefix ECR needs, as a usage error", () => {
    let error: unknown;
    try {
      checkSecretName("arn:aws:secretsmanager:us-east-1:123456789012:secret:orders/registry-credentials-AbC123", "pull-through-cache");
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(OperationError);
    expect((error as OperationError).exitCode).toBe(EXIT.usage);
    expect((error as OperationError).message).toBe(
      "the secret orders/registry-credentials cannot hold the pull-through cache's credential: ECR reads only secrets whose name starts with ecr-pullthroughcache/",
    );
  });
});
