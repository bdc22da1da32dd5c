import { AetherError, AetherErrorCode } from "./aetherError.js";

/** Deepest nesting of arrays and objects a JSON value may have (a cycle always exceeds it). */
export const MAX_JSON_DEPTH = 256;

/** Where a value breaks the JSON rule and how, e.g. `{ path: ["items", 2], problem: "is NaN" }`. */
export interface JsonProblem {
  path: (string | number)[];
  problem: string;
}

// A value JSON.stringify leaves out of an object (and writes as null in an array).
function isOmitted(value: unknown): boolean {
  return value === undefined || typeof value === "function" || typeof value === "symbol";
}

function describeOmitted(value: unknown): string {
  return value === undefined ? "undefined" : `a ${typeof value}`;
}

// Containers that JSON.stringify turns into something else without a word.
function silentlyChangedKind(value: object): string | undefined {
  if (value instanceof Map) return "a Map, which JSON writes as {}";
  if (value instanceof Set) return "a Set, which JSON writes as {}";
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    return "binary data, which JSON writes as an object of numbers (encode it, e.g. as base64)";
  }
  return undefined;
}

/**
 * Walks `value` as JSON.stringify would (toJSON honoured); returns the problem at the first place
 * where the text would not carry the value faithfully, leaving that place's path in `path` (whose
 * length is the nesting depth).
 */
function problemIn(value: unknown, key: string, path: (string | number)[]): string | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined;
    case "number":
      return Number.isFinite(value) ? undefined : `is ${String(value)}, which JSON cannot carry`;
    case "bigint":
      return "is a bigint, which JSON cannot carry";
    case "undefined":
    case "function":
    case "symbol":
      return `is ${describeOmitted(value)}, which JSON cannot carry`;
  }
  if (value === null) return undefined;
  let current = value as { toJSON?: (key: string) => unknown };
  if (typeof current.toJSON === "function") {
    const replaced = current.toJSON(key);
    if (typeof replaced !== "object" || replaced === null) {
      return isOmitted(replaced)
        ? `has a toJSON() that returns ${describeOmitted(replaced)}, which JSON cannot carry`
        : problemIn(replaced, key, path);
    }
    current = replaced;
  }
  if (path.length >= MAX_JSON_DEPTH) {
    return `is nested deeper than ${MAX_JSON_DEPTH} levels (a circular reference?)`;
  }
  const prototype: unknown = Object.getPrototypeOf(current);
  // Plain objects and arrays, by far the common case, need no check of their kind.
  if (prototype !== Object.prototype && prototype !== Array.prototype && prototype !== null) {
    const changed = silentlyChangedKind(current);
    if (changed !== undefined) return `is ${changed}`;
  }
  if (Array.isArray(current)) {
    for (let i = 0; i < current.length; i++) {
      const item: unknown = current[i];
      if (isOmitted(item)) continue; // written as null, as JSON does
      path.push(i);
      const problem = problemIn(item, String(i), path);
      if (problem !== undefined) return problem;
      path.pop();
    }
    return undefined;
  }
  const keys = Object.keys(current);
  for (let i = 0; i < keys.length; i++) {
    const name = keys[i]!;
    path.push(name);
    // JSON.parse makes it an own key, but object literals, spreads and most merges make it the
    // prototype: the value would change meaning between a store and its readers.
    if (name === "__proto__") return "is a key named __proto__, which Aether refuses";
    const item = (current as Record<string, unknown>)[name];
    if (!isOmitted(item)) {
      const problem = problemIn(item, name, path);
      if (problem !== undefined) return problem;
    }
    path.pop();
  }
  return undefined;
}

/**
 * Aether's JSON rule, applied by every store and bus before anything is stored or sent: a value is
 * accepted when `JSON.parse(JSON.stringify(value))` gives it back faithfully, apart from what JSON
 * itself defines away (properties that are undefined, functions or symbols are left out; in
 * arrays they become null; `toJSON()` is honoured, so a Date becomes its ISO string). Refused,
 * with the path to the offending place: NaN and ±Infinity, bigints, a value that JSON would drop
 * entirely (undefined, a function, a symbol, a `toJSON()` returning undefined), Maps, Sets and
 * binary data (written as `{}` or an object of numbers), a key named `__proto__`, and nesting
 * deeper than {@link MAX_JSON_DEPTH} levels (which includes every cycle).
 *
 * @returns undefined when the value follows the rule.
 */
export function findJsonProblem(value: unknown): JsonProblem | undefined {
  const path: (string | number)[] = [];
  const problem = problemIn(value, "", path);
  return problem === undefined ? undefined : { path, problem };
}

/** `data.items[2]` for `["items", 2]` under `data`. */
export function formatJsonPath(root: string, path: readonly (string | number)[]): string {
  let text = root;
  for (const segment of path) {
    text +=
      typeof segment === "number"
        ? `[${segment}]`
        : /^[A-Za-z_$][\w$]*$/.test(segment)
          ? `.${segment}`
          : `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/**
 * Throws `INVALID_EVENT` naming the path (`data.amount is NaN, which JSON cannot carry`) when
 * `value` breaks the JSON rule of {@link findJsonProblem}; `root` names the value in the message.
 */
export function assertJsonValue(value: unknown, root: string): void {
  const found = findJsonProblem(value);
  if (found === undefined) return;
  const path = formatJsonPath(root, found.path);
  throw new AetherError(AetherErrorCode.InvalidEvent, `${path} ${found.problem}`, {
    details: { path },
  });
}
