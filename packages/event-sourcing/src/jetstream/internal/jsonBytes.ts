import { AetherError, AetherErrorCode } from "@aether/kernel";
import { frozenJsonCopy } from "../../internal/frozenJsonCopy.js";

const encoder = new TextEncoder();

function finiteNumbersOnly(_key: string, value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) throw new RangeError("not finite");
  return value;
}

/**
 * `value` as UTF-8 JSON. Values JSON cannot carry faithfully (NaN, Infinity, bigints, cycles) are
 * refused, as the in-memory stores refuse them, instead of being silently changed to null.
 */
export function jsonBytes(value: unknown, path: string): Uint8Array {
  try {
    return encoder.encode(JSON.stringify(value, finiteNumbersOnly));
  } catch (error) {
    // The slow path names the offending field, e.g. `events[0].data.amount is NaN`.
    frozenJsonCopy(value, path);
    throw new AetherError(
      AetherErrorCode.InvalidEvent,
      `${path} is not JSON-serialisable: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
