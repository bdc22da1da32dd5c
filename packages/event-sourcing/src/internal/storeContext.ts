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
import { StoreReports } from "./storeReports.js";

/** The options every store takes, whatever its backend. */
export interface StoreContextOptions {
  namespace?: string;
  publisher?: DomainEventPublisher;
  clock?: Clock;
  logger?: Logger;
}

/** What a store is wired with: a validated namespace, its reports, a bound logger. */
export interface StoreContext {
  namespace: string;
  reports: StoreReports;
  clock: Clock;
  logger: Logger;
}

export function storeContext(component: string, options: StoreContextOptions): StoreContext {
  const namespace = parseNamespace(options.namespace ?? "default");
  const logger = (options.logger ?? defaultLogger()).child({ component, namespace });
  const clock = options.clock ?? systemClock;
  const given = options.publisher ?? silentDomainEventPublisher;
  // With nobody listening, building an EventStored per append would only feed the collector.
  const publisher =
    given === silentDomainEventPublisher ? undefined : guardPublisher(given, logger);
  return { namespace, reports: new StoreReports(namespace, publisher, clock), clock, logger };
}
