import type { Logger } from "@aether/kernel";
import { toAetherError } from "@aether/nats";
import type { StreamClient } from "@aether/nats/jetstream";
import type { LogChunk, LogSource } from "../../internal/logSource.js";
import { NamespaceCodec } from "./namespaceCodec.js";
import { readNamespace } from "./namespaceReader.js";

export interface NamespaceLogSettings {
  namespace: string;
  timeoutMs: number;
  requestTimeoutMs: number;
  logger: Logger;
  /** Makes sure the stream exists before the first read. */
  ready: () => Promise<unknown>;
}

/** The JetStream store's namespace-wide log: its stream in sequence order, decoded. */
export function namespaceLogSource(
  client: StreamClient,
  settings: NamespaceLogSettings,
): LogSource {
  return ({ from, live, signal }) => read(client, settings, { from, live, signal });
}

async function* read(
  client: StreamClient,
  settings: NamespaceLogSettings,
  position: { from: number; live: boolean; signal: AbortSignal },
): AsyncGenerator<LogChunk> {
  const codec = new NamespaceCodec(settings.namespace);
  try {
    await settings.ready();
    for await (const chunk of readNamespace(client, { ...settings, ...position })) {
      yield {
        entries: chunk.messages.map((message) => codec.decode(message)),
        atHead: chunk.atHead,
      };
    }
  } catch (error) {
    throw toAetherError(
      error,
      `read the events of namespace ${JSON.stringify(settings.namespace)}`,
    );
  }
}
