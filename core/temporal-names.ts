// Temporal names shared by workflows, workers, the client, the dev server and tests.
// Pure constants: imported by workflow code, so no imports and no side effects here.

/** Namespace used when a profile names none; the dev server always creates it. */
export const DEFAULT_NAMESPACE = 'default';

/** Default task queues; the scenario queue is served only by isolated scenario workers (holdout). */
export const TASK_QUEUES = {
  pipeline: 'factory-pipeline',
  scenarios: 'factory-scenarios',
} as const;
export type TaskQueueRole = keyof typeof TASK_QUEUES;

/** Pipeline task queue when the profile does not override it. */
export const DEFAULT_PIPELINE_TASK_QUEUE = TASK_QUEUES.pipeline;
/** Scenario task queue when the profile does not override it. */
export const DEFAULT_SCENARIO_TASK_QUEUE = TASK_QUEUES.scenarios;

/** Workflow type names: what clients start and what the run workflow starts as children. */
export const WORKFLOW_TYPES = {
  run: 'runPipeline',
  evaluate: 'evaluateSuite',
} as const;

/** Temporal search attribute value types we use (subset of Temporal's IndexedValueType names). */
export const SEARCH_ATTRIBUTE_TYPE = {
  Keyword: 'Keyword',
  Text: 'Text',
  Int: 'Int',
  Double: 'Double',
  Bool: 'Bool',
  Datetime: 'Datetime',
  KeywordList: 'KeywordList',
} as const;
export type SearchAttributeTypeName = (typeof SEARCH_ATTRIBUTE_TYPE)[keyof typeof SEARCH_ATTRIBUTE_TYPE];

/** Custom search attribute names, so Temporal UI and `temporal workflow list` can filter runs. */
export const SEARCH_ATTRIBUTES = {
  status: 'FactoryStatus',
  pipeline: 'FactoryPipeline',
} as const;
export type FactorySearchAttributeName = (typeof SEARCH_ATTRIBUTES)[keyof typeof SEARCH_ATTRIBUTES];

/** Name → type of every custom search attribute; servers must register all of them before runs start. */
export const SEARCH_ATTRIBUTE_TYPES: Readonly<Record<FactorySearchAttributeName, SearchAttributeTypeName>> = {
  [SEARCH_ATTRIBUTES.status]: SEARCH_ATTRIBUTE_TYPE.Keyword,
  [SEARCH_ATTRIBUTES.pipeline]: SEARCH_ATTRIBUTE_TYPE.Keyword,
};
