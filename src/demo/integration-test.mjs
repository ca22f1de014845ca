// The demo pipeline's integration test, run as a check before a release enters staging:
//   node src/demo/integration-test.mjs http://127.0.0.1:PORT demo-canary
// It calls the service through the router (the Host header picks the environment) and exits 0
// when every answer is right: / answers 200, and /version answers 200 with one version and its
// feature flags on every call. Plain Node with no dependencies, so a check starts in a blink.
import http from "node:http";

const [url, host] = process.argv.slice(2);
if (!url || !host) {
  console.error("usage: integration-test.mjs ROUTER_URL HOST");
  process.exit(2);
}

/** One GET through the router; resolves with the status and the parsed JSON body (or undefined). */
function get(path) {
  return new Promise((resolve, reject) => {
    const req = http.get(new URL(path, url), { headers: { host }, timeout: 5_000 }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => {
        text += chunk;
      });
      res.on("end", () => {
        let body;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${path} took more than 5 s`)));
    req.on("error", reject);
  });
}

const problems = [];
const versions = new Set();
try {
  const home = await get("/");
  if (home.status !== 200) problems.push(`GET / answered ${home.status}`);
  for (let i = 0; i < 5; i++) {
    const { status, body } = await get("/version");
    if (status !== 200) problems.push(`GET /version answered ${status}`);
    else if (typeof body?.version !== "string" || typeof body.features !== "object" || body.features === null)
      problems.push(`GET /version answered ${JSON.stringify(body)}: no version and features`);
    else versions.add(body.version);
  }
  if (versions.size > 1) problems.push(`more than one version answered: ${[...versions].join(", ")}`);
} catch (err) {
  problems.push(String(err instanceof Error ? err.message : err));
}

if (problems.length > 0) {
  console.error(`integration test of ${host} failed: ${problems.join("; ")}`);
  process.exit(1);
}
console.log(`integration test of ${host} passed: version ${[...versions][0]} on every call`);
