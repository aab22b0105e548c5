// The lexical shims around the ts-graphviz parser.
import { classFromLabel, lineIndex, prepareForParser, unescapeDotString } from '../../definitions/dot/lex';

const MASK = '\u00AA';

describe('prepareForParser', () => {
  // [input, expected output]
  test.each([
    ['a [human.quorum=2]', `a [human${MASK}quorum=2]`],
    ['stack.child_dotfile = "x.dot"', `stack${MASK}child_dotfile = "x.dot"`],
    ['a [x.y.z=1]', `a [x${MASK}y${MASK}z=1]`],
    ['a [p="human.quorum"]', 'a [p="human.quorum"]'],
    ['a [p="esc \\" a.b"]', 'a [p="esc \\" a.b"]'],
    ['// a.b\n', '// a.b\n'],
    ['# a.b\n', '# a.b\n'],
    ['/* a.b */', '/* a.b */'],
    ['a [label=<x.y>]', 'a [label=<x.y>]'],
    ['a [w=0.5, v=-1.25]', 'a [w=0.5, v=-1.25]'],
    ['a [x=1.b]', 'a [x=1.b]'],
    ['a. b', 'a. b'],
    ['a [p="one\ntwo\r\n"]', 'a [p="one two  "]'],
  ])('rewrites %j to %j', (input, expected) => {
    const out = prepareForParser(input);
    expect(out.text).toBe(expected);
    expect(out.text).toHaveLength(input.length);
    expect(out.unterminatedString).toBeUndefined();
  });

  it('reports the opening quote offset when a string never closes', () => {
    expect(prepareForParser('a [p="x\n]').unterminatedString).toBe(5);
  });
});

describe('unescapeDotString', () => {
  // [text between the quotes, expected value]
  test.each([
    ['plain', 'plain'],
    ['a\\nb', 'a\nb'],
    ['a\\tb', 'a\tb'],
    ['a\\\\b', 'a\\b'],
    ['say \\"hi\\"', 'say "hi"'],
    ['\\\\n', '\\n'],
    ['join\\\nme', 'joinme'],
    ['join\\\r\nme', 'joinme'],
    ['keep \\l and \\N', 'keep \\l and \\N'],
  ])('unescapes %j to %j', (input, expected) => {
    expect(unescapeDotString(input)).toBe(expected);
  });
});

describe('classFromLabel', () => {
  test.each([
    ['Loop A', 'loop-a'],
    ['Review & Fix', 'review--fix'],
    ['  Spaced   out ', 'spaced-out'],
    ['snake_case.v2', 'snakecasev2'],
    ['Überprüfung', 'berprfung'],
    ['!!!', ''],
  ])('derives %j as %j', (label, cls) => {
    expect(classFromLabel(label)).toBe(cls);
  });
});

describe('lineIndex', () => {
  const at = lineIndex('ab\ncd\r\n\nx');
  test.each([
    [0, 1, 1],
    [2, 1, 3],
    [3, 2, 1],
    [6, 2, 4],
    [7, 3, 1],
    [8, 4, 1],
  ])('maps offset %d to %d:%d', (offset, line, column) => {
    expect(at(offset)).toEqual({ line, column });
  });
});
