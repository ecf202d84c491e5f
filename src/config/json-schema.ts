import { z } from "zod";
import { configSchema } from ".";

/** The JSON Schema for config files (input form: defaulted keys optional), as committed in config/. */
export function jsonSchemaText(): string {
  const schema = z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" });
  return `${JSON.stringify({ ...schema, title: "ghcr-ecs deployment configuration" }, null, 2)}\n`;
}
