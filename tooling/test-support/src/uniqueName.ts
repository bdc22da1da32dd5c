let counter = 0;

/** A name no other test in this run uses: isolation by name instead of a server per test. */
export function uniqueName(prefix = "t"): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;
}
