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

// Thrown by the fast copy, which knows no paths; one instance, so a throw captures no stack. It
// never escapes this module.
const notJson = new Error("not JSON");

// The copy of nearly every payload: the same rules as copyWithPaths, without building a path
// string per value, which cost more than the copy itself on nested payloads.
function fastCopy(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (Number.isFinite(value)) return value;
      throw notJson;
    case "object":
      break;
    default:
      throw notJson;
  }
  if (value === null) return null;
  if (depth >= MAX_DEPTH) throw notJson;
  const object = value as { toJSON?: () => unknown };
  if (typeof object.toJSON === "function") return fastCopy(object.toJSON(), depth + 1);
  if (Array.isArray(object)) {
    const copy = new Array<unknown>(object.length);
    for (let i = 0; i < object.length; i++) {
      const item: unknown = object[i];
      copy[i] = skipped(item) ? null : fastCopy(item, depth + 1);
    }
    return Object.freeze(copy);
  }
  const copy: Record<string, unknown> = {};
  const keys = Object.keys(object);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const item = (object as Record<string, unknown>)[key];
    if (!skipped(item)) copy[key] = fastCopy(item, depth + 1);
  }
  return Object.freeze(copy);
}

/**
 * A deep, frozen copy of a JSON value, shaped exactly as `JSON.parse(JSON.stringify(value))` would
 * be (toJSON honoured, undefined properties dropped), so the in-memory store returns what a
 * serialising store would. Values JSON cannot carry faithfully (NaN, Infinity, bigints, cycles)
 * are refused with the path to them instead of being silently changed.
 */
export function frozenJsonCopy(value: unknown, path: string): unknown {
  try {
    return fastCopy(value, 0);
  } catch (error) {
    if (error !== notJson) throw error;
    return copyWithPaths(value, path, 0);
  }
}

// The same copy, building the path of every value on the way: only run once the fast copy found
// a value JSON cannot carry, to name it in the error.
function copyWithPaths(value: unknown, path: string, depth: number): unknown {
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
  if (typeof object.toJSON === "function") return copyWithPaths(object.toJSON(), path, depth + 1);
  if (Array.isArray(object)) {
    const copy = new Array<unknown>(object.length);
    for (let i = 0; i < object.length; i++) {
      const item: unknown = object[i];
      copy[i] = skipped(item) ? null : copyWithPaths(item, `${path}[${i}]`, depth + 1);
    }
    return Object.freeze(copy);
  }
  const copy: Record<string, unknown> = {};
  for (const key in object) {
    if (!Object.prototype.hasOwnProperty.call(object, key)) continue;
    const item = (object as Record<string, unknown>)[key];
    if (!skipped(item)) copy[key] = copyWithPaths(item, `${path}.${key}`, depth + 1);
  }
  return Object.freeze(copy);
}
