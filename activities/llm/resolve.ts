// Which provider, model and reasoning effort a node runs on: the node's llm_provider (a name in the
// profile's `providers`, else a provider kind), llm_model and reasoning_effort (set directly or by the
// model stylesheet) over the profile's default provider.

import type { PipelineNode } from '../../core/model';
import type { ProviderConfig } from '../../definitions/schemas/profile';
import { StageConfigError } from '../errors';

/** A node's provider choice, resolved. */
export interface NodeProvider {
  /** The provider's name in `providers` (or its kind for the one-provider shorthand). */
  name: string;
  config: ProviderConfig;
  /** node.llm_model, else the provider's default model (absent for twin / agent). */
  model?: string;
  reasoningEffort?: string;
}

/** Resolves the node's provider; throws StageConfigError naming the declared providers when the name is unknown. */
export function resolveNodeProvider(
  node: Pick<PipelineNode, 'id' | 'llm_provider' | 'llm_model' | 'reasoning_effort'>,
  fallback: ProviderConfig,
  providers: Readonly<Record<string, ProviderConfig>> | undefined,
): NodeProvider {
  const named = providers ?? {};
  const wanted = node.llm_provider;
  let name = defaultName(fallback, named);
  let config = fallback;
  // the profile's provider is the twin (dependencies.llm: twin): it stands in for every provider a graph names
  if (wanted && fallback.kind !== 'twin') {
    const byName = named[wanted];
    const byKind = Object.entries(named).find(([, p]) => p.kind === wanted) ?? (fallback.kind === wanted ? [wanted, fallback] as const : undefined);
    if (byName) [name, config] = [wanted, byName];
    else if (byKind) [name, config] = [byKind[0], byKind[1]];
    else {
      const known = Object.keys(named).length ? Object.keys(named).join(', ') : `${fallback.kind} (the profile's provider)`;
      throw new StageConfigError(`node ${node.id}: llm_provider "${wanted}" is not declared in the profile (providers: ${known})`);
    }
  }
  const model = 'model' in config ? node.llm_model || config.model : undefined;
  return { name, config, ...(model ? { model } : {}), ...(node.reasoning_effort ? { reasoningEffort: node.reasoning_effort } : {}) };
}

/** Unknown llm_provider names in a graph, one message per node: preflight reports them all at boot. */
export function unknownProviders(
  nodes: readonly Pick<PipelineNode, 'id' | 'llm_provider' | 'llm_model' | 'reasoning_effort'>[],
  fallback: ProviderConfig,
  providers: Readonly<Record<string, ProviderConfig>> | undefined,
): string[] {
  const out: string[] = [];
  for (const n of nodes) {
    if (!n.llm_provider) continue;
    try {
      resolveNodeProvider(n, fallback, providers);
    } catch (err) {
      out.push((err as Error).message);
    }
  }
  return out;
}

/** The llm_provider names a twin default provider stands in for (preflight notes them); empty unless provider.kind is twin. */
export function twinServed(
  nodes: readonly Pick<PipelineNode, 'llm_provider'>[],
  fallback: ProviderConfig,
  providers: Readonly<Record<string, ProviderConfig>> | undefined,
): string[] {
  if (fallback.kind !== 'twin') return [];
  const twinNames = new Set([defaultName(fallback, providers ?? {}), 'twin']);
  return [...new Set(nodes.map((n) => n.llm_provider).filter((p): p is string => !!p && !twinNames.has(p)))].sort();
}

function defaultName(fallback: ProviderConfig, named: Readonly<Record<string, ProviderConfig>>): string {
  const hit = Object.entries(named).find(([, p]) => p === fallback || JSON.stringify(p) === JSON.stringify(fallback));
  return hit ? hit[0] : fallback.kind;
}
