import { describe, expect, it } from "vitest";
import {
  DEFAULT_KARMADA_VERSION,
  KARMADA_RELEASES,
  type KarmadaRelease,
  PINS_MARKER,
  releaseProblems,
  renderBuildspec,
  renderPins,
} from "../../../functions/lib/karmada-versions.js";

const minor = (tag: string) => Number(tag.split(".")[1]);
const v1182 = KARMADA_RELEASES.find((r) => r.version === "v1.18.2") as KarmadaRelease;

describe("the Karmada version table (functions/lib/karmada-versions.ts)", () => {
  it("defaults to v1.18.2, the newest Karmada release, and has a row for it", () => {
    expect(DEFAULT_KARMADA_VERSION).toBe("v1.18.2");
    expect(KARMADA_RELEASES.map((r) => r.version)).toContain(DEFAULT_KARMADA_VERSION);
  });

  it("pins v1.18.2 with the checksums krew-index recorded and a kubectl v1.35 for its kube-apiserver v1.35.2", () => {
    expect(v1182.kubectlKarmadaSha256).toEqual({
      linuxAmd64: "78163e4ecde302fd973e8138a90842180dec06c83b6b9ada19ebab117cf15024",
      linuxArm64: "9f9bb7b9dcb6364e45d467f53d093e90b46ef4e9e30c1ca8c801f2d822dc0742",
    });
    expect(v1182.kubeApiserverVersion).toBe("v1.35.2");
    expect(v1182.kubectl.version).toMatch(/^v1\.35\.\d+$/);
  });

  it.each(KARMADA_RELEASES.map((r) => [r.version, r]))(
    "%s: every checksum is 64 hex digits, the module hash an h1:, no placeholder",
    (_, release) => {
      expect(releaseProblems(release)).toEqual([]);
      for (const sha of [
        release.kubectlKarmadaSha256.linuxAmd64,
        release.kubectlKarmadaSha256.linuxArm64,
        release.kubectl.sha256.linuxAmd64,
        release.kubectl.sha256.linuxArm64,
      ])
        expect(sha).toMatch(/^[0-9a-f]{64}$/);
      expect(release.goModuleH1).toMatch(/^h1:[A-Za-z0-9+/]{43}=$/);
      expect(JSON.stringify(release)).not.toMatch(/placeholder|unverified|todo/i);
    },
  );

  it.each(KARMADA_RELEASES.map((r) => [r.version, r]))(
    "%s: kubectl is within one minor version of the kube-apiserver init deploys",
    (_, release) => {
      expect(Math.abs(minor(release.kubectl.version) - minor(release.kubeApiserverVersion))).toBeLessThanOrEqual(1);
    },
  );

  it("finds a kubectl outside the version skew, a placeholder checksum and a malformed module hash", () => {
    const broken: KarmadaRelease = {
      ...v1182,
      kubectlKarmadaSha256: { ...v1182.kubectlKarmadaSha256, linuxAmd64: "PLACEHOLDER-UNVERIFIED-SHA256" },
      kubectl: { ...v1182.kubectl, version: "v1.33.9" },
      goModuleH1: "h1:",
    };
    expect(releaseProblems(broken)).toEqual([
      "Karmada v1.18.2: kubectl-karmada-linux-amd64.tgz sha256 'PLACEHOLDER-UNVERIFIED-SHA256' is not 64 lowercase hex digits",
      "Karmada v1.18.2: Go module hash 'h1:' is not a dirhash h1: value",
      "Karmada v1.18.2: kubectl v1.33.9 is more than one minor version from kube-apiserver v1.35.2 (Kubernetes' version skew policy)",
    ]);
  });
});

describe("renderPins / renderBuildspec", () => {
  it("renders one bash associative array per pin, keyed by Karmada version", () => {
    expect(renderPins().slice(1)).toEqual([
      `declare -A KUBECTL_KARMADA_SHA256=([v1.18.2]="${v1182.kubectlKarmadaSha256.linuxAmd64}")`,
      `declare -A KUBECTL_VERSIONS=([v1.18.2]="${v1182.kubectl.version}")`,
      `declare -A KUBECTL_SHA256=([v1.18.2]="${v1182.kubectl.sha256.linuxAmd64}")`,
      `declare -A KARMADA_MODULE_H1=([v1.18.2]="${v1182.goModuleH1}")`,
    ]);
  });

  it("refuses to render a row that is not fit to pin, so no deploy ships an unverifiable value", () => {
    const broken = { ...v1182, kubectl: { ...v1182.kubectl, sha256: { ...v1182.kubectl.sha256, linuxAmd64: "" } } };
    expect(() => renderPins([broken])).toThrow("kubectl v1.35.2 linux/amd64 sha256 '' is not 64 lowercase hex digits");
  });

  it("replaces the marker line at its own indentation and nothing else", () => {
    const text = `phases:\n  install:\n    commands:\n      - |\n        echo before\n        ${PINS_MARKER}\n        echo after\n`;
    const rendered = renderBuildspec(text);
    const lines = rendered.split("\n");
    expect(lines.slice(0, 5)).toEqual(text.split("\n").slice(0, 5));
    expect(lines.slice(5, 10)).toEqual(renderPins().map((line) => `        ${line}`));
    expect(lines.slice(10)).toEqual(["        echo after", ""]);
  });

  it("refuses a buildspec without exactly one marker line", () => {
    expect(() => renderBuildspec("echo no pins\n")).toThrow(`exactly one '${PINS_MARKER}' line (found 0)`);
    expect(() => renderBuildspec(`${PINS_MARKER}\n${PINS_MARKER}\n`)).toThrow("(found 2)");
  });
});
