// Source: local/sim/SOURCES.md § aws/secrets.ts
/**
 * Simulated AWS Secrets Manager (JSON 1.1). Values stay inside the simulated account; nothing here logs them.
 */
import type { SimAccount } from "../account.js";
import type { SecretRecord } from "../state.js";
import { AwsError, notImplemented } from "./protocol.js";

const seconds = (ms: number) => ms / 1000;

export function handleSecrets(
  sim: SimAccount,
  region: string,
  operation: string,
  body: Record<string, unknown>,
): unknown {
  const secrets = sim.region(region).secrets;
  switch (operation) {
    case "CreateSecret": {
      const name = String(body.Name ?? "");
      if (!/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(name))
        throw new AwsError(
          "InvalidParameterException",
          `Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!`,
        );
      const existing = secrets[name];
      if (existing && !existing.deletedAt)
        throw new AwsError(
          "ResourceExistsException",
          `The operation failed because the secret ${name} already exists.`,
        );
      if (existing?.deletedAt)
        throw new AwsError(
          "InvalidRequestException",
          `You can't create this secret because a secret with this name is already scheduled for deletion.`,
        );
      const record = createSecret(sim, region, {
        name,
        secretString: body.SecretString as string | undefined,
        secretBinary: body.SecretBinary as string | undefined,
        kmsKeyId: body.KmsKeyId as string | undefined,
        description: body.Description as string | undefined,
        tags: Object.fromEntries(
          ((body.Tags as { Key: string; Value: string }[] | undefined) ?? []).map((t) => [t.Key, t.Value]),
        ),
        versionId: body.ClientRequestToken as string | undefined,
      });
      return { ARN: record.arn, Name: record.name, VersionId: record.versions.at(-1)?.versionId };
    }
    case "PutSecretValue": {
      const record = find(sim, region, body.SecretId);
      const version = putValue(sim, record, {
        secretString: body.SecretString as string | undefined,
        secretBinary: body.SecretBinary as string | undefined,
        versionId: body.ClientRequestToken as string | undefined,
      });
      return { ARN: record.arn, Name: record.name, VersionId: version, VersionStages: ["AWSCURRENT"] };
    }
    case "GetSecretValue": {
      const record = find(sim, region, body.SecretId);
      const version = body.VersionId
        ? record.versions.find((v) => v.versionId === body.VersionId)
        : record.versions.find((v) => v.stages.includes(String(body.VersionStage ?? "AWSCURRENT")));
      if (!version)
        throw new AwsError(
          "ResourceNotFoundException",
          `Secrets Manager can't find the specified secret value for staging label: AWSCURRENT`,
        );
      return {
        ARN: record.arn,
        Name: record.name,
        VersionId: version.versionId,
        ...(version.secretString !== undefined ? { SecretString: version.secretString } : {}),
        ...(version.secretBinary !== undefined ? { SecretBinary: version.secretBinary } : {}),
        VersionStages: version.stages,
        CreatedDate: seconds(version.createdAt),
      };
    }
    case "DescribeSecret": {
      // A secret scheduled for deletion can still be described (DeletedDate says so).
      const record = find(sim, region, body.SecretId, { deleted: true });
      return {
        ARN: record.arn,
        Name: record.name,
        ...(record.description ? { Description: record.description } : {}),
        ...(record.kmsKeyId ? { KmsKeyId: record.kmsKeyId } : {}),
        CreatedDate: seconds(record.createdAt),
        LastChangedDate: seconds(record.lastChangedAt),
        ...(record.deletedAt ? { DeletedDate: seconds(record.deletedAt) } : {}),
        Tags: Object.entries(record.tags).map(([Key, Value]) => ({ Key, Value })),
        VersionIdsToStages: Object.fromEntries(
          record.versions.filter((v) => v.stages.length).map((v) => [v.versionId, v.stages]),
        ),
      };
    }
    case "DeleteSecret": {
      const record = find(sim, region, body.SecretId);
      const window = body.RecoveryWindowInDays === undefined ? 30 : Number(body.RecoveryWindowInDays);
      if (body.ForceDeleteWithoutRecovery && body.RecoveryWindowInDays !== undefined)
        throw new AwsError(
          "InvalidParameterException",
          "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
        );
      if (!body.ForceDeleteWithoutRecovery && !(Number.isInteger(window) && window >= 7 && window <= 30))
        throw new AwsError("InvalidParameterException", "RecoveryWindowInDays must be between 7 and 30 days.");
      if (body.ForceDeleteWithoutRecovery) delete secrets[record.name];
      else record.deletedAt = sim.now();
      sim.countDeleted("secretsmanager:secret");
      const days = body.ForceDeleteWithoutRecovery ? 0 : window;
      return { ARN: record.arn, Name: record.name, DeletionDate: seconds(sim.now() + days * 86400_000) };
    }
    case "RestoreSecret": {
      // Cancels a scheduled deletion by removing DeletedDate; answers ARN and Name (botocore 1.43.67
      // secretsmanager/2017-10-17/service-2.json, RestoreSecret). buildspecs/karmada-init.yml calls it.
      const record = find(sim, region, body.SecretId, { deleted: true });
      delete record.deletedAt;
      return { ARN: record.arn, Name: record.name };
    }
    case "TagResource": {
      const record = find(sim, region, body.SecretId);
      for (const t of (body.Tags as { Key: string; Value: string }[] | undefined) ?? []) record.tags[t.Key] = t.Value;
      return {};
    }
    default:
      throw notImplemented("Secrets Manager", operation);
  }
}

/** The secret by name or ARN; a deleted (scheduled) secret answers like AWS does. */
export function find(sim: SimAccount, region: string, id: unknown, options: { deleted?: boolean } = {}): SecretRecord {
  const secrets = sim.region(region).secrets;
  const key = String(id ?? "");
  const record = secrets[key] ?? Object.values(secrets).find((s) => s.arn === key);
  if (!record) throw new AwsError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
  if (record.deletedAt && !options.deleted)
    throw new AwsError(
      "InvalidRequestException",
      "You can't perform this operation on the secret because it was marked for deletion.",
    );
  return record;
}

export interface NewSecret {
  name: string;
  secretString?: string;
  secretBinary?: string;
  kmsKeyId?: string;
  description?: string;
  tags?: Record<string, string>;
  versionId?: string;
}

/** Creates a secret (also used by the simulated builds, which write through the same rules). */
export function createSecret(sim: SimAccount, region: string, spec: NewSecret): SecretRecord {
  const now = sim.now();
  const record: SecretRecord = {
    name: spec.name,
    arn: `arn:aws:secretsmanager:${region}:${sim.state.account}:secret:${spec.name}-${sim.random.hex(6)}`,
    kmsKeyId: spec.kmsKeyId,
    description: spec.description,
    createdAt: now,
    lastChangedAt: now,
    versions: [],
    tags: spec.tags ?? {},
  };
  sim.region(region).secrets[spec.name] = record;
  sim.count("secretsmanager:secret");
  if (spec.secretString !== undefined || spec.secretBinary !== undefined) putValue(sim, record, spec);
  return record;
}

/** Stores a new AWSCURRENT version (AWSPREVIOUS moves along). Returns its id. */
export function putValue(
  sim: SimAccount,
  record: SecretRecord,
  value: { secretString?: string; secretBinary?: string; versionId?: string },
): string {
  const same = value.versionId ? record.versions.find((v) => v.versionId === value.versionId) : undefined;
  if (same) return same.versionId;
  for (const v of record.versions) v.stages = v.stages.includes("AWSCURRENT") ? ["AWSPREVIOUS"] : [];
  const versionId = value.versionId ?? sim.random.uuid();
  record.versions.push({
    versionId,
    secretString: value.secretString,
    secretBinary: value.secretBinary,
    createdAt: sim.now(),
    stages: ["AWSCURRENT"],
  });
  // Only the current and previous versions are kept, like the service's staging labels.
  record.versions = record.versions.filter((v) => v.stages.length);
  record.lastChangedAt = sim.now();
  return versionId;
}
