import { randomBytes } from "node:crypto";
import { filesContaining } from "../../src/emulator/leaks";

/**
 * A unique, recognisable fake registry token (`ghp_` + 36 characters, the shape of a classic GitHub PAT), so a hit
 * in any artifact can only come from this test run.
 */
export function makeCanary(label: string, prefix = "ghp_"): string {
  const tag = label.replace(/[^A-Za-z0-9]/g, "").slice(0, 8);
  const body = `CANARY${tag}${randomBytes(24).toString("hex")}`;
  return `${prefix}${body}`.slice(0, Math.max(40, prefix.length + 6 + tag.length + 16));
}

/**
 * The base64 text every encoding of a string containing `secret` must contain, whatever precedes it: base64 works in
 * 3-byte groups, so for each of the 3 alignments the characters that depend on the secret's bytes alone. This finds
 * `base64(token)`, `base64(user:token)`, a Docker `auth` value and a base64 blob holding the secret JSON alike.
 */
export function base64Needles(secret: string): string[] {
  const bytes = Buffer.from(secret, "utf8");
  return [0, 1, 2].map((offset) => {
    const encoded = Buffer.concat([Buffer.alloc(offset, 0x41), bytes]).toString("base64");
    return encoded.slice(4 * Math.ceil(offset / 3), 4 * Math.floor((offset + bytes.length) / 3));
  });
}

export interface Needle {
  readonly canary: string;
  readonly form: string;
  readonly text: string;
}

/** The canary as written, JSON-escaped and URL-encoded (identical for our alphabet), and its base64 forms. */
export function needlesFor(canaries: readonly string[]): Needle[] {
  return canaries.flatMap((canary) => [
    { canary, form: "raw", text: canary },
    ...base64Needles(canary).map((text, i) => ({ canary, form: `base64 (alignment ${i})`, text })),
  ]);
}

export interface Hit {
  readonly where: string;
  readonly form: string;
  /** Which canary (its label position in the list), never the value: failure output must not spread it. */
  readonly canaryIndex: number;
}

/** Every file under `roots` that holds any needle. */
export function searchFiles(needles: readonly Needle[], roots: readonly string[], canaries: readonly string[]): Hit[] {
  return needles.flatMap((needle) =>
    filesContaining(needle.text, roots).map((where) => ({ where, form: needle.form, canaryIndex: canaries.indexOf(needle.canary) })),
  );
}

/** Every labelled text that holds any needle. */
export function searchTexts(needles: readonly Needle[], texts: readonly { label: string; text: string }[], canaries: readonly string[]): Hit[] {
  return texts.flatMap(({ label, text }) =>
    needles.filter((n) => text.includes(n.text)).map((n) => ({ where: label, form: n.form, canaryIndex: canaries.indexOf(n.canary) })),
  );
}
