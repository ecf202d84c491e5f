/**
 * How ECS authenticates an image pull: one type for the config, the stacks, the constructs, the user data and the
 * operations CLI (the stack's `registry_auth_mode` output).
 */

/** `task`: the task definition's `repositoryCredentials`; `agent-dockercfg`: the EC2 instances' ECS agent. */
export const REGISTRY_AUTH_MODES = ["task", "agent-dockercfg"] as const;
export type RegistryAuthMode = (typeof REGISTRY_AUTH_MODES)[number];

export type RegistryAuth =
  | {
      /** ECS reads the secret per task (`repositoryCredentials`): the instances never see the credential. */
      readonly mode: "task";
    }
  | {
      /** The agent pulls with `ECS_ENGINE_AUTH_TYPE=dockercfg`, built at boot from the Secrets Manager secret. */
      readonly mode: "agent-dockercfg";
      /** ARN of the `{"username","password"}` secret: the only reference to the credential in user data. */
      readonly secretArn: string;
      /**
       * Customer-managed key of the secret (the instance role gets kms:Decrypt through Secrets Manager only).
       * @default - the AWS-managed key: no grant needed
       */
      readonly secretKmsKeyArn?: string;
      /** Registry host of the image, the key of ECS_ENGINE_AUTH_DATA (e.g. `ghcr.io`). */
      readonly registryHost: string;
    };

export function isRegistryAuthMode(value: unknown): value is RegistryAuthMode {
  return (REGISTRY_AUTH_MODES as readonly unknown[]).includes(value);
}

/** Why agent auth with the credential in user data is refused, naming the two safe modes. */
export const PLAINTEXT_AGENT_AUTH_PROBLEM =
  'is plaintext agent auth (ECS_ENGINE_AUTH_TYPE=docker): the username and token would be written into user data, so they would sit in the launch template, every Terraform plan and the state, readable by anyone allowed ec2:DescribeLaunchTemplateVersions; use "task" (repositoryCredentials on the task definition, the default) or "agent-dockercfg" (each instance builds the agent\'s auth from the Secrets Manager secret at boot)';
