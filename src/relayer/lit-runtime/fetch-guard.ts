/**
 * fetch for Lit Actions with an SSRF guard (http-api.md §5): every hop (the first request and each
 * redirect) resolves the host name, refuses loopback, private, link-local, CGNAT, metadata,
 * multicast and reserved addresses unless allow-listed, and then connects to exactly the address it
 * checked (no second DNS lookup, so DNS rebinding cannot slip past). Bodies are size-limited and
 * every request has a timeout. An execution's fetches stop when the execution ends (`signal`), and
 * the bytes they hold count against the execution's budget (`bytes`) from the moment they arrive.
 *
 * Allow-list entries (LIT_ACTION_FETCH_ALLOW_LIST): a host name (`api.local`, exact,
 * case-insensitive), an IP address, or a CIDR range (`10.1.0.0/16`, `fd00::/8`).
 */
import { lookup as dnsLookup } from "dns/promises";
import * as http from "http";
import * as https from "https";
import { BlockList, isIP, type LookupFunction } from "net";
import type { ByteBudget } from "./host-run";

export class FetchBlockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FetchBlockedError";
  }
}

export interface FetchRequest {
  url: string;
  method?: string;
  headers?: [string, string][];
  body?: Uint8Array;
}

export interface FetchResult {
  url: string;
  status: number;
  statusText: string;
  headers: [string, string][];
  redirected: boolean;
  /** The response body; its bytes are still taken from `bytes` of the options (give them back). */
  body: Uint8Array;
}

export interface FetchGuardOptions {
  allowList: readonly string[];
  timeoutMs: number;
  maxBytes: number;
  maxRedirects?: number;
  /** DNS resolution (tests); default dns.promises.lookup with all addresses. */
  resolve?: (host: string) => Promise<{ address: string; family: number }[]>;
  /** Stops the fetch (the connection is destroyed) when aborted. */
  signal?: AbortSignal;
  /**
   * Takes the request body while it is sent and every response chunk as it arrives; a chunk that
   * does not fit fails the fetch. The returned body stays taken: the caller gives it back.
   */
  bytes?: ByteBudget;
}

const UNLIMITED: ByteBudget = { take: () => undefined, give: () => undefined };

/** The error of a fetch stopped by its signal. */
function abortedError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return new Error(`fetch aborted: ${reason instanceof Error ? reason.message : "the execution ended"}`);
}

const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // CGNAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local, cloud metadata (169.254.169.254)
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // TEST-NET-1
  ["192.88.99.0", 24], // 6to4 relay
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // TEST-NET-2
  ["203.0.113.0", 24], // TEST-NET-3
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const) {
  BLOCKED.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["64:ff9b:1::", 48], // local-use NAT64
  ["100::", 64], // discard
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique local (incl. fd00:ec2::254, AWS metadata)
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated)
  ["ff00::", 8], // multicast
] as const) {
  BLOCKED.addSubnet(net, prefix, "ipv6");
}

/** The eight 16-bit groups of an IPv6 address (any valid spelling, zone id ignored); null if invalid. */
export function ipv6Groups(address: string): number[] | null {
  const text = address.replace(/%.*$/, "");
  if (isIP(text) !== 6) return null;
  let body = text.toLowerCase();
  const tail: number[] = [];
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(body);
  if (dotted !== null) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    tail.push((a << 8) | b, (c << 8) | d);
    body = body.slice(0, dotted.index) + "0"; // placeholder group, dropped below
  }
  const halves = body.split("::");
  const parse = (part: string): number[] => (part === "" ? [] : part.split(":").map((g) => parseInt(g, 16)));
  let groups: number[];
  if (halves.length === 2) {
    const left = parse(halves[0]);
    const right = parse(halves[1]);
    if (tail.length > 0) right.pop();
    groups = [...left, ...new Array<number>(8 - tail.length - left.length - right.length).fill(0), ...right];
  } else {
    groups = parse(body);
    if (tail.length > 0) groups.pop();
  }
  groups.push(...tail);
  return groups.length === 8 ? groups : null;
}

const dottedQuad = (hi: number, lo: number): string => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/**
 * The IPv4 addresses an IPv6 address embeds, with the name of the form: IPv4-compatible
 * (`::a.b.c.d`, which URL parsing writes `::7f00:1`), IPv4-mapped (`::ffff:a.b.c.d`), IPv4-translated
 * (`::ffff:0:a.b.c.d`), NAT64 well-known prefix (`64:ff9b::/96`), 6to4 (`2002::/16`) and Teredo
 * (`2001::/32`: server and obfuscated client). Empty for any other address.
 */
export function embeddedIpv4(address: string): { ipv4: string; form: string }[] {
  const g = ipv6Groups(address);
  if (g === null) return [];
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zero(0, 6)) return [{ ipv4: dottedQuad(g[6], g[7]), form: "an IPv4-compatible IPv6 address" }];
  if (zero(0, 5) && g[5] === 0xffff) return [{ ipv4: dottedQuad(g[6], g[7]), form: "an IPv4-mapped IPv6 address" }];
  if (zero(0, 4) && g[4] === 0xffff && g[5] === 0)
    return [{ ipv4: dottedQuad(g[6], g[7]), form: "an IPv4-translated IPv6 address" }];
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6)) return [{ ipv4: dottedQuad(g[6], g[7]), form: "a NAT64 IPv6 address" }];
  if (g[0] === 0x2002) return [{ ipv4: dottedQuad(g[1], g[2]), form: "a 6to4 IPv6 address" }];
  if (g[0] === 0x2001 && g[1] === 0)
    return [
      { ipv4: dottedQuad(g[6] ^ 0xffff, g[7] ^ 0xffff), form: "a Teredo IPv6 address (client)" },
      { ipv4: dottedQuad(g[2], g[3]), form: "a Teredo IPv6 address (server)" },
    ];
  return [];
}

/** Why `address` may not be fetched ("loopback address", ...), or null when it is a public address. */
export function blockedReason(address: string): string | null {
  const family = isIP(address.replace(/%.*$/, ""));
  if (family === 0) return "not an IP address";
  if (family === 6) {
    const g = ipv6Groups(address) as number[];
    // The unspecified and loopback addresses are named as such (they are IPv4-compatible in form only).
    if (g.slice(0, 7).every((x) => x === 0) && g[7] <= 1) return g[7] === 0 ? "unspecified IPv6 address" : "loopback IPv6 address";
    // Every form that embeds an IPv4 address is treated like that address (http-api.md §10).
    for (const { ipv4, form } of embeddedIpv4(address)) {
      const reason = blockedReason(ipv4);
      if (reason !== null) return `${reason} (${ipv4} embedded in ${form})`;
    }
    const canonical = g.map((x) => x.toString(16)).join(":");
    return BLOCKED.check(canonical, "ipv6") ? "non-public IPv6 address" : null;
  }
  if (!BLOCKED.check(address, "ipv4")) return null;
  const first = Number(address.split(".")[0]);
  if (first === 127) return "loopback address";
  if (address.startsWith("169.254.")) return "link-local or metadata address";
  if (first === 10 || address.startsWith("192.168.") || /^172\.(1[6-9]|2\d|3[01])\./.test(address))
    return "private address";
  if (/^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./.test(address)) return "CGNAT address";
  return "reserved address";
}

/** The allow-list as a matcher over (host name, resolved address). */
export class AllowList {
  private readonly hosts = new Set<string>();
  private readonly ranges = new BlockList();
  private empty = true;

  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const entry = raw.trim().toLowerCase();
      if (entry === "") continue;
      this.empty = false;
      const cidr = /^(.+)\/(\d{1,3})$/.exec(entry);
      if (cidr !== null && isIP(cidr[1]) !== 0) {
        const family = isIP(cidr[1]) === 4 ? "ipv4" : "ipv6";
        this.ranges.addSubnet(cidr[1], Number(cidr[2]), family);
      } else if (isIP(entry.replace(/^\[|\]$/g, "")) !== 0) {
        const ip = entry.replace(/^\[|\]$/g, "");
        this.ranges.addAddress(ip, isIP(ip) === 4 ? "ipv4" : "ipv6");
      } else {
        this.hosts.add(entry.replace(/\.$/, ""));
      }
    }
  }

  allows(host: string, address: string): boolean {
    if (this.empty) return false;
    if (this.hosts.has(host.toLowerCase().replace(/\.$/, ""))) return true;
    const family = isIP(address);
    return family !== 0 && this.ranges.check(address, family === 4 ? "ipv4" : "ipv6");
  }
}

async function defaultResolve(host: string): Promise<{ address: string; family: number }[]> {
  return dnsLookup(host, { all: true, verbatim: true });
}

/** Resolves `host` and returns the address to connect to, or throws FetchBlockedError. */
async function checkedAddress(
  host: string,
  allow: AllowList,
  resolve: (host: string) => Promise<{ address: string; family: number }[]>,
): Promise<{ address: string; family: number }> {
  const bare = host.replace(/^\[|\]$/g, "");
  let addresses: { address: string; family: number }[];
  if (isIP(bare) !== 0) addresses = [{ address: bare, family: isIP(bare) }];
  else {
    try {
      addresses = await resolve(bare);
    } catch (e) {
      throw new Error(`fetch failed: cannot resolve ${bare}: ${(e as Error).message}`);
    }
  }
  if (addresses.length === 0) throw new Error(`fetch failed: ${bare} has no address`);
  // Every address must pass: a name resolving to a public and a private address is refused.
  for (const a of addresses) {
    if (allow.allows(bare, a.address)) continue;
    const reason = blockedReason(a.address);
    if (reason !== null)
      throw new FetchBlockedError(`fetch blocked: ${bare} resolves to ${a.address} (${reason}); not allow-listed`);
  }
  return addresses[0];
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** One guarded fetch, following up to `maxRedirects` redirects (each re-checked). */
export async function guardedFetch(request: FetchRequest, options: FetchGuardOptions): Promise<FetchResult> {
  const allow = new AllowList(options.allowList);
  const resolve = options.resolve ?? defaultResolve;
  const bytes = options.bytes ?? UNLIMITED;
  const signal = options.signal;
  const deadline = Date.now() + options.timeoutMs;
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    throw new TypeError(`fetch failed: invalid URL ${JSON.stringify(String(request.url).slice(0, 200))}`);
  }
  let method = (request.method ?? "GET").toUpperCase();
  let body = request.body === undefined ? undefined : Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength);
  if (body !== undefined && body.length > options.maxBytes)
    throw new Error(`fetch request body exceeds ${options.maxBytes} bytes`);
  const headers = request.headers ?? [];
  const maxRedirects = options.maxRedirects ?? 5;
  const sent = body?.length ?? 0;
  bytes.take(sent);
  try {
    for (let hop = 0; ; hop++) {
      if (signal?.aborted) throw abortedError(signal);
      if (url.protocol !== "http:" && url.protocol !== "https:")
        throw new FetchBlockedError(`fetch blocked: scheme ${url.protocol} is not http or https`);
      const target = await untilAborted(checkedAddress(url.hostname, allow, resolve), signal);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`fetch timed out after ${options.timeoutMs} ms`);
      const res = await requestOnce(url, method, headers, body, target, {
        timeoutMs: remaining,
        maxBytes: options.maxBytes,
        configuredTimeout: options.timeoutMs,
        signal,
        bytes,
      });
      if (REDIRECTS.has(res.status) && res.location !== null) {
        bytes.give(res.body.length);
        if (hop >= maxRedirects) throw new Error(`fetch failed: more than ${maxRedirects} redirects`);
        url = new URL(res.location, url);
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === "POST")) {
          method = "GET";
          body = undefined;
        }
        continue;
      }
      return {
        url: url.toString(),
        status: res.status,
        statusText: res.statusText,
        headers: res.headers,
        redirected: hop > 0,
        body: res.body,
      };
    }
  } finally {
    bytes.give(sent);
  }
}

/** `work`, or a rejection as soon as `signal` aborts (the work itself is left to finish). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  if (signal.aborted) return Promise.reject(abortedError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortedError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

interface RawResponse {
  status: number;
  statusText: string;
  headers: [string, string][];
  location: string | null;
  body: Buffer;
}

function requestOnce(
  url: URL,
  method: string,
  headers: [string, string][],
  body: Buffer | undefined,
  target: { address: string; family: number },
  o: { timeoutMs: number; maxBytes: number; configuredTimeout: number; signal?: AbortSignal; bytes: ByteBudget },
): Promise<RawResponse> {
  // Connect to the checked address only (the host name stays for Host and TLS SNI).
  const lookup: LookupFunction = (_host, opts, cb) => {
    const lo = opts as { all?: boolean };
    if (lo.all === true)
      (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [target]);
    else cb(null, target.address, target.family);
  };
  const mod = url.protocol === "https:" ? https : http;
  return new Promise<RawResponse>((resolve, reject) => {
    let settled = false;
    let taken = 0; // response bytes taken from the budget so far
    const done = (err: Error | null, value?: RawResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener("abort", onAbort);
      if (err !== null) {
        req.destroy();
        o.bytes.give(taken);
        reject(err);
      } else resolve(value as RawResponse);
    };
    const req = mod.request(
      url,
      {
        method,
        headers: Object.fromEntries(headers.filter(([k]) => k.toLowerCase() !== "host")),
        lookup,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          if (settled) return;
          size += chunk.length;
          if (size > o.maxBytes) {
            done(new Error(`fetch response exceeds max_fetch_response_length = ${o.maxBytes} bytes`));
            return;
          }
          try {
            o.bytes.take(chunk.length);
          } catch (e) {
            done(e as Error);
            return;
          }
          taken += chunk.length;
          chunks.push(chunk);
        });
        res.on("end", () => {
          const pairs: [string, string][] = [];
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) pairs.push([res.rawHeaders[i].toLowerCase(), res.rawHeaders[i + 1]]);
          const location = res.headers.location;
          done(null, {
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? "",
            headers: pairs,
            location: typeof location === "string" ? location : null,
            body: Buffer.concat(chunks, size),
          });
        });
        res.on("error", (e) => done(e));
      },
    );
    const timer = setTimeout(() => {
      // The timer is what was left of the whole fetch's budget (DNS and redirects used the rest):
      // the message names the budget, not the remainder.
      done(new Error(`fetch timed out after ${o.configuredTimeout} ms`));
    }, o.timeoutMs);
    const onAbort = () => done(abortedError(o.signal as AbortSignal));
    if (o.signal?.aborted) {
      onAbort();
      return;
    }
    o.signal?.addEventListener("abort", onAbort, { once: true });
    req.on("error", (e) => done(new Error(`fetch failed: ${e.message}`)));
    if (body !== undefined) req.write(body);
    req.end();
  });
}
