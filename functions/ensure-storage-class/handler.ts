import { eksClient } from "../lib/clients.js";
import { clusterInputSchema } from "../lib/contracts.js";
import { defineStage } from "../lib/stage.js";
import { ensureStorageClass } from "./ensureStorageClass.js";

/** EnsureStorageClass: the encrypted gp3 StorageClass Karmada's etcd volumes use, on the parent cluster. */
export const handler = defineStage({
  name: "ensure-storage-class",
  clients: { eks: eksClient },
  input: clusterInputSchema,
  run: ensureStorageClass,
});
