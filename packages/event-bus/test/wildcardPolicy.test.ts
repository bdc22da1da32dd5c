import { DOMAIN_EVENTS_NAMESPACE, EventBus } from "@aether/event-bus";
import { AetherErrorCode } from "@aether/kernel";
import { describe, expect, it } from "vitest";

const refused = expect.objectContaining({ code: AetherErrorCode.InvalidArgument });

describe("event-bus: wildcard policy", () => {
  it("allows every wildcard by default", () => {
    const bus = new EventBus();
    for (const pattern of [">", "*", "tenant-a.>", "*.orders"]) {
      expect(() => bus.subscribe(pattern)).not.toThrow();
    }
  });

  it("wildcards: false accepts exact namespaces only", () => {
    const bus = new EventBus({ wildcards: false });
    for (const pattern of [">", "*", "tenant-a.>", "tenant-a.*", "*.orders"]) {
      expect(() => bus.subscribe(pattern), pattern).toThrow(refused);
    }
    expect(() => bus.subscribe("tenant-a")).not.toThrow();
    expect(() => bus.subscribe("tenant-a.orders")).not.toThrow();
    expect(() => bus.subscribe(DOMAIN_EVENTS_NAMESPACE)).not.toThrow();
    expect(bus.getSubscriptions()).toHaveLength(3);
  });

  it("an allow-list accepts only wildcard patterns that fall within one of its patterns", () => {
    const bus = new EventBus({ wildcards: ["metrics.>", "*.public", "tenant-a.*.eu"] });
    const accepted = [
      "metrics.>",
      "metrics.*",
      "metrics.node.>",
      "metrics.*.cpu",
      "*.public",
      "tenant-a.public",
      "tenant-a.*.eu",
    ];
    const rejected = [">", "*", "*.>", "*.*", "tenant-a.>", "tenant-a.*", "*.public.>", "*.*.eu"];
    for (const pattern of accepted) expect(() => bus.subscribe(pattern), pattern).not.toThrow();
    for (const pattern of rejected) expect(() => bus.subscribe(pattern), pattern).toThrow(refused);
  });

  it("an empty allow-list refuses every wildcard", () => {
    const bus = new EventBus({ wildcards: [] });
    expect(() => bus.subscribe("*")).toThrow(refused);
    expect(() => bus.subscribe("a")).not.toThrow();
  });

  it("rejects a malformed allow-list entry when the bus is built", () => {
    expect(() => new EventBus({ wildcards: ["metrics..>"] })).toThrow(
      expect.objectContaining({ code: AetherErrorCode.InvalidNamespace }),
    );
  });
});
