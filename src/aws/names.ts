import { createHash } from "node:crypto";

/**
 * `name` when it fits AWS's length limit, else its start plus a short hash of the whole, so two long names that
 * share a prefix still differ (ALB and target group names are limited to 32 characters).
 */
export function boundedName(name: string, maxLength: number): string {
  if (name.length <= maxLength) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 6);
  return `${name.slice(0, maxLength - hash.length - 1).replace(/-+$/, "")}-${hash}`;
}
