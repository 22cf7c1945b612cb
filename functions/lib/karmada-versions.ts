/**
 * The Karmada versions this product can install: the one table every consumer reads.
 * - functions/lib/plan.ts accepts `karmada.version` only if it names a row (and defaults to DEFAULT_KARMADA_VERSION);
 * - sst.config.ts renders the rows into the `# PINS TABLE` line of every buildspec (renderBuildspec), so the
 *   CodeBuild projects carry the pins in their inline buildspecs. Rendering at deploy time (rather than passing the
 *   pins per build as environment variables) keeps them out of every execution payload and out of the Destroy
 *   workflow's inputs, and a Destroy of an older deployment still finds the pins of its version in the project.
 *   The buildspecs as committed pin nothing and refuse to install until rendered (fail closed);
 * - local/sim/karmada.ts refuses, like the rendered buildspecs, a build whose KARMADA_VERSION has no row.
 *
 * Every value below is copied from a source named next to it; none is computed here. To add a version: take the
 * kubectl-karmada sha256s from kubernetes-sigs/krew-index plugins/karmada.yaml (or the release's `<asset>.sha256`),
 * the Go module hash from the Go checksum database (`go mod download -json github.com/karmada-io/karmada@<tag>` with
 * GOSUMDB on prints it as `Sum`), the kube-apiserver version from `--kube-image-tag`'s default in
 * pkg/karmadactl/cmdinit/cmdinit.go at the tag, and a kubectl within one minor of it whose sha256 at least two
 * independent sources agree on. test/unit/plan/karmada-versions.test.ts checks the shape and the skew of every row.
 */

export interface KarmadaRelease {
  /** Release tag of karmada-io/karmada. */
  version: string;
  /** sha256 of the release assets `kubectl-karmada-linux-<arch>.tgz`. */
  kubectlKarmadaSha256: { linuxAmd64: string; linuxArm64: string };
  /** The kube-apiserver `kubectl karmada init` deploys (its `--kube-image-tag` default). */
  kubeApiserverVersion: string;
  /** The kubectl the buildspecs install with this release (within one minor of the kube-apiserver). */
  kubectl: { version: string; sha256: { linuxAmd64: string; linuxArm64: string } };
  /**
   * Go's dirhash `h1:` of the module zip `github.com/karmada-io/karmada@<version>` (proxy.golang.org), as recorded
   * by the Go checksum database. The init build verifies the zip against it and packs the CRDs for
   * `kubectl karmada init --crds` from it: the release's crds.tar.gz has no checksum to verify it by.
   */
  goModuleH1: string;
}

export const KARMADA_RELEASES: readonly KarmadaRelease[] = [
  {
    version: "v1.18.2",
    // kubernetes-sigs/krew-index plugins/karmada.yaml@365333f5afc914955b201fc29904a605784de27b
    // ("new version v1.18.2 of karmada", 2026-07-31).
    kubectlKarmadaSha256: {
      linuxAmd64: "78163e4ecde302fd973e8138a90842180dec06c83b6b9ada19ebab117cf15024",
      linuxArm64: "9f9bb7b9dcb6364e45d467f53d093e90b46ef4e9e30c1ca8c801f2d822dc0742",
    },
    // karmada-io/karmada pkg/karmadactl/cmdinit/cmdinit.go@v1.18.2 (`--kube-image-tag` default "v1.35.2"); the same
    // as operator/pkg/constants/constants.go@v1.18.2 KubeDefaultVersion.
    kubeApiserverVersion: "v1.35.2",
    // https://dl.k8s.io/release/v1.35.2/bin/linux/<arch>/kubectl, sha256 as pinned by two independent sources:
    // cashapp/hermit-packages kubectl.hcl@0e4549be91d00e65dcc5cdd8acd8ef4e7687ca7f and
    // rancher/shell hack/make/deps.mk@86e6aa59d13fd791686954b27098bb0c53c7b9ed (both amd64 and arm64 agree).
    kubectl: {
      version: "v1.35.2",
      sha256: {
        linuxAmd64: "924eb50779153f20cb668117d141440b95df2f325a64452d78dff9469145e277",
        linuxArm64: "cd859449f54ad2cb05b491c490c13bb836cdd0886ae013c0aed3dd67ff747467",
      },
    },
    // Go checksum database (sum.golang.org, record 58455628): github.com/karmada-io/karmada v1.18.2; the module's
    // origin is tag v1.18.2 = commit 0533b555e040596f4fff9b6a344efbaeed71d0cc.
    goModuleH1: "h1:B1Eu3055LtTBndD/R2WcaS/bLvGwwVU1/3wXQjkIVN4=",
  },
];

/** The newest supported release: what the plan uses when `karmada.version` is omitted. */
export const DEFAULT_KARMADA_VERSION = "v1.18.2";

export const SUPPORTED_KARMADA_VERSIONS: readonly string[] = KARMADA_RELEASES.map((r) => r.version);

export const karmadaRelease = (version: string): KarmadaRelease | undefined =>
  KARMADA_RELEASES.find((r) => r.version === version);

const SHA256 = /^[0-9a-f]{64}$/;
/** dirhash Hash1: "h1:" + base64 of a sha256 (32 bytes → 43 characters and one '='). */
const GO_H1 = /^h1:[A-Za-z0-9+/]{43}=$/;
const TAG = /^v(\d+)\.(\d+)\.(\d+)$/;

/** Minor version of a `vX.Y.Z` tag (major must be 1). */
const minorOf = (tag: string): number | undefined => {
  const m = TAG.exec(tag);
  return m && m[1] === "1" ? Number(m[2]) : undefined;
};

/** What is wrong with a row (empty when it can be rendered into a buildspec). */
export function releaseProblems(release: KarmadaRelease): string[] {
  const problems: string[] = [];
  const where = `Karmada ${release.version}`;
  if (!TAG.test(release.version)) problems.push(`${where}: version is not a release tag vX.Y.Z`);
  const hashes: [string, string][] = [
    ["kubectl-karmada-linux-amd64.tgz sha256", release.kubectlKarmadaSha256.linuxAmd64],
    ["kubectl-karmada-linux-arm64.tgz sha256", release.kubectlKarmadaSha256.linuxArm64],
    [`kubectl ${release.kubectl.version} linux/amd64 sha256`, release.kubectl.sha256.linuxAmd64],
    [`kubectl ${release.kubectl.version} linux/arm64 sha256`, release.kubectl.sha256.linuxArm64],
  ];
  for (const [what, value] of hashes)
    if (!SHA256.test(value)) problems.push(`${where}: ${what} '${value}' is not 64 lowercase hex digits`);
  if (!GO_H1.test(release.goModuleH1))
    problems.push(`${where}: Go module hash '${release.goModuleH1}' is not a dirhash h1: value`);
  const server = minorOf(release.kubeApiserverVersion);
  const client = minorOf(release.kubectl.version);
  if (server === undefined) problems.push(`${where}: kube-apiserver version is not a v1.Y.Z tag`);
  if (client === undefined) problems.push(`${where}: kubectl version is not a v1.Y.Z tag`);
  if (server !== undefined && client !== undefined && Math.abs(server - client) > 1)
    problems.push(
      `${where}: kubectl ${release.kubectl.version} is more than one minor version from kube-apiserver ${release.kubeApiserverVersion} (Kubernetes' version skew policy)`,
    );
  return problems;
}

/**
 * The bash lines that replace `# PINS TABLE` in the buildspecs: associative arrays keyed by Karmada version.
 * Only linux/amd64 is rendered: the CodeBuild image is x86_64 and the buildspecs refuse any other machine.
 * @throws Error when a row is not fit to pin (a buildspec must never carry an unverifiable value)
 */
export function renderPins(releases: readonly KarmadaRelease[] = KARMADA_RELEASES): string[] {
  const problems = releases.flatMap(releaseProblems);
  if (problems.length) throw new Error(`functions/lib/karmada-versions.ts: ${problems.join("; ")}`);
  const table = (name: string, value: (r: KarmadaRelease) => string) =>
    `declare -A ${name}=(${releases.map((r) => `[${r.version}]="${value(r)}"`).join(" ")})`;
  return [
    "# Rendered from functions/lib/karmada-versions.ts (sources cited there), by Karmada release tag.",
    table("KUBECTL_KARMADA_SHA256", (r) => r.kubectlKarmadaSha256.linuxAmd64),
    table("KUBECTL_VERSIONS", (r) => r.kubectl.version),
    table("KUBECTL_SHA256", (r) => r.kubectl.sha256.linuxAmd64),
    table("KARMADA_MODULE_H1", (r) => r.goModuleH1),
  ];
}

/** The line of the buildspecs' install phase that renderBuildspec replaces. */
export const PINS_MARKER = "# PINS TABLE";

/**
 * A buildspec as deployed: the committed text with its `# PINS TABLE` line replaced by the rendered pins, at the
 * line's own indentation (the commands are a YAML block scalar).
 * @throws Error when the buildspec has no such line, or more than one
 */
export function renderBuildspec(text: string, releases: readonly KarmadaRelease[] = KARMADA_RELEASES): string {
  const lines = text.split("\n");
  const at = lines.flatMap((line, i) => (line.trim() === PINS_MARKER ? [i] : []));
  if (at.length !== 1) throw new Error(`a buildspec must have exactly one '${PINS_MARKER}' line (found ${at.length})`);
  const index = at[0] as number;
  const indent = (lines[index] as string).match(/^\s*/)?.[0] ?? "";
  lines.splice(index, 1, ...renderPins(releases).map((line) => indent + line));
  return lines.join("\n");
}
