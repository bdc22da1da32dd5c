import { AetherError, AetherErrorCode } from "@aether/kernel";

// Deeper than any sane payload; reaching it almost always means a circular reference.
const MAX_DEPTH = 256;

function fail(path: string, what: string): never {
  throw new AetherError(
    AetherErrorCode.InvalidEvent,
    `${path} is ${what}, which is not JSON-serialisable`,
    { details: { path } },
  );
}

function skipped(value: unknown): boolean {
  return value === undefined || typeof value === "function" || typeof value === "symbol";
}

/**
 * A deep, frozen copy of a JSON value, shaped exactly as `JSON.parse(JSON.stringify(value))` would
 * be (toJSON honoured, undefined properties dropped), so the in-memory store returns what a
 * serialising store would. Values JSON cannot carry faithfully (NaN, Infinity, bigints, cycles)
 * are refused with the path to them instead of being silently changed.
 */
export function frozenJsonCopy(value: unknown, path: string, depth = 0): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : fail(path, String(value));
    case "undefined":
      return fail(path, "undefined");
    case "function":
    case "symbol":
    case "bigint":
      return fail(path, `a ${typeof value}`);
  }
  if (value === null) return null;
  if (depth >= MAX_DEPTH)
    fail(path, `nested deeper than ${MAX_DEPTH} levels (a circular reference?)`);
  const object = value as { toJSON?: () => unknown };
  if (typeof object.toJSON === "function") return frozenJsonCopy(object.toJSON(), path, depth + 1);
  if (Array.isArray(object)) {
    const copy = new Array<unknown>(object.length);
    for (let i = 0; i < object.length; i++) {
      const item: unknown = object[i];
      copy[i] = skipped(item) ? null : frozenJsonCopy(item, `${path}[${i}]`, depth + 1);
    }
    return Object.freeze(copy);
  }
  const copy: Record<string, unknown> = {};
  for (const key in object) {
    if (!Object.prototype.hasOwnProperty.call(object, key)) continue;
    const item = (object as Record<string, unknown>)[key];
    if (!skipped(item)) copy[key] = frozenJsonCopy(item, `${path}.${key}`, depth + 1);
  }
  return Object.freeze(copy);
}
