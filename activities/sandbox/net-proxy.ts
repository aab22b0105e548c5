// The sandbox's way out (docs/security.md "Network allow-list"): an HTTP proxy outside the sandbox, on a
// unix socket that is bind-mounted into it. The sandbox keeps its own network namespace (loopback only,
// no resolver it can reach); a forwarder inside (FORWARDER_SOURCE) listens on 127.0.0.1 and pipes to the
// socket, and HTTP(S)_PROXY point at it. The proxy serves CONNECT (https) and absolute-URI requests (http)
// to hosts on the profile's allow-list only: a name is checked before it is resolved (a refused name is
// never looked up), IP literals and names resolving to private addresses are refused unless listed by
// name, and the Temporal frontend is refused always. It dials the address it checked (no second lookup).

import { lookup as dnsLookup } from 'node:dns/promises';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { BlockList, connect, isIP, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Duplex } from 'node:stream';

export { allowEntryProblem } from '../../core/sandbox-policy';

/** Resolves a host name to its addresses (tests map a test name to 127.0.0.1). */
export type Resolver = (host: string) => Promise<string[]>;

export interface NetProxyOptions {
  /** The allow-list (validated by allowEntryProblem, core/sandbox-policy.ts): `host`, `*.domain` (its subdomains), `*` (any public host), an IP literal. */
  allow: readonly string[];
  /** The unix socket to listen on (its directory is bind-mounted into the sandbox). */
  socketPath: string;
  /** `host:port` addresses refused whatever the list says (the Temporal frontend); defaults to refusedAlways(). */
  refuse?: readonly string[];
  resolve?: Resolver;
  /** Called once per refused request with a one-line reason. */
  onDeny?: (line: string) => void;
}

export interface NetProxy {
  /** Lines for every refused request so far. */
  readonly denials: readonly string[];
  close(): Promise<void>;
}

/** The port the forwarder listens on inside the sandbox (its own network namespace: nothing else there). */
export const FORWARD_PORT = 3128;

/** The forwarder run inside the sandbox: `node fwd.js <socket> <port> <argv...>` listens, then runs argv and exits as it does. */
export const FORWARDER_SOURCE = `'use strict';
const net = require('net');
const { spawn } = require('child_process');
const [sock, port, cmd, ...args] = process.argv.slice(2);
const server = net.createServer((c) => {
  const u = net.connect(sock);
  c.pipe(u); u.pipe(c);
  c.on('error', () => u.destroy()); u.on('error', () => c.destroy());
  c.on('close', () => u.destroy()); u.on('close', () => c.destroy());
});
server.on('error', (e) => { process.stderr.write('factory sandbox: network forwarder: ' + e.message + '\\n'); process.exit(126); });
server.listen(Number(port), '127.0.0.1', () => {
  const child = spawn(cmd, args, { stdio: 'inherit' });
  child.on('error', (e) => { process.stderr.write('factory sandbox: cannot run ' + cmd + ': ' + e.message + '\\n'); process.exit(127); });
  child.on('exit', (code, signal) => { if (signal) process.kill(process.pid, signal); process.exit(code === null ? 1 : code); });
});
`;

/**
 * The same forwarder in Python, used when the system has /usr/bin/python3: it starts in about a tenth of
 * node's time (BENCHMARKS.md sandbox-call), which every sandboxed call with an allow-list pays.
 */
export const FORWARDER_PY_SOURCE = `import os, sys, _socket, _thread
# the C modules alone (socket, threading and signal would triple the start-up); bwrap reports a signal as 128+n anyway
sock_path, port, argv = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
srv = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
srv.setsockopt(_socket.SOL_SOCKET, _socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(128)
pid = os.fork()
if pid == 0:
    srv.close()
    try:
        os.execvp(argv[0], argv)
    except OSError as e:
        sys.stderr.write("factory sandbox: cannot run %s: %s\\n" % (argv[0], e.strerror))
        sys.stderr.flush()
        os._exit(127)
def pump(a, b, pair):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    try:
        b.shutdown(_socket.SHUT_WR)
    except OSError:
        pass
    pair.append(1)
    if len(pair) == 2:
        a.close()
        b.close()
def serve():
    while True:
        fd, _ = srv._accept()
        c = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM, 0, fd)
        u = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        try:
            u.connect(sock_path)
        except OSError:
            c.close()
            u.close()
            continue
        pair = []
        _thread.start_new_thread(pump, (c, u, pair))
        _thread.start_new_thread(pump, (u, c, pair))
_thread.start_new_thread(serve, ())
_, status = os.waitpid(pid, 0)
os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
`;

const extraRefused = new Set<string>();

/** Registers an address no sandbox may reach whatever its allow-list says (the worker's Temporal frontend). */
export function refuseAlways(address: string): void {
  if (address.trim()) extraRefused.add(address.trim());
}

/** The always-refused addresses: those registered by the worker and TEMPORAL_ADDRESS (default localhost:7233). */
export function refusedAlways(env: NodeJS.ProcessEnv = process.env): string[] {
  return [...new Set([...extraRefused, env.TEMPORAL_ADDRESS?.trim() || 'localhost:7233'])];
}

/** Private, loopback, link-local, shared, multicast and reserved ranges: refused unless the host is listed by name. */
const PRIVATE = new BlockList();
for (const [a, p] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) PRIVATE.addSubnet(a, p, 'ipv4');
for (const [a, p] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['2001:db8::', 32]] as const) PRIVATE.addSubnet(a, p, 'ipv6');

/** True for an address outside the public internet (IPv4-mapped IPv6 judged as the IPv4 it maps). */
export function isPrivateAddress(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return PRIVATE.check(mapped[1], 'ipv4');
  const family = isIP(ip);
  if (family === 0) return true;
  return PRIVATE.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

function isLoopback(ip: string): boolean {
  return ip === '::1' || /^(::ffff:)?127\./i.test(ip);
}

function stripBrackets(h: string): string {
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

/** How a host matched the list: by its own name or IP (`named`), by a wildcard, or not at all. */
export function matchHost(allow: readonly string[], host: string): 'named' | 'wildcard' | undefined {
  const h = stripBrackets(host.trim().toLowerCase()).replace(/\.$/, '');
  let how: 'named' | 'wildcard' | undefined;
  for (const raw of allow) {
    const e = stripBrackets(raw.trim().toLowerCase()).replace(/\.$/, '');
    if (e === h) return 'named';
    if (isIP(h)) continue;
    if (e === '*' || (e.startsWith('*.') && h.endsWith(e.slice(1)))) how = 'wildcard';
  }
  return how;
}

const defaultResolver: Resolver = async (host) => (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** host:port split (IPv6 in brackets); undefined when malformed. */
function splitHostPort(s: string, defaultPort?: number): { host: string; port: number } | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]\s]+)(?::(\d{1,5}))?$/i.exec(s);
  if (!m?.[1]) return undefined;
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  if (port === undefined || port < 1 || port > 65535) return undefined;
  return { host: stripBrackets(m[1]), port };
}

/** Starts the proxy; close() stops it and every connection through it. */
export async function startNetProxy(opts: NetProxyOptions): Promise<NetProxy> {
  const resolve = opts.resolve ?? defaultResolver;
  const denials: string[] = [];
  const open = new Set<Socket | Duplex>();
  const track = <T extends Socket | Duplex>(s: T): T => {
    open.add(s);
    s.on('close', () => open.delete(s));
    return s;
  };
  // the refused addresses, resolved once: [ip, port]
  const refused: [string, number][] = [];
  for (const a of opts.refuse ?? refusedAlways()) {
    const hp = splitHostPort(a);
    if (!hp) continue;
    const ips = isIP(hp.host) ? [hp.host] : await resolve(hp.host).catch(() => [] as string[]);
    for (const ip of ips) refused.push([ip, hp.port]);
  }
  // a frontend on loopback is also this machine's own addresses (it may listen on all of them)
  const own = new Set(Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address)));
  const isRefused = (ip: string, port: number) =>
    refused.some(([r, p]) => p === port && (r === ip || (isLoopback(r) && (isLoopback(ip) || own.has(ip))) || r === '0.0.0.0' || r === '::'));

  /** The address to dial for host:port, or the reason it is refused. */
  const check = async (host: string, port: number): Promise<{ ip: string } | { deny: string }> => {
    const how = matchHost(opts.allow, host);
    if (!how) return { deny: isIP(host) ? 'an IP address not on the allow-list (name the host)' : 'not on the allow-list' };
    let ips: string[];
    try {
      ips = isIP(host) ? [host] : await resolve(host);
    } catch (err) {
      return { deny: `cannot resolve: ${(err as Error).message}` };
    }
    if (ips.length === 0) return { deny: 'resolves to no address' };
    const usable = ips.filter((ip) => !isRefused(ip, port) && (how === 'named' || !isPrivateAddress(ip)));
    const ip = usable[0];
    if (ip === undefined) {
      if (ips.some((ip) => isRefused(ip, port))) return { deny: 'the Temporal frontend: never reachable from a sandbox' };
      return { deny: `resolves to a private address (${ips[0]}); only a host listed by name may` };
    }
    return { ip };
  };

  const deny = (method: string, target: string, reason: string) => {
    // the target is the sandbox's own text: printable ASCII only in the stage log
    const line = `factory sandbox: network: refused ${method.replace(/[^\x21-\x7e]/g, '?')} ${target.replace(/[^\x21-\x7e]/g, '?')}: ${reason}`;
    denials.push(line);
    opts.onDeny?.(line);
    return `${line} (profile sandbox.network.allow; docs/security.md)\n`;
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    track(req.socket);
    void (async () => {
      let url: URL | undefined;
      try {
        url = new URL(req.url ?? '');
      } catch {
        url = undefined;
      }
      if (!url || url.protocol !== 'http:') {
        const body = deny(req.method ?? '?', (req.url ?? '').slice(0, 200), 'not an absolute http:// URL (https goes through CONNECT)');
        res.writeHead(400, { 'content-type': 'text/plain', connection: 'close' }).end(body);
        return;
      }
      const host = stripBrackets(url.hostname);
      const port = Number(url.port || 80);
      const target = `${host}:${port}`;
      const c = await check(host, port);
      if ('deny' in c) {
        res.writeHead(403, { 'content-type': 'text/plain', 'x-factory-sandbox': 'refused', connection: 'close' }).end(deny(req.method ?? 'GET', target, c.deny));
        return;
      }
      const headers = { ...req.headers };
      for (const h of Object.keys(headers)) if (h.startsWith('proxy-')) delete headers[h];
      // the Host the server routes by is the host that was checked (no fronting another site on a shared CDN address)
      headers.host = url.host;
      const up = httpRequest({ host: c.ip, port, method: req.method, path: `${url.pathname}${url.search}`, headers, setHost: false }, (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      });
      up.on('error', (err) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain', connection: 'close' }).end(`factory sandbox: network: ${target}: ${err.message}\n`);
        else res.destroy();
      });
      req.pipe(up);
    })();
  });

  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    track(client);
    client.on('error', () => client.destroy());
    void (async () => {
      const hp = splitHostPort(req.url ?? '');
      if (!hp) {
        client.end(`HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n${deny('CONNECT', (req.url ?? '').slice(0, 200), 'not host:port')}`);
        return;
      }
      const target = `${hp.host}:${hp.port}`;
      const c = await check(hp.host, hp.port);
      if ('deny' in c) {
        client.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\nx-factory-sandbox: refused\r\nconnection: close\r\n\r\n${deny('CONNECT', target, c.deny)}`);
        return;
      }
      const up = track(connect(hp.port, c.ip));
      let established = false;
      up.on('connect', () => {
        established = true;
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) up.write(head);
        up.pipe(client);
        client.pipe(up);
      });
      up.on('error', (err) => {
        if (!established && !client.destroyed) client.end(`HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\n\r\nfactory sandbox: network: ${target}: ${err.message}\n`);
        else client.destroy();
      });
      client.on('close', () => up.destroy());
      up.on('close', () => client.destroy());
    })();
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.socketPath, () => {
      server.off('error', fail);
      ok();
    });
  });
  return {
    denials,
    close: () =>
      new Promise<void>((ok) => {
        for (const s of open) s.destroy();
        server.close(() => ok());
      }),
  };
}
