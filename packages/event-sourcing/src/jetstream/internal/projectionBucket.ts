import { actorToken, namespaceToken } from "@aether/namespace/naming";
import { Deadline, retrying } from "@aether/nats";
import { jetstream } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/nats-core";

export interface ProjectionBucketSettings {
  namespace: string;
  replicas: number;
  timeoutMs: number;
  requestTimeoutMs: number;
}

/** The KV bucket of a namespace's projections: checkpoints and leases, one key each per name. */
export function projectionBucketName(namespace: string): string {
  return `AETHER_PROJECTIONS_${namespaceToken(namespace)}`;
}

/** `checkpoint.<name token>` or `lease.<name token>`: any projection name, injectively. */
export function projectionKey(kind: "checkpoint" | "lease", name: string): string {
  return `${kind}.${actorToken(name)}`;
}

export function openProjectionBucket(
  nc: NatsConnection,
  settings: ProjectionBucketSettings,
): Promise<KV> {
  const bucket = projectionBucketName(settings.namespace);
  return retrying(
    { deadline: new Deadline(settings.timeoutMs), requestTimeoutMs: settings.requestTimeoutMs },
    `set up projection bucket ${bucket}`,
    () =>
      new Kvm(jetstream(nc, { timeout: settings.requestTimeoutMs })).create(bucket, {
        history: 1,
        replicas: settings.replicas,
        storage: "file",
        description: `Aether projection checkpoints and leases of namespace ${settings.namespace}`,
      }),
  );
}

/** Whether a KV write was refused because the key's revision moved (compare-and-set lost). */
export function isRevisionMismatch(error: unknown): boolean {
  return error instanceof Error && /wrong last sequence|key exists/i.test(error.message);
}
