import { Pool } from "undici";

/**
 * Sends `count` GETs through `url` on keep-alive connections, `concurrency` at a time, and counts
 * answers by the `version` field of the body (the demo app's `/version`), by status, and by the
 * revision header.
 */
export async function sample(
  url: string,
  count: number,
  opts: { path?: string; headers?: Record<string, string>; concurrency?: number } = {},
) {
  const pool = new Pool(url, { connections: opts.concurrency ?? 16 });
  const versions: Record<string, number> = {};
  const statuses: Record<number, number> = {};
  const revisions: Record<string, number> = {};
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      try {
        const res = await pool.request({ path: opts.path ?? "/version", method: "GET", headers: opts.headers ?? {} });
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        const rev = String(res.headers["x-sluice-revision"] ?? "none");
        revisions[rev] = (revisions[rev] ?? 0) + 1;
        const text = await res.body.text();
        try {
          const v = String((JSON.parse(text) as { version?: string }).version ?? "none");
          versions[v] = (versions[v] ?? 0) + 1;
        } catch {
          versions.none = (versions.none ?? 0) + 1;
        }
      } catch {
        statuses[0] = (statuses[0] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 16 }, worker));
  await pool.close();
  return { versions, statuses, revisions };
}

/**
 * How many requests to `endpoint` the replicas of one revision have answered, from their own
 * /metrics (`http_requests_total`). Replica addresses come from the router's persisted config.
 */
export async function requestsSeenBy(stateDir: string, rollout: string, revision: string, endpoint: string) {
  const { readFileSync } = await import("node:fs");
  const config = JSON.parse(readFileSync(`${stateDir}/router-config.json`, "utf8")) as {
    rollouts: { rollout: string; backends: { revision: string; endpoints: string[] }[] }[];
  };
  const backends = config.rollouts.find((r) => r.rollout === rollout)?.backends.find((b) => b.revision === revision);
  let total = 0;
  for (const ep of backends?.endpoints ?? []) {
    const text = await (await fetch(`http://${ep}/metrics`)).text();
    for (const line of text.split("\n")) {
      if (line.startsWith("http_requests_total{") && line.includes(`endpoint="${endpoint}"`))
        total += Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return total;
}
