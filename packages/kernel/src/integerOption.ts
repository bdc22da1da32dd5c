import { AetherError, AetherErrorCode } from "./aetherError.js";

/** The accepted values of an integer option, and the value an absent option takes. */
export interface IntegerRange {
  fallback: number;
  min: number;
  /** @default Number.MAX_SAFE_INTEGER */
  max?: number;
}

/** Reads an integer option, refusing anything outside [min, max] with a message naming it. */
export function integerOption(
  name: string,
  value: number | undefined,
  range: IntegerRange,
): number {
  if (value === undefined) return range.fallback;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isInteger(value) || value < range.min || value > max) {
    throw new AetherError(
      AetherErrorCode.InvalidArgument,
      `${name} must be an integer from ${range.min} to ${max}, got ${String(value)}`,
      { details: { [name]: value } },
    );
  }
  return value;
}
