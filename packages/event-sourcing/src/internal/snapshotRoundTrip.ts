import { isDeepStrictEqual } from "node:util";
import { findJsonProblem } from "@aether/kernel";
import type { SnapshotCodec } from "../snapshotCodec.js";

/** Where and why a state would not come back from its snapshot. */
export interface RoundTripProblem {
  path: string;
  problem: string;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return "a string";
  if (typeof value === "function" || typeof value === "symbol") return `a ${typeof value}`;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
    return String(value);
  }
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an array";
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)
    ?.constructor?.name;
  return name === undefined || name === "Object" ? "an object" : `a ${name}`;
}

function childPath(path: string, key: string | number): string {
  return typeof key === "number" ? `${path}[${key}]` : `${path}.${key}`;
}

/**
 * The first place where `actual` is not `expected`. Plain objects and arrays are compared key by
 * key (a property that is undefined counts as absent, as in JSON); anything else by
 * `isDeepStrictEqual`, which also compares prototypes, Dates, Sets and Maps.
 */
function firstDifference(
  expected: unknown,
  actual: unknown,
  path: string,
): RoundTripProblem | undefined {
  if (Object.is(expected, actual)) return undefined;
  const kind = describe(expected);
  const differs = { path, problem: `is ${kind} but comes back as ${describe(actual)}` };
  if (typeof expected !== "object" || expected === null) return differs;
  if (typeof actual !== "object" || actual === null) return differs;
  if (Object.getPrototypeOf(expected) !== Object.getPrototypeOf(actual)) return differs;
  if (Array.isArray(expected)) {
    const items = actual as unknown[];
    if (items.length !== expected.length) {
      return { path, problem: `has ${expected.length} items but comes back with ${items.length}` };
    }
    for (let i = 0; i < expected.length; i++) {
      const found = firstDifference(expected[i], items[i], childPath(path, i));
      if (found !== undefined) return found;
    }
    return undefined;
  }
  const proto: unknown = Object.getPrototypeOf(expected);
  if (proto !== Object.prototype && proto !== null) {
    return isDeepStrictEqual(expected, actual)
      ? undefined
      : { path, problem: `is ${kind} that comes back different` };
  }
  const left = expected as Record<string, unknown>;
  const right = actual as Record<string, unknown>;
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  for (const key of keys) {
    const found = firstDifference(left[key], right[key], childPath(path, key));
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * What would be stored for `state` (its codec's encoding, or the state itself), or the reason a
 * snapshot of it would not restore it: the stored value breaks the JSON rule, the codec throws,
 * or decoding the value after a JSON round trip does not give `state` back.
 */
export function snapshotRoundTrip<TState>(
  state: TState,
  codec: SnapshotCodec<TState> | undefined,
): { stored: unknown } | RoundTripProblem {
  let stored: unknown;
  let restored: unknown;
  try {
    stored = codec === undefined ? state : codec.encode(state);
    const jsonProblem = findJsonProblem(stored);
    if (jsonProblem !== undefined) {
      const path = jsonProblem.path.reduce<string>(childPath, "state");
      return { path, problem: jsonProblem.problem };
    }
    const json: unknown = JSON.parse(JSON.stringify(stored));
    restored = codec === undefined ? json : codec.decode(json);
  } catch (error) {
    return { path: "state", problem: `its snapshot codec threw: ${(error as Error).message}` };
  }
  return firstDifference(state, restored, "state") ?? { stored };
}
