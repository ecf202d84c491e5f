import { z } from "zod";
import { configSchema } from ".";
import { appSchema } from "./app";

/**
 * The JSON Schema for config files (input form: defaulted keys optional), as committed in config/: exactly one of
 * the single-service form and the app form (a file with `services`), which exclude each other's keys.
 */
export function jsonSchemaText(): string {
  const single = z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" });
  const app = z.toJSONSchema(appSchema, { io: "input", unrepresentable: "any" });
  const { $schema, ...singleForm } = single;
  const { $schema: _app, ...appForm } = app;
  const schema = {
    $schema,
    title: "ghcr-ecs deployment configuration",
    oneOf: [
      { title: "one service", ...singleForm },
      { title: "an app", ...appForm },
    ],
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}
