// Runs the ts-graphviz parser and turns everything it rejects, and the DOT features Attractor §2.3
// forbids at graph level (strict, undirected, several graphs), into diagnostics. Never throws.
import { parse, type GraphASTNode } from '@ts-graphviz/ast';
import type { Diagnostic, SourcePos } from '../../core/diagnostics';
import { lineIndex, prepareForParser } from './lex';

/** Diagnostic rules raised while reading DOT text, before the shared pipeline schema runs. */
export const DotRule = {
  syntax: 'dot_syntax',
  undirectedGraph: 'undirected_graph',
  undirectedEdge: 'undirected_edge',
  strictGraph: 'strict_graph',
  multipleGraphs: 'multiple_graphs',
  htmlLabel: 'html_label',
  invalidNodeId: 'invalid_node_id',
  portIgnored: 'dot_port_ignored',
  /** Attributes separated by whitespace only: Graphviz accepts it, Attractor §2.3 asks for commas (warning). */
  attrComma: 'attr_comma',
  /** An edge endpoint no node statement declares: Graphviz creates it as a default (codergen) node (warning). */
  implicitNode: 'implicit_node',
} as const;
export type DotRule = (typeof DotRule)[keyof typeof DotRule];

/** The one parsed digraph, or the reasons there is none. */
export interface DotParseResult {
  graph?: GraphASTNode;
  diagnostics: Diagnostic[];
}

interface PegLocation {
  start: { offset: number };
}
interface PegError {
  location?: PegLocation;
  expected?: { type: string }[] | null;
}

const GRAPH_KEYWORD_RE = /^(strict\s+)?(di)?graph\b/i;
const DIGRAPH_EDGE_OP_MSG = /In digraph, it's necessary to describe with "->"/;
const GRAPH_EDGE_OP_MSG = /In graph, it's necessary to describe with "--"/;

/** Parses DOT text into its single graph's AST; every problem becomes a diagnostic with a position. */
export function parseDot(text: string, file: string): DotParseResult {
  const diag = (rule: DotRule, message: string, pos: SourcePos, fix?: string): Diagnostic => ({
    rule,
    severity: 'error',
    message,
    file,
    line: pos.line,
    column: pos.column,
    ...(fix ? { fix } : {}),
  });
  const at = lineIndex(text);
  const prepared = prepareForParser(text);
  let dot;
  try {
    dot = parse(prepared.text, { filename: file });
  } catch (e) {
    if (prepared.unterminatedString !== undefined) {
      const where = at(prepared.unterminatedString);
      return { diagnostics: [diag(DotRule.syntax, 'unterminated string: no closing `"`', where, 'close the string')] };
    }
    return { diagnostics: [syntaxDiagnostic(e, text, at, diag)] };
  }
  const graph = dot.children.find((c): c is GraphASTNode => c.type === 'Graph');
  if (!graph) return { diagnostics: [diag(DotRule.syntax, 'no digraph found', { line: 1, column: 1 })] };
  const diagnostics: Diagnostic[] = [];
  const graphAt = at(graph.location?.start.offset ?? 0);
  if (graph.strict) {
    diagnostics.push(diag(DotRule.strictGraph, '`strict` graphs are not supported', graphAt, 'remove the `strict` keyword'));
  }
  if (!graph.directed) {
    diagnostics.push(
      diag(DotRule.undirectedGraph, 'pipelines must be directed graphs', graphAt, 'write `digraph` and `->` edges'),
    );
  }
  return { graph, diagnostics };
}

type MakeDiag = (rule: DotRule, message: string, pos: SourcePos, fix?: string) => Diagnostic;

function syntaxDiagnostic(e: unknown, text: string, at: (offset: number) => SourcePos, diag: MakeDiag): Diagnostic {
  const message = e instanceof Error ? e.message : String(e);
  const cause = (e instanceof Error ? e.cause : undefined) as PegError | undefined;
  const loc = cause?.location?.start;
  const pos = at(loc?.offset ?? 0);
  if (DIGRAPH_EDGE_OP_MSG.test(message)) {
    return diag(DotRule.undirectedEdge, 'undirected `--` edge in a digraph', pos, 'use `->`');
  }
  if (GRAPH_EDGE_OP_MSG.test(message)) {
    return diag(DotRule.undirectedGraph, 'pipelines must be directed graphs', pos, 'write `digraph` and `->` edges');
  }
  const endExpected = cause?.expected?.some((x) => x.type === 'end') ?? false;
  if (loc && endExpected && GRAPH_KEYWORD_RE.test(text.slice(loc.offset))) {
    return diag(DotRule.multipleGraphs, 'only one graph per file is allowed', pos, 'move this graph to its own file');
  }
  const reason = message.replace(/^Unexpected parse error$/, 'input could not be parsed (nested too deeply?)');
  return diag(DotRule.syntax, reason, pos);
}
