import { diagnoseStoppedTask, isRoutineStop, type Diagnosis, type StoppedTaskReasons } from "../../../src/operations/diagnose";

const ESSENTIAL_EXITED = "Essential container in task exited";
const TASK_FAILED_TO_START = "Task failed to start";
const ASM =
  "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): ";

/** A stopped task as DescribeTasks returns it for a failed pull: the reason on the task and on the app container. */
const pullFailure = (reason: string): StoppedTaskReasons => ({
  stoppedReason: reason,
  stopCode: "TaskFailedToStart",
  containers: [{ name: "app", reason }],
});

const initFailure = (reason: string): StoppedTaskReasons => ({ stoppedReason: reason, stopCode: "TaskFailedToStart", containers: [{ name: "app" }] });

const code = (task: StoppedTaskReasons): Diagnosis["code"] => diagnoseStoppedTask(task).code;

describe("diagnoseStoppedTask on real ECS reasons", () => {
  const cases: [string, StoppedTaskReasons, Diagnosis["code"]][] = [
    [
      "ghcr.io token endpoint answers 401",
      pullFailure(
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ghcr.io/acme/orders:1.4.2: failed to authorize: failed to fetch oauth token: unexpected status from GET request to https://ghcr.io/token?scope=repository%3Aacme%2Forders%3Apull&service=ghcr.io: 401 Unauthorized",
      ),
      "pull-unauthorized",
    ],
    [
      "Docker daemon reports pull access denied",
      pullFailure(
        "CannotPullContainerError: Error response from daemon: pull access denied for ghcr.io/acme/orders, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
      ),
      "pull-denied",
    ],
    [
      "ghcr.io token endpoint answers 403",
      pullFailure(
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ghcr.io/acme/orders:1.4.2: failed to authorize: failed to fetch oauth token: unexpected status from GET request to https://ghcr.io/token?scope=repository%3Aacme%2Forders%3Apull&service=ghcr.io: 403 Forbidden",
      ),
      "pull-denied",
    ],
    [
      "Docker daemon reports unauthorized: authentication required",
      pullFailure(
        'CannotPullContainerError: Error response from daemon: Head "https://ghcr.io/v2/acme/orders/manifests/1.4.2": unauthorized: authentication required',
      ),
      "pull-unauthorized",
    ],
    [
      "containerd cannot resolve the tag",
      pullFailure(
        'CannotPullContainerError: ref pull has been retried 1 time(s): failed to resolve reference "ghcr.io/acme/orders:9.9.9": ghcr.io/acme/orders:9.9.9: not found',
      ),
      "pull-not-found",
    ],
    [
      "Docker daemon reports manifest unknown",
      pullFailure("CannotPullContainerError: Error response from daemon: manifest for ghcr.io/acme/orders:9.9.9 not found: manifest unknown: manifest unknown"),
      "pull-not-found",
    ],
    [
      "the manifest HEAD times out",
      pullFailure(
        'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ghcr.io/acme/orders:1.4.2: failed to do request: Head "https://ghcr.io/v2/acme/orders/manifests/1.4.2": dial tcp 140.82.112.34:443: i/o timeout',
      ),
      "pull-timeout",
    ],
    [
      "the token request times out while authorizing",
      pullFailure(
        'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ghcr.io/acme/orders:1.4.2: failed to authorize: failed to fetch oauth token: Post "https://ghcr.io/token": dial tcp 140.82.113.33:443: i/o timeout',
      ),
      "pull-timeout",
    ],
    [
      "the registry host does not resolve",
      pullFailure(
        'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ghcr.io/acme/orders:1.4.2: failed to do request: Head "https://ghcr.io/v2/acme/orders/manifests/1.4.2": dial tcp: lookup ghcr.io on 10.0.0.2:53: no such host',
      ),
      "pull-timeout",
    ],
    [
      "containerd finds no manifest for the platform",
      pullFailure(
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to unpack image on snapshotter overlayfs: no match for platform in manifest: not found",
      ),
      "pull-platform-mismatch",
    ],
    [
      "containerd's manifest list has no descriptor for the platform",
      pullFailure(
        "CannotPullContainerError: pull image manifest has been retried 1 time(s): image Manifest does not contain descriptor matching platform 'linux/arm64/v8'",
      ),
      "pull-platform-mismatch",
    ],
    [
      "Docker daemon has no matching manifest in the list",
      pullFailure("CannotPullContainerError: Error response from daemon: no matching manifest for linux/arm64/v8 in the manifest list entries"),
      "pull-platform-mismatch",
    ],
    [
      "ghcr.io rate limits the manifest request",
      pullFailure(
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ghcr.io/acme/orders:1.4.2: unexpected status from HEAD request to https://ghcr.io/v2/acme/orders/manifests/1.4.2: 429 Too Many Requests",
      ),
      "pull-rate-limited",
    ],
    [
      "Docker Hub's pull rate limit",
      pullFailure(
        "CannotPullContainerError: Error response from daemon: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit",
      ),
      "pull-rate-limited",
    ],
    [
      "the instance runs out of disk while extracting",
      pullFailure(
        "CannotPullContainerError: failed to extract layer sha256:9c1b6dd6c1e6be9fdd2b1987783824670d3b0dd7ae8ad6f57dc3cea5739ac71e: write /var/lib/containerd/tmpmounts: no space left on device",
      ),
      "pull-other",
    ],
    [
      "the execution role may not read the secret",
      initFailure(
        `${ASM}AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/orders-execution/abc is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:ghcr/orders-AbC123 because no identity-based policy allows the secretsmanager:GetSecretValue action`,
      ),
      "secret-access-denied",
    ],
    ["KMS refuses Secrets Manager's decrypt", initFailure(`${ASM}AccessDeniedException: Access to KMS is not allowed`), "secret-kms-denied"],
    [
      "the execution role lacks kms:Decrypt",
      initFailure(
        `${ASM}AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/orders-execution/abc is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab because no identity-based policy allows the kms:Decrypt action`,
      ),
      "secret-kms-denied",
    ],
    ["the secret does not exist", initFailure(`${ASM}ResourceNotFoundException: Secrets Manager can't find the specified secret.`), "secret-not-found"],
    [
      "Secrets Manager is unreachable from the subnet",
      initFailure(
        'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 5 time(s): RequestError: send request failed caused by: Post "https://secretsmanager.us-east-1.amazonaws.com/": dial tcp 10.0.0.1:443: i/o timeout',
      ),
      "secret-unreachable",
    ],
    [
      "the secret is not JSON",
      initFailure(
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: failed to unmarshal secret value for arn:aws:secretsmanager:us-east-1:123456789012:secret:ghcr/orders-AbC123: invalid character 'g' looking for beginning of value",
      ),
      "secret-malformed",
    ],
    [
      "the log configuration is invalid",
      initFailure(
        "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist.",
      ),
      "init-other",
    ],
    [
      "the execution role may not write logs",
      initFailure(
        "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/orders-execution/abc is not authorized to perform: logs:CreateLogStream on resource: arn:aws:logs:us-east-1:123456789012:log-group:/ecs/orders:log-stream:app/app/0123456789abcdef",
      ),
      "init-other",
    ],
    [
      "the registry-auth pull is killed",
      initFailure("ResourceInitializationError: unable to pull secrets or registry auth: pull command failed: : signal: killed"),
      "init-other",
    ],
    [
      "the app exits with code 1",
      { stoppedReason: ESSENTIAL_EXITED, stopCode: "EssentialContainerExited", containers: [{ name: "app", exitCode: 1 }] },
      "container-exited",
    ],
    [
      "the app is OOM-killed",
      {
        stoppedReason: ESSENTIAL_EXITED,
        stopCode: "EssentialContainerExited",
        containers: [{ name: "app", exitCode: 137, reason: "OutOfMemoryError: Container killed due to memory usage" }],
      },
      "out-of-memory",
    ],
    [
      "the target group marks the task unhealthy",
      {
        stoppedReason:
          "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/orders/73e2d6bc24d8a067)",
        stopCode: "ServiceSchedulerInitiated",
        containers: [{ name: "app", exitCode: 143 }],
      },
      "health-check-failed",
    ],
    [
      "the container health check fails",
      { stoppedReason: "Task failed container health checks", stopCode: "ServiceSchedulerInitiated" },
      "health-check-failed",
    ],
    [
      "a scale-in",
      { stoppedReason: "Scaling activity initiated by (deployment ecs-svc/1234567890123456789)", stopCode: "ServiceSchedulerInitiated" },
      "unknown",
    ],
    ["an unknown message", { stoppedReason: "Host EC2 (instance i-0123456789abcdef0) stopped/terminated.", stopCode: "TerminationNotice" }, "unknown"],
  ];

  it.each(cases)("%s", (_name, task, expected) => {
    expect(code(task)).toBe(expected);
  });
});

describe("diagnoseStoppedTask does not read status codes out of digests, account ids or tags", () => {
  it.each([
    [
      "a digest containing 401",
      'CannotPullContainerError: ref pull has been retried 1 time(s): failed to resolve reference "ghcr.io/acme/orders@sha256:1c0ffee4013b8c2e5d6a7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4": not found',
    ],
    [
      "a date tag containing 401",
      'CannotPullContainerError: ref pull has been retried 1 time(s): failed to resolve reference "ghcr.io/acme/orders:20240105": ghcr.io/acme/orders:20240105: not found',
    ],
    [
      "an ECR account id containing 403",
      'CannotPullContainerError: ref pull has been retried 1 time(s): failed to resolve reference "874031234567.dkr.ecr.us-east-1.amazonaws.com/orders:1.4.2": not found',
    ],
  ])("%s is still not found", (_name, reason) => {
    expect(code(pullFailure(reason))).toBe("pull-not-found");
  });

  it("a tag containing 429 that times out is still a timeout", () => {
    expect(
      code(
        pullFailure(
          'CannotPullContainerError: failed to do request: Head "https://ghcr.io/v2/acme/orders/manifests/1.4.29": dial tcp 140.82.112.34:443: i/o timeout',
        ),
      ),
    ).toBe("pull-timeout");
  });

  it("a secret suffix that spells KMS is still a Secrets Manager denial", () => {
    expect(
      code(
        initFailure(
          `${ASM}AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/orders-execution/abc is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:ghcr/orders-xKmSq1 because no identity-based policy allows the secretsmanager:GetSecretValue action`,
        ),
      ),
    ).toBe("secret-access-denied");
  });
});

describe("diagnoseStoppedTask summaries", () => {
  it("explains a 401 as rejected credentials and points at rotate and check", () => {
    expect(diagnoseStoppedTask(pullFailure("CannotPullContainerError: failed to fetch oauth token: unexpected status: 401 Unauthorized"))).toEqual({
      code: "pull-unauthorized",
      summary: "the registry rejected the credentials (401): wrong username or token, or the token expired or was revoked",
      fix: "Create a new token (GitHub: classic PAT with read:packages) and run `ghcr-ecs rotate --token-stdin`. Run `ghcr-ecs credentials check` to reproduce the pull from here.",
    });
  });

  it("does not claim a 403 from the token endpoint proves the credentials valid", () => {
    const diagnosis = diagnoseStoppedTask(
      pullFailure(
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ghcr.io/acme/orders:1.4.2: failed to authorize: failed to fetch oauth token: unexpected status from GET request to https://ghcr.io/token?scope=repository%3Aacme%2Forders%3Apull&service=ghcr.io: 403 Forbidden",
      ),
    );
    expect(diagnosis.summary).toBe(
      "the registry refused a pull token (403): the token may not pull this image, or (on ghcr.io) it is wrong, expired or revoked",
    );
    expect(diagnosis.fix).toBe(
      "Grant the token access: read:packages on a classic PAT, or add the account under the package's Manage access. Run `ghcr-ecs credentials check` to reproduce the pull from here.",
    );
  });

  it("says a 403 on the manifest means valid credentials without access", () => {
    expect(
      diagnoseStoppedTask(
        pullFailure("CannotPullContainerError: unexpected status from HEAD request to https://ghcr.io/v2/acme/orders/manifests/1.4.2: 403 Forbidden"),
      ).summary,
    ).toBe("the credentials are valid but may not pull this image (403/denied)");
  });

  it("names the exit code of the first container that exited non-zero", () => {
    const task = {
      stoppedReason: ESSENTIAL_EXITED,
      containers: [
        { name: "log-router", exitCode: 0 },
        { name: "app", exitCode: 1 },
        { name: "sidecar", exitCode: 2 },
      ],
    };
    expect(diagnoseStoppedTask(task)).toEqual({
      code: "container-exited",
      summary: "the application exited with code 1",
      fix: "Read the task's log stream in the service's log group for the start-up error.",
    });
  });

  it("omits the exit code when no container reports a non-zero one", () => {
    expect(diagnoseStoppedTask({ stoppedReason: ESSENTIAL_EXITED, containers: [{ name: "app", exitCode: 0 }, { name: "init" }] }).summary).toBe(
      "the application exited",
    );
  });

  it("reads a container's reason when the task's own reason is generic", () => {
    expect(
      code({ stoppedReason: TASK_FAILED_TO_START, containers: [{ name: "app", reason: "CannotPullContainerError: ghcr.io/acme/orders:9.9.9: not found" }] }),
    ).toBe("pull-not-found");
  });

  it("quotes an unknown reason as its summary", () => {
    expect(diagnoseStoppedTask({ stoppedReason: "Host EC2 (instance i-0123456789abcdef0) stopped/terminated." })).toEqual({
      code: "unknown",
      summary: "Host EC2 (instance i-0123456789abcdef0) stopped/terminated.",
      fix: "See the service events: aws ecs describe-services.",
    });
  });

  it("says so when there is no reason at all", () => {
    expect(diagnoseStoppedTask({})).toEqual({
      code: "unknown",
      summary: "stopped without a reason",
      fix: "See the service events: aws ecs describe-services.",
    });
    expect(diagnoseStoppedTask({ stoppedReason: "", containers: [{ name: "app", reason: "" }] }).summary).toBe("stopped without a reason");
  });

  it("points a KMS denial at kms:Decrypt with kms:ViaService", () => {
    expect(diagnoseStoppedTask(initFailure(`${ASM}AccessDeniedException: Access to KMS is not allowed`)).fix).toBe(
      "Give the execution role kms:Decrypt on the secret's key with kms:ViaService secretsmanager.<region>.amazonaws.com (this stack does when the key is in its config).",
    );
  });
});

describe("isRoutineStop", () => {
  it.each(["Scaling activity initiated by (deployment ecs-svc/1234567890123456789)", "Task stopped by user", "Service orders was deleted"])(
    "treats %j as routine",
    (stoppedReason) => {
      expect(isRoutineStop({ stoppedReason, stopCode: "ServiceSchedulerInitiated", containers: [{ name: "app", exitCode: 143 }] })).toBe(true);
    },
  );

  it.each([
    ["a failed pull", pullFailure("CannotPullContainerError: ghcr.io/acme/orders:9.9.9: not found")],
    ["an exited container", { stoppedReason: ESSENTIAL_EXITED, containers: [{ name: "app", exitCode: 1 }] }],
    [
      "a failed health check",
      {
        stoppedReason:
          "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/orders/73e2d6bc24d8a067)",
      },
    ],
    ["no reason", {}],
  ])("does not treat %s as routine", (_name, task) => {
    expect(isRoutineStop(task)).toBe(false);
  });

  it("does not treat a scale-in as routine when a container could not be pulled", () => {
    expect(
      isRoutineStop({
        stoppedReason: "Scaling activity initiated by (deployment ecs-svc/1234567890123456789)",
        containers: [{ name: "app", reason: "CannotPullContainerError: failed to fetch oauth token: unexpected status: 401 Unauthorized" }],
      }),
    ).toBe(false);
  });

  it("does not treat a scale-in as routine when a container was OOM-killed", () => {
    expect(
      isRoutineStop({
        stoppedReason: "Scaling activity initiated by (deployment ecs-svc/1234567890123456789)",
        containers: [{ name: "app", exitCode: 137, reason: "OutOfMemoryError: Container killed due to memory usage" }],
      }),
    ).toBe(false);
  });

  it("requires the routine phrase at the start of the reason", () => {
    expect(isRoutineStop({ stoppedReason: "Essential container in task exited; Task stopped by user" })).toBe(false);
  });
});

describe("diagnoseStoppedTask through the ECR pull-through cache", () => {
  const ECR_IMAGE = "123456789012.dkr.ecr.eu-west-2.amazonaws.com/ghcr/acme/payments:2.0.0";

  it("reads a 401 on the cache's host as the upstream refusing the stored credential, and says cached tags still serve", () => {
    const diagnosis = diagnoseStoppedTask(
      pullFailure(
        `CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref ${ECR_IMAGE}: unexpected status from HEAD request to https://123456789012.dkr.ecr.eu-west-2.amazonaws.com/v2/ghcr/acme/payments/manifests/2.0.0: 401 Unauthorized`,
      ),
    );
    expect(diagnosis).toEqual({
      code: "mirror-upstream-unauthorized",
      summary: "the pull-through cache could not pull from the upstream registry: it refused the stored credential (expired or revoked token, wrong user)",
      fix: "Create a new token (GitHub: classic PAT with read:packages) and run `ghcr-ecs rotate --token-stdin`; cached tags keep being served meanwhile. Run `ghcr-ecs credentials check` to reproduce the pull from here.",
    });
  });

  it("names the missing action when the execution role may not fill the cache", () => {
    const diagnosis = diagnoseStoppedTask(
      pullFailure(
        `CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref ${ECR_IMAGE}: pulling from host 123456789012.dkr.ecr.eu-west-2.amazonaws.com failed with status code [manifests 2.0.0]: 403 Forbidden: User: arn:aws:sts::123456789012:assumed-role/payments-execution/abc is not authorized to perform: ecr:BatchImportUpstreamImage on resource: arn:aws:ecr:eu-west-2:123456789012:repository/ghcr/acme/payments`,
      ),
    );
    expect(diagnosis).toEqual({
      code: "mirror-import-denied",
      summary: "the execution role may not fill the cache (ecr:BatchImportUpstreamImage): the image is not cached yet, and the first pull must import it",
      fix: "Give the execution role ecr:BatchImportUpstreamImage and ecr:CreateRepository on the cache's repositories (arn:…:repository/<prefix>/*), as ghcr-ecs does; then roll the service.",
    });
  });

  it("says the secret's name is the problem when ECR names the ecr-pullthroughcache/ prefix", () => {
    expect(
      diagnoseStoppedTask(
        pullFailure(
          `CannotPullContainerError: failed to resolve ref ${ECR_IMAGE}: 400 Bad Request: the credential ARN arn:aws:secretsmanager:eu-west-2:123456789012:secret:ghcr/payments-AbC123 is invalid: its secret name must start with the prefix ecr-pullthroughcache/`,
        ),
      ),
    ).toEqual({
      code: "mirror-secret-name",
      summary: "ECR refused the cache's credential: the secret's name must start with ecr-pullthroughcache/",
      fix: 'Keep the credential in a secret named ecr-pullthroughcache/<name> holding {"username","accessToken"} (ghcr-ecs creates one in registry.mode "ecr-pull-through-cache"), and point the rule at it.',
    });
  });

  it("leaves other ECR pull failures to the general diagnoses (a missing tag is still a 404)", () => {
    expect(code(pullFailure(`CannotPullContainerError: failed to resolve ref ${ECR_IMAGE}: ${ECR_IMAGE}: not found`))).toBe("pull-not-found");
    expect(code(pullFailure(`CannotPullContainerError: failed to resolve ref ghcr.io/acme/payments:2.0.0: 401 Unauthorized`))).toBe("pull-unauthorized");
  });
});

describe("diagnoseStoppedTask says what happened and what to do, word for word (the text is what users read)", () => {
  const table: [Diagnosis["code"], StoppedTaskReasons, string, string][] = [
    [
      "pull-unauthorized",
      {
        stoppedReason:
          "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ghcr.io/acme/orders:1.4.2: failed to authorize: failed to fetch oauth token: unexpected status from GET request to https://ghcr.io/token?scope=repository%3Aacme%2Forders%3Apull&service=ghcr.io: 401 Unauthorized",
        stopCode: "TaskFailedToStart",
        containers: [
          {
            name: "app",
            reason:
              "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ghcr.io/acme/orders:1.4.2: failed to authorize: failed to fetch oauth token: unexpected status from GET request to https://ghcr.io/token?scope=repository%3Aacme%2Forders%3Apull&service=ghcr.io: 401 Unauthorized",
          },
        ],
      },
      "the registry rejected the credentials (401): wrong username or token, or the token expired or was revoked",
      "Create a new token (GitHub: classic PAT with read:packages) and run `ghcr-ecs rotate --token-stdin`. Run `ghcr-ecs credentials check` to reproduce the pull from here.",
    ],
    [
      "pull-denied",
      {
        stoppedReason:
          "CannotPullContainerError: Error response from daemon: pull access denied for ghcr.io/acme/orders, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
        stopCode: "TaskFailedToStart",
        containers: [
          {
            name: "app",
            reason:
              "CannotPullContainerError: Error response from daemon: pull access denied for ghcr.io/acme/orders, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
          },
        ],
      },
      "the credentials are valid but may not pull this image (403/denied)",
      "Grant the token access: read:packages on a classic PAT, or add the account under the package's Manage access. Run `ghcr-ecs credentials check` to reproduce the pull from here.",
    ],
    [
      "pull-not-found",
      {
        stoppedReason:
          'CannotPullContainerError: ref pull has been retried 1 time(s): failed to resolve reference "ghcr.io/acme/orders:9.9.9": ghcr.io/acme/orders:9.9.9: not found',
        stopCode: "TaskFailedToStart",
        containers: [
          {
            name: "app",
            reason:
              'CannotPullContainerError: ref pull has been retried 1 time(s): failed to resolve reference "ghcr.io/acme/orders:9.9.9": ghcr.io/acme/orders:9.9.9: not found',
          },
        ],
      },
      "the image or tag does not exist in the registry (404)",
      "Check the image reference and that the tag was pushed. Run `ghcr-ecs credentials check` to reproduce the pull from here.",
    ],
    [
      "pull-timeout",
      {
        stoppedReason:
          'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ghcr.io/acme/orders:1.4.2: failed to do request: Head "https://ghcr.io/v2/acme/orders/manifests/1.4.2": dial tcp 140.82.112.34:443: i/o timeout',
        stopCode: "TaskFailedToStart",
        containers: [
          {
            name: "app",
            reason:
              'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ghcr.io/acme/orders:1.4.2: failed to do request: Head "https://ghcr.io/v2/acme/orders/manifests/1.4.2": dial tcp 140.82.112.34:443: i/o timeout',
          },
        ],
      },
      "the task could not reach the registry (network timeout)",
      "Tasks in private subnets need a NAT gateway (network.natGateways) or a public IP, and security-group egress on 443.",
    ],
    [
      "pull-platform-mismatch",
      {
        stoppedReason:
          "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to unpack image on snapshotter overlayfs: no match for platform in manifest: not found",
        stopCode: "TaskFailedToStart",
        containers: [
          {
            name: "app",
            reason:
              "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to unpack image on snapshotter overlayfs: no match for platform in manifest: not found",
          },
        ],
      },
      "the image has no variant for the task's CPU architecture",
      "Build the image for the configured cpuArchitecture (docker buildx --platform linux/amd64,linux/arm64) or change cpuArchitecture.",
    ],
    [
      "pull-rate-limited",
      {
        stoppedReason:
          "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ghcr.io/acme/orders:1.4.2: unexpected status from HEAD request to https://ghcr.io/v2/acme/orders/manifests/1.4.2: 429 Too Many Requests",
        stopCode: "TaskFailedToStart",
        containers: [
          {
            name: "app",
            reason:
              "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ghcr.io/acme/orders:1.4.2: unexpected status from HEAD request to https://ghcr.io/v2/acme/orders/manifests/1.4.2: 429 Too Many Requests",
          },
        ],
      },
      "the registry is rate limiting pulls (429)",
      "Retry later; pulls with credentials get higher limits.",
    ],
    [
      "pull-other",
      {
        stoppedReason:
          "CannotPullContainerError: failed to extract layer sha256:9c1b6dd6c1e6be9fdd2b1987783824670d3b0dd7ae8ad6f57dc3cea5739ac71e: write /var/lib/containerd/tmpmounts: no space left on device",
        stopCode: "TaskFailedToStart",
        containers: [
          {
            name: "app",
            reason:
              "CannotPullContainerError: failed to extract layer sha256:9c1b6dd6c1e6be9fdd2b1987783824670d3b0dd7ae8ad6f57dc3cea5739ac71e: write /var/lib/containerd/tmpmounts: no space left on device",
          },
        ],
      },
      "the image could not be pulled",
      "Run `ghcr-ecs credentials check` to reproduce the pull from here.",
    ],
    [
      "secret-access-denied",
      {
        stoppedReason:
          "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/orders-execution/abc is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:ghcr/orders-AbC123 because no identity-based policy allows the secretsmanager:GetSecretValue action",
        stopCode: "TaskFailedToStart",
        containers: [{ name: "app" }],
      },
      "the task execution role may not read the credentials secret (secretsmanager:GetSecretValue)",
      "Allow secretsmanager:GetSecretValue on the secret's full ARN (with its 6-character suffix) in the execution role.",
    ],
    [
      "secret-kms-denied",
      {
        stoppedReason:
          "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): AccessDeniedException: Access to KMS is not allowed",
        stopCode: "TaskFailedToStart",
        containers: [{ name: "app" }],
      },
      "the task execution role cannot decrypt the credentials secret (kms:Decrypt)",
      "Give the execution role kms:Decrypt on the secret's key with kms:ViaService secretsmanager.<region>.amazonaws.com (this stack does when the key is in its config).",
    ],
    [
      "secret-not-found",
      {
        stoppedReason:
          "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): ResourceNotFoundException: Secrets Manager can't find the specified secret.",
        stopCode: "TaskFailedToStart",
        containers: [{ name: "app" }],
      },
      "the credentials secret does not exist or has no value",
      "Write it with `ghcr-ecs credentials set --token-stdin`.",
    ],
    [
      "secret-unreachable",
      {
        stoppedReason:
          'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 5 time(s): RequestError: send request failed caused by: Post "https://secretsmanager.us-east-1.amazonaws.com/": dial tcp 10.0.0.1:443: i/o timeout',
        stopCode: "TaskFailedToStart",
        containers: [{ name: "app" }],
      },
      "the task could not reach Secrets Manager",
      "Tasks need a route to Secrets Manager: a NAT gateway, a public IP, or a secretsmanager VPC interface endpoint, and egress on 443.",
    ],
    [
      "secret-malformed",
      {
        stoppedReason:
          "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: failed to unmarshal secret value for arn:aws:secretsmanager:us-east-1:123456789012:secret:ghcr/orders-AbC123: invalid character 'g' looking for beginning of value",
        stopCode: "TaskFailedToStart",
        containers: [{ name: "app" }],
      },
      'the credentials secret is not {"username","password"} JSON',
      "Rewrite it with `ghcr-ecs credentials set --token-stdin`.",
    ],
    [
      "init-other",
      {
        stoppedReason:
          "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist.",
        stopCode: "TaskFailedToStart",
        containers: [{ name: "app" }],
      },
      "the task could not be initialised",
      "Read the full reason below; `ghcr-ecs credentials check` verifies the secret and the pull.",
    ],
    [
      "container-exited",
      { stoppedReason: "Essential container in task exited", stopCode: "EssentialContainerExited", containers: [{ name: "app", exitCode: 1 }] },
      "the application exited with code 1",
      "Read the task's log stream in the service's log group for the start-up error.",
    ],
    [
      "out-of-memory",
      {
        stoppedReason: "Essential container in task exited",
        stopCode: "EssentialContainerExited",
        containers: [{ name: "app", exitCode: 137, reason: "OutOfMemoryError: Container killed due to memory usage" }],
      },
      "the container was killed for exceeding its memory",
      "Raise memory/containerMemory, or bound the JVM heap (-XX:MaxRAMPercentage=75).",
    ],
    [
      "health-check-failed",
      {
        stoppedReason:
          "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/orders/73e2d6bc24d8a067)",
        stopCode: "ServiceSchedulerInitiated",
        containers: [{ name: "app", exitCode: 143 }],
      },
      "the task failed its load balancer health checks",
      "Check that /actuator/health answers 200 on the container port, and that the grace period covers Spring Boot's start-up.",
    ],
    [
      "unknown",
      { stoppedReason: "Scaling activity initiated by (deployment ecs-svc/1234567890123456789)", stopCode: "ServiceSchedulerInitiated" },
      "Scaling activity initiated by (deployment ecs-svc/1234567890123456789)",
      "See the service events: aws ecs describe-services.",
    ],
  ];
  it.each(table)("%s", (code, task, summary, fix) => expect(diagnoseStoppedTask(task)).toEqual({ code, summary, fix }));
});

describe("isRoutineStop's phrases count only where ECS puts them: at the start", () => {
  it.each([
    "Scaling activity initiated by (deployment ecs-svc/1)",
    "scaling activity initiated by (deployment ecs-svc/1)",
    "Task stopped by user",
    "Service orders was deleted",
    "Deployment ecs-svc/2 replaced this task",
  ])("%s is routine", (stoppedReason) => expect(isRoutineStop({ stoppedReason })).toBe(true));

  it.each([
    "Essential container in task exited: Scaling activity initiated by (deployment ecs-svc/1)",
    "Essential container in task exited: Task stopped by user",
    "Essential container in task exited: Service orders was deleted",
    "Essential container in task exited: Deployment ecs-svc/2 replaced this task",
  ])("%s is not", (stoppedReason) => expect(isRoutineStop({ stoppedReason })).toBe(false));

  it("is never routine when a container could not start", () => {
    expect(
      isRoutineStop({ stoppedReason: "Scaling activity initiated by (deployment ecs-svc/1)", containers: [{ reason: "OutOfMemoryError: Container killed" }] }),
    ).toBe(false);
    expect(
      isRoutineStop({
        stoppedReason: "Scaling activity initiated by (deployment ecs-svc/1)",
        containers: [{ reason: "" }, { reason: "CannotPullContainerError: x" }],
      }),
    ).toBe(false);
  });
});

describe("the pull-through cache's diagnoses need their own evidence", () => {
  const ECR_IMAGE = "123456789012.dkr.ecr.eu-west-2.amazonaws.com/ghcr/acme/payments:2.0.0";
  const pull = (detail: string) => pullFailure(`CannotPullContainerError: failed to resolve ref ${ECR_IMAGE}: ${detail}`);

  it("reads 'unauthorized' without a status code, and the upstream's credential, as the cache's credential refused", () => {
    expect(code(pull("Unauthorized: authentication required"))).toBe("mirror-upstream-unauthorized");
    expect(code(pull("the upstream registry rejected the credential"))).toBe("mirror-upstream-unauthorized");
  });

  it("names the missing import action however the colon and space are written", () => {
    expect(diagnoseStoppedTask(pull("403 Forbidden: user is not authorized to perform ecr:CreateRepository on resource x")).summary).toContain(
      "(ecr:CreateRepository)",
    );
    expect(code(pull("403 Forbidden: user is NOT AUTHORIZED TO PERFORM:ecr:BatchImportUpstreamImage on resource x"))).toBe("mirror-import-denied");
  });

  it("blames the secret's name only when ECR says something is wrong with it", () => {
    expect(code(pull("not found: arn:aws:secretsmanager:eu-west-2:123456789012:secret:ecr-pullthroughcache/payments-AbC123"))).toBe("pull-not-found");
  });
});
