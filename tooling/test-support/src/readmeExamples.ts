import { readFileSync } from "node:fs";
import { format } from "node:util";
import { expect, vi } from "vitest";

/** Runs an example module and returns what it printed, one string per console.log call. */
export async function consoleLinesOf(load: () => Promise<unknown>): Promise<string[]> {
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  try {
    await load();
    return log.mock.calls.map((args) => format(...args));
  } finally {
    log.mockRestore();
  }
}

/** Fails unless the README holds the example file, verbatim, as a TypeScript code block. */
export function expectReadmeToShow(readme: URL, example: URL): void {
  const block = "```ts\n" + readFileSync(example, "utf8") + "```";
  expect(
    readFileSync(readme, "utf8"),
    `${readme.pathname} must show ${example.pathname}`,
  ).toContain(block);
}
