import { blocks, isTrue, type Finding, type PolicyRule, type Resource } from "../types";
import { decodeUserData } from "../user-data";
import { credentialIn, redact } from "../secret-patterns";

const metadataOptions = (template: Resource) => blocks(template.block.metadata_options)[0] ?? {};

const launchTemplateImdsv2: PolicyRule = {
  id: "launch-template-imdsv2",
  title: "Launch templates require IMDSv2 session tokens",
  checkov: ["CKV_AWS_79"],
  trivy: ["AVD-AWS-0130"],
  severity: "high",
  resourceTypes: ["aws_launch_template"],
  check(stack) {
    return stack
      .resources("aws_launch_template")
      .filter((template) => {
        const options = metadataOptions(template);
        return options.http_endpoint !== "disabled" && options.http_tokens !== "required";
      })
      .map((template) => ({
        address: template.address,
        message: `metadata_options.http_tokens is ${JSON.stringify(metadataOptions(template).http_tokens ?? null)}: IMDSv1 lets any SSRF read the instance role's credentials`,
        fix: 'set metadata_options { http_tokens = "required" }',
      }));
  },
};

const launchTemplateHopLimit: PolicyRule = {
  id: "launch-template-hop-limit",
  title: "Launch templates keep the IMDS response hop limit at 1",
  checkov: ["CKV_AWS_341"],
  trivy: [],
  severity: "medium",
  resourceTypes: ["aws_launch_template"],
  check(stack) {
    return stack.resources("aws_launch_template").flatMap((template): Finding[] => {
      const options = metadataOptions(template);
      if (options.http_endpoint === "disabled") return [];
      const limit: unknown = options.http_put_response_hop_limit;
      if (limit === undefined) {
        return [
          {
            address: template.address,
            message:
              "metadata_options.http_put_response_hop_limit is not set: instances get the AMI's default (2 on Amazon Linux 2023), so containers can reach IMDS",
            fix: "set http_put_response_hop_limit = 1",
          },
        ];
      }
      if (!Number.isInteger(Number(limit)) || Number(limit) < 1) {
        return [
          {
            address: template.address,
            message: `metadata_options.http_put_response_hop_limit is ${JSON.stringify(limit)}, which the gate cannot read as a hop count: it may let containers reach IMDS`,
            fix: "set http_put_response_hop_limit = 1 (a literal, so the gate can check it)",
          },
        ];
      }
      if (Number(limit) === 2) {
        return [
          {
            address: template.address,
            message: "metadata_options.http_put_response_hop_limit is 2: containers in bridge network mode can fetch the instance role's credentials",
            fix: "set it to 1 (awsvpc tasks get credentials from the task role endpoint), or declare a waiver naming the bridge-mode workload that needs IMDS",
          },
        ];
      }
      if (Number(limit) > 2) {
        return [
          {
            address: template.address,
            message: `metadata_options.http_put_response_hop_limit is ${Number(limit)}: IMDS answers far beyond the instance`,
            fix: "set http_put_response_hop_limit = 1",
          },
        ];
      }
      return [];
    });
  },
};

/** What in a user-data script is a credential, described without printing it. */
function credentialsInUserData(script: string): string[] {
  const problems: string[] = [];
  for (const match of script.matchAll(/ECS_ENGINE_AUTH_DATA\s*=\s*(.*)/g)) {
    const value = match[1];
    for (const field of ["password", "auth"]) {
      const literal = new RegExp(`\\\\?"${field}\\\\?"\\s*:\\s*\\\\?"([^"\\\\$]+)\\\\?"`).exec(value);
      if (literal) problems.push(`ECS_ENGINE_AUTH_DATA carries a literal "${field}" (${redact(literal[1])})`);
    }
  }
  const kind = credentialIn(script);
  if (kind) problems.push(`contains ${kind}`);
  for (const match of script.matchAll(/\b([A-Za-z0-9_]*(?:password|passwd)[A-Za-z0-9_]*)\\?["']?\s*[:=]\s*\\?["']?([^"'\s,;}\\]+)/gi)) {
    // A shell expansion ($VAR, $(cmd)) is filled in at boot from somewhere else; only literals are leaks.
    if (!match[2].startsWith("$") && !problems.some((p) => p.includes('"password"'))) {
      problems.push(`sets ${match[1]} to a literal (${redact(match[2])})`);
    }
  }
  if (/aws_secret_access_key\s*[=:]\s*["']?[A-Za-z0-9/+]{40}/i.test(script)) problems.push("sets aws_secret_access_key to a literal");
  for (const match of script.matchAll(/\$\{var\.([A-Za-z0-9_]*(?:token|password|secret|credential)[A-Za-z0-9_]*)\}/gi)) {
    problems.push(`interpolates var.${match[1]}, which lands in the launch template and the state`);
  }
  return [...new Set(problems)];
}

const userDataNoCredentials: PolicyRule = {
  id: "user-data-no-credentials",
  title: "No credentials in launch template user data",
  checkov: ["CKV_AWS_46"],
  trivy: ["AVD-AWS-0129"],
  severity: "critical",
  resourceTypes: ["aws_launch_template"],
  check(stack) {
    const withUserData = stack.resources("aws_launch_template").filter((t) => typeof t.block.user_data === "string");
    if (withUserData.length === 0) return { notApplicable: "no launch template with user data" };
    return withUserData.flatMap((template): Finding[] => {
      const decoded = decodeUserData(template.block.user_data as string);
      if (decoded.kind === "unreadable") {
        return [
          {
            address: template.address,
            message: `user_data cannot be inspected: ${decoded.reason}`,
            fix: "render the script inline (base64encode of a literal string) so it can be checked",
          },
        ];
      }
      return credentialsInUserData(decoded.text).map((problem) => ({
        address: template.address,
        message: `user_data ${problem}`,
        fix: 'user data is readable by anyone with ec2:DescribeLaunchTemplateVersions: keep ec2.registryAuth "task", or "agent-dockercfg", which fetches the secret at boot; revoke the exposed credential',
      }));
    });
  },
};

const launchTemplateEbsEncrypted: PolicyRule = {
  id: "launch-template-ebs-encrypted",
  title: "Launch templates encrypt every EBS volume",
  checkov: [],
  trivy: [],
  severity: "high",
  resourceTypes: ["aws_launch_template"],
  check(stack) {
    return stack.resources("aws_launch_template").flatMap((template): Finding[] => {
      const mappings = blocks(template.block.block_device_mappings);
      if (mappings.length === 0) {
        return [
          {
            address: template.address,
            message: "no block_device_mappings: the root volume is encrypted only if the account's EBS default encryption is on",
            fix: 'declare the root device with ebs { encrypted = true, volume_type = "gp3" }',
          },
        ];
      }
      return mappings
        .filter((mapping) => blocks(mapping.ebs).length > 0 && !blocks(mapping.ebs).every((ebs) => isTrue(ebs.encrypted)))
        .map((mapping) => ({
          address: template.address,
          message: `block device ${JSON.stringify(mapping.device_name ?? "?")} has ebs.encrypted ${JSON.stringify(blocks(mapping.ebs)[0]?.encrypted ?? null)}`,
          fix: "set ebs { encrypted = true } (optionally kms_key_id)",
        }));
    });
  },
};

function launchTemplateOf(group: Resource): unknown {
  return (
    blocks(group.block.launch_template)[0] ??
    blocks(group.block.mixed_instances_policy)
      .flatMap((p) => blocks(p.launch_template))
      .flatMap((t) => blocks(t.launch_template_specification))[0]
  );
}

const asgUsesLaunchTemplate: PolicyRule = {
  id: "asg-uses-launch-template",
  title: "Auto Scaling groups launch from a launch template",
  checkov: ["CKV_AWS_315"],
  trivy: [],
  severity: "medium",
  resourceTypes: ["aws_autoscaling_group"],
  check(stack) {
    return stack
      .resources("aws_autoscaling_group")
      .filter((group) => launchTemplateOf(group) === undefined)
      .map((group) => ({
        address: group.address,
        message: group.block.launch_configuration
          ? `uses launch_configuration ${group.block.launch_configuration} (deprecated; no IMDSv2 or gp3 settings)`
          : "names no launch template",
        fix: "use launch_template { id, version } (or a mixed_instances_policy with a launch template)",
      }));
  },
};

const asgPropagatesTags: PolicyRule = {
  id: "asg-propagates-tags",
  title: "Auto Scaling groups tag the instances they launch",
  checkov: ["CKV_AWS_153"],
  trivy: [],
  severity: "low",
  resourceTypes: ["aws_autoscaling_group"],
  check(stack) {
    return stack
      .resources("aws_autoscaling_group")
      .filter((group) => ![...blocks(group.block.tag), ...blocks(group.block.tags)].some((tag) => isTrue(tag.propagate_at_launch)))
      .map((group) => ({
        address: group.address,
        message: "no tag with propagate_at_launch = true: instances start untagged (no owner, no cost allocation)",
        fix: 'add tag { key = "Name", value = "<name>-ecs", propagate_at_launch = true } (and the config tags)',
      }));
  },
};

export const EC2_RULES: readonly PolicyRule[] = [
  launchTemplateImdsv2,
  launchTemplateHopLimit,
  userDataNoCredentials,
  launchTemplateEbsEncrypted,
  asgUsesLaunchTemplate,
  asgPropagatesTags,
];
