import type { PlanInput } from "../../functions/lib/plan.js";

/** deployment "demo": parent + member-1 (eu-central-1, weight 1) + member-2 (eu-west-1, weight 2), 12 replicas. */
export const DEMO_PLAN: PlanInput = {
  deploymentName: "demo",
  region: "eu-central-1",
  vpc: { name: "karmada-vpc" },
  kubernetesVersion: "1.33",
  members: [
    { name: "member-1", weight: 1 },
    { name: "member-2", region: "eu-west-1", vpc: { name: "karmada-vpc" }, weight: 2 },
  ],
  karmada: { allowedCidrs: ["203.0.113.0/24", "198.51.100.0/24"] },
};
