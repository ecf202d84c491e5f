/** Identifier formats outside AWS, each defined once. */

/** A POSIX-style environment variable name: letters, digits and `_`, not starting with a digit. */
export const ENV_VAR_NAME_SOURCE = "[A-Za-z_][A-Za-z0-9_]*";
export const ENV_VAR_NAME = new RegExp(`^${ENV_VAR_NAME_SOURCE}$`);
