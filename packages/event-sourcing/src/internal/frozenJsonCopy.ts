function omitted(value: unknown): boolean {
  return value === undefined || typeof value === "function" || typeof value === "symbol";
}

/**
 * A deep, frozen copy of a value that already follows the kernel's JSON rule (`findJsonProblem`,
 * applied by `parseNewEvent` and `parseActorSnapshot`), shaped exactly as
 * `JSON.parse(JSON.stringify(value))` would be, so the in-memory stores return what a serialising
 * store would.
 */
export function frozenJsonCopy(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  const object = value as { toJSON?: () => unknown };
  if (typeof object.toJSON === "function") return frozenJsonCopy(object.toJSON());
  if (Array.isArray(object)) {
    const copy = new Array<unknown>(object.length);
    for (let i = 0; i < object.length; i++) {
      const item: unknown = object[i];
      copy[i] = omitted(item) ? null : frozenJsonCopy(item);
    }
    return Object.freeze(copy);
  }
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(object)) {
    const item = (object as Record<string, unknown>)[key];
    if (!omitted(item)) copy[key] = frozenJsonCopy(item);
  }
  return Object.freeze(copy);
}
