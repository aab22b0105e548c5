// The profile's `sandbox` setting as it crosses the workflow/activity boundary (core/contracts): a plain
// shape, so workflow code and contracts can name it without importing activities/sandbox.

/**
 * The sandbox a run's processes actually got, as run.json, `factory status` and summary.md record it:
 * `none` also when bubblewrap was missing on a twin-only run (`note` says why); `network` is `on` whenever
 * nothing confines them.
 */
export interface SandboxRecord {
  mode: 'bwrap' | 'none';
  network: 'off' | 'on';
  /** The hosts reachable through the allow-list proxy (network is `off` then); absent: none. */
  allow?: string[];
  /** Why the run's processes ran unconfined (set exactly when mode is none). */
  note?: string;
}

/** The profile's `sandbox` setting after parsing (definitions/schemas/profile.ts). */
export interface SandboxPolicy {
  /** `bwrap`: every agent command, tool stage, hook and command scenario runs under bubblewrap; `none`: unconfined. */
  mode: 'bwrap' | 'none';
  /** `off`: a private network namespace (loopback only); `on`: the worker's network, Temporal included. */
  network: 'off' | 'on';
  /** With network `off`: hosts reachable through an HTTP proxy outside the sandbox (`host`, `*.domain`, `*`, an IP). */
  allow?: string[];
  /** Worker environment variables passed into the sandbox beside the built-in allow-list. */
  env: string[];
}

/** A run's sandbox in words, for `factory status` and summary.md. */
export function sandboxText(s: SandboxRecord): string {
  if (s.mode === 'none') return `none: agent commands, tool stages and hooks ran unconfined${s.note ? ` (${s.note})` : ''}`;
  if (s.network === 'off' && s.allow?.length) return `bubblewrap, network through the allow-list proxy: ${s.allow.join(', ')}`;
  return `bubblewrap, network ${s.network}`;
}

const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** True for an IPv4 literal or something shaped like an IPv6 one (brackets allowed). */
function ipLiteral(s: string): boolean {
  const h = s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s;
  return IPV4.test(h) || (h.includes(':') && /^[0-9a-f:.]+$/.test(h) && (h.match(/:/g) ?? []).length >= 2);
}

/**
 * Why an entry of `sandbox.network.allow` is unusable, or undefined: a host name, `*.domain` (its
 * subdomains, not the domain itself), `*` (any public host), or an IP literal; never a URL, port or path.
 */
export function allowEntryProblem(entry: string): string | undefined {
  const e = entry.trim().toLowerCase();
  if (e === '*' || ipLiteral(e)) return undefined;
  if (e === '') return 'an empty host name';
  if (/[/:@?#\s\[\]]/.test(e)) return `"${entry}" is not a host name: give the host alone (no scheme, port, path or user), e.g. registry.npmjs.org`;
  const name = e.startsWith('*.') ? e.slice(2) : e;
  if (name.includes('*')) return `"${entry}" has a wildcard other than a leading "*.": use *.example.com (its subdomains) or * (any public host)`;
  const labels = name.replace(/\.$/, '').split('.');
  if (!labels.every((l) => HOST_LABEL.test(l))) return `"${entry}" is not a valid host name (letters, digits, hyphens, dots)`;
  if (e.startsWith('*.') && labels.length < 2) return `"${entry}" would allow a whole top-level domain: name a domain, e.g. *.pypi.org`;
  return undefined;
}
