import { parseActorId } from "@aether/kernel";
import { parseNamespace } from "./namespace.js";
import { parseNamespacePattern } from "./namespacePattern.js";
import { decodeSafeToken, encodeSafeToken } from "./safeToken.js";

// Stream and bucket names become directory names on the server: stay well under 255 bytes.
const NAMESPACE_TOKEN_MAX = 192;
// Subjects travel in the protocol's control line (4 KiB by default): keep actor tokens short.
const ACTOR_TOKEN_MAX = 256;

const SUBJECT_ROOT = "aether";

/**
 * The names Aether gives things on NATS. Every function validates its input and is injective:
 * different namespaces (`a.b`, `a_b`, `a-b`) and different actor ids never share a name.
 *
 * | thing                    | name                                              |
 * | ------------------------ | ------------------------------------------------- |
 * | event stream             | `AETHER_EVENTS_<namespace token>`                 |
 * | actor subject            | `aether.events.<namespace>.<actor token>`         |
 * | snapshot bucket          | `AETHER_SNAPSHOTS_<namespace token>`              |
 * | snapshot key             | `<actor token>`                                   |
 * | bus subject              | `aether.bus.<namespace>` (patterns map 1:1)       |
 */
export function namespaceToken(namespace: string): string {
  return encodeSafeToken(parseNamespace(namespace), NAMESPACE_TOKEN_MAX);
}

export function actorToken(actorId: string): string {
  return encodeSafeToken(parseActorId(actorId), ACTOR_TOKEN_MAX);
}

/** The actor id an actor token came from; undefined for a hashed (long-id) or non-canonical token. */
export function actorIdFromToken(token: string): string | undefined {
  return decodeSafeToken(token, ACTOR_TOKEN_MAX);
}

/** The namespace a namespace token came from; undefined for a hashed or non-canonical token. */
export function namespaceFromToken(token: string): string | undefined {
  return decodeSafeToken(token, NAMESPACE_TOKEN_MAX);
}

export function eventStreamName(namespace: string): string {
  return `AETHER_EVENTS_${namespaceToken(namespace)}`;
}

/** The subjects one namespace's event stream captures. */
export function eventStreamSubjects(namespace: string): string {
  return `${SUBJECT_ROOT}.events.${parseNamespace(namespace)}.*`;
}

export function actorSubject(namespace: string, actorId: string): string {
  return `${SUBJECT_ROOT}.events.${parseNamespace(namespace)}.${actorToken(actorId)}`;
}

export function snapshotBucketName(namespace: string): string {
  return `AETHER_SNAPSHOTS_${namespaceToken(namespace)}`;
}

export function snapshotKey(actorId: string): string {
  return actorToken(actorId);
}

/** Namespace tokens map to subject tokens unchanged, so NATS itself routes wildcard patterns. */
export function busSubject(namespace: string): string {
  return `${SUBJECT_ROOT}.bus.${parseNamespace(namespace)}`;
}

export function busSubjectForPattern(pattern: string): string {
  return `${SUBJECT_ROOT}.bus.${parseNamespacePattern(pattern)}`;
}

/** The namespace a bus subject carries, or undefined when the subject is not a bus subject. */
export function namespaceFromBusSubject(subject: string): string | undefined {
  const prefix = `${SUBJECT_ROOT}.bus.`;
  return subject.startsWith(prefix) ? subject.slice(prefix.length) : undefined;
}
