import type { Obj } from "./fields.js";
import type { Notes } from "./notes.js";

/** Input kinds other documents refer to by name. */
export type ReferencedKind = "Deployment" | "MetricTemplate" | "AlertProvider";

/** A referenced input document, with the notes its own warnings go to. */
export interface Referenced {
  value: Obj;
  notes: Notes;
}

/** What a translator sees besides its own document. */
export interface ImportContext {
  /** Warnings about the document being translated. */
  notes: Notes;
  /** An input document this one refers to (a Canary's Deployment, MetricTemplate or AlertProvider); marks it used. */
  find(kind: ReferencedKind, name: string, namespace: string | undefined): Referenced | undefined;
}
