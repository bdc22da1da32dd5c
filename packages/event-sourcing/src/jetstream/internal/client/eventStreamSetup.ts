import { AetherError, AetherErrorCode, type Logger } from "@aether/kernel";
import { eventStreamName, eventStreamSubjects } from "@aether/namespace/naming";
import {
  Deadline,
  EXPECTED_SEQUENCE_RACE_FIXED,
  FSYNC_PER_ACK,
  isServerVersionBefore,
  parseServerVersion,
  retrying,
} from "@aether/nats";
import { JetStreamErrorCode, isJetStreamApiError, type StreamClient } from "@aether/nats/jetstream";
import type { StreamConfig } from "@nats-io/jetstream";

export interface EventStreamSettings {
  namespace: string;
  replicas: number;
  /** Use a replicated stream on a server with nats-server#4320 anyway. */
  acceptServerRisk: boolean;
  duplicateWindowMs: number;
  timeoutMs: number;
  requestTimeoutMs: number;
}

/** What the stores need to know about the stream they write to. */
export interface EventStreamFacts {
  /**
   * Gets (by sequence, and of an actor's last message) may be answered by any replica
   * (`allow_direct`): only on an R1 stream, where the one replica is the one that acknowledged the
   * append. Replicas of a replicated stream can lag, and on nats-server 2.9 diverge (different
   * messages at one sequence after a leader loss): reads must not depend on which one answers.
   */
  directGets: boolean;
  /**
   * Histories are read from the stream leader, message by message, rather than through a consumer
   * that may sit on any replica: on replicated streams, for the same reason.
   */
  leaderReads: boolean;
  /**
   * Reads may follow the `Aether-Prev` links. Off where nats-server#4320 can let a second append
   * in beside the first (the links would skip the first): then every read folds the whole subject.
   */
  chainReads: boolean;
}

// What a stream info answer may carry: servers omit settings they do not know or that are unset.
type StreamConfigSubset = Partial<StreamConfig>;

const NANOS_PER_MS = 1_000_000;

/**
 * The event stream of one namespace. Every setting is explicit, so a server default changing
 * underneath cannot change what the store guarantees:
 *
 * - file storage, `num_replicas` as configured (1 on a single server, 3 on a cluster);
 * - limits retention with no limit at all and `discard: new`: events are never dropped to make
 *   room; if an operator adds a limit, appends are refused instead of old events vanishing;
 * - `duplicate_window`: how long `Nats-Msg-Id` de-duplicates, so a retried append is stored once;
 * - `deny_delete`, `deny_purge`, `allow_rollup_hdrs: false`: no API call can remove or replace
 *   an event, which is also what lets the stores cache positions and follow links safely;
 * - `allow_direct`: gets by sequence may be served by any replica (stored messages never change).
 */
function eventStreamConfig(settings: EventStreamSettings): Partial<StreamConfig> {
  return {
    name: eventStreamName(settings.namespace),
    description: `Aether event store of namespace ${settings.namespace}`,
    subjects: [eventStreamSubjects(settings.namespace)],
    retention: "limits",
    storage: "file",
    num_replicas: settings.replicas,
    discard: "new",
    max_msgs: -1,
    max_bytes: -1,
    max_age: 0,
    max_msgs_per_subject: -1,
    max_msg_size: -1,
    max_consumers: -1,
    duplicate_window: settings.duplicateWindowMs * NANOS_PER_MS,
    deny_delete: true,
    deny_purge: true,
    allow_rollup_hdrs: false,
    allow_direct: true,
    mirror_direct: false,
    sealed: false,
    no_ack: false,
  };
}

const LIMITS = ["max_age", "max_msgs", "max_bytes", "max_msgs_per_subject"] as const;

/** Limits that make the server drop stored events to make room (or when they age out). */
function discardingLimits(config: StreamConfigSubset): string[] {
  const limits = LIMITS.filter((limit) => (config[limit] ?? 0) > 0);
  // max_age removes events whatever the discard policy; max_msgs_per_subject too, unless the
  // server refuses per subject (discard_new_per_subject, 2.10+); the others only with discard: old.
  const perSubjectRefuses =
    (config as { discard_new_per_subject?: boolean }).discard_new_per_subject === true;
  return limits
    .filter(
      (limit) =>
        limit === "max_age" ||
        (limit === "max_msgs_per_subject" && !perSubjectRefuses) ||
        config.discard !== "new",
    )
    .map(
      (limit) =>
        `${limit} is ${config[limit]}${limit === "max_age" ? "" : ` with discard: ${config.discard ?? "old"}`}`,
    );
}

function weakenedGuarantees(config: StreamConfigSubset): string[] {
  const problems: string[] = [];
  if (config.allow_rollup_hdrs === true) problems.push("allow_rollup_hdrs is on");
  if (config.deny_delete !== true) problems.push("deny_delete is off");
  if (config.deny_purge !== true) problems.push("deny_purge is off");
  for (const limit of LIMITS) {
    const value = config[limit] ?? 0;
    // With discard: new a limit refuses appends (STREAM_LIMIT_REACHED) instead of dropping events.
    if (value > 0 && config.discard === "new" && limit !== "max_age") {
      problems.push(`${limit} is ${value}: appends will be refused once it is reached`);
    }
  }
  return problems;
}

/**
 * Creates the namespace's event stream if it does not exist, or adopts the one that does (another
 * process may be creating it at this very moment), and checks what the store relies on. Logs the
 * durability caveats of the server it finds. Idempotent.
 */
export async function ensureEventStream(
  client: StreamClient,
  settings: EventStreamSettings,
  logger: Logger,
): Promise<EventStreamFacts> {
  const config = eventStreamConfig(settings);
  const name = client.stream;
  const budget = {
    deadline: new Deadline(settings.timeoutMs),
    requestTimeoutMs: settings.requestTimeoutMs,
  };
  const operation = `set up event stream ${name}`;
  const call = <T>(fn: (timeoutMs: number) => Promise<T>) => retrying(budget, operation, fn);
  // Both answers this setup expects as normal (no stream yet; created meanwhile by another
  // process, whose settings are then adopted below) become `undefined`.
  const request = (api: string, body: unknown, expected: number) => async (timeoutMs: number) => {
    try {
      return await client.api<{ config: StreamConfigSubset }>(`${api}.${name}`, body, timeoutMs);
    } catch (error) {
      if (isJetStreamApiError(error, expected)) return undefined;
      throw error;
    }
  };
  const info = request("STREAM.INFO", undefined, JetStreamErrorCode.StreamNotFound);
  let existing = await call(info);
  if (existing === undefined) {
    existing = await call(request("STREAM.CREATE", config, JetStreamErrorCode.StreamNameInUse));
    existing ??= await call(info);
    if (existing === undefined) {
      throw new AetherError(AetherErrorCode.Unavailable, `${operation}: the stream vanished`);
    }
    logger.info({ stream: name }, "event stream ready");
  }
  return checkStream(existing.config, settings, { client, logger });
}

function checkStream(
  found: StreamConfigSubset,
  settings: EventStreamSettings,
  context: { client: StreamClient; logger: Logger },
): EventStreamFacts {
  const { client, logger } = context;
  const name = client.stream;
  const subjects = eventStreamSubjects(settings.namespace);
  if (found.sealed === true || !(found.subjects ?? []).includes(subjects)) {
    throw new AetherError(
      AetherErrorCode.Misconfigured,
      `Stream ${name} exists but cannot hold this namespace's events: it must capture ${subjects} and not be sealed (it captures ${JSON.stringify(found.subjects ?? [])}${found.sealed === true ? " and is sealed" : ""})`,
      { details: { stream: name } },
    );
  }
  const discarding = discardingLimits(found);
  if (discarding.length > 0) {
    throw new AetherError(
      AetherErrorCode.Misconfigured,
      `Stream ${name} has limits that discard stored events (${discarding.join("; ")}): an actor's history would silently lose its oldest events. Remove the limits (nats stream edit ${name}), or set discard: new so that appends are refused instead`,
      { details: { stream: name, limits: discarding } },
    );
  }
  const problems = weakenedGuarantees(found);
  if (problems.length > 0) {
    logger.warn(
      { stream: name, problems },
      "the existing event stream can lose or replace events; the store keeps working, but its guarantees no longer hold",
    );
  }
  const replicas = found.num_replicas ?? 1;
  if (replicas !== settings.replicas) {
    logger.info(
      { stream: name, replicas, configured: settings.replicas },
      "adopting the stream's replicas",
    );
  }
  const windowMs = (found.duplicate_window ?? 0) / NANOS_PER_MS;
  if (windowMs < settings.timeoutMs) {
    logger.warn(
      { stream: name, duplicateWindowMs: windowMs, timeoutMs: settings.timeoutMs },
      "the stream's duplicate window is shorter than the append timeout: an append retried after a lost answer may be reported as a VersionConflict although it was stored (never stored twice)",
    );
  }
  const version = parseServerVersion(client.nc.info?.version);
  const raceProne =
    replicas > 1 &&
    (version === undefined || isServerVersionBefore(version, EXPECTED_SEQUENCE_RACE_FIXED));
  if (raceProne && !settings.acceptServerRisk) {
    throw new AetherError(
      AetherErrorCode.Misconfigured,
      `Stream ${name} has ${replicas} replicas on nats-server ${client.nc.info?.version ?? "(unknown version)"}: before 2.9.21 a replicated stream can acknowledge two racing appends of one version (nats-server#4320) and its replicas can diverge when the leader is lost, so an acknowledged append is not trustworthy. Upgrade the servers to 2.9.21 or later, use replicas: 1, or accept the risk with acceptServerRisk: "nats-server#4320"`,
      { details: { stream: name, replicas, serverVersion: client.nc.info?.version } },
    );
  }
  if (raceProne) {
    logger.warn(
      { stream: name, serverVersion: client.nc.info?.version, replicas },
      "nats-server < 2.9.21 on a replicated stream: two appends expecting the same last subject sequence can both be accepted (nats-server#4320); replay stays deterministic (the first by stream sequence wins, the second is reported by getEventsWithErrors), but the second writer is told it succeeded. Upgrade to 2.9.21 or later",
    );
  }
  if (replicas === 1 && version !== undefined && isServerVersionBefore(version, FSYNC_PER_ACK)) {
    logger.warn(
      { stream: name, serverVersion: client.nc.info?.version },
      "nats-server 2.9 writes each event to the OS before acknowledging it but fsyncs only on a timer: a server process crash loses nothing, an OS crash or power loss can lose the last acknowledged events of this R1 stream; use replicas: 3 on a cluster",
    );
  }
  const directGets = found.allow_direct === true && replicas === 1;
  return { directGets, leaderReads: replicas > 1, chainReads: !raceProne };
}
