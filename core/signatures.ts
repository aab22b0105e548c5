// Failure signatures: a failure message with its run-specific noise (numbers, hex ids, paths, hosts,
// timestamps) stripped, then hashed into a short stable id, so identical failures cluster across runs
// and the pipeline side learns which failures recur without ever seeing scenario text. Pure.

/** Ordered replacements: earlier patterns swallow text later ones would only half-match. */
const RULES: readonly [RegExp, string][] = [
  // URLs (scheme://host:port/path?query): the host:port and path vary per run.
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>()]*/g, '<url>'],
  // ISO-8601 timestamps, with optional fraction and zone.
  [/\b\d{4}-\d{2}-\d{2}[t ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:z|[+-]\d{2}:?\d{2})?\b/g, '<ts>'],
  // Dates and times on their own.
  [/\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}\/\d{1,2}\/\d{2,4}\b/g, '<date>'],
  [/\b\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s?[ap]m)?\b/g, '<time>'],
  // UUIDs, then hex ids of 6+ characters holding at least one digit (so words like "decade" survive).
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, '<uuid>'],
  [/\b(?:0x)?(?=[0-9a-f]*\d)[0-9a-f]{6,}\b/g, '<hex>'],
  // host:port and bare IPv4 addresses.
  [/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b/g, '<host>'],
  [/\blocalhost(?::\d+)?\b/g, '<host>'],
  // Paths: absolute (/a/b, ~/a, C:\a), relative (./a, ../a, a/b/c); one separator at least.
  [/(?:~|\b[a-z]:|[\w.@+-]+)?(?:[\\/][\w.@+-]+)+[\\/]?/g, '<path>'],
  // Every remaining number.
  [/[-+]?\b\d+(?:\.\d+)?(?:e[-+]?\d+)?\b/g, '<n>'],
];

/** Lowercases a failure message and replaces volatile parts by placeholders; whitespace collapsed. */
export function normalizeFailure(text: string): string {
  let out = text.toLowerCase();
  for (const [pattern, placeholder] of RULES) out = out.replace(pattern, placeholder);
  return out.replace(/(<path>)(?:\s*<path>)+/g, '$1').replace(/\s+/g, ' ').trim();
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;

/** FNV-1a 64 over the UTF-16 code units (two bytes each) of a string, as 16 hex digits. */
export function fnv1a64(text: string): string {
  let hash = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    hash = ((hash ^ BigInt(unit & 0xff)) * FNV_PRIME) & MASK_64;
    hash = ((hash ^ BigInt(unit >> 8)) * FNV_PRIME) & MASK_64;
  }
  return hash.toString(16).padStart(16, '0');
}

/** The stable cluster id of a normalized failure: `sig-` + 12 hex digits. */
export function signatureOf(kind: 'fail' | 'error', scenarioKind: string, normalized: string): string {
  return `sig-${fnv1a64(`${kind}\u0000${scenarioKind}\u0000${normalized}`).slice(0, 12)}`;
}

/** normalizeFailure then signatureOf: what the scenario worker computes from a raw failure message. */
export function failureSignature(kind: 'fail' | 'error', scenarioKind: string, message: string): string {
  return signatureOf(kind, scenarioKind, normalizeFailure(message));
}
