import {
  defaultLogger,
  guardPublisher,
  silentDomainEventPublisher,
  systemClock,
  type Clock,
  type DomainEventPublisher,
  type Logger,
} from "@aether/kernel";
import { parseNamespace } from "@aether/namespace";

/** The options every store takes, whatever its backend. */
export interface StoreContextOptions {
  namespace?: string;
  publisher?: DomainEventPublisher;
  clock?: Clock;
  logger?: Logger;
}

/** What a store is wired with: a validated namespace, a guarded publisher, a bound logger. */
export interface StoreContext {
  namespace: string;
  publisher: DomainEventPublisher;
  clock: Clock;
  logger: Logger;
}

export function storeContext(component: string, options: StoreContextOptions): StoreContext {
  const namespace = parseNamespace(options.namespace ?? "default");
  const logger = (options.logger ?? defaultLogger()).child({ component, namespace });
  return {
    namespace,
    publisher: guardPublisher(options.publisher ?? silentDomainEventPublisher, logger),
    clock: options.clock ?? systemClock,
    logger,
  };
}

/** Lets a store take `(nc, "tenant-a", options)` as well as `(nc, { namespace: "tenant-a", … })`. */
export function withNamespace<T extends { namespace?: string }>(
  namespaceOrOptions: string | T,
  moreOptions: Omit<T, "namespace">,
): T {
  return typeof namespaceOrOptions === "string"
    ? ({ ...moreOptions, namespace: namespaceOrOptions } as T)
    : namespaceOrOptions;
}
