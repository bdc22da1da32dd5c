import { AetherError, AetherErrorCode } from "@aether/kernel";

/** Reads an integer option, refusing anything outside [min, max] with a message naming it. */
export function integerOption(
  name: string,
  value: number | undefined,
  range: { fallback: number; min: number; max?: number },
): number {
  if (value === undefined) return range.fallback;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isInteger(value) || value < range.min || value > max) {
    throw new AetherError(
      AetherErrorCode.InvalidArgument,
      `${name} must be an integer from ${range.min} to ${max}, got ${String(value)}`,
    );
  }
  return value;
}
