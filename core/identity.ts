// Approver identities, pure: the one comparable form of a `by` name, used before every quorum,
// approver-list, duplicate and self-approval check. `alice`, `Alice`, fullwidth `ａｌｉｃｅ` and
// `alice` + U+200B must count as one person (or, for the invisible one, not at all). Deterministic:
// String.prototype.normalize and case mapping only, so workflow code may import it.

/**
 * Characters a name may not hold: controls, format and default-ignorable (invisible) characters, lone
 * surrogates, private use, line/paragraph separators. Not unassigned code points: what is unassigned
 * changes with the engine's Unicode version, and a replayed answer must be judged the same way.
 */
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u;

/** A normalised identity, or why the name cannot be one. */
export type IdentityCheck = { ok: true; name: string } | { ok: false; reason: string };

/**
 * A name as identities compare: Unicode NFKC (fullwidth and compatibility forms fold to their plain
 * letters), case-folded (upper then lower, so `ß` and `SS` meet), trimmed, inner whitespace runs as
 * one space. Names holding control or invisible characters are refused, not cleaned: a name someone
 * padded with a zero-width space is an attempt to be counted twice.
 */
export function normalizeIdentity(name: string): IdentityCheck {
  const folded = name.normalize('NFKC');
  const bad = FORBIDDEN.exec(folded);
  if (bad) {
    const cp = (bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
    return { ok: false, reason: `a name may not contain control or invisible characters (found U+${cp})` };
  }
  const canonical = folded.toUpperCase().toLowerCase().normalize('NFKC').trim().replace(/\s+/gu, ' ');
  if (canonical === '') return { ok: false, reason: 'a name may not be blank' };
  return { ok: true, name: canonical };
}

/** The comparable form of a name already accepted or configured (approver lists, startedBy); unusable names compare as themselves. */
export function identityKey(name: string): string {
  const r = normalizeIdentity(name);
  return r.ok ? r.name : name;
}

/** Whether `name` is one of `list` once both are normalised. */
export function sameIdentityIn(list: readonly string[], name: string): boolean {
  const key = identityKey(name);
  return list.some((n) => identityKey(n) === key);
}
