/**
 * The relayer's /core/v1 over HTTP: one JSON request, its error answer decoded into LitApiError
 * (`{"error", "code", "request_id"}`, docs/sdk.md "Errors"). Both transports use it: the HTTP
 * transport for everything, the diamond transport for the signature-minting endpoints, and the
 * client for the endpoints that exist only on the relayer (configuration, Lit Actions, billing).
 */
import { LitApiError, LitUsageError } from "./errors";
import type { FetchLike, Session } from "./options";

export interface RequestOptions {
  body?: unknown;
  /** false: send no X-Api-Key (public endpoints and signature-authenticated ones). */
  auth?: boolean;
  /** The key to send instead of the session's. */
  apiKey?: string;
  headers?: Record<string, string>;
}

export class RelayerHttp {
  readonly baseUrl: string;
  private readonly fetchImpl: FetchLike;

  constructor(
    baseUrl: string,
    private readonly session: Session,
    fetchImpl?: FetchLike,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    const f = fetchImpl ?? (globalThis.fetch as unknown as FetchLike | undefined);
    if (f === undefined) throw new LitUsageError("no fetch available: pass options.fetch");
    // Called as a plain function: browsers throw "Illegal invocation" when window.fetch is called
    // with another `this` (as `this.fetchImpl(...)` would).
    this.fetchImpl = (url, init) => f(url, init);
  }

  get<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>("GET", path, opts);
  }

  post<T>(path: string, body: unknown, opts: Omit<RequestOptions, "body"> = {}): Promise<T> {
    return this.request<T>("POST", path, { ...opts, body });
  }

  async request<T>(method: "GET" | "POST", path: string, opts: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json", ...(opts.headers ?? {}) };
    const key = opts.apiKey ?? this.session.apiKey;
    if (opts.auth !== false && key !== undefined && headers["x-wallet-auth"] === undefined) headers["x-api-key"] = key;
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(opts.body);
    }
    const res = await this.fetchImpl(`${this.baseUrl}/core/v1${path}`, { method, headers, body });
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (res.status < 200 || res.status >= 300) {
      const e = (typeof json === "object" && json !== null ? json : {}) as {
        error?: unknown;
        code?: unknown;
        request_id?: unknown;
      };
      const retry = res.headers.get("retry-after");
      throw new LitApiError(
        res.status,
        typeof e.code === "string" ? e.code : `Http${res.status}`,
        typeof e.error === "string" ? e.error : text.slice(0, 200),
        typeof e.request_id === "string" ? e.request_id : res.headers.get("x-request-id"),
        retry === null ? null : Number(retry),
      );
    }
    if (json === undefined)
      throw new LitApiError(res.status, "InvalidResponse", "response is not JSON", res.headers.get("x-request-id"));
    return json as T;
  }
}
