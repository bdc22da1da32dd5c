import { AetherError, AetherErrorCode } from "@aether/kernel";
import { frozenJsonCopy } from "../../../internal/frozenJsonCopy.js";

const encoder = new TextEncoder();

/**
 * `value` as UTF-8 JSON. Values JSON cannot carry faithfully (NaN, Infinity, bigints, cycles) are
 * refused, as the in-memory stores refuse them, instead of being silently stored as null.
 */
export function jsonBytes(value: unknown, path: string): Uint8Array {
  let json: string;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    frozenJsonCopy(value, path);
    throw new AetherError(
      AetherErrorCode.InvalidEvent,
      `${path} is not JSON-serialisable: ${(error as Error).message}`,
      { cause: error },
    );
  }
  // JSON.stringify writes NaN and ±Infinity as null; only output holding a null needs the walk
  // that tells them apart (and names the offending field, e.g. `events[0].data.amount is NaN`).
  if (json.includes("null")) frozenJsonCopy(value, path);
  return encoder.encode(json);
}
