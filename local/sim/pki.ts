// Source: local/sim/SOURCES.md § pki.ts
/**
 * Certificates of the simulated cloud: one CA per EKS cluster (as EKS has) and one for Karmada (as
 * `kubectl karmada init` creates), each issuing the API server's serving certificate and, for Karmada, the admin
 * client certificate. Keys are RSA 2048 from Node's native generator (node-forge's pure-JS one takes a second each),
 * certificates are built with node-forge. Validity is real wall-clock time: OpenSSL checks it against the real clock.
 */
import { generateKeyPair, sign } from "node:crypto";
import forge from "node-forge";
import { realDate } from "./virtual-time.js";

export interface KeyPairPem {
  publicKeyPem: string;
  privateKeyPem: string;
}

/** A certificate and its private key, PEM (JSON-serializable: kept in the simulated account's state). */
export interface CertPem {
  certPem: string;
  keyPem: string;
}

const generate = (): Promise<KeyPairPem> =>
  new Promise((resolve, reject) =>
    generateKeyPair(
      "rsa",
      {
        modulusLength: 2048,
        publicKeyEncoding: { type: "spki", format: "pem" },
        privateKeyEncoding: { type: "pkcs8", format: "pem" },
      },
      (error, publicKeyPem, privateKeyPem) => (error ? reject(error) : resolve({ publicKeyPem, privateKeyPem })),
    ),
  );

// Key pairs generated in this process. Each account takes them in order from the start, so every key of one
// account is distinct, while repeated runs in one process (tests, benchmark) reuse the keys instead of paying
// ~60 ms of CPU per RSA key again. Keys never leave the simulated accounts.
const generated: Promise<KeyPairPem>[] = [];

const nth = (i: number): Promise<KeyPairPem> => {
  while (generated.length <= i) {
    const pending = generate();
    pending.catch(() => undefined);
    generated.push(pending);
  }
  return generated[i] as Promise<KeyPairPem>;
};

/** An account's supply of key pairs, generated in the background (libuv thread pool) so clusters get PKI at once. */
export class KeyPool {
  private next = 0;

  /** @param shared take the process's key pairs in order (default), or generate keys no other pool has */
  constructor(private readonly shared = true) {}

  /** Makes sure `count` more key pairs are being generated. */
  fill(count: number): void {
    if (this.shared) for (let i = 0; i < count; i++) void nth(this.next + i);
  }

  take(): Promise<KeyPairPem> {
    return this.shared ? nth(this.next++) : generate();
  }
}

let serial = 0;

function build(
  subject: forge.pki.CertificateField[],
  keys: KeyPairPem,
  issuer: { subject: forge.pki.CertificateField[]; keyPem: string } | undefined,
  extensions: Record<string, unknown>[],
  validityDays = 5 * 365,
): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKeyPem);
  serial++;
  cert.serialNumber = `01${Date.now().toString(16)}${serial.toString(16).padStart(6, "0")}`;
  const now = new realDate().getTime();
  cert.validity.notBefore = new realDate(now - 24 * 3600_000);
  cert.validity.notAfter = new realDate(now + validityDays * 24 * 3600_000);
  cert.setSubject(subject);
  cert.setIssuer(issuer?.subject ?? subject);
  cert.setExtensions(extensions);
  // What forge's cert.sign does, with the RSA signature from Node's native crypto (forge's is pure JS and slow).
  const oid = forge.pki.oids.sha256WithRSAEncryption as string;
  cert.signatureOid = oid;
  cert.siginfo.algorithmOid = oid;
  cert.md = forge.md.sha256.create();
  const pki = forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 };
  cert.tbsCertificate = pki.getTBSCertificate(cert);
  const tbs = Buffer.from(forge.asn1.toDer(cert.tbsCertificate).getBytes(), "binary");
  cert.signature = sign("sha256", tbs, issuer?.keyPem ?? keys.privateKeyPem).toString("binary");
  return forge.pki.certificateToPem(cert);
}

/** A self-signed CA. */
export async function createCa(commonName: string, pool: KeyPool): Promise<CertPem> {
  const keys = await pool.take();
  const certPem = build([{ name: "commonName", value: commonName }], keys, undefined, [
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  return { certPem, keyPem: keys.privateKeyPem };
}

const caSubject = (ca: CertPem) =>
  forge.pki.certificateFromPem(ca.certPem).subject.attributes as forge.pki.CertificateField[];

/**
 * A serving certificate for these hosts (IP addresses or DNS names), issued by `ca`; valid `validityDays` from now
 * (default five years; `kubectl karmada init --cert-validity-period` sets Karmada's).
 */
export async function issueServer(
  ca: CertPem,
  hosts: string[],
  pool: KeyPool,
  validityDays?: number,
): Promise<CertPem> {
  const keys = await pool.take();
  const altNames = hosts.map((h) => (/^[\d.]+$/.test(h) ? { type: 7, ip: h } : { type: 2, value: h }));
  const certPem = build(
    [{ name: "commonName", value: hosts[0] ?? "kube-apiserver" }],
    keys,
    { subject: caSubject(ca), keyPem: ca.keyPem },
    [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames },
    ],
    validityDays,
  );
  return { certPem, keyPem: keys.privateKeyPem };
}

/** A client certificate (CN = user, O = group), issued by `ca`; valid `validityDays` from now (as issueServer). */
export async function issueClient(
  ca: CertPem,
  commonName: string,
  organization: string,
  pool: KeyPool,
  validityDays?: number,
): Promise<CertPem> {
  const keys = await pool.take();
  const subject = [
    { name: "commonName", value: commonName },
    { name: "organizationName", value: organization },
  ];
  const certPem = build(
    subject,
    keys,
    { subject: caSubject(ca), keyPem: ca.keyPem },
    [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", clientAuth: true },
    ],
    validityDays,
  );
  return { certPem, keyPem: keys.privateKeyPem };
}

/** A notAfter as the init build records it: ISO 8601 UTC to the second (`openssl x509 -enddate`, `date -u`). */
export const notAfterOf = (notAfter: Date): string => `${notAfter.toISOString().slice(0, 19)}Z`;

/** Base64 of a PEM: EKS `certificateAuthority.data` and kubeconfig `*-data` fields. */
export const pemData = (pem: string): string => Buffer.from(pem).toString("base64");
