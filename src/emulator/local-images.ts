/**
 * `npm run local` pulls from a registry on loopback instead of ghcr.io: every image a config file names (the
 * single-service `image`, each `services.<name>.image`, and their environment overrides) is pushed there and the
 * config rewritten to pull it from there. Pure: JSON in, JSON out.
 */
import { parseImageReference } from "../registry/image-reference";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The distinct image references of a config file's JSON, in the order they appear. */
export function imagesIn(config: Json): string[] {
  const found: string[] = [];
  visit(config, (image) => {
    if (!found.includes(image)) found.push(image);
    return image;
  });
  return found;
}

/** The config with each image replaced as `replacement` maps it (images it has no entry for stay as they are). */
export function withImages(config: Json, replacement: ReadonlyMap<string, string>): Json {
  return visit(config, (image) => replacement.get(image) ?? image);
}

/** The repository and tag to push for an image (`latest` when it is pinned by digest only). */
export function pushTarget(image: string): { repository: string; tag: string } {
  const { repository, tag } = parseImageReference(image);
  return { repository, tag: tag ?? "latest" };
}

const isObject = (value: Json | undefined): value is { [key: string]: Json } => value !== null && typeof value === "object" && !Array.isArray(value);

/** Maps the `image` of a service's settings object: the top level, `services.*`, and the same inside each environment. */
function visit(config: Json, map: (image: string) => string): Json {
  const withService = (settings: Json): Json =>
    isObject(settings) && typeof settings.image === "string" ? { ...settings, image: map(settings.image) } : settings;
  const withServices = (level: Json): Json => {
    if (!isObject(level)) return level;
    const mapped = withService(level) as { [key: string]: Json };
    return isObject(mapped.services)
      ? { ...mapped, services: Object.fromEntries(Object.entries(mapped.services).map(([name, s]) => [name, withService(s)])) }
      : mapped;
  };
  const top = withServices(config);
  if (!isObject(top) || !isObject(top.environments)) return top;
  return { ...top, environments: Object.fromEntries(Object.entries(top.environments).map(([name, env]) => [name, withServices(env)])) };
}
