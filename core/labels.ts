// Edge labels as humans and routing read them (Attractor §3.3 normalization, §4.6 accelerator keys).
// Reading: an accelerator is ONE letter or digit — `[A] Approve`, `A) Approve`, `A - Approve` — so that
// `Yes - deploy` keeps its first word; keys are reported upper-case because they are typed case-insensitively.

const PREFIXES: readonly RegExp[] = [/^\[([A-Za-z0-9])\]\s*/, /^([A-Za-z0-9])\)\s*/, /^([A-Za-z0-9])\s+-\s+/];

/** Compares a preferred label with an edge label (§3.3 step 2): lower-case, trimmed, accelerator stripped. */
export function normalizeLabel(label: string): string {
  return stripAccelerator(label.trim()).trim().toLowerCase();
}

/** The label without its accelerator prefix (`[A] Approve` → `Approve`), for display. */
export function stripAccelerator(label: string): string {
  const text = label.trim();
  for (const re of PREFIXES) {
    const m = re.exec(text);
    if (m) return text.slice(m[0].length);
  }
  return text;
}

/** The shortcut key of a choice label (§4.6 table): `[Y] Yes` → `Y`, else the first character; '' if empty. */
export function acceleratorKey(label: string): string {
  const text = label.trim();
  for (const re of PREFIXES) {
    const m = re.exec(text);
    if (m) return (m[1] as string).toUpperCase();
  }
  return (text[0] ?? '').toUpperCase();
}
