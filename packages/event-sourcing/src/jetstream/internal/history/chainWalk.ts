import type { Event } from "@aether/kernel";
import { decodeLinks, MAX_LINKS, PREV_HEADER } from "./chainLinks.js";
import type { StoredMessage, StreamClient } from "@aether/nats/jetstream";
import { decodeEvents } from "./eventCodec.js";

/** An actor's last message, already checked to be written by the store. */
export interface ChainHead {
  message: StoredMessage;
  events: Event[];
  links: readonly number[];
}

export interface ChainWalkOptions {
  actorId: string;
  fromVersion: number;
  requestTimeoutMs: number;
  directGets: boolean;
}

/**
 * Reads an actor's events from `fromVersion` on by following `Aether-Prev` links back from its
 * last message, up to MAX_LINKS gets in parallel per round: the cost grows with the events read,
 * not with the stream's size, where a filtered consumer scans every message in between.
 *
 * Each link was checked by the server when its message was appended (the expected last subject
 * sequence), so on a server without nats-server#4320 the links visit every message of the actor
 * down to `fromVersion`, and the result is exactly what the HistoryFold would accept. Anything
 * unexpected (a message not written by the store, a version out of line, links that disagree)
 * returns undefined, and the caller falls back to the fold, which reports what it finds.
 */
export async function walkChain(
  client: StreamClient,
  head: ChainHead,
  options: ChainWalkOptions,
): Promise<Event[] | undefined> {
  const { actorId, fromVersion } = options;
  const segments: Event[][] = [head.events];
  let oldest = head.events[0]!.version;
  let links = head.links;
  while (oldest > fromVersion) {
    if (links.length === 0) return undefined;
    const round = links.slice(0, Math.min(MAX_LINKS, oldest - fromVersion));
    const messages = await Promise.all(
      round.map((seq) => client.messageAt(seq, options.requestTimeoutMs, options.directGets)),
    );
    for (const [index, message] of messages.entries()) {
      if (message === undefined || message.subject !== head.message.subject) return undefined;
      const ownLinks = decodeLinks(message.header(PREV_HEADER));
      if (ownLinks === undefined) return undefined;
      const olderSeq = round[index + 1];
      if (olderSeq !== undefined && ownLinks[0] !== olderSeq) return undefined;
      const decoded = decodeEvents(message.data, actorId);
      if (!decoded.ok || decoded.events[decoded.events.length - 1]!.version !== oldest - 1) {
        return undefined;
      }
      segments.push(decoded.events);
      oldest = decoded.events[0]!.version;
      links = ownLinks;
      if (oldest <= fromVersion) break;
    }
  }
  const events: Event[] = [];
  for (let i = segments.length - 1; i >= 0; i--) {
    for (const event of segments[i]!) if (event.version >= fromVersion) events.push(event);
  }
  return events;
}
