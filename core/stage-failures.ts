// Failure types the pipeline worker's executeStage throws, shared with workflow code (pure, no I/O) so
// the workflow's retry policy and its failure routing name the same strings.

/** Retryable failures executeStage throws for a FAIL / RETRY outcome while attempts remain. */
export const StageFailureType = { failed: 'STAGE_FAILED', retry: 'STAGE_RETRY' } as const;
export type StageFailureType = (typeof StageFailureType)[keyof typeof StageFailureType];

/** Error class names executeStage never retries: put them in the stage activity's nonRetryableErrorTypes. */
export const NON_RETRYABLE_STAGE_ERRORS: readonly string[] = ['ProviderRejectedError', 'StageConfigError'];

/** Retryable failure flushRun throws when events would leave a hole in events.jsonl. */
export const EVENT_SEQ_GAP = 'EVENT_SEQ_GAP';

/** Non-retryable: the run directory no longer agrees with the run's own record (a line was edited or forged, another execution wrote it). */
export const RUN_DIR_DIVERGED = 'RUN_DIR_DIVERGED';

/** Non-retryable: the run directory (or its events.jsonl) was removed while the run was open; nothing is recreated. */
export const RUN_DIR_LOST = 'RUN_DIR_LOST';
