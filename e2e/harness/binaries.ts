/**
 * Where `npm run e2e:build` (e2e/build.sh) put the real binaries: e2e/.bin/<group>-<version>/<name>, the version
 * read from the group's go.mod exactly as build.sh reads it, so the harness runs the pinned build or says how to get it.
 */
import { accessSync, constants, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const e2eDir = join(dirname(fileURLToPath(import.meta.url)), "..");

const groups = {
  etcd: { module: "go.etcd.io/etcd/server/v3", binaries: ["etcd"] },
  kubernetes: {
    module: "k8s.io/kubernetes",
    binaries: ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl"],
  },
  kwok: { module: "sigs.k8s.io/kwok", binaries: ["kwok"] },
  karmada: {
    module: "github.com/karmada-io/karmada",
    binaries: [
      "karmada-controller-manager",
      "karmada-scheduler",
      "karmada-webhook",
      "karmada-agent",
      "karmada-aggregated-apiserver",
      "kubectl-karmada",
    ],
  },
} as const;

export type Group = keyof typeof groups;
export type BinaryName = (typeof groups)[Group]["binaries"][number];

/** The version e2e/tools/<group>/go.mod requires of the group's module. */
export function pinnedVersion(group: Group): string {
  const goMod = readFileSync(join(e2eDir, "tools", group, "go.mod"), "utf8");
  for (const line of goMod.split("\n")) {
    const [path, version] = line.trim().split(/\s+/);
    if (path === groups[group].module && version?.startsWith("v")) return version;
  }
  throw new Error(`e2e/tools/${group}/go.mod does not require ${groups[group].module}`);
}

/** The folder of a group's build: its binaries, and for Karmada its CRDs (crds/). */
export function groupDir(group: Group): string {
  return join(process.env.E2E_BIN_DIR ?? join(e2eDir, ".bin"), `${group}-${pinnedVersion(group)}`);
}

/** Absolute path of a built binary; throws, naming the command that builds it, when it is missing. */
export function binary(name: BinaryName): string {
  const group = (Object.keys(groups) as Group[]).find((g) =>
    (groups[g].binaries as readonly string[]).includes(name),
  ) as Group;
  const path = join(groupDir(group), name);
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(
      `${name} ${pinnedVersion(group)} is not built at ${path}: run \`npm run e2e:build\` (needs Go 1.26+)`,
    );
  }
  return path;
}
