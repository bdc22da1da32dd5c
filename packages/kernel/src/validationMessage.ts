import type { z } from "zod";

/**
 * Turns zod issues into one line that names each offending path, e.g.
 * `actorId: must not be empty; version: expected an integer >= 1`.
 */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join(".");
      return path === "" ? issue.message : `${path}: ${issue.message}`;
    })
    .join("; ");
}
