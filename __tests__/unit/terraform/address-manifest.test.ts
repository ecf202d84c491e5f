import { readFileSync } from "node:fs";
import * as path from "node:path";
import { exampleAddressManifest } from "../../../src/app";
import { ADDRESS_MANIFEST_FILE, manifestProblems, manifestText, type AddressManifest } from "../../../src/terraform/address-manifest";

const ROOT = path.join(__dirname, "..", "..", "..");
const CONFIG = "config/reference-app.json";
const manifest = (addresses: string[], moved: { from: string; to: string }[] = []): AddressManifest => ({ [CONFIG]: { orders: { addresses, moved } } });

describe("manifestProblems", () => {
  it("accepts new addresses and unchanged ones", () => {
    expect(manifestProblems(manifest(["aws_lb.a"]), manifest(["aws_lb.a", "aws_lb_listener.b"]))).toEqual([]);
  });

  it("reports an address gone without a moved block as a destroy, naming the fix", () => {
    expect(manifestProblems(manifest(["aws_ecs_cluster.old", "aws_lb.a"]), manifest(["aws_ecs_cluster.new", "aws_lb.a"]))).toEqual([
      {
        config: CONFIG,
        stack: "orders",
        message:
          'aws_ecs_cluster.old is gone without a moved block: Terraform would destroy it. Keep its construct path, or carry it with `<resource>.moveFromId("aws_ecs_cluster.old")`; if the resource is meant to go, accept it with --accept-removal orders/aws_ecs_cluster.old',
      },
    ]);
  });

  it("accepts an address carried by a moved block to an address the stack has", () => {
    const moved = [{ from: "aws_ecs_cluster.old", to: "aws_ecs_cluster.new" }];
    expect(manifestProblems(manifest(["aws_ecs_cluster.old"]), manifest(["aws_ecs_cluster.new"], moved))).toEqual([]);
  });

  it("refuses a moved block whose target the stack does not synthesize", () => {
    const moved = [{ from: "aws_ecs_cluster.old", to: "aws_ecs_cluster.elsewhere" }];
    expect(manifestProblems(manifest(["aws_ecs_cluster.old"]), manifest(["aws_ecs_cluster.new"], moved)).map((p) => p.message)).toEqual([
      "aws_ecs_cluster.old is moved to aws_ecs_cluster.elsewhere, which the stack does not synthesize",
    ]);
  });

  it("refuses to drop a moved block, which deployments not yet upgraded still need", () => {
    const moved = [{ from: "aws_ecs_cluster.old", to: "aws_ecs_cluster.new" }];
    expect(manifestProblems(manifest(["aws_ecs_cluster.new"], moved), manifest(["aws_ecs_cluster.new"])).map((p) => p.message)).toEqual([
      "the moved block aws_ecs_cluster.old → aws_ecs_cluster.new is gone: deployments not yet upgraded past it would destroy aws_ecs_cluster.old",
    ]);
  });

  it("accepts a removal named with --accept-removal, by stack/address or address", () => {
    expect(manifestProblems(manifest(["aws_lb.a", "aws_lb.b"]), manifest([]), ["orders/aws_lb.a", "aws_lb.b"])).toEqual([]);
  });

  it("reports a stack that is no longer synthesized", () => {
    expect(manifestProblems(manifest(["aws_lb.a"]), { [CONFIG]: {} }).map((p) => p.message)).toEqual([
      "the stack orders is no longer synthesized; its deployments would lose every resource",
    ]);
  });
});

describe(ADDRESS_MANIFEST_FILE, () => {
  const generated = exampleAddressManifest();
  const committed = JSON.parse(readFileSync(path.join(ROOT, ADDRESS_MANIFEST_FILE), "utf8")) as AddressManifest;

  it("covers the reference app and every example config", () => {
    expect(Object.keys(generated).sort()).toEqual(Object.keys(committed).sort());
    expect(Object.keys(generated)).toContain(CONFIG);
    expect(Object.keys(generated).filter((file) => file.startsWith("config/examples/")).length).toBeGreaterThanOrEqual(5);
  });

  it("loses no address and no moved block of the committed manifest", () => {
    expect(manifestProblems(committed, generated)).toEqual([]);
  });

  it("loses no address of ghcr-ecs 0.1.0 (every one still synthesized, or moved)", () => {
    const v010 = JSON.parse(readFileSync(path.join(ROOT, "__tests__", "fixtures", "upgrade", "resource-addresses-0.1.0.json"), "utf8")) as AddressManifest;
    expect(manifestProblems(v010, generated)).toEqual([]);
  });

  it("is exactly what `npm run addresses` generates (regenerate and commit it after adding resources)", () => {
    expect(manifestText(generated)).toBe(readFileSync(path.join(ROOT, ADDRESS_MANIFEST_FILE), "utf8"));
  });
});
