import type { EventBus, Subscription } from "@aether/event-bus";
import { createId } from "@aether/kernel";

const ANNOUNCE_EVERY_MS = 2_000;

/**
 * Where each node's HTTP API listens, learnt over the bus: every node announces its URL now and
 * then, so a dashboard can carry on with another node when the one it talks to dies.
 */
export class NodeDirectory {
  readonly urls = new Map<string, string>();
  readonly #subscription: Subscription;
  readonly #timer: NodeJS.Timeout;

  constructor(bus: EventBus, self: { namespace: string; nodeId: string; url: string }) {
    const namespace = `${self.namespace}.nodes`;
    this.urls.set(self.nodeId, self.url);
    this.#subscription = bus.subscribe(namespace, {
      onEvent: (event) => {
        const url = (event.data as { url?: unknown }).url;
        if (typeof url === "string") this.urls.set(event.actorId, url);
      },
    });
    const announce = () =>
      bus.publish(namespace, {
        id: createId(),
        eventType: "NodeAnnounced",
        actorId: self.nodeId,
        version: 1,
        data: { url: self.url },
        timestamp: new Date().toISOString(),
      });
    announce();
    this.#timer = setInterval(announce, ANNOUNCE_EVERY_MS);
    this.#timer.unref();
  }

  close(): void {
    clearInterval(this.#timer);
    this.#subscription.unsubscribe();
  }
}
