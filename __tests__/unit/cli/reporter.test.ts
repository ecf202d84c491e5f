import { Reporter } from "../../../src/cli/reporter";
import { EXIT, OperationError } from "../../../src/operations/exit-codes";

/** A stream that records what was written, as a terminal (`isTTY`) or a pipe. */
class FakeStream {
  readonly chunks: string[] = [];
  constructor(readonly isTTY: boolean) {}
  write(chunk: string | Uint8Array): boolean {
    this.chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return true;
  }
  get text(): string {
    return this.chunks.join("");
  }
}

const TOKEN = "ghp_" + "R8x2Lq9VnT4wYz6Kb1Mc3Dd5Fg7Hj0Ps2Uv4";
const USER = "acme-ci-bot";
const B64_TOKEN = Buffer.from(TOKEN).toString("base64");
const B64_AUTH = Buffer.from(`${USER}:${TOKEN}`).toString("base64");

function setup({ json = false, tty = false } = {}) {
  const stdout = new FakeStream(tty);
  const stderr = new FakeStream(tty);
  const reporter = new Reporter(stdout as unknown as NodeJS.WritableStream, stderr as unknown as NodeJS.WritableStream, json);
  return { stdout, stderr, reporter };
}

describe("Reporter routing", () => {
  it("writes result lines to stdout and warnings to stderr", () => {
    const { stdout, stderr, reporter } = setup();
    reporter.line("digest sha256:abc");
    reporter.warn("the token expires in 7 days");
    expect(stdout.chunks).toEqual(["digest sha256:abc\n"]);
    expect(stderr.chunks).toEqual(["warning: the token expires in 7 days\n"]);
  });

  it("routes lines to stderr in --json mode, keeping stdout for the document", () => {
    const { stdout, stderr, reporter } = setup({ json: true });
    reporter.line("checking ghcr.io/acme/orders:1.4.2");
    reporter.result({ ok: true, digest: "sha256:abc" });
    expect(stderr.chunks).toEqual(["checking ghcr.io/acme/orders:1.4.2\n"]);
    expect(stdout.chunks).toEqual(['{\n  "ok": true,\n  "digest": "sha256:abc"\n}\n']);
  });

  it("prints no document without --json", () => {
    const { stdout, stderr, reporter } = setup();
    reporter.result({ ok: true });
    expect(stdout.chunks).toEqual([]);
    expect(stderr.chunks).toEqual([]);
  });

  it("writes an OperationError with its fix to stderr", () => {
    const { stdout, stderr, reporter } = setup();
    reporter.error(new OperationError(EXIT.secretMissing, "the credentials secret does not exist", "Deploy the stack first."));
    expect(stderr.text).toBe("error: the credentials secret does not exist\nfix: Deploy the stack first.\n");
    expect(stdout.chunks).toEqual([]);
  });

  it("writes an OperationError without a fix as one line", () => {
    const { stderr, reporter } = setup();
    reporter.error(new OperationError(EXIT.failure, "rollout failed"));
    expect(stderr.text).toBe("error: rollout failed\n");
  });

  it("writes other errors by message, and non-errors as text", () => {
    const { stderr, reporter } = setup();
    reporter.error(new TypeError("cannot read properties of undefined"));
    reporter.error("plain string");
    expect(stderr.chunks).toEqual(["error: cannot read properties of undefined\n", "error: plain string\n"]);
  });
});

describe("Reporter progress", () => {
  it("rewrites one line in place on a terminal", () => {
    const { stdout, stderr, reporter } = setup({ tty: true });
    reporter.progress("deploying: 0/2 running");
    reporter.progress("deploying: 1/2 running");
    expect(stderr.chunks).toEqual(["\r\x1b[2Kdeploying: 0/2 running", "\r\x1b[2Kdeploying: 1/2 running"]);
    expect(stdout.chunks).toEqual([]);
  });

  it("ends the live line before a warning, once", () => {
    const { stderr, reporter } = setup({ tty: true });
    reporter.progress("deploying: 1/2 running");
    reporter.warn("task stopped: CannotPullContainerError");
    reporter.warn("second warning");
    expect(stderr.chunks).toEqual(["\r\x1b[2Kdeploying: 1/2 running", "\n", "warning: task stopped: CannotPullContainerError\n", "warning: second warning\n"]);
  });

  it("ends the live line before an error", () => {
    const { stderr, reporter } = setup({ tty: true });
    reporter.progress("deploying: 1/2 running");
    reporter.error(new OperationError(EXIT.rolloutFailed, "rollout failed"));
    expect(stderr.text).toBe("\r\x1b[2Kdeploying: 1/2 running\nerror: rollout failed\n");
  });

  it("ends the live line before a result line on a terminal stdout", () => {
    const { stdout, stderr, reporter } = setup({ tty: true });
    reporter.progress("deploying: 2/2 running");
    reporter.line("deployment ecs-svc/123 completed");
    expect(stderr.chunks).toEqual(["\r\x1b[2Kdeploying: 2/2 running", "\n"]);
    expect(stdout.chunks).toEqual(["deployment ecs-svc/123 completed\n"]);
  });

  it("leaves the live line alone when stdout is a pipe", () => {
    const stdout = new FakeStream(false);
    const stderr = new FakeStream(true);
    const reporter = new Reporter(stdout as unknown as NodeJS.WritableStream, stderr as unknown as NodeJS.WritableStream, false);
    reporter.progress("deploying: 2/2 running");
    reporter.line("completed");
    expect(stderr.chunks).toEqual(["\r\x1b[2Kdeploying: 2/2 running"]);
    expect(stdout.chunks).toEqual(["completed\n"]);
  });

  it("writes one plain line per change when stderr is not a terminal", () => {
    const { stderr, reporter } = setup({ tty: false });
    reporter.progress("deploying: 0/2 running");
    reporter.progress("deploying: 1/2 running");
    reporter.warn("slow");
    expect(stderr.chunks).toEqual(["deploying: 0/2 running\n", "deploying: 1/2 running\n", "warning: slow\n"]);
  });

  it("writes plain lines in --json mode even on a terminal", () => {
    const { stderr, reporter } = setup({ json: true, tty: true });
    reporter.progress("deploying: 0/2 running");
    expect(stderr.chunks).toEqual(["deploying: 0/2 running\n"]);
  });
});

describe("Reporter masks secrets", () => {
  const leaks = (text: string) => [TOKEN, B64_TOKEN, B64_AUTH].filter((form) => text.includes(form));

  it("masks the token, its base64 and base64(user:token) in a line", () => {
    const { stdout, reporter } = setup();
    reporter.addSecret(TOKEN, USER);
    reporter.line(`token ${TOKEN} b64 ${B64_TOKEN} auth ${B64_AUTH} again ${TOKEN}`);
    expect(stdout.text).toBe("token *** b64 *** auth *** again ***\n");
  });

  it("masks on every stream and in every kind of output", () => {
    const { stdout, stderr, reporter } = setup({ json: true, tty: true });
    reporter.addSecret(TOKEN, USER);
    reporter.line(`line ${TOKEN}`);
    reporter.warn(`warn ${B64_TOKEN}`);
    reporter.progress(`progress ${B64_AUTH}`);
    reporter.error(new OperationError(EXIT.credentialsRejected, `registry said: bad token ${TOKEN}`, `fix with ${B64_AUTH}`));
    reporter.error(new Error(`aws said ${TOKEN}`));
    reporter.result({ auth: B64_AUTH, token: TOKEN, nested: { b64: B64_TOKEN } });
    expect(leaks(stdout.text)).toEqual([]);
    expect(leaks(stderr.text)).toEqual([]);
    expect(stderr.text).toBe("line ***\nwarning: warn ***\nprogress ***\nerror: registry said: bad token ***\nfix: fix with ***\nerror: aws said ***\n");
    expect(JSON.parse(stdout.text)).toEqual({ auth: "***", token: "***", nested: { b64: "***" } });
  });

  it("masks a secret in a terminal progress line", () => {
    const { stderr, reporter } = setup({ tty: true });
    reporter.addSecret(TOKEN);
    reporter.progress(`pulling with ${TOKEN}`);
    expect(stderr.chunks).toEqual(["\r\x1b[2Kpulling with ***"]);
  });

  it("masks a secret with quotes or backslashes as result() writes it", () => {
    const { stdout, reporter } = setup({ json: true });
    const password = 'pa"ss\\w0rd!';
    reporter.addSecret(password, USER);
    reporter.result({ echoed: `registry said ${password}` });
    expect(stdout.text).not.toContain('pa\\"ss\\\\w0rd');
    expect(JSON.parse(stdout.text)).toEqual({ echoed: "registry said ***" });
  });

  it("masks every registered secret, the longer one whole when one contains the other", () => {
    const { stdout, reporter } = setup();
    const old = "ghp_oldtoken";
    reporter.addSecret(old);
    reporter.addSecret(`${old}-and-more`);
    reporter.line(`old ${old} new ${old}-and-more`);
    expect(stdout.text).toBe("old *** new ***\n");
  });

  it("masks base64(user:token) only for the username it was given", () => {
    const { stdout, reporter } = setup();
    reporter.addSecret(TOKEN, USER);
    const other = Buffer.from(`someone:${TOKEN}`).toString("base64");
    reporter.line(other);
    expect(stdout.text).toBe(`${other}\n`);
  });

  it("ignores values shorter than four characters, which would mask ordinary text", () => {
    const { stdout, reporter } = setup();
    reporter.addSecret("abc");
    reporter.addSecret("");
    reporter.line("abc abcd");
    expect(stdout.text).toBe("abc abcd\n");
    expect(reporter.redact("abc")).toBe("abc");
  });

  it("masks a four-character value", () => {
    const { reporter } = setup();
    reporter.addSecret("abcd");
    expect(reporter.redact("xabcdx")).toBe("x***x");
  });

  it("leaves text alone before any secret is registered", () => {
    const { reporter } = setup();
    expect(reporter.redact(`token ${TOKEN}`)).toBe(`token ${TOKEN}`);
  });
});
