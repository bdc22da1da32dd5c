/**
 * Every message the store appends names the stream sequences of the actor's previous messages,
 * newest first, in the `Aether-Prev` header: `p1,d2,d3…` where p1 is the sequence of the message
 * right before it (the one its `Nats-Expected-Last-Subject-Sequence` named, so the server has
 * checked the link) and each d is the gap down to the next older one. `0` means "the first
 * message of this actor". A reader that holds any message can therefore fetch the previous
 * MAX_LINKS messages in one parallel round, instead of scanning the stream for the subject.
 * The header also marks a message as written by the store: only such messages are trusted as links.
 */
export const PREV_HEADER = "Aether-Prev";

/** Links per message: 16 keeps the header near 60 bytes and loads 100 messages in 7 rounds. */
export const MAX_LINKS = 16;

export function encodeLinks(links: readonly number[]): string {
  if (links.length === 0) return "0";
  let out = String(links[0]);
  for (let i = 1; i < links.length; i++) out += `,${links[i - 1]! - links[i]!}`;
  return out;
}

const WELL_FORMED = /^[1-9]\d{0,15}(?:,[1-9]\d{0,15})*$/;

/** The links of a message, or undefined when the header is missing or malformed. */
export function decodeLinks(value: string | undefined): number[] | undefined {
  if (value === "0") return [];
  if (value === undefined || !WELL_FORMED.test(value)) return undefined;
  const links: number[] = [];
  for (const part of value.split(",")) {
    const n = Number(part);
    links.push(links.length === 0 ? n : links[links.length - 1]! - n);
  }
  return links[links.length - 1]! > 0 ? links : undefined;
}

/** The links a new message carries when it follows the message at `seq` that had `links`. */
export function nextLinks(seq: number, links: readonly number[]): number[] {
  return seq === 0 ? [] : [seq, ...links.slice(0, MAX_LINKS - 1)];
}
