// Walks the parsed digraph the way Attractor §2.9-2.11 reads it: default blocks apply to later
// statements in their scope, subgraphs are flattened and lend their label as a class, chained edges
// expand into pairs. The result is still untyped (every value a string) and carries positions.
import type {
  AttributeASTNode,
  ClusterStatementASTNode,
  EdgeTargetASTNode,
  GraphASTNode,
  LiteralASTNode,
  NodeRefASTNode,
} from '@ts-graphviz/ast';
import type { Diagnostic, SourcePos } from '../../core/diagnostics';
import { classFromLabel, lineIndex, NODE_ID_RE, unescapeDotString } from './lex';
import { DotRule } from './parse';

/** One attribute as written: its text, whether it was quoted, and where its value starts. */
export interface DotAttr {
  value: string;
  quoted: boolean;
  pos: SourcePos;
  keyPos: SourcePos;
}
export type DotAttrs = Map<string, DotAttr>;

export interface DotNode {
  id: string;
  pos: SourcePos;
  attrs: DotAttrs;
  /** Classes derived from enclosing subgraph labels, outermost first. */
  classes: { name: string; pos: SourcePos }[];
}

export interface DotEdge {
  from: string;
  to: string;
  pos: SourcePos;
  attrs: DotAttrs;
}

/** The flattened digraph, before typing: what loadPipelineDot maps onto the pipeline document. */
export interface DotGraph {
  name?: { value: string; pos: SourcePos };
  pos: SourcePos;
  attrs: DotAttrs;
  nodes: DotNode[];
  edges: DotEdge[];
}

interface Scope {
  nodeDefaults: DotAttrs;
  edgeDefaults: DotAttrs;
  classes: { name: string; pos: SourcePos }[];
}

/**
 * Flattens the digraph. Decisions where DOT and Attractor differ:
 * - An edge endpoint no node statement declares becomes a node, as Graphviz creates it (the §2.13
 *   Review example relies on it): default attributes of the edge's scope, so shape box → codergen
 *   with its id as label. A warning (`implicit_node`) names it, with the nearest declared id when the
 *   endpoint looks like a typo, so a misspelt edge is still visible.
 * - Attributes separated by whitespace only are read as Graphviz reads them, with an `attr_comma` warning.
 * - A node declared twice merges attributes, later statement wins. Scope defaults (`node [...]`)
 *   apply when a node is first declared, as Graphviz applies them when it creates the node.
 * - A subgraph's label (wherever it stands in the subgraph) gives every node declared in it a class.
 * - `a -> {b c}` expands to one edge per pair; ports (`a:p`) are ignored with a warning.
 */
export function collectDotGraph(ast: GraphASTNode, source: string, file: string): { graph: DotGraph; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const report = (rule: DotRule, severity: Diagnostic['severity'], message: string, pos: SourcePos, fix?: string): void => {
    diagnostics.push({ rule, severity, message, file, line: pos.line, column: pos.column, ...(fix ? { fix } : {}) });
  };
  const at = lineIndex(source);
  /** Positions come from offsets: parser line numbers drift after multi-line strings (see prepareForParser). */
  const posOf = (p: { offset: number } | undefined): SourcePos => at(p?.offset ?? 0);
  const graph: DotGraph = { pos: posOf(ast.location?.start), attrs: new Map(), nodes: [], edges: [] };
  if (ast.id) graph.name = { value: literalText(ast.id, source), pos: posOf(ast.id.location?.start) };
  const nodesById = new Map<string, DotNode>();

  const readAttrs = (list: readonly { type: string }[], into: DotAttrs): void => {
    const attrs = list.filter((c): c is AttributeASTNode => c.type === 'Attribute');
    attrs.forEach((a, i) => {
      const prev = attrs[i - 1];
      if (prev && !separatedByComma(prev, a, source)) {
        report(DotRule.attrComma, 'warning', 'attributes should be separated by commas (Attractor §2.3); read as Graphviz reads them', posOf(a.location?.start), 'add a `,`');
      }
      const key = literalText(a.key, source);
      const pos = posOf(a.value.location?.start ?? a.location?.start);
      if (a.value.quoted === 'html' || a.key.quoted === 'html') {
        report(DotRule.htmlLabel, 'error', `HTML value for \`${key}\` is not supported`, pos, 'use a quoted string');
        return;
      }
      into.set(key, { value: literalText(a.value, source), quoted: a.value.quoted === true, pos, keyPos: posOf(a.key.location?.start) });
    });
  };

  const checkId = (lit: LiteralASTNode): string | undefined => {
    const id = literalText(lit, source);
    if (lit.quoted !== 'html' && NODE_ID_RE.test(id)) return id;
    const shown = lit.quoted === 'html' ? `<${lit.value}>` : JSON.stringify(id);
    report(DotRule.invalidNodeId, 'error', `node id ${shown} must match [A-Za-z_][A-Za-z0-9_]*`, posOf(lit.location?.start), 'use a bare identifier and put the display name in `label`');
    return undefined;
  };

  const declareNode = (lit: LiteralASTNode, explicit: DotAttrs, scope: Scope): void => {
    const id = checkId(lit);
    if (id === undefined) return;
    let node = nodesById.get(id);
    if (!node) {
      node = { id, pos: posOf(lit.location?.start), attrs: new Map(scope.nodeDefaults), classes: [] };
      nodesById.set(id, node);
      graph.nodes.push(node);
    }
    for (const [k, v] of explicit) node.attrs.set(k, v);
    for (const c of scope.classes) if (!node.classes.some((x) => x.name === c.name)) node.classes.push(c);
  };

  /** Endpoints first seen in an edge, declared only if no node statement declares them by the end. */
  const implicit = new Map<string, { pos: SourcePos; defaults: DotAttrs; classes: Scope['classes'] }>();

  const endpoints = (target: EdgeTargetASTNode, scope: Scope): { id: string; pos: SourcePos }[] => {
    const refs: NodeRefASTNode[] = target.type === 'NodeRef' ? [target] : target.children;
    const out: { id: string; pos: SourcePos }[] = [];
    for (const ref of refs) {
      if (ref.port || ref.compass) {
        report(DotRule.portIgnored, 'warning', 'node ports are ignored', posOf((ref.port ?? ref.compass)?.location?.start));
      }
      const id = checkId(ref.id);
      if (id === undefined) continue;
      const pos = posOf(ref.location?.start ?? ref.id.location?.start);
      if (!nodesById.has(id) && !implicit.has(id)) implicit.set(id, { pos, defaults: new Map(scope.nodeDefaults), classes: scope.classes });
      out.push({ id, pos });
    }
    return out;
  };

  const walk = (statements: readonly ClusterStatementASTNode[], outer: Scope, isRoot: boolean): void => {
    const scope: Scope = { ...outer };
    for (const stmt of statements) {
      switch (stmt.type) {
        case 'Attribute':
          readAttrs([stmt], isRoot ? graph.attrs : new Map());
          break;
        case 'AttributeList': {
          if (stmt.kind === 'Graph') {
            readAttrs(stmt.children, isRoot ? graph.attrs : new Map());
          } else {
            const into = new Map(stmt.kind === 'Node' ? scope.nodeDefaults : scope.edgeDefaults);
            readAttrs(stmt.children, into);
            if (stmt.kind === 'Node') scope.nodeDefaults = into;
            else scope.edgeDefaults = into;
          }
          break;
        }
        case 'Node': {
          const explicit: DotAttrs = new Map();
          readAttrs(stmt.children, explicit);
          declareNode(stmt.id, explicit, scope);
          break;
        }
        case 'Edge': {
          const attrs: DotAttrs = new Map(scope.edgeDefaults);
          readAttrs(stmt.children, attrs);
          const groups = stmt.targets.map((t) => endpoints(t, scope));
          for (let i = 0; i + 1 < groups.length; i++) {
            for (const a of groups[i] ?? []) {
              for (const b of groups[i + 1] ?? []) {
                graph.edges.push({ from: a.id, to: b.id, pos: a.pos, attrs: new Map(attrs) });
              }
            }
          }
          break;
        }
        case 'Subgraph': {
          const label = subgraphLabel(stmt.children);
          const cls = label ? classFromLabel(label.value) : '';
          const classes = cls ? [...scope.classes, { name: cls, pos: label?.pos ?? graph.pos }] : scope.classes;
          walk(stmt.children, { ...scope, classes }, false);
          break;
        }
        default:
          break;
      }
    }
  };

  /** The subgraph's own label, wherever it is declared inside it (Graphviz graph attributes are order-free). */
  const subgraphLabel = (statements: readonly ClusterStatementASTNode[]): { value: string; pos: SourcePos } | undefined => {
    let label: { value: string; pos: SourcePos } | undefined;
    const consider = (a: AttributeASTNode): void => {
      if (literalText(a.key, source) === 'label' && a.value.quoted !== 'html') {
        label = { value: literalText(a.value, source), pos: posOf(a.value.location?.start) };
      }
    };
    for (const s of statements) {
      if (s.type === 'Attribute') consider(s);
      else if (s.type === 'AttributeList' && s.kind === 'Graph') for (const a of s.children) if (a.type === 'Attribute') consider(a);
    }
    return label;
  };

  walk(ast.children, { nodeDefaults: new Map(), edgeDefaults: new Map(), classes: [] }, true);
  const declared = [...nodesById.keys()];
  for (const [id, at] of implicit) {
    if (nodesById.has(id)) continue;
    const node: DotNode = { id, pos: at.pos, attrs: at.defaults, classes: [...at.classes] };
    nodesById.set(id, node);
    graph.nodes.push(node);
    const near = nearestId(id, declared);
    const fix = near ? `did you mean '${near}'? otherwise declare it: ${id} [label="...", prompt="..."]` : `declare it if it should not be a default codergen stage: ${id} [label="...", prompt="..."]`;
    report(DotRule.implicitNode, 'warning', `node '${id}' appears only in edges: it is created with its scope's default attributes (a codergen stage unless they set a shape)`, at.pos, fix);
  }
  return { graph, diagnostics };
}

/** A literal's text read back from the original source (see prepareForParser); quoted strings unescaped. */
function literalText(lit: LiteralASTNode, source: string): string {
  const loc = lit.location;
  if (!loc || lit.quoted === 'html') return lit.value;
  const written = source.slice(loc.start.offset, loc.end.offset);
  if (lit.quoted === false) return written;
  return written.startsWith('"') && written.endsWith('"') && written.length >= 2 ? unescapeDotString(written.slice(1, -1)) : lit.value;
}

/** True when the source between two attributes of one list holds a comma (or a list boundary `][`). */
function separatedByComma(prev: AttributeASTNode, next: AttributeASTNode, source: string): boolean {
  const from = prev.value.location?.end.offset;
  const to = next.key.location?.start.offset;
  if (from === undefined || to === undefined) return true;
  const between = source.slice(from, to).replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|#[^\n]*/g, '');
  return between.includes(',') || between.includes(']');
}

/** A declared id within edit distance 1 (or equal ignoring case) of an implicit endpoint: the likely typo. */
function nearestId(id: string, declared: readonly string[]): string | undefined {
  const lower = id.toLowerCase();
  return declared.find((d) => {
    const l = d.toLowerCase();
    if (l === lower) return true;
    if (Math.abs(l.length - lower.length) > 1) return false;
    let i = 0;
    while (i < l.length && l[i] === lower[i]) i++;
    const a = l.slice(i + (l.length >= lower.length ? 1 : 0));
    const b = lower.slice(i + (lower.length >= l.length ? 1 : 0));
    return a === b;
  });
}
