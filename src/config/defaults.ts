/**
 * Every default the configuration applies, in one place. The schema, the JSON Schema, the constructs' JSDoc and
 * the configuration reference (docs/configuration.md, generated from the schema) all point here.
 */
export const DEFAULTS = {
  containerPort: 8080,
  desiredCount: 2,
  cpuArchitecture: "X86_64",
  healthCheck: {
    /** Spring Boot actuator's aggregate health endpoint. */
    path: "/actuator/health",
    /** Actuator answers 503 when DOWN, so only 200 means healthy (200-399 would also accept redirects). */
    matcher: "200",
    /** 10 s × 2 healthy checks: a started task is in service ~20 s after it answers (AWS: 30 s × 5 = 150 s). */
    intervalSeconds: 10,
    timeoutSeconds: 5,
    healthyThreshold: 2,
    unhealthyThreshold: 3,
    /** Spring Boot start-up on 0.5 vCPU takes 20-45 s; health checks before that must not kill the task. */
    gracePeriodSeconds: 60,
  },
  /** AWS's 300 s makes every deploy wait five minutes for connections that Spring Boot drains in seconds. */
  deregistrationDelaySeconds: 30,
  deployment: {
    minimumHealthyPercent: 50,
    maximumPercent: 200,
    /** Terraform waits for the rollout, so a deploy whose tasks never become healthy fails instead of "succeeding". */
    waitForSteadyState: true,
  },
  autoscaling: {
    /**
     * Target tracking on the service's average CPU. 70 % leaves a third of the fleet's CPU for a burst while new
     * tasks start (Spring Boot start-up plus two health checks: about a minute).
     */
    cpuPercent: 70,
    /** maxCount, when not given: room to double the minimum for a burst (and at least one task more). */
    maxCountFactor: 2,
    /** Scale out again once a new task has started and passed its health checks (~60 s). */
    scaleOutCooldownSeconds: 60,
    /** Scale in slowly (AWS's default): a lull between two bursts must not stop tasks the next burst needs. */
    scaleInCooldownSeconds: 300,
    /** Scheduled actions read their cron in UTC unless a schedule names its time zone. */
    timezone: "UTC",
  },
  alarms: {
    /**
     * Target 5xx above 5 % of requests for the evaluation window: beyond the odd failed request, short of an outage
     * (an app that answers every request with 500 is at 100 %).
     */
    targetErrorPercent: 5,
    /** Fewer requests than this in a minute give no error rate: 1 failure in 3 requests is not an outage. */
    minimumRequestsPerMinute: 10,
    /** 5xx the load balancer itself answers (502/503/504: no healthy target, a target that reset the connection). */
    loadBalancerErrorsPerMinute: 10,
    /** One target failing its health checks is one task the load balancer no longer sends traffic to. */
    unhealthyTargets: 1,
    /** p99 of the time a task takes to answer (TargetResponseTime), in seconds: a Spring Boot API answers in milliseconds. */
    p99ResponseSeconds: 2,
    /** Above autoscaling's target (70 %): the scaler is at its maximum or cannot keep up. */
    cpuPercent: 90,
    memoryPercent: 90,
    /**
     * One-minute periods that must all breach before an alarm fires: long enough to ride out a blip, short enough
     * that a deployment alarm rolls back a bad deploy within minutes.
     */
    evaluationMinutes: 3,
    /** Running tasks below desired that long (Container Insights): a deploy or scale-out catches up within a few minutes. */
    tasksBelowDesiredMinutes: 5,
    /** ECS fails a deployment whose 5xx-rate or unhealthy-targets alarm fires, and rolls back to the last completed one. */
    rollback: true,
  },
  credentials: {
    recoveryWindowInDays: 7,
    version: 1,
  },
  encryption: {
    keyDeletionWindowInDays: 30,
  },
  network: {
    cidr: "10.0.0.0/16",
    azCount: 2,
    natGateways: "single",
    /** Through NAT: the registry (ghcr.io) is on the internet. */
    egress: "nat",
  },
  loadBalancer: {
    scheme: "internet-facing",
    ingressCidrs: ["0.0.0.0/0"],
    /** TLS 1.3 + 1.2 only, the policy AWS recommends for new listeners. */
    sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
    idleTimeoutSeconds: 60,
    deletionProtection: false,
  },
  logRetentionDays: 30,
  containerInsights: true,
  /**
   * The container cannot modify its image's files (checkov CKV_AWS_336); a task-scoped writable volume is mounted
   * at /tmp, where Spring Boot's embedded Tomcat and the JVM write.
   */
  readOnlyRootFilesystem: true,
  /** Fargate only; "ec2" adds nothing to Fargate, "both" deploys `<name>` and `<name>-ec2` side by side. */
  launchType: "fargate",
  registry: {
    /** Today's behaviour: no ECR in between, nothing changes for an existing deployment. */
    mode: "direct",
    /** Enough to roll back a few releases from the cache; ECR storage is $0.10/GB-month. */
    keepImages: 30,
  },
  ci: {
    /** GitHub's default name for the environment protection rules guard; deploy.yml's job runs in it. */
    deployEnvironment: "production",
    /** The scheduled watch runs on the default branch (schedules always do). */
    defaultBranch: "main",
    /**
     * The deploy role manages everything the stacks hold except IAM (which its own policy scopes to the stacks'
     * names): AWS's managed PowerUserAccess, in the stack's partition.
     */
    deployManagedPolicy: "PowerUserAccess",
  },
  ec2: {
    /** Burstable, 2 vCPU / 4 GiB: two reference-app tasks per instance; the Graviton twin for ARM64 images. */
    instanceType: { X86_64: "t3.medium", ARM64: "t4g.medium" },
    /** Two instances, so the AZ spread has somewhere to spread to. */
    minSize: 2,
    maxSize: 4,
    /** The ECS-optimized AL2023 AMI's snapshot is 30 GiB; a smaller root volume cannot launch. */
    rootVolumeGiB: 30,
    /** Managed scaling keeps the instances 100% used: no idle instance beyond what tasks reserve. */
    targetCapacityPercent: 100,
    /** Instance refresh replaces at most 10% of capacity at a time (at least one instance). */
    minHealthyPercentage: 90,
    networkMode: "awsvpc",
    registryAuth: "task",
    /** The agent's own default. */
    containerStopTimeoutSeconds: 30,
    /** The agent's own default: pull, fall back to the cached image when the registry is unreachable. */
    imagePullBehavior: "default",
    spot: {
      /** One on-demand instance survives a wave of Spot interruptions. */
      onDemandBaseCapacity: 1,
      onDemandPercentageAboveBaseCapacity: 0,
      allocationStrategy: "price-capacity-optimized",
    },
  },
} as const;
