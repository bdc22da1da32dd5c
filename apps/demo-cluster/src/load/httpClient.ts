import { Agent, request } from "node:http";

// fetch costs several times more CPU per request than node:http; at thousands of requests a
// second on a shared machine the load generator would measure itself.
const agent = new Agent({ keepAlive: true, maxSockets: 512 });

/** One JSON request over a kept-alive connection. */
export function jsonRequest<T>(
  url: string,
  options: { method?: string; body?: unknown } = {},
): Promise<{ status: number; body: T }> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        agent,
        method: options.method ?? (payload === undefined ? "GET" : "POST"),
        headers:
          payload === undefined
            ? {}
            : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          try {
            resolve({
              status: res.statusCode ?? 0,
              body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as T,
            });
          } catch (error) {
            reject(
              new Error(`${url} answered ${res.statusCode} with no JSON body`, { cause: error }),
            );
          }
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}
