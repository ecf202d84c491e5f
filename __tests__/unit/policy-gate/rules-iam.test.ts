import { POLICY_RULES } from "../../../src/policy-gate/rules/index";
import { runPolicyGate, STRICT_EXPECTATIONS, type RuleResult } from "../../../src/policy-gate/gate";
import { type PolicyExpectations } from "../../../src/policy-gate/types";
import type { TerraformBlock, TerraformDocument } from "../../../src/terraform/document";

function resultOf(ruleId: string, doc: TerraformDocument, expectations: PolicyExpectations = STRICT_EXPECTATIONS): RuleResult {
  const rule = POLICY_RULES.find((r) => r.id === ruleId);
  if (!rule) throw new Error(`no rule ${ruleId}`);
  return runPolicyGate({ stacks: [{ name: "fixture", document: doc }], rules: [rule], expectations }).stacks[0].rules[0];
}

/** The rule's status, findings and n/a reason (without its summary, which the identity tests check). */
function outcomeOf(ruleId: string, doc: TerraformDocument): Omit<RuleResult, "rule"> {
  const { rule: _rule, ...outcome } = resultOf(ruleId, doc);
  return outcome;
}

const ACTION = "iam-no-wildcard-action";
const RESOURCE = "iam-no-wildcard-resource";
const TRUST = "iam-trust-no-account-wide-principal";
const ROLES = "separate-execution-and-task-roles";
const GITHUB = "github-oidc-trust-exact";

const AUD = "token.actions.githubusercontent.com:aud";
const SUB = "token.actions.githubusercontent.com:sub";
const GITHUB_PROVIDER_ARN = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";

const UNREADABLE_FIX = "render the policy as a JSON document (jsonencode of literal statements) so it can be checked";
const ACTION_FIX = "list the exact actions the role calls";
const RESOURCE_FIX =
  'name the resource ARNs; only actions without resource-level permissions (ecr:GetAuthorizationToken, ecs:DiscoverPollEndpoint, ecs:CreateCluster, ec2:Describe*, sts:GetCallerIdentity, cloudwatch:PutMetricData, xray:PutTraceSegments, xray:PutTelemetryRecords, xray:GetSamplingRules, xray:GetSamplingTargets, ssmmessages:CreateControlChannel, ssmmessages:CreateDataChannel, ssmmessages:OpenControlChannel, ssmmessages:OpenDataChannel, logs:DescribeLogGroups) may use "*"';
const TRUST_FIX = "trust the service principal (e.g. ecs-tasks.amazonaws.com) or the exact role ARNs that need it";
const GITHUB_FIX =
  'StringEquals {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": "repo:OWNER/NAME:pull_request" (or :environment:NAME, :ref:refs/heads/BRANCH)}';

const RESOURCELESS = [
  "ecr:GetAuthorizationToken",
  "ecs:DiscoverPollEndpoint",
  "ecs:CreateCluster",
  "sts:GetCallerIdentity",
  "cloudwatch:PutMetricData",
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
  "ssmmessages:CreateControlChannel",
  "ssmmessages:CreateDataChannel",
  "ssmmessages:OpenControlChannel",
  "ssmmessages:OpenDataChannel",
  "logs:DescribeLogGroups",
];

type Statement = Record<string, unknown>;

const policy = (...statements: Statement[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

/** A stack of hand-made resources (`{ type: { name: block } }`) and data sources. */
function stack(resource: Record<string, Record<string, TerraformBlock>>, data?: Record<string, Record<string, TerraformBlock>>): TerraformDocument {
  return data ? { resource, data } : { resource };
}

/** A stack with one `aws_iam_role_policy.p` whose policy is `text`. */
const rolePolicy = (text: unknown, data?: Record<string, Record<string, TerraformBlock>>) =>
  stack({ aws_iam_role_policy: { p: { role: "${aws_iam_role.r.name}", policy: text } } }, data);

/** A stack with one `aws_iam_role.r` whose trust policy is `text`. */
const trustingRole = (text: unknown, extra: Record<string, Record<string, TerraformBlock>> = {}, data?: Record<string, Record<string, TerraformBlock>>) =>
  stack({ aws_iam_role: { r: { name: "r", assume_role_policy: text } }, ...extra }, data);

const failed = (...findings: { address: string; message: string; fix: string }[]) => ({ status: "fail", findings, notApplicable: undefined });
const pass = { status: "pass", findings: [], notApplicable: undefined };

const summaryOf = (id: string) => {
  const rule = POLICY_RULES.find((r) => r.id === id)!;
  return { id: rule.id, title: rule.title, checkov: rule.checkov, trivy: rule.trivy, severity: rule.severity, resourceTypes: rule.resourceTypes };
};

describe("the IAM and GitHub OIDC rules' identity", () => {
  it.each([
    {
      id: ACTION,
      title: 'IAM policies allow no "*" or "service:*" action',
      checkov: ["CKV_AWS_63", "CKV_AWS_62"],
      trivy: ["AVD-AWS-0057"],
      severity: "high",
      resourceTypes: ["aws_iam_role_policy", "aws_iam_policy", "aws_iam_user_policy", "aws_iam_group_policy", "aws_iam_role"],
    },
    {
      id: RESOURCE,
      title: 'IAM policies scope resources wherever the action allows it (no "*")',
      checkov: ["CKV_AWS_355"],
      trivy: ["AVD-AWS-0057"],
      severity: "high",
      resourceTypes: ["aws_iam_role_policy", "aws_iam_policy", "aws_iam_user_policy", "aws_iam_group_policy", "aws_iam_role"],
    },
    {
      id: TRUST,
      title: "Role trust policies name services or roles, not whole accounts or everyone",
      checkov: ["CKV_AWS_61"],
      trivy: [],
      severity: "high",
      resourceTypes: ["aws_iam_role"],
    },
    {
      id: ROLES,
      title: "Task definitions use different execution and task roles",
      checkov: ["CKV_AWS_249"],
      trivy: [],
      severity: "medium",
      resourceTypes: ["aws_ecs_task_definition"],
    },
    {
      id: GITHUB,
      title: "Roles GitHub Actions assume trust our audience and exact subjects of one repository (never a wildcard)",
      checkov: ["CKV_AWS_358"],
      trivy: [],
      severity: "critical",
      resourceTypes: ["aws_iam_role"],
    },
  ])("$id has its title, scanner IDs, severity and resource types", (expected) => {
    expect(summaryOf(expected.id)).toEqual(expected);
  });
});

describe("iam-no-wildcard-action", () => {
  it.each(["aws_iam_role_policy", "aws_iam_policy", "aws_iam_user_policy", "aws_iam_group_policy"])('fails a %s that allows "*"', (type) => {
    const doc = stack({ [type]: { p: { policy: policy({ Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::bucket" }) } } });
    expect(outcomeOf(ACTION, doc)).toEqual(failed({ address: `${type}.p`, message: 'policy statement 0 allows "*"', fix: ACTION_FIX }));
  });

  it("inspects every inline policy of a role, naming its index", () => {
    const doc = stack({
      aws_iam_role: {
        r: {
          assume_role_policy: policy({ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }),
          inline_policy: [
            { name: "fine", policy: policy({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/*" }) },
            { name: "admin", policy: policy({ Sid: "Admin", Effect: "Allow", Action: ["*"], Resource: "*" }) },
          ],
        },
      },
    });
    expect(outcomeOf(ACTION, doc)).toEqual(
      failed({ address: "aws_iam_role.r", message: 'inline_policy[1].policy statement Admin allows "*"', fix: ACTION_FIX }),
    );
  });

  it("inspects an inline policy rendered as a single block", () => {
    const doc = stack({ aws_iam_role: { r: { inline_policy: { name: "all", policy: policy({ Effect: "Allow", Action: "s3:*", Resource: "*" }) } } } });
    expect(outcomeOf(ACTION, doc)).toEqual(
      failed({ address: "aws_iam_role.r", message: 'inline_policy[0].policy statement 0 allows "s3:*"', fix: ACTION_FIX }),
    );
  });

  it("names every wildcard action of a statement, quoted, in order", () => {
    const doc = rolePolicy(policy({ Effect: "Allow", Action: ["s3:GetObject", "*", "s3:*"], Resource: "arn:aws:s3:::bucket/*" }));
    expect(outcomeOf(ACTION, doc)).toEqual(failed({ address: "aws_iam_role_policy.p", message: 'policy statement 0 allows "*", "s3:*"', fix: ACTION_FIX }));
  });

  it.each(["*", "s3:*", "S3:*", "cognito-idp:*", "ec2:*"])('fails the wildcard action "%s"', (action) => {
    const doc = rolePolicy(policy({ Effect: "Allow", Action: action, Resource: "arn:aws:s3:::bucket" }));
    expect(outcomeOf(ACTION, doc).findings.map((f) => f.message)).toEqual([`policy statement 0 allows ${JSON.stringify(action)}`]);
  });

  it.each(["s3:GetObject", "s3:Get*", "s3:*Object", "s3:Get:*", "kms:Describe*"])('passes "%s", which is no whole-service wildcard', (action) => {
    expect(outcomeOf(ACTION, rolePolicy(policy({ Effect: "Allow", Action: action, Resource: "arn:aws:s3:::bucket" })))).toEqual(pass);
  });

  it('passes a Deny statement on "*"', () => {
    expect(outcomeOf(ACTION, rolePolicy(policy({ Effect: "Deny", Action: "*", Resource: "*" })))).toEqual(pass);
  });

  it("does not apply to a stack whose roles have no identity policy", () => {
    const doc = stack({ aws_iam_role: { r: { assume_role_policy: policy({ Effect: "Allow", Principal: "*", Action: "*" }) } } });
    expect(outcomeOf(ACTION, doc)).toEqual({ status: "n/a", findings: [], notApplicable: "no identity policy" });
  });

  it("passes a policy document whose JSON is null (it has no statement)", () => {
    expect(outcomeOf(ACTION, rolePolicy("null"))).toEqual(pass);
  });

  describe("fails closed on a policy it cannot read", () => {
    const unreadable = (message: string) => failed({ address: "aws_iam_role_policy.p", message, fix: UNREADABLE_FIX });
    const DOC = { aws_iam_policy_document: { doc: { statement: [{ effect: "Allow", actions: ["*"], resources: ["*"] }] } } };

    it.each<[string, unknown, string]>([
      ["no policy", undefined, "policy is null, not a policy document"],
      ["a null policy", null, "policy is null, not a policy document"],
      ["a policy object", { Statement: [] }, 'policy is {"Statement":[]}, not a policy document'],
      ["a number", 42, "policy is 42, not a policy document"],
      ["a Terraform expression", "${jsonencode(local.policy)}", "policy is a Terraform expression, not a JSON document the gate can inspect"],
    ])("%s", (_what, text, message) => {
      expect(outcomeOf(ACTION, rolePolicy(text))).toEqual(unreadable(message));
    });

    it("a reference to a policy document data source in a stack without data sources", () => {
      expect(outcomeOf(ACTION, rolePolicy("${data.aws_iam_policy_document.missing.json}"))).toEqual(
        unreadable("policy refers to data.aws_iam_policy_document.missing, which is not in the stack"),
      );
    });

    it("a reference to a policy document data source in a stack with no policy document data sources", () => {
      const doc = rolePolicy("${data.aws_iam_policy_document.missing.json}", { aws_caller_identity: { account: {} } });
      expect(outcomeOf(ACTION, doc)).toEqual(unreadable("policy refers to data.aws_iam_policy_document.missing, which is not in the stack"));
    });

    it("a reference to a policy document data source that is not in the stack", () => {
      expect(outcomeOf(ACTION, rolePolicy("${data.aws_iam_policy_document.missing.json}", DOC))).toEqual(
        unreadable("policy refers to data.aws_iam_policy_document.missing, which is not in the stack"),
      );
    });

    it.each([
      ["text before it", "policy-${data.aws_iam_policy_document.doc.json}"],
      ["text after it", "${data.aws_iam_policy_document.doc.json}${data.aws_iam_policy_document.other.json}"],
    ])("an expression that contains a data source reference with %s", (_what, text) => {
      expect(outcomeOf(ACTION, rolePolicy(text, DOC))).toEqual(unreadable("policy is a Terraform expression, not a JSON document the gate can inspect"));
    });
  });

  describe("reads data.aws_iam_policy_document statements", () => {
    const viaData = (...statement: TerraformBlock[]) =>
      rolePolicy("${data.aws_iam_policy_document.doc.json}", { aws_iam_policy_document: { doc: { statement } } });

    it("as Allow when they name no effect", () => {
      expect(outcomeOf(ACTION, viaData({ actions: ["*"], resources: ["arn:aws:s3:::bucket"] }))).toEqual(
        failed({ address: "aws_iam_role_policy.p", message: 'policy statement 0 allows "*"', fix: ACTION_FIX }),
      );
    });

    it("passing a Deny statement", () => {
      expect(outcomeOf(ACTION, viaData({ effect: "Deny", actions: ["*"], resources: ["*"] }))).toEqual(pass);
    });

    it("labelled by sid, or else by index", () => {
      const doc = viaData({ sid: "Named", effect: "Allow", actions: ["s3:*"], resources: ["*"] }, { effect: "Allow", actions: ["*"], resources: ["*"] });
      expect(outcomeOf(ACTION, doc).findings.map((f) => f.message)).toEqual(['policy statement Named allows "s3:*"', 'policy statement 1 allows "*"']);
    });
  });

  it("labels JSON statements by Sid, or else by index", () => {
    const doc = rolePolicy(policy({ Sid: "Named", Effect: "Allow", Action: "s3:*", Resource: "*" }, { Effect: "Allow", Action: "*", Resource: "*" }));
    expect(outcomeOf(ACTION, doc).findings.map((f) => f.message)).toEqual(['policy statement Named allows "s3:*"', 'policy statement 1 allows "*"']);
  });
});

describe("iam-no-wildcard-resource", () => {
  const onStar = (...actions: string[]) => rolePolicy(policy({ Effect: "Allow", Action: actions, Resource: "*" }));

  it.each(RESOURCELESS)('passes %s, which has no resource type, on "*"', (action) => {
    expect(outcomeOf(RESOURCE, onStar(action))).toEqual(pass);
  });

  it.each(["ec2:DescribeInstances", "ec2:DescribeTags", "EC2:describeSubnets", "ECR:getauthorizationtoken"])(
    'passes %s on "*" (case-insensitive)',
    (action) => {
      expect(outcomeOf(RESOURCE, onStar(action))).toEqual(pass);
    },
  );

  it.each(["s3:GetObject", "ec2:RunInstances", "ecr:GetAuthorizationTokens", "ec2:Describe*", "ec2:DescribeX*", "ec2:Describe*Instances", "logs:*"])(
    'fails %s on "*"',
    (action) => {
      expect(outcomeOf(RESOURCE, onStar(action))).toEqual(
        failed({ address: "aws_iam_role_policy.p", message: `policy statement 0 grants ${action} on "*"`, fix: RESOURCE_FIX }),
      );
    },
  );

  it('names every scopable action of a statement that lists "*" among its resources', () => {
    const doc = rolePolicy(
      policy({
        Sid: "Mixed",
        Effect: "Allow",
        Action: ["s3:GetObject", "ecr:GetAuthorizationToken", "s3:PutObject"],
        Resource: ["arn:aws:s3:::bucket/*", "*"],
      }),
    );
    expect(outcomeOf(RESOURCE, doc)).toEqual(
      failed({ address: "aws_iam_role_policy.p", message: 'policy statement Mixed grants s3:GetObject, s3:PutObject on "*"', fix: RESOURCE_FIX }),
    );
  });

  it('passes a Deny statement on "*"', () => {
    expect(outcomeOf(RESOURCE, rolePolicy(policy({ Effect: "Deny", Action: "s3:DeleteObject", Resource: "*" })))).toEqual(pass);
  });

  it('passes resource ARNs that merely contain "*"', () => {
    expect(outcomeOf(RESOURCE, rolePolicy(policy({ Effect: "Allow", Action: "s3:GetObject", Resource: ["arn:aws:s3:::bucket/*"] })))).toEqual(pass);
  });

  it("does not apply to a stack whose roles have no identity policy", () => {
    expect(outcomeOf(RESOURCE, stack({ aws_iam_role: { r: { name: "r" } } }))).toEqual({ status: "n/a", findings: [], notApplicable: "no identity policy" });
  });
});

describe("iam-trust-no-account-wide-principal", () => {
  const trusting = (principal: unknown, effect = "Allow") => trustingRole(policy({ Effect: effect, Principal: principal, Action: "sts:AssumeRole" }));
  const finding = (message: string) => ({ address: "aws_iam_role.r", message, fix: TRUST_FIX });

  it.each<[string, unknown, string]>([
    ["an account root ARN", { AWS: "arn:aws:iam::123456789012:root" }, "arn:aws:iam::123456789012:root: every principal of that account"],
    [
      "a GovCloud account root ARN",
      { AWS: ["arn:aws-us-gov:iam::123456789012:root"] },
      "arn:aws-us-gov:iam::123456789012:root: every principal of that account",
    ],
    ["a bare account ID", { AWS: "123456789012" }, "123456789012: every principal of that account"],
    ['AWS "*"', { AWS: "*" }, "*: every principal of every account"],
    ['Principal "*"', "*", "*: every principal of every account"],
    ['Federated "*"', { Federated: "*" }, "*: every principal of every account"],
  ])("fails a role that trusts %s", (_what, principal, trusts) => {
    expect(outcomeOf(TRUST, trusting(principal))).toEqual(failed(finding(`assume_role_policy statement 0 trusts ${trusts} may assume the role`)));
  });

  it.each<[string, unknown]>([
    ["a service principal", { Service: "ecs-tasks.amazonaws.com" }],
    ["a role ARN", { AWS: "arn:aws:iam::123456789012:role/deployer" }],
    ["a 13-digit ID", { AWS: "1234567890123" }],
    ["an 11-digit ID", { AWS: "12345678901" }],
    ["an ID with a prefix", { AWS: "x123456789012" }],
    ["an ID with a suffix", { AWS: "123456789012x" }],
    ["a value that only contains a root ARN", { AWS: "notarn:aws:iam::123456789012:root" }],
    ["a value that only starts with a root ARN", { AWS: "arn:aws:iam::123456789012:rooted" }],
    ["an account ID that is not an AWS principal", { Service: "123456789012" }],
    ["a root ARN that is not an AWS principal", { Federated: "arn:aws:iam::123456789012:root" }],
    ['a string principal other than "*"', "arn:aws:iam::*:root"],
  ])("passes %s", (_what, principal) => {
    expect(outcomeOf(TRUST, trusting(principal))).toEqual(pass);
  });

  it('passes a Deny statement for "*"', () => {
    expect(outcomeOf(TRUST, trusting("*", "Deny"))).toEqual(pass);
  });

  it("names every wide principal; one of every account makes it every account", () => {
    const doc = trusting({ Service: "ecs-tasks.amazonaws.com", AWS: ["arn:aws:iam::123456789012:root", "arn:aws:iam::123456789012:role/ok", "*"] });
    expect(outcomeOf(TRUST, doc)).toEqual(
      failed(finding("assume_role_policy statement 0 trusts arn:aws:iam::123456789012:root, *: every principal of every account may assume the role")),
    );
  });

  it("names two accounts as that account", () => {
    const doc = trusting({ AWS: ["arn:aws:iam::123456789012:root", "210987654321"] });
    expect(outcomeOf(TRUST, doc)).toEqual(
      failed(
        finding("assume_role_policy statement 0 trusts arn:aws:iam::123456789012:root, 210987654321: every principal of that account may assume the role"),
      ),
    );
  });

  it("reads principals of a data.aws_iam_policy_document trust policy", () => {
    const doc = trustingRole(
      "${data.aws_iam_policy_document.trust.json}",
      {},
      {
        aws_iam_policy_document: {
          trust: {
            statement: [
              {
                sid: "Account",
                actions: ["sts:AssumeRole"],
                principals: [
                  { type: "Service", identifiers: ["ecs-tasks.amazonaws.com"] },
                  { type: "AWS", identifiers: ["arn:aws:iam::123456789012:role/ok", "arn:aws:iam::123456789012:root"] },
                ],
              },
            ],
          },
        },
      },
    );
    expect(outcomeOf(TRUST, doc)).toEqual(
      failed(finding("assume_role_policy statement Account trusts arn:aws:iam::123456789012:root: every principal of that account may assume the role")),
    );
  });

  it("fails closed on a trust policy it cannot read", () => {
    expect(outcomeOf(TRUST, trustingRole("${jsonencode(local.trust)}"))).toEqual(
      failed({
        address: "aws_iam_role.r",
        message: "assume_role_policy is a Terraform expression, not a JSON document the gate can inspect",
        fix: UNREADABLE_FIX,
      }),
    );
  });
});

describe("separate-execution-and-task-roles", () => {
  const taskDefinition = (roles: TerraformBlock) => stack({ aws_ecs_task_definition: { td: { family: "orders", ...roles } } });

  it("fails a task definition whose execution role is its task role", () => {
    expect(outcomeOf(ROLES, taskDefinition({ execution_role_arn: "${aws_iam_role.shared.arn}", task_role_arn: "${aws_iam_role.shared.arn}" }))).toEqual(
      failed({
        address: "aws_ecs_task_definition.td",
        message: "execution_role_arn and task_role_arn are both ${aws_iam_role.shared.arn}: the application can read the registry credentials",
        fix: "give the application its own task role without the execution role's secret and log permissions",
      }),
    );
  });

  it.each<[string, TerraformBlock]>([
    ["different roles", { execution_role_arn: "${aws_iam_role.execution.arn}", task_role_arn: "${aws_iam_role.task.arn}" }],
    ["only an execution role", { execution_role_arn: "${aws_iam_role.execution.arn}" }],
    ["only a task role", { task_role_arn: "${aws_iam_role.task.arn}" }],
    ["neither role", {}],
  ])("passes a task definition with %s", (_what, roles) => {
    expect(outcomeOf(ROLES, taskDefinition(roles))).toEqual(pass);
  });
});

describe("github-oidc-trust-exact", () => {
  const githubStatement = (condition: unknown, extra: Statement = {}): Statement => ({
    Effect: "Allow",
    Principal: { Federated: GITHUB_PROVIDER_ARN },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: condition,
    ...extra,
  });
  const githubRole = (condition: unknown, extra: Statement = {}) => trustingRole(policy(githubStatement(condition, extra)));
  const exact = (subject: unknown = "repo:acme/infra:pull_request") => ({ StringEquals: { [AUD]: "sts.amazonaws.com", [SUB]: subject } });
  const problems = (...messages: string[]) =>
    failed(...messages.map((m) => ({ address: "aws_iam_role.r", message: `assume_role_policy statement 0 ${m}`, fix: GITHUB_FIX })));
  const NOT_APPLICABLE = { status: "n/a", findings: [], notApplicable: "no role trusts GitHub Actions" };
  const badSubject = (subject: string) => `trusts the subject ${JSON.stringify(subject)}, which is not one exact repo:OWNER/NAME:<context> (no * or ?)`;
  const NO_AUDIENCE = 'requires token.actions.githubusercontent.com:aud nowhere instead of StringEquals "sts.amazonaws.com"';
  const NO_SUBJECT = "has no StringEquals on token.actions.githubusercontent.com:sub: every repository's workflows could assume the role";

  it.each([
    "repo:acme/infra:pull_request",
    "repo:acme/infra:environment:production",
    "repo:acme/infra:ref:refs/heads/main",
    "repo:Acme-1/my.repo_x-y:ref:refs/tags/v1.2.3",
  ])("passes a role trusted for our audience and the exact subject %s", (subject) => {
    expect(outcomeOf(GITHUB, githubRole(exact(subject)))).toEqual(pass);
  });

  it("passes several exact subjects", () => {
    expect(outcomeOf(GITHUB, githubRole(exact(["repo:acme/infra:pull_request", "repo:acme/infra:environment:production"])))).toEqual(pass);
  });

  it.each([
    "repo:acme/infra:*",
    "repo:acme/infra:ref:refs/heads/*",
    "repo:acme/infra:ref:refs/heads/ma?n",
    "repo:acme/*:pull_request",
    "repo:*/infra:pull_request",
    "xrepo:acme/infra:pull_request",
    "repo:acme:pull_request",
    "repo:acme/infra",
    "repo:acme/infra:",
    "repo:ac.me/infra:pull_request",
  ])("fails the subject %s", (subject) => {
    expect(outcomeOf(GITHUB, githubRole(exact(subject)))).toEqual(problems(badSubject(subject)));
  });

  it("names only the inexact ones of several subjects", () => {
    expect(outcomeOf(GITHUB, githubRole(exact(["repo:acme/infra:pull_request", "repo:acme/*:pull_request", "repo:acme/infra:*"])))).toEqual(
      problems(badSubject("repo:acme/*:pull_request"), badSubject("repo:acme/infra:*")),
    );
  });

  it.each<[string, unknown, string]>([
    ["no audience", { StringEquals: { [SUB]: "repo:acme/infra:pull_request" } }, NO_AUDIENCE],
    ["the audience only by StringLike", { StringLike: { [AUD]: "sts.amazonaws.com" }, StringEquals: { [SUB]: "repo:acme/infra:pull_request" } }, NO_AUDIENCE],
    [
      "another audience",
      { StringEquals: { [AUD]: "sigstore", [SUB]: "repo:acme/infra:pull_request" } },
      'requires token.actions.githubusercontent.com:aud ["sigstore"] instead of StringEquals "sts.amazonaws.com"',
    ],
    [
      "a second audience",
      { StringEquals: { [AUD]: ["sts.amazonaws.com", "sigstore"], [SUB]: "repo:acme/infra:pull_request" } },
      'requires token.actions.githubusercontent.com:aud ["sts.amazonaws.com","sigstore"] instead of StringEquals "sts.amazonaws.com"',
    ],
    [
      "an empty audience list",
      { StringEquals: { [AUD]: [], [SUB]: "repo:acme/infra:pull_request" } },
      'requires token.actions.githubusercontent.com:aud [] instead of StringEquals "sts.amazonaws.com"',
    ],
  ])("fails a role trusted with %s", (_what, condition, message) => {
    expect(outcomeOf(GITHUB, githubRole(condition))).toEqual(problems(message));
  });

  it.each(["StringLike", "StringEqualsIgnoreCase", "ForAnyValue:StringLike"])("fails a subject also matched with %s", (operator) => {
    const condition = { ...exact(), [operator]: { [SUB]: "repo:acme/*" } };
    expect(outcomeOf(GITHUB, githubRole(condition))).toEqual(
      problems(`matches token.actions.githubusercontent.com:sub with ${operator} ["repo:acme/*"]: only StringEquals is exact`),
    );
  });

  it("fails an empty StringEquals subject list", () => {
    expect(outcomeOf(GITHUB, githubRole(exact([])))).toEqual(problems(NO_SUBJECT));
  });

  it.each<[string, unknown]>([
    ["no condition", undefined],
    ["a null condition", null],
    ["a condition that is not an object", "StringEquals"],
  ])("fails a role trusted with %s for both audience and subject", (_what, condition) => {
    expect(outcomeOf(GITHUB, githubRole(condition))).toEqual(problems(NO_AUDIENCE, NO_SUBJECT));
  });

  it("reports every problem of a statement in order, labelled by its Sid", () => {
    const doc = githubRole({ StringEquals: { [AUD]: "x", [SUB]: "repo:acme/infra:*" }, StringLike: { [SUB]: "repo:acme/*" } }, { Sid: "GitHub" });
    expect(outcomeOf(GITHUB, doc).findings.map((f) => f.message)).toEqual([
      'assume_role_policy statement GitHub requires token.actions.githubusercontent.com:aud ["x"] instead of StringEquals "sts.amazonaws.com"',
      'assume_role_policy statement GitHub matches token.actions.githubusercontent.com:sub with StringLike ["repo:acme/*"]: only StringEquals is exact',
      `assume_role_policy statement GitHub ${badSubject("repo:acme/infra:*")}`,
    ]);
  });

  describe("recognizes trust in GitHub", () => {
    const provider = (url?: string) => ({ aws_iam_openid_connect_provider: { oidc: url === undefined ? { client_id_list: ["sts.amazonaws.com"] } : { url } } });
    const federatedBy = (principal: unknown, extra: Record<string, Record<string, TerraformBlock>> = {}, effect = "Allow") =>
      trustingRole(policy({ Effect: effect, Principal: principal, Action: "sts:AssumeRoleWithWebIdentity" }), extra);

    it("by a reference to the stack's own GitHub provider", () => {
      const doc = federatedBy({ Federated: "${aws_iam_openid_connect_provider.oidc.arn}" }, provider("https://token.actions.githubusercontent.com"));
      expect(outcomeOf(GITHUB, doc)).toEqual(problems(NO_AUDIENCE, NO_SUBJECT));
    });

    it("by the provider ARN, among other principals", () => {
      const doc = federatedBy({ Service: "ecs-tasks.amazonaws.com", Federated: GITHUB_PROVIDER_ARN });
      expect(outcomeOf(GITHUB, doc)).toEqual(problems(NO_AUDIENCE, NO_SUBJECT));
    });

    it.each<[string, unknown, Record<string, Record<string, TerraformBlock>>]>([
      [
        "a reference to another OIDC provider",
        { Federated: "${aws_iam_openid_connect_provider.oidc.arn}" },
        provider("https://oidc.eks.eu-west-1.amazonaws.com/id/ABC"),
      ],
      ["a reference to a provider without a URL", { Federated: "${aws_iam_openid_connect_provider.oidc.arn}" }, provider()],
      ["another federated principal", { Federated: "cognito-identity.amazonaws.com" }, {}],
      ["an AWS principal that names the GitHub provider", { AWS: GITHUB_PROVIDER_ARN }, {}],
      ["a service principal", { Service: "ecs-tasks.amazonaws.com" }, {}],
    ])("not by %s", (_what, principal, extra) => {
      expect(outcomeOf(GITHUB, federatedBy(principal, extra))).toEqual(NOT_APPLICABLE);
    });

    it("not by a Deny statement", () => {
      expect(outcomeOf(GITHUB, federatedBy({ Federated: GITHUB_PROVIDER_ARN }, {}, "Deny"))).toEqual(NOT_APPLICABLE);
    });
  });

  describe("reads data.aws_iam_policy_document trust policies", () => {
    const viaData = (condition: TerraformBlock[]) =>
      trustingRole(
        "${data.aws_iam_policy_document.trust.json}",
        {},
        {
          aws_iam_policy_document: {
            trust: {
              statement: [
                {
                  actions: ["sts:AssumeRoleWithWebIdentity"],
                  principals: [{ type: "Federated", identifiers: [GITHUB_PROVIDER_ARN] }],
                  condition,
                },
              ],
            },
          },
        },
      );

    it("passing exact conditions given as separate blocks of one test", () => {
      const doc = viaData([
        { test: "StringEquals", variable: AUD, values: ["sts.amazonaws.com"] },
        { test: "StringEquals", variable: SUB, values: ["repo:acme/infra:pull_request"] },
      ]);
      expect(outcomeOf(GITHUB, doc)).toEqual(pass);
    });

    it("failing a StringLike subject", () => {
      const doc = viaData([
        { test: "StringEquals", variable: AUD, values: ["sts.amazonaws.com"] },
        { test: "StringLike", variable: SUB, values: ["repo:acme/*"] },
      ]);
      expect(outcomeOf(GITHUB, doc)).toEqual(
        problems('matches token.actions.githubusercontent.com:sub with StringLike ["repo:acme/*"]: only StringEquals is exact', NO_SUBJECT),
      );
    });

    it("failing a statement without conditions", () => {
      expect(outcomeOf(GITHUB, viaData([]))).toEqual(problems(NO_AUDIENCE, NO_SUBJECT));
    });
  });

  it("fails closed on a trust policy it cannot read, though no role is known to trust GitHub", () => {
    expect(outcomeOf(GITHUB, trustingRole("${jsonencode(local.trust)}"))).toEqual(
      failed({
        address: "aws_iam_role.r",
        message: "assume_role_policy is a Terraform expression, not a JSON document the gate can inspect",
        fix: UNREADABLE_FIX,
      }),
    );
  });
});

describe("NotAction, NotResource and NotPrincipal: an Allow that excludes grants the rest", () => {
  it("fails an Allow with NotAction, JSON or data source, and passes a Deny with it", () => {
    expect(outcomeOf(ACTION, rolePolicy(policy({ Effect: "Allow", NotAction: ["iam:*", "organizations:*"], Resource: "arn:aws:s3:::bucket" })))).toEqual(
      failed({
        address: "aws_iam_role_policy.p",
        message: 'policy statement 0 allows every action except "iam:*", "organizations:*" (NotAction)',
        fix: "list the exact actions the role calls in Action instead of excluding some with NotAction",
      }),
    );
    const data = { aws_iam_policy_document: { doc: { statement: [{ sid: "Most", not_actions: ["s3:DeleteBucket"], resources: ["arn:aws:s3:::bucket"] }] } } };
    expect(outcomeOf(ACTION, rolePolicy("${data.aws_iam_policy_document.doc.json}", data)).findings.map((f) => f.message)).toEqual([
      'policy statement Most allows every action except "s3:DeleteBucket" (NotAction)',
    ]);
    expect(outcomeOf(ACTION, rolePolicy(policy({ Effect: "Deny", NotAction: "s3:GetObject", Resource: "*" })))).toEqual(pass);
  });

  it('names both a "*" action and a NotAction of one statement', () => {
    expect(
      outcomeOf(ACTION, rolePolicy(policy({ Effect: "Allow", Action: "s3:*", NotAction: "s3:DeleteBucket", Resource: "*" }))).findings.map((f) => f.message),
    ).toEqual(['policy statement 0 allows "s3:*"', 'policy statement 0 allows every action except "s3:DeleteBucket" (NotAction)']);
  });

  it("fails an Allow with NotResource, even for actions that take no resource, and passes a Deny with it", () => {
    expect(outcomeOf(RESOURCE, rolePolicy(policy({ Effect: "Allow", Action: "ecr:GetAuthorizationToken", NotResource: "arn:aws:s3:::private/*" })))).toEqual(
      failed({
        address: "aws_iam_role_policy.p",
        message: 'policy statement 0 grants on every resource except "arn:aws:s3:::private/*" (NotResource)',
        fix: "name the resource ARNs in Resource instead of excluding some with NotResource",
      }),
    );
    const data = { aws_iam_policy_document: { doc: { statement: [{ actions: ["s3:GetObject"], not_resources: ["arn:aws:s3:::a", "arn:aws:s3:::b"] }] } } };
    expect(outcomeOf(RESOURCE, rolePolicy("${data.aws_iam_policy_document.doc.json}", data)).findings.map((f) => f.message)).toEqual([
      'policy statement 0 grants on every resource except "arn:aws:s3:::a", "arn:aws:s3:::b" (NotResource)',
    ]);
    expect(outcomeOf(RESOURCE, rolePolicy(policy({ Effect: "Deny", Action: "s3:*", NotResource: "arn:aws:s3:::bucket" })))).toEqual(pass);
  });

  it("fails a trust policy that allows everyone but a NotPrincipal, JSON or data source, and passes a Deny with it", () => {
    expect(
      outcomeOf(TRUST, trustingRole(policy({ Effect: "Allow", NotPrincipal: { AWS: "arn:aws:iam::123456789012:role/blocked" }, Action: "sts:AssumeRole" }))),
    ).toEqual(
      failed({
        address: "aws_iam_role.r",
        message: "assume_role_policy statement 0 trusts every principal except arn:aws:iam::123456789012:role/blocked (NotPrincipal)",
        fix: "trust the service principal (e.g. ecs-tasks.amazonaws.com) or the exact role ARNs that need it, in Principal",
      }),
    );
    const data = {
      aws_iam_policy_document: {
        trust: {
          statement: [{ actions: ["sts:AssumeRole"], not_principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com", "lambda.amazonaws.com"] }] }],
        },
      },
    };
    expect(outcomeOf(TRUST, trustingRole("${data.aws_iam_policy_document.trust.json}", {}, data)).findings.map((f) => f.message)).toEqual([
      "assume_role_policy statement 0 trusts every principal except ec2.amazonaws.com, lambda.amazonaws.com (NotPrincipal)",
    ]);
    expect(
      outcomeOf(TRUST, trustingRole(policy({ Effect: "Deny", NotPrincipal: { AWS: "arn:aws:iam::123456789012:role/admin" }, Action: "sts:AssumeRole" }))),
    ).toEqual(pass);
  });
});
