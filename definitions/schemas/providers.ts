// The LLM / coding backends a FactoryProfile declares: one `provider:` (the shorthand) or named
// `providers:` that nodes pick with `llm_provider`. Keys never appear here: only the name of the
// environment variable that holds one (`api_key_env`).
import { z } from 'zod';
import { allowEntryProblem } from '../../core/sandbox-policy';
import { duration, renameMs, ruleIssue } from './common';

const twinProvider = z
  .strictObject({
    kind: z.literal('twin'),
    fixture: z.string().optional().describe('Scripted responses per node (path, relative to the profile)'),
  })
  .describe('Deterministic scripted LLM twin');

const agentProvider = z
  .strictObject({
    kind: z.literal('agent'),
    command: z.array(z.string()).min(1).describe('Coding agent argv, e.g. [claude, -p]'),
    timeout: duration.prefault('15m').describe('Per-invocation timeout'),
    env: z.array(z.string().min(1)).optional().describe('Worker environment variables the agent command gets inside its sandbox (its own key, e.g. ANTHROPIC_API_KEY), besides the profile\'s sandbox.env'),
    allow_hosts: z
      .array(z.string().superRefine((h, ctx) => {
        const problem = allowEntryProblem(h);
        if (problem) ctx.addIssue(ruleIssue('invalid_value', problem, []));
      }))
      .optional()
      .describe('Hosts the agent command reaches through the sandbox\'s allow-list proxy (its model API, e.g. api.anthropic.com), besides the profile\'s sandbox.network.allow'),
  })
  .transform(renameMs('timeout'))
  .describe('Command-line coding agent');

/** Prices in US dollars per million tokens: usage × price gives a stage's cost. */
const pricesSchema = z.strictObject({
  input_per_mtok: z.number().min(0).describe('USD per million input tokens'),
  output_per_mtok: z.number().min(0).describe('USD per million output tokens'),
});

/** The agent loop's limits (coding-agent-loop spec §2.2); 0 means unlimited. */
export const agentLimits = z
  .strictObject({
    max_turns: z.int().min(0).default(50).describe('Model turns per stage (0 = unlimited)'),
    max_tool_rounds: z.int().min(0).default(0).describe('Tool rounds per stage (0 = unlimited)'),
    command_timeout: duration.prefault('10s').describe('Default shell tool timeout'),
    max_command_timeout: duration.prefault('10m').describe('Upper bound a shell call may ask for'),
    loop_detection_window: z.int().min(0).default(10).describe('Identical-call window that triggers a warning (0 = off)'),
    max_output_tokens: z.int().min(1).optional().describe('Per-turn output token cap'),
  })
  .transform(renameMs('command_timeout', 'max_command_timeout'));

/** Fields every HTTP LLM kind shares. Optional ones default in activities/llm (older records lack them). */
const llmCommon = {
  model: z.string().min(1).describe('Default model; a node overrides it with llm_model'),
  timeout: duration.prefault('120s').describe('Per-request timeout'),
  tools: z.boolean().optional().describe('Run codergen stages as the agent loop with the coding tools (default true)'),
  limits: agentLimits.optional().describe('Agent loop limits'),
  prices: pricesSchema.optional().describe('Token prices, for cost in status.json and the run budget'),
};
const keyEnv = (name: string) => z.string().min(1).default(name).describe('Environment variable holding the API key (never the key itself)');

const openaiProvider = z
  .strictObject({
    kind: z.literal('openai'),
    ...llmCommon,
    base_url: z.url().default('https://api.openai.com/v1').describe('OpenAI-compatible API base URL'),
    api_key_env: keyEnv('OPENAI_API_KEY'),
    api: z.enum(['chat', 'responses']).optional().describe('Chat Completions (default) or the Responses API'),
  })
  .transform(renameMs('timeout'))
  .describe('OpenAI (or an OpenAI-compatible server speaking Chat Completions / Responses)');

const anthropicProvider = z
  .strictObject({
    kind: z.literal('anthropic'),
    ...llmCommon,
    base_url: z.url().default('https://api.anthropic.com/v1').describe('Anthropic API base URL'),
    api_key_env: keyEnv('ANTHROPIC_API_KEY'),
  })
  .transform(renameMs('timeout'))
  .describe('Anthropic Messages API');

const googleProvider = z
  .strictObject({
    kind: z.literal('google'),
    ...llmCommon,
    base_url: z.url().default('https://generativelanguage.googleapis.com/v1beta').describe('Gemini API base URL'),
    api_key_env: keyEnv('GOOGLE_GENERATIVE_AI_API_KEY'),
  })
  .transform(renameMs('timeout'))
  .describe('Google Gemini API');

const compatibleProvider = z
  .strictObject({
    kind: z.literal('openai_compatible'),
    ...llmCommon,
    base_url: z.url().describe('Server base URL, e.g. http://localhost:11434/v1'),
    api_key_env: z.string().min(1).optional().describe('Environment variable holding the API key, if the server wants one'),
  })
  .transform(renameMs('timeout'))
  .describe('OpenAI-compatible local server (Ollama, vLLM, LM Studio)');

/** The LLM / coding backend, discriminated on `kind`. */
export const providerSchema = z.discriminatedUnion('kind', [
  twinProvider,
  openaiProvider,
  anthropicProvider,
  googleProvider,
  compatibleProvider,
  agentProvider,
]);

/** Every provider kind, for error messages and the codergen backend table. */
export const PROVIDER_KINDS = ['twin', 'openai', 'anthropic', 'google', 'openai_compatible', 'agent'] as const;
/** Kinds served over HTTP by the LLM library (the agent loop runs on these). */
export const LLM_KINDS = ['openai', 'anthropic', 'google', 'openai_compatible'] as const;

/** Named providers: name → provider (nodes pick one with llm_provider). */
export const providersSchema = z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'provider names are letters, digits, _ and -'), providerSchema);

/** A per-run spending cap: the run ends with EXEC_FAILURE once a stage pushes usage past it. */
export const budgetSchema = z.strictObject({
  max_tokens: z.int().min(1).optional().describe('Input + output tokens across the run'),
  max_cost_usd: z.number().positive().optional().describe('Cost across the run (needs provider prices)'),
});

/** A loaded provider (defaults filled, durations in ms). */
export type ProviderConfig = z.output<typeof providerSchema>;
/** A provider served by the LLM library. */
export type LlmProviderConfig = Extract<ProviderConfig, { kind: (typeof LLM_KINDS)[number] }>;
/** The agent loop's limits, durations in ms. */
export type AgentLimits = z.output<typeof agentLimits>;
/** The per-run budget. */
export type BudgetConfig = z.output<typeof budgetSchema>;

/** True when the provider is served over HTTP by the LLM library. */
export function isLlmProvider(p: ProviderConfig): p is LlmProviderConfig {
  return (LLM_KINDS as readonly string[]).includes(p.kind);
}
