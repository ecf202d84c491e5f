import { gunzipSync } from "node:zlib";

/** The script an `aws_launch_template.user_data` value runs, as far as it can be read from the synthesized JSON. */
export type UserDataText =
  | { readonly kind: "text"; readonly text: string; readonly from: "base64" | "base64-gzip" | "terraform-expression" | "plain" }
  | { readonly kind: "unreadable"; readonly reason: string };

/**
 * Decodes `user_data`: a base64 literal (gzip inside is unpacked), or a `${base64encode("...")}` /
 * `${base64gzip("...")}` Terraform expression, whose string literals are the script (HCL escapes undone;
 * nested `${...}` references stay as written). Content read from files at plan time (`file()`,
 * `templatefile()`) cannot be seen here and is reported as unreadable.
 */
export function decodeUserData(value: string): UserDataText {
  const expression = /^\$\{base64(?:encode|gzip)\(([\s\S]*)\)\}$/.exec(value.trim());
  if (expression) {
    if (/\b(?:templatefile|file|filebase64)\s*\(/.test(expression[1])) {
      return { kind: "unreadable", reason: "the script is read from a file at plan time (file()/templatefile())" };
    }
    return { kind: "text", text: hclStringLiterals(expression[1]).join(""), from: "terraform-expression" };
  }
  if (value.includes("${")) return { kind: "unreadable", reason: "user_data is a Terraform expression other than base64encode(\"...\")" };
  const compact = value.replace(/\s+/g, "");
  if (compact.length > 0 && compact.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
    const bytes = Buffer.from(compact, "base64");
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) return { kind: "text", text: gunzipSync(bytes).toString("utf8"), from: "base64-gzip" };
    return { kind: "text", text: bytes.toString("utf8"), from: "base64" };
  }
  return { kind: "text", text: value, from: "plain" };
}

/** The decoded contents of every top-level string literal in an HCL expression. */
export function hclStringLiterals(expression: string): string[] {
  const literals: string[] = [];
  let i = 0;
  while (i < expression.length) {
    if (expression[i] !== '"') {
      i++;
      continue;
    }
    let text = "";
    i++;
    while (i < expression.length && expression[i] !== '"') {
      const c = expression[i];
      if (c === "\\") {
        const next = expression[i + 1];
        if (next === "u") {
          text += String.fromCharCode(parseInt(expression.slice(i + 2, i + 6), 16));
          i += 6;
          continue;
        }
        text += ({ n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\" } as Record<string, string>)[next] ?? next;
        i += 2;
      } else if ((c === "$" || c === "%") && expression[i + 1] === c && expression[i + 2] === "{") {
        text += `${c}{`; // $${ and %%{ are HCL's escapes for a literal ${ and %{
        i += 3;
      } else if ((c === "$" || c === "%") && expression[i + 1] === "{") {
        // A nested interpolation: keep it verbatim, including any quotes inside it.
        let depth = 0;
        const start = i;
        for (i += 1; i < expression.length; i++) {
          if (expression[i] === "{") depth++;
          else if (expression[i] === "}" && --depth === 0) break;
        }
        text += expression.slice(start, i + 1);
        i++;
      } else {
        text += c;
        i++;
      }
    }
    literals.push(text);
    i++;
  }
  return literals;
}
