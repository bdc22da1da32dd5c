import { AetherError, AetherErrorCode, isAetherError } from "@aether/kernel";
import { VersionConflictError, retryOnConflict, withRetry, type RetryOptions } from "@aether/occ";
import { describe, expect, it, vi } from "vitest";

const conflict = (currentVersion = 1) =>
  new VersionConflictError({ actorId: "acc-1", attemptedVersion: currentVersion, currentVersion });

/** An attempt that fails with the given errors, in order, then returns "ok". */
function failing(...errors: unknown[]) {
  const calls: number[] = [];
  const attempt = async (attemptNumber: number) => {
    calls.push(attemptNumber);
    const error = errors[attemptNumber - 1];
    if (error !== undefined) throw error;
    return "ok";
  };
  return { attempt, calls };
}

/** Options that never wait for real time and record every delay. */
function virtual(extra: RetryOptions = {}) {
  const delays: number[] = [];
  const options: RetryOptions = {
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...extra,
  };
  return { options, delays };
}

async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { code?: string; details?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("occ: withRetry", () => {
  it("occ: returns the first success without waiting", async () => {
    const { attempt, calls } = failing();
    const { options, delays } = virtual();
    await expect(withRetry(attempt, options)).resolves.toBe("ok");
    expect(calls).toEqual([1]);
    expect(delays).toEqual([]);
  });

  it("occ: retries a conflict and passes the attempt number", async () => {
    const { attempt, calls } = failing(conflict(), conflict(2));
    const { options } = virtual();
    await expect(withRetry(attempt, options)).resolves.toBe("ok");
    expect(calls).toEqual([1, 2, 3]);
  });

  it("occ: retries only conflicts by default: any other error is thrown at once", async () => {
    for (const error of [
      new Error("disk on fire"),
      new AetherError(AetherErrorCode.Timeout, "timeout"),
      new AetherError(AetherErrorCode.InvalidEvent, "bad"),
      "a string",
    ]) {
      const { attempt, calls } = failing(error);
      const { options, delays } = virtual();
      await expect(withRetry(attempt, options)).rejects.toBe(error);
      expect(calls).toEqual([1]);
      expect(delays).toEqual([]);
    }
  });

  it("occ: also retries a conflict from a foreign copy of the package", async () => {
    const foreign = Object.assign(new Error("conflict"), { code: "VERSION_CONFLICT" });
    const { attempt, calls } = failing(foreign);
    await expect(withRetry(attempt, virtual().options)).resolves.toBe("ok");
    expect(calls).toEqual([1, 2]);
  });

  it("occ: gives up after maxAttempts with RETRIES_EXHAUSTED and the last failure as cause", async () => {
    const errors = [conflict(1), conflict(2), conflict(3)];
    const { attempt, calls } = failing(...errors);
    const { options, delays } = virtual({ maxAttempts: 3 });
    const error = await rejection(withRetry(attempt, options));
    expect(isAetherError(error, AetherErrorCode.RetriesExhausted)).toBe(true);
    expect(error.cause).toBe(errors[2]);
    expect(error.details).toEqual({ attempts: 3 });
    expect(error.message).toBe(`Gave up after 3 attempts: ${errors[2]!.message}`);
    expect(calls).toEqual([1, 2, 3]);
    expect(delays).toHaveLength(2);
  });

  it("occ: defaults to 5 attempts", async () => {
    const { attempt, calls } = failing(...Array.from({ length: 10 }, () => conflict()));
    const error = await rejection(withRetry(attempt, virtual().options));
    expect(error.code).toBe("RETRIES_EXHAUSTED");
    expect(calls).toEqual([1, 2, 3, 4, 5]);
  });

  it("occ: maxAttempts 1 never retries but still reports exhaustion", async () => {
    const first = conflict();
    const { attempt, calls } = failing(first);
    const error = await rejection(withRetry(attempt, virtual({ maxAttempts: 1 }).options));
    expect(error.code).toBe("RETRIES_EXHAUSTED");
    expect(error.cause).toBe(first);
    expect(calls).toEqual([1]);
  });

  it("occ: shouldRetry decides which failures get another attempt", async () => {
    const transient = new AetherError(AetherErrorCode.Unavailable, "no leader");
    const { attempt, calls } = failing(transient, transient);
    const { options } = virtual({ shouldRetry: (error) => isAetherError(error, "UNAVAILABLE") });
    await expect(withRetry(attempt, options)).resolves.toBe("ok");
    expect(calls).toEqual([1, 2, 3]);
  });

  it("occ: delays are full-jitter exponential: floor(random * min(max, initial * 2^(n-1)))", async () => {
    const { attempt } = failing(...Array.from({ length: 7 }, () => conflict()));
    const { options, delays } = virtual({
      maxAttempts: 8,
      initialDelayMs: 10,
      maxDelayMs: 200,
      random: () => 0.5,
    });
    await withRetry(attempt, options);
    // Ceilings 10, 20, 40, 80, 160, 200 (capped), 200.
    expect(delays).toEqual([5, 10, 20, 40, 80, 100, 100]);
  });

  it("occ: a jitter near 1 stays strictly below the ceiling, a jitter of 0 waits 0", async () => {
    const high = virtual({ initialDelayMs: 10, maxDelayMs: 1000, random: () => 0.999999 });
    await withRetry(failing(conflict(), conflict(), conflict()).attempt, high.options);
    expect(high.delays).toEqual([9, 19, 39]);

    const low = virtual({ random: () => 0 });
    await withRetry(failing(conflict(), conflict()).attempt, low.options);
    expect(low.delays).toEqual([0, 0]);
  });

  it("occ: uses the default backoff (10 ms doubling, capped at 1000 ms)", async () => {
    const { options, delays } = virtual({ maxAttempts: 10, random: () => 0.999999 });
    await withRetry(failing(...Array.from({ length: 9 }, () => conflict())).attempt, options);
    expect(delays).toEqual([9, 19, 39, 79, 159, 319, 639, 999, 999]);
  });

  it("occ: each delay draws a fresh random number", async () => {
    const draws = [0.1, 0.9, 0.25];
    const { options, delays } = virtual({ initialDelayMs: 100, random: () => draws.shift()! });
    await withRetry(failing(conflict(), conflict(), conflict()).attempt, options);
    expect(delays).toEqual([10, 180, 100]);
  });

  it("occ: onRetry is told the failed attempt, the delay and the error, before the wait", async () => {
    const errors = [conflict(1), conflict(2)];
    const events: string[] = [];
    const onRetry = vi.fn((info: { attempt: number; delayMs: number }) => {
      events.push(`retry ${info.attempt} after ${info.delayMs}`);
    });
    await withRetry(failing(...errors).attempt, {
      onRetry,
      random: () => 0.5,
      sleep: async (ms) => {
        events.push(`sleep ${ms}`);
      },
    });
    expect(onRetry).toHaveBeenCalledTimes(2);
    expect(onRetry.mock.calls[0]![0]).toEqual({ attempt: 1, delayMs: 5, error: errors[0] });
    expect(onRetry.mock.calls[1]![0]).toEqual({ attempt: 2, delayMs: 10, error: errors[1] });
    expect(events).toEqual(["retry 1 after 5", "sleep 5", "retry 2 after 10", "sleep 10"]);
  });

  it("occ: onRetry is not called for the last, exhausted attempt", async () => {
    const onRetry = vi.fn();
    await rejection(
      withRetry(failing(conflict(), conflict()).attempt, {
        ...virtual().options,
        maxAttempts: 2,
        onRetry,
      }),
    );
    expect(onRetry).toHaveBeenCalledTimes(1);
  });

  it("occ: an aborted signal stops retrying and throws the last failure as is", async () => {
    const controller = new AbortController();
    controller.abort();
    const first = conflict();
    const { attempt, calls } = failing(first);
    await expect(
      withRetry(attempt, { ...virtual().options, signal: controller.signal }),
    ).rejects.toBe(first);
    expect(calls).toEqual([1]);
  });

  it("occ: aborting during the wait prevents the next attempt", async () => {
    const controller = new AbortController();
    const errors = [conflict(1), conflict(2)];
    const { attempt, calls } = failing(...errors);
    const promise = withRetry(attempt, {
      signal: controller.signal,
      sleep: async () => {
        controller.abort();
      },
    });
    await expect(promise).rejects.toBe(errors[0]);
    expect(calls).toEqual([1]);
  });

  it("occ: the default sleep wakes up as soon as the signal aborts", async () => {
    const controller = new AbortController();
    const { attempt, calls } = failing(conflict());
    const started = Date.now();
    const promise = withRetry(attempt, {
      signal: controller.signal,
      initialDelayMs: 60_000,
      maxDelayMs: 60_000,
      random: () => 0.99,
    });
    setTimeout(() => controller.abort(), 20);
    await expect(promise).rejects.toBeInstanceOf(VersionConflictError);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(calls).toEqual([1]);
  });

  it("occ: the default sleep really waits", async () => {
    const { attempt, calls } = failing(conflict());
    const started = Date.now();
    await withRetry(attempt, { initialDelayMs: 40, random: () => 0.99 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    expect(calls).toEqual([1, 2]);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    "occ: refuses maxAttempts %s before the first attempt",
    async (maxAttempts) => {
      const { attempt, calls } = failing();
      const error = await rejection(withRetry(attempt, { maxAttempts }));
      expect(isAetherError(error, "INVALID_ARGUMENT")).toBe(true);
      expect(error.message).toBe(
        `withRetry: maxAttempts must be an integer >= 1, got ${maxAttempts}`,
      );
      expect(calls).toEqual([]);
    },
  );

  it.each([
    ["initialDelayMs", -1],
    ["initialDelayMs", Number.NaN],
    ["maxDelayMs", -5],
    ["maxDelayMs", Number.POSITIVE_INFINITY],
  ] as const)("occ: refuses %s = %s", async (name, value) => {
    const error = await rejection(withRetry(failing().attempt, { [name]: value }));
    expect(isAetherError(error, "INVALID_ARGUMENT")).toBe(true);
    expect(error.message).toBe(`withRetry: ${name} must be a finite number >= 0, got ${value}`);
  });

  it("occ: a long run with zero delays never produces NaN", async () => {
    const { options, delays } = virtual({ maxAttempts: 1200, initialDelayMs: 0 });
    const error = await rejection(withRetry(async () => Promise.reject(conflict()), options));
    expect(error.code).toBe("RETRIES_EXHAUSTED");
    expect(delays).toHaveLength(1199);
    expect(delays.every((ms) => ms === 0)).toBe(true);
  });
});

describe("occ: retryOnConflict", () => {
  it("occ: retries conflicts and returns the result", async () => {
    const { attempt, calls } = failing(conflict());
    await expect(retryOnConflict(attempt, virtual().options)).resolves.toBe("ok");
    expect(calls).toEqual([1, 2]);
  });

  it("occ: ignores a shouldRetry smuggled in: only conflicts are retried", async () => {
    const transient = new AetherError(AetherErrorCode.Unavailable, "no leader");
    const { attempt, calls } = failing(transient);
    const options = { ...virtual().options, shouldRetry: () => true } as RetryOptions;
    await expect(retryOnConflict(attempt, options)).rejects.toBe(transient);
    expect(calls).toEqual([1]);
  });

  it("occ: exhausts like withRetry", async () => {
    const error = await rejection(
      retryOnConflict(failing(conflict(), conflict()).attempt, {
        ...virtual().options,
        maxAttempts: 2,
      }),
    );
    expect(error.code).toBe("RETRIES_EXHAUSTED");
    expect(error.cause).toBeInstanceOf(VersionConflictError);
  });
});
