import { AetherError, AetherErrorCode } from "@aether/kernel";
import type { MsgHdrs, NatsConnection } from "@nats-io/nats-core";

// Encoding the headers just to measure them is only worth it close to the limit.
const HEADER_ALLOWANCE = 2048;

// The size of the header block as the client sends it: `NATS/1.0\r\nName: value\r\n…\r\n`.
function headerBytes(headers: MsgHdrs | undefined): number {
  if (headers === undefined) return 0;
  let size = "NATS/1.0\r\n\r\n".length;
  for (const name of headers.keys()) {
    for (const value of headers.values(name)) size += Buffer.byteLength(`${name}: ${value}\r\n`);
  }
  return size;
}

export interface PayloadDescription {
  /** What is being stored, e.g. `the append to actor "acc-1"`. */
  what: string;
  /** What the caller can do about it. */
  advice: string;
}

/**
 * Refuses a message the server would refuse, before it is sent, with an error that says how big it
 * is and what the limit is. The limit is the `max_payload` the server announced (1 MiB unless
 * configured), and it counts the headers too.
 */
export function checkPayloadSize(
  nc: NatsConnection,
  message: { data: Uint8Array; headers?: MsgHdrs },
  description: PayloadDescription,
): void {
  const maxPayload = nc.info?.max_payload;
  if (maxPayload === undefined || message.data.length + HEADER_ALLOWANCE <= maxPayload) return;
  const headerSize = headerBytes(message.headers);
  const size = message.data.length + headerSize;
  if (size <= maxPayload) return;
  throw new AetherError(
    AetherErrorCode.PayloadTooLarge,
    `${description.what} is ${size} bytes as one NATS message (${message.data.length} bytes of JSON + ${headerSize} bytes of headers), over the server's max_payload of ${maxPayload} bytes: ${description.advice}`,
    { details: { size, maxPayload } },
  );
}
