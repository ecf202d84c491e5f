import { OperationError } from "../operations/exit-codes";

/**
 * All CLI output goes through here. Every registered secret (and its base64 forms) is masked in every line, so a
 * token that reaches a message by any path — an echoed registry error, an AWS exception — is never printed.
 */
export class Reporter {
  private readonly secrets: string[] = [];
  private liveLine = false;

  constructor(
    private readonly stdout: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly stderr: NodeJS.WritableStream & { isTTY?: boolean },
    /** `--json`: stdout carries one JSON document; human lines go to stderr. */
    readonly json: boolean,
  ) {}

  addSecret(value: string, username?: string): void {
    if (value.length < 4) return;
    // As JSON.stringify writes it (result() documents, echoed JSON bodies) when it holds `"`, `\` or controls.
    const jsonEscaped = JSON.stringify(value).slice(1, -1);
    this.secrets.push(value, Buffer.from(value).toString("base64"), ...(jsonEscaped !== value ? [jsonEscaped] : []));
    if (username) this.secrets.push(Buffer.from(`${username}:${value}`).toString("base64"));
    // Longest first, so a secret that contains another (or its base64) is masked whole.
    this.secrets.sort((a, b) => b.length - a.length);
  }

  /** A result line: stdout, or stderr in --json mode. */
  line(text: string): void {
    this.write(this.json ? this.stderr : this.stdout, `${text}\n`);
  }

  warn(text: string): void {
    this.write(this.stderr, `warning: ${text}\n`);
  }

  /** A progress line: rewritten in place on a terminal, one plain line per change otherwise. */
  progress(text: string): void {
    if (this.stderr.isTTY && !this.json) {
      this.stderr.write(`\r\x1b[2K${this.redact(text)}`);
      this.liveLine = true;
    } else {
      this.write(this.stderr, `${text}\n`);
    }
  }

  error(error: unknown): void {
    if (error instanceof OperationError) {
      this.write(this.stderr, `error: ${error.message}\n${error.fix ? `fix: ${error.fix}\n` : ""}`);
    } else {
      const err = error as Error;
      this.write(this.stderr, `error: ${err?.message ?? String(error)}\n`);
    }
  }

  result(document: object): void {
    if (this.json) this.write(this.stdout, `${JSON.stringify(document, null, 2)}\n`);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join("***");
    return out;
  }

  private write(stream: NodeJS.WritableStream & { isTTY?: boolean }, text: string): void {
    // End the progress line first, also before stdout output when both share the terminal.
    if (this.liveLine && (stream === this.stderr || stream.isTTY)) {
      this.stderr.write("\n");
      this.liveLine = false;
    }
    stream.write(this.redact(text));
  }
}
