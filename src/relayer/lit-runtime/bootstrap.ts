/**
 * JavaScript run inside each execution's isolate before the action (no host objects cross: only
 * callbacks that copy strings and bytes in and out). POLYFILLS gives a bare V8 context what actions
 * and ethers v5 expect (atob, btoa, TextEncoder, TextDecoder); API builds the globals of
 * http-api.md §5 from the host callbacks __lit_* and deletes those callbacks from the global
 * object. The response stays in here until the run ends (no host call per setResponse); its size
 * is checked on every store.
 */

export const POLYFILLS = String.raw`(function () {
  "use strict";
  var B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  var B64I = {};
  for (var i = 0; i < 64; i++) B64I[B64.charAt(i)] = i;
  function btoa(input) {
    var s = String(input), out = "", i = 0;
    for (var j = 0; j < s.length; j++) if (s.charCodeAt(j) > 255) throw new Error("btoa: character out of Latin1 range");
    for (; i + 2 < s.length; i += 3) {
      var n = (s.charCodeAt(i) << 16) | (s.charCodeAt(i + 1) << 8) | s.charCodeAt(i + 2);
      out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63];
    }
    var rest = s.length - i;
    if (rest === 1) { var a = s.charCodeAt(i) << 16; out += B64[(a >> 18) & 63] + B64[(a >> 12) & 63] + "=="; }
    else if (rest === 2) { var b = (s.charCodeAt(i) << 16) | (s.charCodeAt(i + 1) << 8); out += B64[(b >> 18) & 63] + B64[(b >> 12) & 63] + B64[(b >> 6) & 63] + "="; }
    return out;
  }
  function atob(input) {
    var s = String(input).replace(/[\t\n\f\r ]/g, "").replace(/=+$/, "");
    if (s.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(s)) throw new Error("atob: invalid base64");
    var out = "", bits = 0, acc = 0;
    for (var i = 0; i < s.length; i++) {
      acc = (acc << 6) | B64I[s.charAt(i)]; bits += 6;
      if (bits >= 8) { bits -= 8; out += String.fromCharCode((acc >> bits) & 255); }
    }
    return out;
  }
  function TextEncoder() {}
  TextEncoder.prototype.encoding = "utf-8";
  TextEncoder.prototype.encode = function (input) {
    var s = input === undefined ? "" : String(input), out = [];
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        var d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) { c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); i++; }
        else c = 0xfffd;
      } else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return new Uint8Array(out);
  };
  function TextDecoder() {}
  TextDecoder.prototype.encoding = "utf-8";
  TextDecoder.prototype.decode = function (input) {
    if (input === undefined) return "";
    var b = input instanceof Uint8Array ? input : ArrayBuffer.isView(input) ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength) : new Uint8Array(input);
    var out = "", i = 0;
    while (i < b.length) {
      var c = b[i++], cp, need = 0;
      if (c < 0x80) { out += String.fromCharCode(c); continue; }
      else if (c >= 0xc2 && c < 0xe0) { cp = c & 31; need = 1; }
      else if (c >= 0xe0 && c < 0xf0) { cp = c & 15; need = 2; }
      else if (c >= 0xf0 && c < 0xf5) { cp = c & 7; need = 3; }
      else { out += "\ufffd"; continue; }
      var ok = true;
      for (var k = 0; k < need; k++) {
        if (i >= b.length || (b[i] & 0xc0) !== 0x80) { ok = false; break; }
        cp = (cp << 6) | (b[i++] & 63);
      }
      if (!ok || (need === 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (need === 3 && (cp < 0x10000 || cp > 0x10ffff))) { out += "\ufffd"; continue; }
      if (cp >= 0x10000) { cp -= 0x10000; out += String.fromCharCode(0xd800 + (cp >> 10), 0xdc00 + (cp & 1023)); }
      else out += String.fromCharCode(cp);
    }
    return out;
  };
  globalThis.atob = atob;
  globalThis.btoa = btoa;
  globalThis.TextEncoder = TextEncoder;
  globalThis.TextDecoder = TextDecoder;
})();
`;

export const API = String.raw`
(function () {
  "use strict";
  var g = globalThis;
  var hostLog = g.__lit_log, hostFatal = g.__lit_fatal, hostCall = g.__lit_call,
      hostFetch = g.__lit_fetch, hostRandom = g.__lit_random, hostLoadEthers = g.__lit_loadEthers;
  var meta = JSON.parse(g.__lit_meta);
  delete g.__lit_log; delete g.__lit_fatal; delete g.__lit_call; delete g.__lit_fetch;
  delete g.__lit_random; delete g.__lit_loadEthers; delete g.__lit_meta;
  var freeze = Object.freeze, define = Object.defineProperty, stringify = JSON.stringify, parse = JSON.parse;

  // ---- asynchronous host operations: the host starts one (synchronously, returning its id; limit
  // breaches throw here) and later settles it through __lit_settle, which it takes by reference.
  var pending = Object.create(null);
  function hostAsync(start, a, b) {
    return new Promise(function (resolve, reject) {
      var id = start(a, b);
      pending[id] = [resolve, reject];
    });
  }
  g.__lit_settle = function (id, ok, value, bytes) {
    var p = pending[id];
    if (p === undefined) return;
    delete pending[id];
    if (ok) p[0](bytes === undefined ? value : [value, bytes]); else p[1](new Error(value));
  };

  function constant(name, value) { define(g, name, { value: value, writable: false, enumerable: false, configurable: false }); }
  function plain(name, value) { define(g, name, { value: value, writable: true, enumerable: false, configurable: true }); }

  // ---- the response lives in here (no host call per setResponse): its size is checked against
  // max_response_length on every store; a breach is reported to the host, which ends the run.
  var maxResponse = meta.maxResponseLength, response = null;
  function utf8Length(s) {
    var n = 0;
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c < 0x80) n += 1;
      else if (c < 0x800) n += 2;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 4; i++; }
      else n += 3;
    }
    return n;
  }
  function encodeResponse(v) {
    if (typeof v === "string") return v;
    var s = stringify(v);
    return s === undefined ? String(v) : s;
  }
  function store(v) {
    var s = encodeResponse(v);
    if (s.length > maxResponse || (s.length * 3 > maxResponse && utf8Length(s) > maxResponse)) {
      hostFatal("maxResponseLength");
      throw new Error("response too large");
    }
    response = s;
  }

  // ---- console: one line per call, written to the host (which enforces the log limit)
  function fmt(v, depth) {
    if (typeof v === "string") return depth === 0 ? v : stringify(v);
    if (v === undefined) return "undefined";
    if (typeof v === "function") return "[Function" + (v.name ? ": " + v.name : " (anonymous)") + "]";
    if (typeof v === "bigint") return String(v) + "n";
    if (typeof v === "symbol") return String(v);
    if (v instanceof Error) return v.stack ? String(v.stack) : String(v);
    if (v !== null && typeof v === "object") {
      try {
        var s = stringify(v, function (k, x) { return typeof x === "bigint" ? String(x) + "n" : x; });
        if (s !== undefined) return s;
      } catch (e) { /* circular */ }
      return Object.prototype.toString.call(v);
    }
    return String(v);
  }
  function write() {
    var parts = [];
    for (var i = 0; i < arguments.length; i++) parts.push(fmt(arguments[i], 0));
    hostLog(parts.join(" "));
  }
  plain("console", freeze({ log: write, info: write, warn: write, error: write, debug: write, trace: write }));

  // ---- request bodies cross to the host as ArrayBuffers
  function toBytes(body) {
    if (body === undefined || body === null) return undefined;
    if (typeof body === "string") return new TextEncoder().encode(body);
    if (body instanceof ArrayBuffer) return new Uint8Array(body);
    if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    return new TextEncoder().encode(String(body));
  }

  // ---- crypto.getRandomValues (ethers' random wallets)
  plain("crypto", freeze({
    getRandomValues: function (array) {
      if (!ArrayBuffer.isView(array)) throw new TypeError("getRandomValues: expected a typed array");
      var view = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
      if (view.length > 65536) throw new Error("getRandomValues: at most 65536 bytes");
      view.set(new Uint8Array(hostRandom(view.length)));
      return array;
    }
  }));

  // ---- fetch (the host counts, guards and limits it)
  function Headers(init) {
    var map = {};
    this._map = map;
    if (init === undefined || init === null) return;
    if (init instanceof Headers) { init.forEach(function (v, k) { map[k] = v; }); return; }
    if (Array.isArray(init)) { for (var i = 0; i < init.length; i++) this.append(init[i][0], init[i][1]); return; }
    for (var k in init) if (Object.prototype.hasOwnProperty.call(init, k)) this.append(k, init[k]);
  }
  Headers.prototype.append = function (k, v) { k = String(k).toLowerCase(); v = String(v); this._map[k] = this._map[k] === undefined ? v : this._map[k] + ", " + v; };
  Headers.prototype.set = function (k, v) { this._map[String(k).toLowerCase()] = String(v); };
  Headers.prototype.get = function (k) { var v = this._map[String(k).toLowerCase()]; return v === undefined ? null : v; };
  Headers.prototype.has = function (k) { return this._map[String(k).toLowerCase()] !== undefined; };
  Headers.prototype["delete"] = function (k) { delete this._map[String(k).toLowerCase()]; };
  Headers.prototype.forEach = function (fn, self) { for (var k in this._map) fn.call(self, this._map[k], k, this); };
  Headers.prototype.entries = function () { var m = this._map; return Object.keys(m).map(function (k) { return [k, m[k]]; })[Symbol.iterator](); };
  Headers.prototype.keys = function () { return Object.keys(this._map)[Symbol.iterator](); };
  Headers.prototype.values = function () { var m = this._map; return Object.keys(m).map(function (k) { return m[k]; })[Symbol.iterator](); };
  Headers.prototype[Symbol.iterator] = Headers.prototype.entries;

  function Response(r, bytes) {
    var used = false;
    this.status = r.status; this.statusText = r.statusText; this.ok = r.status >= 200 && r.status < 300;
    this.url = r.url; this.redirected = r.redirected; this.headers = new Headers(r.headers);
    var take = function () { if (used) throw new TypeError("body already used"); used = true; return new Uint8Array(bytes); };
    this.arrayBuffer = function () { return Promise.resolve(take().buffer); };
    this.text = function () { return Promise.resolve(new TextDecoder().decode(take())); };
    this.json = function () { var t = new TextDecoder().decode(take()); return new Promise(function (ok) { ok(parse(t)); }); };
    define(this, "bodyUsed", { get: function () { return used; } });
  }

  async function fetch(input, init) {
    init = init || {};
    var url = typeof input === "string" ? input : input && typeof input.url === "string" ? input.url : String(input);
    var headers = [];
    new Headers(init.headers).forEach(function (v, k) { headers.push([k, v]); });
    var body = toBytes(init.body);
    var req = { url: url, method: init.method === undefined ? "GET" : String(init.method), headers: headers };
    var res = await hostAsync(hostFetch, stringify(req), body === undefined ? undefined : body.slice().buffer);
    return new Response(parse(res[0]), res[1]);
  }
  plain("fetch", fetch);
  plain("Headers", Headers);
  plain("Response", Response);

  // ---- Lit.Actions
  function field(o, name) { return o !== null && typeof o === "object" ? o[name] : undefined; }
  function op(name, args) { return hostAsync(hostCall, name, stringify(args)); }
  var Actions = freeze({
    setResponse: function (o) {
      store(o !== null && typeof o === "object" && "response" in o ? o.response : o);
    },
    getPrivateKey: function (o) { return op("getPrivateKey", { pkpId: field(o, "pkpId") }); },
    Encrypt: function (o) { return op("Encrypt", { pkpId: field(o, "pkpId"), message: field(o, "message") }); },
    Decrypt: function (o) { return op("Decrypt", { pkpId: field(o, "pkpId"), ciphertext: field(o, "ciphertext") }); },
    getLitActionPrivateKey: function () { return op("getLitActionPrivateKey", {}); },
    getLitActionPublicKey: function (o) { return op("getLitActionPublicKey", { ipfsId: field(o, "ipfsId") }); },
    getLitActionWalletAddress: function (o) { return op("getLitActionWalletAddress", { ipfsId: field(o, "ipfsId") }); }
  });
  var Lit = freeze({ Actions: Actions, Auth: freeze([]), Headers: freeze(meta.headers) });
  constant("Lit", Lit);
  constant("LitActions", Actions);

  // The runner, taken by reference by the host (and deleted from the global object): runs
  // main(jsParams) when the action defines it, stores a non-undefined return value as the response,
  // and resolves to "R" + response, "N" (no response) or "E" + the error text.
  g.__lit_run = function () {
    return (async function () {
      try {
        if (typeof main === "function") {
          var r = await main(jsParams);
          if (r !== undefined) store(r);
        }
        return response === null ? "N" : "R" + response;
      } catch (e) {
        var text;
        try {
          text = e instanceof Error ? (e.name || "Error") + ": " + e.message : "Uncaught " + (typeof e === "string" ? e : stringify(e));
        } catch (e2) {
          text = "Uncaught exception";
        }
        return "E" + (text === undefined ? "Uncaught exception" : text);
      }
    })();
  };

  // ---- ethers (v5), loaded on first use: most actions that do not touch it stay fast. The UMD
  // bundle assigns globalThis.ethers, which replaces this accessor with a plain value.
  var ethersLoading = false;
  define(g, "ethers", {
    configurable: true, enumerable: false,
    get: function () {
      if (ethersLoading) throw new Error("ethers failed to load");
      ethersLoading = true;
      hostLoadEthers();
      return g.ethers;
    },
    set: function (v) { define(g, "ethers", { value: v, writable: true, configurable: true, enumerable: false }); }
  });

  plain("global", g);
  plain("jsParams", parse(meta.params));
})();
`;
