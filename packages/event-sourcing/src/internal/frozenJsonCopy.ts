import { AetherError, AetherErrorCode } from "@aether/kernel";

function fail(path: string, what: string): never {
  throw new AetherError(
    AetherErrorCode.InvalidEvent,
    `${path} is ${what}, which is not JSON-serialisable`,
    { details: { path } },
  );
}

/**
 * A deep, frozen copy of a JSON value, shaped exactly as `JSON.parse(JSON.stringify(value))` would
 * be (toJSON honoured, undefined properties dropped), so the in-memory store returns what a
 * serialising store would. Values JSON cannot carry faithfully (NaN, Infinity, functions, symbols,
 * bigints, cycles) are refused with the path to them, instead of being silently changed.
 */
export function frozenJsonCopy(
  value: unknown,
  path: string,
  seen: Set<object> = new Set(),
): unknown {
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
  const object = value as { toJSON?: () => unknown };
  if (typeof object.toJSON === "function") return frozenJsonCopy(object.toJSON(), path, seen);
  if (seen.has(object)) fail(path, "a circular reference");
  seen.add(object);
  let copy: unknown;
  if (Array.isArray(object)) {
    copy = object.map((item: unknown, index) =>
      item === undefined || typeof item === "function" || typeof item === "symbol"
        ? null
        : frozenJsonCopy(item, `${path}[${index}]`, seen),
    );
  } else {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(object)) {
      const item = (object as Record<string, unknown>)[key];
      if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
      out[key] = frozenJsonCopy(item, `${path}.${key}`, seen);
    }
    copy = out;
  }
  seen.delete(object);
  return Object.freeze(copy);
}
