// The JSONPath subset http scenarios use: `$`, `.name`, `['name']` / `["name"]`, `[index]`.

/** A parsed path: property names and array indexes from the root. */
export type PathStep = string | number;

/** Parses `$.a.b[0]['c d']`; undefined when the expression is outside the subset. */
export function parseJsonPath(expr: string): PathStep[] | undefined {
  if (!expr.startsWith('$')) return undefined;
  const steps: PathStep[] = [];
  const re = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]/y;
  let at = 1;
  while (at < expr.length) {
    re.lastIndex = at;
    const m = re.exec(expr);
    if (!m) return undefined;
    if (m[1] !== undefined) steps.push(m[1]);
    else if (m[2] !== undefined) steps.push(Number(m[2]));
    else steps.push((m[3] ?? m[4] ?? '').replace(/\\(.)/g, '$1'));
    at = re.lastIndex;
  }
  return steps;
}

/** The value at a path, or `{ found: false }` when some step is missing. */
export function readJsonPath(doc: unknown, steps: readonly PathStep[]): { found: true; value: unknown } | { found: false } {
  let cur: unknown = doc;
  for (const step of steps) {
    if (typeof step === 'number') {
      if (!Array.isArray(cur) || step >= cur.length) return { found: false };
      cur = cur[step];
    } else {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.prototype.hasOwnProperty.call(cur, step)) return { found: false };
      cur = (cur as Record<string, unknown>)[step];
    }
  }
  return { found: true, value: cur };
}
