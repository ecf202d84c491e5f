import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** A CA made for one emulator run and a server certificate it signed; the files live in the run's scratch folder. */
export interface LocalCertificates {
  /** The CA's certificate (PEM): what a client trusts, e.g. with `NODE_EXTRA_CA_CERTS`. */
  readonly caFile: string;
  readonly certificateFile: string;
  readonly keyFile: string;
}

/**
 * Makes a CA and a server certificate for `names` (DNS names and IP addresses, as subjectAltName) with openssl,
 * valid for two days. The CA's key is deleted once it has signed: nothing else can be issued under it.
 */
export function createLocalCertificates(dir: string, names: readonly string[]): LocalCertificates {
  if (names.length === 0) throw new Error("a server certificate needs at least one name");
  const file = (name: string) => path.join(dir, name);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  const subjectAltName = names.map((name) => (/^[\d.]+$|:/.test(name) ? `IP:${name}` : `DNS:${name}`)).join(",");
  fs.writeFileSync(
    file("server.ext"),
    `subjectAltName=${subjectAltName}\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`,
  );
  openssl(["req", "-x509", ...ec, "-keyout", file("ca.key"), "-out", file("ca.pem"), "-days", "2", "-subj", "/CN=ghcr-ecs local test CA", ...CA_EXTENSIONS]);
  openssl(["req", ...ec, "-keyout", file("server.key"), "-out", file("server.csr"), "-subj", `/CN=${names[0]}`]);
  openssl([
    "x509",
    "-req",
    "-in",
    file("server.csr"),
    "-CA",
    file("ca.pem"),
    "-CAkey",
    file("ca.key"),
    "-CAcreateserial",
    "-out",
    file("server.pem"),
    "-days",
    "2",
    "-extfile",
    file("server.ext"),
  ]);
  fs.rmSync(file("ca.key"));
  return { caFile: file("ca.pem"), certificateFile: file("server.pem"), keyFile: file("server.key") };
}

const CA_EXTENSIONS = ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"];

function openssl(args: readonly string[]): void {
  const result = spawnSync("openssl", args, { encoding: "utf8", timeout: 30000 });
  if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr || result.error?.message}`);
}
