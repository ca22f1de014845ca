/**
 * A command the engine cannot carry out on a rollout as it stands (an unknown revision for undo,
 * setEnv on a Kubernetes pod template...). The message is meant for the user as is.
 */
export class EngineError extends Error {
  override readonly name = "EngineError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
