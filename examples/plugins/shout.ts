// An example factory plugin (docs/plugins.md): one custom handler type and one custom lint rule, loaded
// by path from a profile (`plugins: [../plugins/shout.ts]`), no worker code to write or rebuild.
// Handler contract: activities/handler-registry.ts (StageContext in, Outcome out); lint rule contract:
// core/lint.ts LintRule. Import types only, so the plugin has no runtime dependency on factory.
import type { Handler } from '../../activities/handler-registry';
import type { LintRule } from '../../core/lint';

/** `example.shout`: upper-cases the node's `text` attribute into context `shout.text`. */
const shout: Handler = {
  async execute(stage) {
    const text = stage.node.attrs['text'];
    if (typeof text !== 'string' || text === '') return { status: 'fail', failure_reason: `node ${stage.node.id}: set text="..."` };
    return { status: 'success', context_updates: { 'shout.text': text.toUpperCase() }, notes: `shouted for ${stage.node.id}` };
  },
};

/** `shout_has_text`: an example.shout node without a text attribute would only fail at run time. */
const shoutHasText: LintRule = {
  name: 'shout_has_text',
  apply(graph) {
    return graph.nodes
      .filter((n) => n.type === 'example.shout' && typeof n.attrs['text'] !== 'string')
      .map((n) => ({ rule: 'shout_has_text', severity: 'error' as const, message: `node '${n.id}' (example.shout) has no text attribute`, fix: `add text="..." to '${n.id}'`, node: n.id }));
  },
};

export default { handlers: { 'example.shout': shout }, lintRules: [shoutHasText] };
