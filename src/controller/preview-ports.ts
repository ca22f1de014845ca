import { readFileSync, renameSync, writeFileSync } from "node:fs";
import net from "node:net";

/**
 * The preview listener port of each blue-green rollout. Kept in a file so the preview address
 * stays the same across controller restarts.
 */
export class PreviewPorts {
  private readonly ports: Record<string, number>;

  constructor(private readonly file: string) {
    try {
      this.ports = JSON.parse(readFileSync(file, "utf8")) as Record<string, number>;
    } catch {
      this.ports = {};
    }
  }

  get(rollout: string): string | undefined {
    const port = this.ports[rollout];
    return port ? `127.0.0.1:${port}` : undefined;
  }

  async allocate(rollout: string): Promise<string> {
    const existing = this.get(rollout);
    if (existing) return existing;
    this.ports[rollout] = await freePort();
    writeFileSync(`${this.file}.tmp`, JSON.stringify(this.ports), { mode: 0o600 });
    renameSync(`${this.file}.tmp`, this.file);
    return this.get(rollout)!;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
