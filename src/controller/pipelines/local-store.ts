import type { RolloutEvent } from "../../engine/types.js";
import type { AnalysisRun, Pipeline, PipelineStage, RecordEntry, Release, Rollout } from "../../model/index.js";
import type { RecordedEntry } from "../../ports/control-plane.js";
import type { LocalControllerStore } from "../../ports/controller-store.js";
import type { PipelineStore, RecordFilter } from "../../ports/pipeline-store.js";

/** The record, as the local platform keeps it (SQLite). */
export interface PipelineRecordPort {
  append(entries: readonly RecordEntry[]): RecordedEntry[];
  list(pipeline: string, filter?: RecordFilter): RecordedEntry[];
}

/**
 * The pipeline store of the local platform: resources from the controller's store, the record in
 * its own table, both written in one SQLite transaction. Stages' `namespace` means nothing here.
 */
export class LocalPipelineStore implements PipelineStore {
  constructor(
    private readonly store: LocalControllerStore,
    private readonly log: PipelineRecordPort,
  ) {}

  pipelines(): Pipeline[] {
    return this.store.listResources("Pipeline") as Pipeline[];
  }

  pipeline(name: string): Pipeline | undefined {
    return this.store.getResource("Pipeline", name) as Pipeline | undefined;
  }

  stageRollout(_pipeline: Pipeline, stage: PipelineStage): Rollout | undefined {
    return this.store.getResource("Rollout", stage.rollout) as Rollout | undefined;
  }

  release(name: string): Release | undefined {
    return this.store.getResource("Release", name) as Release | undefined;
  }

  releases(): Release[] {
    return this.store.listResources("Release") as Release[];
  }

  runs(): AnalysisRun[] {
    return this.store.listResources("AnalysisRun") as AnalysisRun[];
  }

  record(pipeline: string, filter?: RecordFilter): RecordedEntry[] {
    return this.log.list(pipeline, filter);
  }

  append(pipeline: string, entries: readonly RecordEntry[], events: RolloutEvent[]) {
    return this.store.transaction(() => ({
      entries: this.log.append(entries),
      events: events.length > 0 ? this.store.appendEvents("Pipeline", pipeline, events) : [],
    }));
  }

  commitStatus(pipeline: string, status: unknown, events: RolloutEvent[]) {
    return this.store.commitStatus("Pipeline", pipeline, status, events);
  }

  putStageRollout(_pipeline: Pipeline, _stage: PipelineStage, rollout: Rollout): void {
    this.store.putResource(rollout);
  }
}
