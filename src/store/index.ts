export { type OpenDatabaseOptions, openDatabase } from "./db.js";
export { StoreError } from "./errors.js";
export { EVENTS_KEPT, type EventFilter } from "./events.js";
export { LATEST_VERSION, MIGRATIONS, type Migration } from "./migrations.js";
export type { ReplicaRecord, ReplicaRegistry } from "./replicas.js";
export { secureStateDir } from "./state-dir.js";
export { DB_FILE, openStore, Store, type StoreOptions } from "./store.js";
export type { StoredTemplate } from "./templates.js";
