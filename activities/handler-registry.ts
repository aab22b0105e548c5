// Node type → handler (Attractor §4.2, §4.12). A worker builds one registry at start-up; custom node
// types are added with register() and then pass preflight's coverage check.

import type { PipelineNode } from '../core/model';
import type { Outcome } from '../core/outcome';
import type { Budget } from '../core/usage';
import type { ProviderConfig } from '../definitions/schemas/profile';
import type { SandboxPolicy } from './sandbox/policy';

/** Everything a handler may use for one attempt of one stage. */
export interface StageContext {
  runId: string;
  runDir: string;
  /** `<runDir>/<node.id>`, created before the handler runs. */
  stageDir: string;
  workdir: string;
  node: PipelineNode;
  goal: string;
  pipelineId: string;
  /** The run context as of this stage (read-only: changes go in Outcome.context_updates). */
  context: Readonly<Record<string, unknown>>;
  /** The context as this stage's fidelity carries it to an LLM (core/fidelity.ts projectContext). */
  carried?: { mode: string; text: string };
  /** The provider this stage runs on (the profile's default, or the node's llm_provider once resolved). */
  provider: ProviderConfig;
  /** The profile's named providers (absent in runs started before named providers existed). */
  providers?: Readonly<Record<string, ProviderConfig>>;
  /** Identifies the stage across retries and attempts (workflow id + node): the agent loop resumes an unfinished conversation by it. */
  activityKey?: string;
  /** Temporal attempt number, 1-based. */
  attempt: number;
  /** The run's budget (profile policy.budget): the agent loop holds it before every model call. */
  budget?: Budget;
  /** Aborted on stage timeout or activity cancellation: stop work, kill children. */
  signal: AbortSignal;
  timeoutMs: number;
  /** The worker's environment: the base of every child process's env. */
  env: NodeJS.ProcessEnv;
  /** The profile's `sandbox` setting (absent: DEFAULT_SANDBOX, bubblewrap with the network off). */
  sandbox?: SandboxPolicy;
  /** Reports liveness; executeStage already heartbeats on a timer. */
  heartbeat(details?: unknown): void;
}

/** A node handler: returns an Outcome, or throws (retried per policy, then FAIL). */
export interface Handler {
  execute(stage: StageContext): Promise<Outcome>;
}

/** The type-string → handler map; registering a type again replaces its handler. */
export class HandlerRegistry {
  private readonly handlers = new Map<string, Handler>();

  /** Adds or replaces the handler for a node type (built-in or custom). */
  register(type: string, handler: Handler): this {
    this.handlers.set(type, handler);
    return this;
  }

  /** The handler for a node type, or undefined when none is registered. */
  get(type: string): Handler | undefined {
    return this.handlers.get(type);
  }

  has(type: string): boolean {
    return this.handlers.has(type);
  }

  /** Registered types, sorted: what preflight reports and checks coverage against. */
  types(): string[] {
    return [...this.handlers.keys()].sort();
  }
}
