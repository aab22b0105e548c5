// Reads a workflow through the Temporal frontend's HTTP API (grpc-gateway: `GET /api/v1/namespaces/{ns}/
// workflows/{id}`, `POST .../query/{type}`, `GET .../history`), with node:http(s) only: no Temporal SDK,
// grpc-js or protobufjs is loaded, which is most of what a gRPC `factory status` spends starting.
// Payloads are asked for in full (`?noPayloadShorthand`: {metadata: {encoding: base64}, data: base64}, the
// bytes the worker wrote, key order kept); the shorthand (the JSON value itself, keys sorted by the server)
// is read too. Only json/plain and binary/null are ours to decode (the workers use the SDK's default data
// converter).
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { FAILURE_DOMAINS, runFailureFromDetails } from '../core/failure-details';
import { FailureDomain, RECOVERY_RULES, type RunFailure } from '../core/run-model';
import type { HttpApiTarget } from './temporal';

/** The server has no HTTP API at this address (404 that is not a workflow's, refused, not JSON): use gRPC. */
export class HttpApiUnavailableError extends Error {
  override readonly name = 'HttpApiUnavailableError';
}

/** The server answered with a gRPC status (proto JSON `{code, message, details}`). */
export class HttpApiStatusError extends Error {
  override readonly name = 'HttpApiStatusError';
  constructor(
    readonly code: number,
    message: string,
    /** The `@type` names of the error details (e.g. `...NotFoundFailure`). */
    readonly detailTypes: readonly string[],
  ) {
    super(message);
  }

  /** The workflow (not the route) does not exist. */
  get workflowNotFound(): boolean {
    return this.code === 5 && this.detailTypes.some((t) => t.endsWith('.NotFoundFailure'));
  }
}

/** The request passed its deadline without an answer (a query no worker takes). */
export class HttpApiTimeoutError extends Error {
  override readonly name = 'HttpApiTimeoutError';
}

/** One proto-JSON payload. */
export interface RawPayload {
  metadata?: Record<string, string>;
  data?: string;
}

/** What `describe` returns, as far as `status` reads it. */
export interface RawDescription {
  executionConfig?: { taskQueue?: { name?: string } };
  workflowExecutionInfo?: {
    execution?: { workflowId?: string; runId?: string };
    status?: string;
    searchAttributes?: { indexedFields?: Record<string, RawPayload> };
  };
  pendingActivities?: RawPendingActivity[];
  pendingChildren?: { workflowId?: string; workflowTypeName?: string }[];
}

/** A pending activity in proto JSON (enums as names, times as RFC 3339). */
export interface RawPendingActivity {
  activityId?: string;
  activityType?: { name?: string };
  state?: string;
  attempt?: number;
  maximumAttempts?: number;
  lastFailure?: { message?: string };
  nextAttemptScheduleTime?: string;
  lastStartedTime?: string;
}

/** A Temporal failure in proto JSON. */
export interface RawFailure {
  message?: string;
  cause?: RawFailure;
  applicationFailureInfo?: { type?: string; details?: unknown };
  activityFailureInfo?: unknown;
  childWorkflowExecutionFailureInfo?: unknown;
}

const b64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

/**
 * A payload's value. The HTTP API writes a json/plain payload in shorthand (the JSON value itself) and any
 * other payload in full (`{metadata, data}`, base64): json/plain is parsed, binary/null is undefined, any
 * other encoding is refused (not ours).
 */
export function decodePayload(p: RawPayload | unknown): unknown {
  if (!isFullPayload(p)) return p;
  const encoding = p.metadata?.encoding ? b64(p.metadata.encoding) : '';
  if (encoding === 'binary/null') return undefined;
  if (encoding !== 'json/plain') throw new Error(`payload encoding ${JSON.stringify(encoding)} is not json/plain`);
  return JSON.parse(b64(p.data ?? ''));
}

/** The first payload of a Payloads message: `{payloads: [...]}` in full, the array itself in shorthand. */
export function firstPayload(payloads: unknown): unknown {
  if (Array.isArray(payloads)) return decodePayload(payloads[0]);
  return decodePayload((payloads as { payloads?: unknown[] } | undefined)?.payloads?.[0]);
}

function isFullPayload(p: unknown): p is RawPayload {
  if (!p || typeof p !== 'object' || Array.isArray(p)) return false;
  const keys = Object.keys(p);
  const m = (p as RawPayload).metadata;
  return keys.every((k) => k === 'metadata' || k === 'data' || k === 'externalPayloads') && !!m && typeof m === 'object' && typeof m.encoding === 'string';
}

/** A JSON value as a json/plain payload. */
export function encodePayload(value: unknown): RawPayload {
  return { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from(JSON.stringify(value)).toString('base64') };
}

/** `WORKFLOW_EXECUTION_STATUS_RUNNING` → `RUNNING` (the SDK's `status.name`). */
export function statusName(raw: RawDescription): string {
  return String(raw.workflowExecutionInfo?.status ?? 'UNSPECIFIED').replace(/^WORKFLOW_EXECUTION_STATUS_/, '');
}

/** Search attributes as the SDK's describe gives them: name → values. */
export function searchAttributesOf(raw: RawDescription): Record<string, unknown[] | undefined> {
  const out: Record<string, unknown[] | undefined> = {};
  for (const [name, payload] of Object.entries(raw.workflowExecutionInfo?.searchAttributes?.indexedFields ?? {})) {
    try {
      const value = decodePayload(payload);
      out[name] = Array.isArray(value) ? value : [value];
    } catch {
      // an attribute we cannot read is left out, as the SDK leaves out what it cannot decode
    }
  }
  return out;
}

/**
 * A workflow failure as the run's failure, the way core/failures decodeFailure reads a WorkflowFailedError:
 * the first ApplicationFailure whose type is a domain (through activity and child-workflow wrappers), its
 * details[0]; any other failure is an EXEC_FAILURE with the failure's message.
 */
export function runFailureOf(top: RawFailure): RunFailure {
  for (let f: RawFailure | undefined = top, depth = 0; f && depth < 4; f = f.cause, depth++) {
    const type = f.applicationFailureInfo?.type;
    if (f.applicationFailureInfo && type && FAILURE_DOMAINS.has(type)) {
      let d: Partial<RunFailure> | undefined;
      try {
        d = firstPayload(f.applicationFailureInfo.details) as Partial<RunFailure> | undefined;
      } catch {
        // undecodable details: the failure's own message and the domain's recovery
      }
      return runFailureFromDetails(type as FailureDomain, d, f.message ?? '');
    }
    if (!(f.activityFailureInfo || f.childWorkflowExecutionFailureInfo)) break;
  }
  const message = top.message ?? 'workflow execution failed';
  return { domain: FailureDomain.exec, message, causes: [message], recovery: RECOVERY_RULES.EXEC_FAILURE };
}

/** A client for one namespace of one server's HTTP API. */
export class HttpApi {
  constructor(readonly target: HttpApiTarget) {}

  private path(workflowId: string, rest = ''): string {
    return `/api/v1/namespaces/${encodeURIComponent(this.target.namespace)}/workflows/${encodeURIComponent(workflowId)}${rest}`;
  }

  /** DescribeWorkflowExecution of the newest execution. */
  describe(workflowId: string, timeoutMs = 10_000): Promise<RawDescription> {
    return this.call('GET', this.path(workflowId), undefined, timeoutMs) as Promise<RawDescription>;
  }

  /** A query's answer (the first payload, decoded); a rejected query is an error naming the status it was rejected in. */
  async query(workflowId: string, queryType: string, args: readonly unknown[], timeoutMs: number): Promise<unknown> {
    const body = { query: { queryType, ...(args.length ? { queryArgs: { payloads: args.map(encodePayload) } } : {}) } };
    const res = (await this.call('POST', this.path(workflowId, `/query/${encodeURIComponent(queryType)}`), body, timeoutMs)) as { queryResult?: unknown; queryRejected?: { status?: string } };
    if (res.queryRejected) throw new Error(`query ${queryType} rejected (workflow ${res.queryRejected.status ?? 'closed'})`);
    return firstPayload(res.queryResult);
  }

  /** The close event of one execution (completed with its result, failed with its failure, or another close). */
  async closeEvent(workflowId: string, runId: string | undefined, timeoutMs = 10_000): Promise<Record<string, unknown> | undefined> {
    const q = new URLSearchParams({ historyEventFilterType: 'HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT', ...(runId ? { 'execution.runId': runId } : {}) });
    const res = (await this.call('GET', this.path(workflowId, `/history?${q.toString()}`), undefined, timeoutMs)) as { history?: { events?: Record<string, unknown>[] } };
    return res.history?.events?.at(-1);
  }

  private call(method: 'GET' | 'POST', path: string, body: unknown, timeoutMs: number): Promise<unknown> {
    const url = new URL(path, this.target.baseUrl);
    // payloads as the workers wrote them (base64 bytes): the shorthand re-serializes JSON with its keys sorted
    url.searchParams.set('noPayloadShorthand', 'true');
    const tls = this.target.tls;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const options: RequestOptions & Record<string, unknown> = {
      method,
      headers: {
        accept: 'application/json',
        ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        ...(this.target.apiKey ? { authorization: `Bearer ${this.target.apiKey}` } : {}),
      },
      ...(url.protocol === 'https:' && tls
        ? {
            ...(tls.serverRootCACertificate ? { ca: tls.serverRootCACertificate } : {}),
            ...(tls.clientCertPair ? { cert: tls.clientCertPair.crt, key: tls.clientCertPair.key } : {}),
            ...(tls.serverNameOverride ? { servername: tls.serverNameOverride } : {}),
          }
        : {}),
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, options, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            return reject(new HttpApiUnavailableError(`${url.origin} answered HTTP ${res.statusCode ?? '?'} without JSON`));
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve(json);
          const e = (json ?? {}) as { code?: unknown; message?: unknown; details?: { '@type'?: unknown }[] };
          const types = Array.isArray(e.details) ? e.details.map((d) => String(d?.['@type'] ?? '')) : [];
          const err = new HttpApiStatusError(Number(e.code ?? 2), String(e.message ?? `HTTP ${status}`), types);
          // a 404 that is not a workflow's: no such route, so no HTTP API (or an older one) here
          reject(status === 404 && !err.workflowNotFound && !types.length ? new HttpApiUnavailableError(`${url.origin} answered HTTP 404 for ${url.pathname}`) : err);
        });
      });
      req.setTimeout(timeoutMs, () => req.destroy(new HttpApiTimeoutError(`no answer from ${url.origin} within ${timeoutMs} ms`)));
      req.on('error', (err: NodeJS.ErrnoException) => reject(err instanceof HttpApiTimeoutError ? err : new HttpApiUnavailableError(`${url.origin}: ${err.code ?? err.message}`)));
      if (payload) req.write(payload);
      req.end();
    });
  }
}
