/**
 * The reserved namespace where a bus delivers domain events: its own (`SubscriptionCreated`,
 * `EventPublished`) and those other packages hand to `publishDomainEvent`. Only a pattern that
 * names it literally receives them (`*` and `>` never match it), and `publish` refuses it and
 * anything below it.
 */
export const DOMAIN_EVENTS_NAMESPACE = "_aether";

export function isReservedNamespace(namespace: string): boolean {
  return (
    namespace.startsWith(DOMAIN_EVENTS_NAMESPACE) &&
    (namespace.length === DOMAIN_EVENTS_NAMESPACE.length ||
      namespace.charCodeAt(DOMAIN_EVENTS_NAMESPACE.length) === 0x2e)
  );
}
