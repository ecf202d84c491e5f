/** What follows from a valid config: its stacks and the EC2 settings with every default resolved. */
import type { Config } from ".";
import { DEFAULTS } from "./defaults";
import { ec2Schema, type Ec2Input } from "./ec2";

/** The EC2 stack of a config: `<name>-ec2`, also the prefix of its resource names (it can sit beside `<name>`). */
export function ec2StackName(config: Pick<Config, "name">): string {
  return `${config.name}-ec2`;
}

/** The CI bootstrap stack of a config with `ci`: `<name>-ci`. */
export function ciStackName(name: string): string {
  return `${name}-ci`;
}

/** The stack ids a config produces: `<name>` (Fargate) and/or `<name>-ec2`, by `launchType`. */
export function stackNames(config: Pick<Config, "name" | "launchType">): string[] {
  return [...(config.launchType !== "ec2" ? [config.name] : []), ...(config.launchType !== "fargate" ? [ec2StackName(config)] : [])];
}

/** The EC2 settings with every default applied and the instance type resolved for the CPU architecture. */
export type Ec2Settings = Ec2Input & { readonly instanceType: string; readonly desiredCapacity: number };

/** The config's `ec2` block with defaults (also when the block is left out). */
export function ec2Settings(config: Pick<Config, "ec2" | "cpuArchitecture">): Ec2Settings {
  const settings = config.ec2 ?? ec2Schema.parse({});
  return {
    ...settings,
    instanceType: settings.instanceType ?? DEFAULTS.ec2.instanceType[config.cpuArchitecture],
    desiredCapacity: settings.desiredCapacity ?? settings.minSize,
  };
}
