import type Database from "better-sqlite3";
import { NotFoundError, type Resource, type ResourceKind } from "../ports/control-plane.js";

interface Row {
  kind: ResourceKind;
  name: string;
  api_version: string;
  generation: number;
  resource_version: number;
  metadata: string;
  spec: string;
  status: string | null;
  created_at: string;
}

/** Metadata fields the store owns; whatever a caller passes for them is replaced. */
const STORE_OWNED = ["name", "generation", "resourceVersion", "creationTimestamp"] as const;

/**
 * Resources by kind and name. `metadata.generation` counts spec changes (a status write leaves it
 * alone, as in Kubernetes), `metadata.resourceVersion` counts every write.
 */
export class ResourceTable {
  private readonly selectOne;
  private readonly selectKind;
  private readonly insert;
  private readonly update;
  private readonly updateStatus;
  private readonly remove;

  constructor(
    db: Database.Database,
    private readonly now: () => Date,
  ) {
    this.selectOne = db.prepare<[string, string], Row>("SELECT * FROM resources WHERE kind = ? AND name = ?");
    this.selectKind = db.prepare<[string], Row>("SELECT * FROM resources WHERE kind = ? ORDER BY name");
    this.insert = db.prepare(
      `INSERT INTO resources (kind, name, api_version, generation, resource_version, metadata, spec, status, created_at, updated_at)
       VALUES (@kind, @name, @apiVersion, 1, 1, @metadata, @spec, @status, @time, @time)`,
    );
    this.update = db.prepare(
      `UPDATE resources SET api_version = @apiVersion, generation = @generation, resource_version = resource_version + 1,
         metadata = @metadata, spec = @spec, status = @status, updated_at = @time WHERE kind = @kind AND name = @name`,
    );
    this.updateStatus = db.prepare(
      `UPDATE resources SET status = @status, resource_version = resource_version + 1, updated_at = @time
       WHERE kind = @kind AND name = @name`,
    );
    this.remove = db.prepare("DELETE FROM resources WHERE kind = ? AND name = ?");
  }

  get(kind: ResourceKind, name: string): Resource | undefined {
    const row = this.selectOne.get(kind, name);
    return row && toResource(row);
  }

  /** Every resource of a kind, by name. */
  list(kind: ResourceKind): Resource[] {
    return this.selectKind.all(kind).map(toResource);
  }

  /** Creates or replaces spec, metadata and status; returns the resource as stored. */
  put(resource: Resource): Resource {
    const { kind } = resource;
    const { name } = resource.metadata;
    const existing = this.selectOne.get(kind, name);
    const params = {
      kind,
      name,
      apiVersion: resource.apiVersion,
      metadata: JSON.stringify(ownMetadata(resource)),
      spec: JSON.stringify(resource.spec),
      status: statusOf(resource) === undefined ? null : JSON.stringify(statusOf(resource)),
      time: this.now().toISOString(),
    };
    if (!existing) this.insert.run(params);
    else {
      const specChanged = canonicalJson(JSON.parse(existing.spec)) !== canonicalJson(resource.spec);
      this.update.run({ ...params, generation: existing.generation + (specChanged ? 1 : 0) });
    }
    return this.get(kind, name)!;
  }

  /** Replaces only the status. Throws NotFoundError when there is no such resource. */
  setStatus(kind: ResourceKind, name: string, status: unknown): void {
    const params = {
      kind,
      name,
      status: status === undefined ? null : JSON.stringify(status),
      time: this.now().toISOString(),
    };
    if (this.updateStatus.run(params).changes === 0) throw new NotFoundError(kind, name);
  }

  delete(kind: ResourceKind, name: string): boolean {
    return this.remove.run(kind, name).changes > 0;
  }
}

function statusOf(resource: Resource): unknown {
  return (resource as { status?: unknown }).status;
}

function ownMetadata(resource: Resource): Record<string, unknown> {
  const meta: Record<string, unknown> = { ...resource.metadata };
  for (const key of STORE_OWNED) delete meta[key];
  return meta;
}

function toResource(row: Row): Resource {
  const metadata = {
    name: row.name,
    ...(JSON.parse(row.metadata) as object),
    generation: row.generation,
    resourceVersion: String(row.resource_version),
    creationTimestamp: row.created_at,
  };
  return {
    apiVersion: row.api_version,
    kind: row.kind,
    metadata,
    spec: JSON.parse(row.spec),
    ...(row.status === null ? {} : { status: JSON.parse(row.status) }),
  } as Resource;
}

/** JSON with object keys sorted, so two equal specs built in different key orders compare equal. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}
