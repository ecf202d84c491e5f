import { allServices, parseOutputs, requireField, selectService, type DeploymentTarget } from "../../../src/operations/deployment";
import { EXIT, OperationError } from "../../../src/operations/exit-codes";

const ORDERS_OUTPUTS = {
  region: "us-east-1",
  credentials_secret_arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:ghcr/orders-AbC123",
  image: "ghcr.io/acme/orders:1.4.2",
  registry_username: "acme-ci-bot",
  cluster_name: "orders",
  service_name: "orders",
  registry_auth_mode: "task",
  autoscaling_group_name: "orders-asg",
};

const ORDERS_TARGET: DeploymentTarget = {
  region: "us-east-1",
  secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:ghcr/orders-AbC123",
  image: "ghcr.io/acme/orders:1.4.2",
  username: "acme-ci-bot",
  clusterName: "orders",
  serviceName: "orders",
  registryAuthMode: "task",
  autoscalingGroupName: "orders-asg",
};

const WRITE_IT = "Write it with `cdktf deploy --outputs-file FILE` or `terraform output -json > FILE`.";

function rejection(run: () => unknown): OperationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(OperationError);
    return error as OperationError;
  }
  throw new Error("expected an OperationError");
}

describe("parseOutputs in cdktf --outputs-file format", () => {
  it("maps every output of the only stack to its field", () => {
    expect(parseOutputs(JSON.stringify({ orders: ORDERS_OUTPUTS }), "cdktf-outputs.json")).toEqual(ORDERS_TARGET);
  });

  it("ignores outputs it does not know and outputs that are not strings", () => {
    const outputs = {
      orders: { region: "eu-west-1", alb_dns_name: "orders-123.eu-west-1.elb.amazonaws.com", cluster_name: 7, service_name: null, image: ["x"] },
    };
    expect(parseOutputs(JSON.stringify(outputs), "cdktf-outputs.json")).toEqual({ region: "eu-west-1" });
  });

  it("picks the stack named by --stack among several", () => {
    const file = { orders: ORDERS_OUTPUTS, billing: { ...ORDERS_OUTPUTS, cluster_name: "billing", service_name: "billing-api" } };
    expect(parseOutputs(JSON.stringify(file), "out.json", "billing")).toEqual({ ...ORDERS_TARGET, clusterName: "billing", serviceName: "billing-api" });
    expect(parseOutputs(JSON.stringify(file), "out.json", "orders")).toEqual(ORDERS_TARGET);
  });

  it("asks for --stack when there are several stacks, naming them", () => {
    const error = rejection(() => parseOutputs(JSON.stringify({ orders: ORDERS_OUTPUTS, billing: ORDERS_OUTPUTS }), "out.json"));
    expect(error.exitCode).toBe(EXIT.usage);
    expect(error.message).toBe("out.json has outputs of several stacks (orders, billing)");
    expect(error.fix).toBe("Pick one with --stack NAME.");
  });

  it("names the stacks it has when --stack names another", () => {
    const error = rejection(() => parseOutputs(JSON.stringify({ orders: ORDERS_OUTPUTS, billing: ORDERS_OUTPUTS }), "out.json", "payments"));
    expect(error.exitCode).toBe(EXIT.usage);
    expect(error.message).toBe('out.json has no stack "payments" (it has: orders, billing)');
    expect(error.fix).toBe("Check --stack.");
  });

  it("checks --stack even when the file has a single stack", () => {
    expect(rejection(() => parseOutputs(JSON.stringify({ orders: ORDERS_OUTPUTS }), "out.json", "billing")).message).toBe(
      'out.json has no stack "billing" (it has: orders)',
    );
  });

  it("reports a stack whose outputs are not an object", () => {
    const error = rejection(() => parseOutputs(JSON.stringify({ orders: "us-east-1" }), "out.json"));
    expect(error.exitCode).toBe(EXIT.usage);
    expect(error.message).toBe('out.json has no outputs object for stack "orders"');
    expect(rejection(() => parseOutputs(JSON.stringify({ orders: null }), "out.json")).message).toBe('out.json has no outputs object for stack "orders"');
  });

  it("returns no fields for a stack without outputs", () => {
    expect(parseOutputs(JSON.stringify({ orders: {} }), "out.json")).toEqual({});
  });
});

describe("parseOutputs in terraform output -json format", () => {
  const terraform = (outputs: Record<string, unknown>) =>
    JSON.stringify(
      Object.fromEntries(
        Object.entries(outputs).map(([name, value]) => [name, { sensitive: false, type: typeof value === "string" ? "string" : "dynamic", value }]),
      ),
    );

  it("maps every output's value to its field", () => {
    expect(parseOutputs(terraform(ORDERS_OUTPUTS), "terraform output")).toEqual(ORDERS_TARGET);
  });

  it("ignores --stack, since the output belongs to one stack", () => {
    expect(parseOutputs(terraform({ region: "us-east-1" }), "terraform output", "billing")).toEqual({ region: "us-east-1" });
  });

  it("ignores non-string values and unknown outputs", () => {
    expect(parseOutputs(terraform({ region: "us-east-1", cluster_name: ["orders"], vpc_id: "vpc-0123" }), "terraform output")).toEqual({ region: "us-east-1" });
  });

  it("reports a stack that has no outputs yet instead of claiming several stacks", () => {
    // `terraform output -json` prints {} before the first apply.
    const error = rejection(() => parseOutputs("{}\n", "terraform output in cdktf.out/stacks/orders"));
    expect(error.exitCode).toBe(EXIT.usage);
    expect(error.message).toBe("terraform output in cdktf.out/stacks/orders has no outputs");
    expect(error.fix).toBe(
      "Deploy the stack first (npm run deploy), then write the outputs with `cdktf deploy --outputs-file FILE` or `terraform output -json > FILE`.",
    );
  });
});

describe("parseOutputs on other input", () => {
  it.each([
    ["empty", ""],
    ["truncated", '{"orders": {"region": "us-'],
    ["YAML", "orders:\n  region: us-east-1\n"],
  ])("reports %s input as not JSON", (_name, text) => {
    const error = rejection(() => parseOutputs(text, "cdktf-outputs.json"));
    expect(error.exitCode).toBe(EXIT.usage);
    expect(error.message).toBe("cdktf-outputs.json is not JSON");
    expect(error.fix).toBe(WRITE_IT);
  });

  it.each([
    ["an array", "[]"],
    ["a string", '"orders"'],
    ["a number", "1"],
    ["null", "null"],
  ])("reports %s as not an object of outputs", (_name, text) => {
    const error = rejection(() => parseOutputs(text, "cdktf-outputs.json"));
    expect(error.exitCode).toBe(EXIT.usage);
    expect(error.message).toBe("cdktf-outputs.json is not a JSON object of outputs");
    expect(error.fix).toBe(WRITE_IT);
  });
});

describe("requireField", () => {
  it("returns the value when the outputs or flags provide it", () => {
    expect(requireField(ORDERS_TARGET, "secretArn", "--secret-arn")).toBe("arn:aws:secretsmanager:us-east-1:123456789012:secret:ghcr/orders-AbC123");
    expect(requireField({ clusterName: "orders" }, "clusterName", "--cluster")).toBe("orders");
  });

  it("names the flag that supplies a missing value", () => {
    const error = rejection(() => requireField({ region: "us-east-1" }, "secretArn", "--secret-arn"));
    expect(error.exitCode).toBe(EXIT.usage);
    expect(error.message).toBe("don't know the secret arn of the deployment");
    expect(error.fix).toBe("Pass --secret-arn, or --outputs FILE (from `cdktf deploy --outputs-file FILE`) / --stack-dir cdktf.out/stacks/<stack>.");
  });

  it("treats an empty value as missing", () => {
    expect(rejection(() => requireField({ serviceName: "" }, "serviceName", "--service")).message).toBe("don't know the service of the deployment");
  });
});

const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-prod/registry-credentials-AbC123";
const PARTNER_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-prod/admin/registry-credentials-XyZ789";
const service = (name: string, secret = SECRET) => ({
  service_name: name,
  image: `ghcr.io/acme/${name}:1.0.0`,
  log_group_name: `/ecs/shop-prod/${name}`,
  execution_role_arn: `arn:aws:iam::123456789012:role/shop-prod-${name}-execution`,
  credentials_secret_arn: secret,
  registry_auth_mode: "task",
  load_balanced: name !== "worker",
  registry_username: "acme-ci-bot",
});
const APP_OUTPUTS = {
  "shop-prod": {
    region: "us-east-1",
    cluster_name: "shop-prod",
    service_url: "http://shop-prod-123.us-east-1.elb.amazonaws.com",
    services: { web: service("web"), admin: service("admin", PARTNER_SECRET), worker: service("worker") },
  },
};

describe("the services output of an app's stack", () => {
  const target = parseOutputs(JSON.stringify(APP_OUTPUTS), "cdktf-outputs.json");

  it("is read into one entry per service, beside the stack's own outputs", () => {
    expect(target.clusterName).toBe("shop-prod");
    expect(target.services?.admin).toEqual({
      serviceName: "admin",
      image: "ghcr.io/acme/admin:1.0.0",
      secretArn: PARTNER_SECRET,
      username: "acme-ci-bot",
      registryAuthMode: "task",
      logGroupName: "/ecs/shop-prod/admin",
      loadBalanced: true,
    });
  });

  it("narrows to the named service", () => {
    expect(selectService(target, "admin")).toMatchObject({
      clusterName: "shop-prod",
      serviceName: "admin",
      secretArn: PARTNER_SECRET,
      image: "ghcr.io/acme/admin:1.0.0",
    });
  });

  it("asks for --service when the stack has several, naming them", () => {
    const error = rejection(() => selectService(target, undefined));
    expect({ code: error.exitCode, message: error.message, fix: error.fix }).toEqual({
      code: EXIT.usage,
      message: "the stack has 3 services (web, admin, worker)",
      fix: "Pick one with --service NAME.",
    });
  });

  it("refuses a service the stack does not have", () => {
    expect(rejection(() => selectService(target, "api")).message).toBe('the stack has no service "api" (it has: web, admin, worker)');
  });

  it("takes the only service without --service", () => {
    const single = parseOutputs(JSON.stringify({ "shop-prod": { ...APP_OUTPUTS["shop-prod"], services: { web: service("web") } } }), "out.json");
    expect(selectService(single, undefined).serviceName).toBe("web");
  });

  it("lets the top-level outputs of a stack of one service win over its services entry, as 0.1's did", () => {
    const edited = parseOutputs(
      JSON.stringify({ orders: { ...ORDERS_OUTPUTS, image: "127.0.0.1:5000/acme/orders-service:1.4.2", services: { orders: service("orders") } } }),
      "out.json",
    );
    expect(selectService(edited, undefined)).toMatchObject({ serviceName: "orders", image: "127.0.0.1:5000/acme/orders-service:1.4.2" });
    expect(allServices(edited).map(([name, t]) => [name, t.image])).toEqual([["orders", "127.0.0.1:5000/acme/orders-service:1.4.2"]]);
  });

  it("lists every service for --all; outputs of 0.1 (no map) are one service, and --service names its ECS service there", () => {
    expect(allServices(target).map(([name, t]) => [name, t.serviceName])).toEqual([
      ["web", "web"],
      ["admin", "admin"],
      ["worker", "worker"],
    ]);
    const legacy = parseOutputs(JSON.stringify({ orders: ORDERS_OUTPUTS }), "out.json");
    expect(allServices(legacy)).toEqual([["orders", ORDERS_TARGET]]);
    expect(selectService(legacy, "orders-v2").serviceName).toBe("orders-v2");
  });
});
