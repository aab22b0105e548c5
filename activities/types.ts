// Inputs and outputs of the pipeline worker's activities: the contract between the run workflow and
// the worker. Defined as zod schemas in core/contracts/activity-io.ts (types by z.infer, so workflows
// import them from core, not from activities); re-exported here so activity code keeps its imports.

export type {
  CreateRunInput,
  CreateRunResult,
  FlushResult,
  LoadedRun,
  LoadRunInput,
  PreflightInput,
  PreflightReport,
  ResolvedProfile,
  ResolvedSpecs,
  ResolveProfileInput,
  ResolveSpecsInput,
  RunDirFlush,
  SpecRef,
  StageInput,
  StageResult,
  SuiteManifest,
} from '../core/contracts';
