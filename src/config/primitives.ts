/** The building blocks every part of the config schema uses: strict objects, bounded numbers, patterns, CIDRs. */
import { z } from "zod";
import { parseCidr } from "../aws/cidr";
import { nearestName } from "../util/nearest-name";

/** A problem a check found beyond one field's type: reported like a field's, from its path, input and message. */
export function addProblem(ctx: z.core.$RefinementCtx, problem: { readonly path?: PropertyKey[]; readonly input: unknown; readonly message: string }): void {
  // Stryker disable next-line StringLiteral: the code is zod's bookkeeping; a problem line is made of path, input and message only
  ctx.addIssue({ code: "custom", ...problem });
}

/**
 * A strict object whose unknown-key error lists the allowed keys and the nearest one, so a typo like `helthCheck`
 * is an error that points at `healthCheck` instead of a silently ignored key. `keyProblem` may explain an unknown
 * key instead (the backend refuses credential-looking keys that way).
 */
export function strictObject<T extends z.core.$ZodLooseShape>(shape: T, options: { keyProblem?: (key: string) => string | undefined } = {}) {
  const allowed = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== "unrecognized_keys") return undefined;
      for (const key of issue.keys) {
        const problem = options.keyProblem?.(key);
        if (problem) return `unknown key "${key}": ${problem}`;
      }
      const hints = issue.keys.map((key) => {
        const nearest = nearestName(key, allowed);
        return nearest ? `"${key}" (did you mean "${nearest}"?)` : `"${key}"`;
      });
      return `unknown key ${hints.join(", ")}; allowed keys: ${allowed.join(", ")}`;
    },
  });
}

/** A whole number in `[min, max]`, with one message for every way to miss it. */
export const int = (min: number, max: number) => {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.number({ error: message }).int(message).min(min, message).max(max, message);
};

/** A string matching `regex` as a whole; `hint` says what is allowed. */
export const pattern = (regex: string, hint: string) => z.string({ error: `must be a string: ${hint}` }).regex(new RegExp(`^(?:${regex})$`), `must be ${hint}`);

export const bool = () => z.boolean({ error: "must be true or false" });

export const cidr = z.string({ error: "must be an IPv4 CIDR block such as 10.0.0.0/16" }).superRefine((value, ctx) => {
  try {
    parseCidr(value);
  } catch (error) {
    addProblem(ctx, { message: (error as Error).message, input: value });
  }
});

/** The characters AWS allows in tag keys and values: letters, digits, spaces and `_ . : / = + - @`. */
const TAG_CHARACTER = "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]";
export const TAG_TEXT = new RegExp(`^${TAG_CHARACTER}*$`, "u");

export const tagMap = z
  .record(
    z.string().regex(new RegExp(`^(?!aws:)${TAG_CHARACTER}{1,128}$`, "u"), "tag keys are 1-128 characters, must not start with aws:"),
    z.string().regex(new RegExp(`^${TAG_CHARACTER}{0,256}$`, "u"), "tag values are at most 256 characters of letters, digits, spaces and _ . : / = + - @"),
  )
  .refine((tags) => Object.keys(tags).length <= 40, "at most 40 tags (AWS allows 50 and we add our own)");

/** `512, 1024, 2048`, or `1024 to 4096 in steps of 1024` for long ranges. */
export function describeSizes(sizes: readonly number[]): string {
  return sizes.length > 4 ? `${sizes[0]} to ${sizes[sizes.length - 1]} in steps of ${sizes[1] - sizes[0]}` : sizes.join(", ");
}

/** Attaches the text the JSON Schema (editor hover) and the generated configuration reference show for a field. */
export function described<T extends z.ZodType>(schema: T, description: string): T {
  return schema.meta({ description });
}
