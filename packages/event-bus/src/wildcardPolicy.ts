/**
 * Which wildcard subscriptions a bus accepts: `true` any, `false` none (exact namespaces only), or
 * a list of patterns that every accepted wildcard pattern must fall within.
 */
export type WildcardPolicy = boolean | readonly string[];
