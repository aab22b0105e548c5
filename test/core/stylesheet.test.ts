import { applyStylesheet, parseStylesheet } from '../../core/stylesheet';
import { graph, node } from './builders';

describe('parseStylesheet', () => {
  it('parses selectors with their specificity when the stylesheet uses all four kinds', () => {
    const { rules, errors } = parseStylesheet('* { llm_model: a; }\nbox { llm_model: b }\n.code { llm_model: c; }\n#review { llm_model: d; }');
    expect(errors).toEqual([]);
    expect(rules.map((r) => [r.selector, r.specificity, r.line, r.column])).toEqual([
      [{ kind: 'universal' }, 0, 1, 1],
      [{ kind: 'shape', shape: 'box' }, 1, 2, 1],
      [{ kind: 'class', name: 'code' }, 2, 3, 1],
      [{ kind: 'id', id: 'review' }, 3, 4, 1],
    ]);
  });

  test.each([
    ['* { llm_model: claude-sonnet-4-5; llm_provider: anthropic; }', [['llm_model', 'claude-sonnet-4-5'], ['llm_provider', 'anthropic']]],
    ['box { model = "claude-opus-4-6" }', [['llm_model', 'claude-opus-4-6']]],
    ['.fast { provider = gemini; model = "gemini-3-flash-preview" }', [['llm_provider', 'gemini'], ['llm_model', 'gemini-3-flash-preview']]],
    ['#review { reasoning_effort = "high" }', [['reasoning_effort', 'high']]],
    ['* {\n  llm_model: a\n  llm_provider: b\n}', [['llm_model', 'a'], ['llm_provider', 'b']]],
    ['* { llm_model: "with \\"quote\\""; }', [['llm_model', 'with "quote"']]],
    ['/* defaults */ * { /* x */ llm_model: a; };', [['llm_model', 'a']]],
    ['* { }', []],
  ])('reads the declarations when the stylesheet is %j', (text, decls) => {
    const { rules, errors } = parseStylesheet(text);
    expect(errors).toEqual([]);
    expect(rules[0]?.declarations.map((d) => [d.property, d.value])).toEqual(decls);
  });

  test.each([
    ['* { llm_modle: x; }', /unknown property 'llm_modle'/, 1, 5],
    ['* { reasoning_effort: extreme; }', /bad reasoning_effort 'extreme': expected low, medium, high/, 1, 23],
    ['* { llm_model: ; }', /missing value for 'llm_model'/, 1, 16],
    ['* { llm_model x; }', /expected ':' after property 'llm_model'/, 1, 15],
    ['* { llm_model: a b; }', /unexpected 'b' after the value of 'llm_model'/, 1, 18],
    ['* { llm_model: "abc }', /unterminated quoted value/, 1, 16],
    ['* { llm_model: a;', /unclosed '\{' opened at line 1, column 3/, 1, 3],
    ['*\n{ llm_model: a; }\n%bad { llm_model: a; }', /bad selector '%bad'/, 3, 1],
    ['.Code! { llm_model: a; }', /bad selector '.Code!'/, 1, 1],
    ['{ llm_model: a; }', /missing selector before '\{'/, 1, 1],
    ['* llm_model: a; }', /expected '\{' after selector '\*'/, 1, 3],
    ['} * { llm_model: a; }', /unexpected '\}'/, 1, 1],
    ['* { llm_model: a; } /* open', /unterminated comment/, 1, 21],
  ])('reports an error when the stylesheet is %j', (text, message, line, column) => {
    expect(parseStylesheet(text).errors).toEqual(expect.arrayContaining([{ message: expect.stringMatching(message), line, column }]));
  });

  it('reports every error and keeps the valid declarations when several are wrong', () => {
    const { rules, errors } = parseStylesheet('* {\n  llm_model: good;\n  colour: red;\n  reasoning_effort: max;\n}\n#x { provider: p }');
    expect(errors.map((e) => [e.line, e.column])).toEqual([
      [3, 3],
      [4, 21],
    ]);
    expect(rules.map((r) => r.declarations.map((d) => d.value))).toEqual([['good'], ['p']]);
  });
});

describe('applyStylesheet', () => {
  const g = graph(
    [
      node('start'),
      node('plan', { classes: ['planning'] }),
      node('implement', { classes: ['code'] }),
      node('critical_review', { classes: ['code'] }),
      node('gate', { type: 'wait.human', shape: 'hexagon' }),
      node('pinned', { classes: ['code'], llm_model: 'explicit' }),
      node('exit'),
    ],
    [],
  );
  const apply = (text: string) => {
    const out = applyStylesheet(g, parseStylesheet(text).rules);
    return Object.fromEntries(out.nodes.map((n) => [n.id, [n.llm_model, n.llm_provider, n.reasoning_effort]]));
  };

  // §8.6 example plus §11.10 rows (shape selectors, specificity universal < shape < class < id).
  test.each([
    ['universal applies to every node', '* { llm_model: u; }', { plan: ['u', undefined, undefined], gate: ['u', undefined, undefined] }],
    ['shape beats universal', 'box { llm_model: s; } * { llm_model: u; }', { plan: ['s', undefined, undefined], gate: ['u', undefined, undefined] }],
    ['class beats shape', '.code { llm_model: c; } box { llm_model: s; }', { implement: ['c', undefined, undefined], plan: ['s', undefined, undefined] }],
    ['id beats class', '#critical_review { llm_model: i; reasoning_effort: high } .code { llm_model: c; }', { critical_review: ['i', undefined, 'high'], implement: ['c', undefined, undefined] }],
    ['a later rule of equal specificity wins', '.code { llm_model: first; } .code { llm_model: second; }', { implement: ['second', undefined, undefined] }],
    ['explicit node attributes win', '#pinned { llm_model: x; llm_provider: p; }', { pinned: ['explicit', 'p', undefined] }],
    ['properties merge across rules', '* { llm_provider: anthropic; } .code { llm_model: opus; }', { implement: ['opus', 'anthropic', undefined], plan: [undefined, 'anthropic', undefined] }],
  ])('resolves models when %s', (_name, text, expected) => {
    expect(apply(text)).toMatchObject(expected);
  });

  it('leaves the input graph untouched when it applies rules', () => {
    const before = JSON.stringify(g);
    apply('* { llm_model: u; }');
    expect(JSON.stringify(g)).toBe(before);
  });
});
