/**
 * POST /core/v1/lit_action end to end: a real relayer (SQLite, indexer, writer) over the in-process
 * chain. PKP signing verified outside, encrypt/decrypt, action keys, the permission matrix over HTTP
 * and against the diamond's views, code by CID, every request and in-action limit, the server
 * serving during and after hostile executions, per-account execution slots, and nothing (fetches,
 * host memory) outliving a run.
 *
 * Nothing here depends on the machine's speed: the main relayer's time limit (60 s) only stops a
 * hang; the time limit itself is tested on a second relayer with a short one, with actions that
 * never end by themselves; "during" is decided by actions that run until the test tells them to
 * stop, not by how long something took.
 */
import { expect } from "chai";
import { createDecipheriv } from "crypto";
import * as http from "http";
import type { AddressInfo } from "net";
import { ethers } from "hardhat";
import { litActionCid, litActionPrivateKey, pkpAesKey } from "../../../src/core";
import { ExecutionPermissions } from "../../../src/relayer/services/execution-permissions";
import { usageKeyBody } from "../../../scripts/lib/http-json";
import { startHarness, type Harness } from "../e2e/relayer-harness";

const ZERO_HASH = `0x${"0".repeat(64)}`;
const ZERO_ADDRESS = `0x${"0".repeat(40)}`;
const HELLO = 'async function main() {\n  return "Hello World!";\n}\n';
const HELLO_CID = "QmZr5qtNmcxBdpXF7K7hSkLbxK2wUVhMhZn29PKzhynvcR";
const SIGN = `async function main({ pkpId, message }) {
  const wallet = new ethers.Wallet(await Lit.Actions.getPrivateKey({ pkpId }));
  console.log("signing as", wallet.address);
  return { signature: await wallet.signMessage(message), address: wallet.address };
}`;
const SIGN_ECDSA = `async function main({ pkpId, message }) {
  const digest = ethers.utils.arrayify(ethers.utils.hashMessage(message));
  const signature = await Lit.Actions.signEcdsa({ pkpId, toSign: digest });
  let bad; try { await Lit.Actions.signEcdsa({ pkpId, toSign: "0x1234" }); } catch (e) { bad = e.message; }
  return { signature, bad };
}`;
const ENCRYPT = `async function main({ pkpId, message }) {
  const ciphertext = await Lit.Actions.Encrypt({ pkpId, message });
  const plain = await Lit.Actions.Decrypt({ pkpId, ciphertext: "0x" + ciphertext });
  let short; try { await Lit.Actions.Decrypt({ pkpId, ciphertext: "00".repeat(27) }); } catch (e) { short = e.message; }
  return { ciphertext, plain, short };
}`;
const ACTION_KEYS = `async function main({ other }) {
  const own = await Lit.Actions.getLitActionPrivateKey();
  return {
    own,
    ownAddress: new ethers.Wallet(own).address,
    otherPublic: await Lit.Actions.getLitActionPublicKey({ ipfsId: other }),
    otherAddress: await Lit.Actions.getLitActionWalletAddress({ ipfsId: other }),
  };
}`;
const REGISTERED = "async function main() { return 'registered'; }";
const UNREGISTERED = "async function main() { return 'unregistered'; }";

/** A time limit that only a hung action reaches. */
const GENEROUS_MS = 60_000;

const cidHash = (cid: string): string => ethers.keccak256(ethers.toUtf8Bytes(cid));
const keyHash = (key: string): string => ethers.keccak256(ethers.toUtf8Bytes(key));

interface Reply {
  response: unknown;
  logs: string;
  has_error: boolean;
}

describe("lit actions: POST /core/v1/lit_action (real relayer and chain)", function () {
  this.timeout(300_000);
  let h: Harness;
  let server: http.Server;
  let port: number;
  let master: string;
  let otherMaster: string;
  let amw: string;
  let otherAmw: string;
  let w1: string;
  let w2: string;
  const cids: Record<string, string> = {};
  const groups: Record<string, string> = {};
  const keys: Record<string, string> = {};

  const run = async (key: string, body: Record<string, unknown>) => {
    const res = await h.call("POST", "/core/v1/lit_action", { key, body });
    return res;
  };
  const ok = async (key: string, body: Record<string, unknown>): Promise<Reply> => {
    const res = await run(key, body);
    expect(res.statusCode, res.body).to.equal(200);
    return res.json() as Reply;
  };
  const post = async (path: string, key: string | undefined, body: unknown) => {
    const res = await h.call("POST", `/core/v1${path}`, { key, body });
    expect(res.statusCode, `${path}: ${res.body}`).to.equal(200);
    return res.json() as Record<string, string>;
  };
  const addKey = async (name: string, executeInGroups: number[], expiration?: number) => {
    const body = usageKeyBody({ execute_in_groups: executeInGroups, ...(expiration === undefined ? {} : { expiration }) }, name, "");
    keys[name] = (await post("/add_usage_api_key", master, body)).usage_api_key;
  };

  /** The local server's state: the hostile actions' stop flag and the streaming requests. */
  const local = {
    stop: false,
    polledBy: new Set<string>(),
    streams: { opened: 0, closed: 0 },
    /** Requests to /hold, answered when the test calls release(). */
    held: [] as http.ServerResponse[],
  };
  const release = () => {
    for (const res of local.held.splice(0)) res.end("released");
  };
  const TEN_MB = Buffer.alloc(10 * 1024 * 1024, 7);

  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url?.startsWith("/control?id=")) {
        local.polledBy.add(req.url.slice("/control?id=".length));
        res.end(local.stop ? "stop" : "go");
      } else if (req.url?.startsWith("/forever")) {
        // Streams 1 KB every 20 ms until the client goes away (never ends by itself).
        local.streams.opened++;
        res.on("close", () => local.streams.closed++);
        res.writeHead(200, { "content-type": "application/octet-stream" });
        const tick = setInterval(() => res.write(Buffer.alloc(1024)), 20);
        res.on("close", () => clearInterval(tick));
      } else if (req.url === "/hold") {
        local.held.push(res);
      } else if (req.url?.startsWith("/ten-mb")) {
        res.end(TEN_MB);
      } else res.end(JSON.stringify({ path: req.url }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
    h = await startHarness({
      LIT_ACTION_TIMEOUT_MS: String(GENEROUS_MS),
      LIT_ACTION_MAX_CODE_LENGTH: "20000",
      LIT_ACTION_MAX_PARAMS_BYTES: "2000",
      LIT_ACTION_MAX_RESPONSE_LENGTH: "5000",
      LIT_ACTION_MAX_CONSOLE_LOG_LENGTH: "5000",
      LIT_ACTION_FETCH_ALLOW_LIST: "127.0.0.1",
    });
    for (const [name, code] of Object.entries({ HELLO, SIGN, ENCRYPT, ACTION_KEYS, REGISTERED, UNREGISTERED }))
      cids[name] = await litActionCid(code);
    expect(cids.HELLO).to.equal(HELLO_CID);

    let acct = await post("/new_account", undefined, { account_name: "lit", account_description: "" });
    master = acct.api_key;
    amw = acct.wallet_address;
    acct = await post("/new_account", undefined, { account_name: "other", account_description: "" });
    otherMaster = acct.api_key;
    otherAmw = acct.wallet_address;
    w1 = (await h.call("GET", "/core/v1/create_wallet", { key: master })).json().wallet_address as string;
    w2 = (await h.call("GET", "/core/v1/create_wallet", { key: master })).json().wallet_address as string;

    await post("/add_action", master, { action_ipfs_cid: cids.REGISTERED, name: "reg", description: "" });
    await post("/add_action", master, { action_ipfs_cid: cids.SIGN, name: "sign", description: "" });
    const addGroup = async (name: string, pkps: string[], cidHashes: string[]) => {
      groups[name] = (
        await post("/add_group", master, {
          group_name: name,
          group_description: "",
          pkp_ids_permitted: pkps,
          cid_hashes_permitted: cidHashes,
        })
      ).group_id;
    };
    await addGroup("explicit", [w1], [cidHash(cids.SIGN), cidHash(cids.HELLO)]);
    await addGroup("anyWallet", [ZERO_ADDRESS], [cidHash(cids.ENCRYPT)]);
    await addGroup("anyAction", [w2], [ZERO_HASH]);
    await addGroup("removed", [w1], [cidHash(cids.HELLO)]);

    await addKey("explicit", [Number(groups.explicit)]);
    await addKey("anyWallet", [Number(groups.anyWallet)]);
    await addKey("anyAction", [Number(groups.anyAction)]);
    await addKey("all", [0]);
    await addKey("none", []);
    await addKey("expired", [Number(groups.explicit)], 1);
    await addKey("removedKey", [Number(groups.explicit)]);
    await addKey("removedGroup", [Number(groups.removed)]);
    await post("/remove_usage_api_key", master, { usage_api_key: keys.removedKey });
    await post("/remove_group", master, { group_id: groups.removed });
  });

  after(async () => {
    release();
    await h?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("runs hello world with the master key; the response shape is the hosted one", async () => {
    const res = await run(master, { code: HELLO });
    expect(res.statusCode, res.body).to.equal(200);
    expect(res.json()).to.deep.equal({ response: "Hello World!", logs: "", has_error: false });
    const r = await ok(master, { code: "async function main(p) { console.log('a'); console.log('b', p.x); return { n: p.x + 1 }; }", js_params: { x: 41 } });
    expect(r).to.deep.equal({ response: { n: 42 }, logs: "a\nb 41\n", has_error: false });
  });

  it("signs with a PKP inside the action; the signature verifies outside", async () => {
    const r = await ok(keys.explicit, { code: SIGN, js_params: { pkpId: w1, message: "attest 42" } });
    expect(r.has_error, String(r.response)).to.equal(false);
    const { signature, address } = r.response as { signature: string; address: string };
    expect(address.toLowerCase()).to.equal(w1);
    expect(ethers.verifyMessage("attest 42", signature).toLowerCase()).to.equal(w1);
    expect(r.logs).to.equal(`signing as ${address}\n`);
    // the account wallet (AMW) signs for the master key
    const m = await ok(master, { code: SIGN, js_params: { pkpId: amw, message: "m" } });
    expect(ethers.verifyMessage("m", (m.response as { signature: string }).signature).toLowerCase()).to.equal(amw);
  });

  it("signs a digest with signEcdsa and a PKP the key may use; the key never enters the action", async () => {
    const r = await ok(master, { code: SIGN_ECDSA, js_params: { pkpId: w1, message: "attest 43" } });
    expect(r.has_error, String(r.response)).to.equal(false);
    const { signature, bad } = r.response as { signature: string; bad: string };
    expect(signature).to.match(/^0x[0-9a-f]{130}$/);
    expect(ethers.verifyMessage("attest 43", signature).toLowerCase()).to.equal(w1);
    expect(bad).to.equal("toSign: expected 32 bytes (0x + 64 hex, or an array of 32 bytes)");
    // a wallet of another account is refused like getPrivateKey
    const other = await ok(master, { code: SIGN_ECDSA, js_params: { pkpId: otherAmw, message: "m" } });
    expect(other.has_error).to.equal(true);
    expect(String(other.response)).to.include("API key cannot use selected wallet in selected action");
  });

  it("encrypts then decrypts (AES-256-GCM nonce||ciphertext||tag, lowercase hex)", async () => {
    const r = await ok(keys.anyWallet, { code: ENCRYPT, js_params: { pkpId: w2, message: "secret ✓" } });
    expect(r.has_error, String(r.response)).to.equal(false);
    const { ciphertext, plain, short } = r.response as { ciphertext: string; plain: string; short: string };
    expect(plain).to.equal("secret ✓");
    expect(short).to.match(/under|shorter than 28 bytes/);
    expect(ciphertext).to.match(/^[0-9a-f]+$/);
    const bytes = Buffer.from(ciphertext, "hex");
    expect(bytes.length).to.equal(12 + Buffer.byteLength("secret ✓") + 16);
    // Decrypt outside with the PKP's AES key (label pkp-aes, context (master, derivation)).
    const row = await h.relayer.store.index.wallet(w2);
    const d = createDecipheriv("aes-256-gcm", pkpAesKey(h.relayer.config.rootSecret, row!.account, row!.derivation), bytes.subarray(0, 12));
    d.setAuthTag(bytes.subarray(bytes.length - 16));
    expect(Buffer.concat([d.update(bytes.subarray(12, bytes.length - 16)), d.final()]).toString()).to.equal("secret ✓");
  });

  it("derives action keys per CID: stable for a CID, distinct across CIDs", async () => {
    const a = (await ok(master, { code: ACTION_KEYS, js_params: { other: cids.HELLO } })).response as Record<string, string>;
    const b = (await ok(master, { code: ACTION_KEYS, js_params: { other: cids.HELLO } })).response as Record<string, string>;
    expect(a).to.deep.equal(b);
    const root = h.relayer.config.rootSecret;
    expect(a.own).to.equal(litActionPrivateKey(root, cids.ACTION_KEYS));
    expect(a.own).to.match(/^0x[0-9a-f]{64}$/);
    const helloKey = litActionPrivateKey(root, cids.HELLO);
    expect(a.otherPublic).to.equal(new ethers.SigningKey(helloKey).compressedPublicKey);
    expect(a.otherPublic).to.match(/^0x0[23][0-9a-f]{64}$/);
    expect(a.otherAddress).to.equal(ethers.computeAddress(helloKey).toLowerCase());
    expect(a.ownAddress.toLowerCase()).to.not.equal(a.otherAddress);
    const c = (await ok(master, { code: ACTION_KEYS + "\n", js_params: { other: cids.SIGN } })).response as Record<string, string>;
    expect(c.own).to.not.equal(a.own);
    expect(c.otherAddress).to.not.equal(a.otherAddress);
  });

  it("permission matrix over HTTP: master, explicit group, [0], no group, cid wildcard, expired, removed", async () => {
    const status = async (key: string, code: string) => (await run(key, { code })).statusCode;
    expect(await status(master, UNREGISTERED)).to.equal(200); // master: any code, registered or not
    expect(await status(keys.all, UNREGISTERED)).to.equal(200); // [0]: any code
    expect(await status(keys.explicit, HELLO)).to.equal(200);
    expect(await status(keys.explicit, ENCRYPT)).to.equal(403);
    expect(await status(keys.anyAction, REGISTERED)).to.equal(200); // zero-hash wildcard, registered cid
    expect(await status(keys.anyAction, UNREGISTERED)).to.equal(403); // wildcard covers registered cids only
    expect(await status(keys.removedGroup, HELLO)).to.equal(403);
    const none = await run(keys.none, { code: HELLO });
    expect(none.statusCode).to.equal(403);
    expect(none.json()).to.include({ code: "NotAllowedToExecuteAction" });
    expect((none.json() as { error: string }).error).to.include(HELLO_CID);
    expect(await status(keys.expired, HELLO)).to.equal(401);
    expect(await status(keys.removedKey, HELLO)).to.equal(401);
    expect(await status("not-a-key", HELLO)).to.equal(401);
    expect((await h.call("POST", "/core/v1/lit_action", { body: { code: HELLO } })).statusCode).to.equal(401);
  });

  it("wallets: explicit pkp, zero-address wildcard, and refusals inside the action", async () => {
    const sign = async (key: string, pkpId: string) => ok(key, { code: SIGN, js_params: { pkpId, message: "x" } });
    expect((await sign(keys.explicit, w1)).has_error).to.equal(false);
    const denied = await sign(keys.explicit, w2); // w2 not in the explicit group
    expect(denied).to.include({ has_error: true, response: "Error: API key cannot use selected wallet in selected action" });
    expect((await ok(keys.anyWallet, { code: ENCRYPT, js_params: { pkpId: w1, message: "m" } })).has_error).to.equal(false);
    expect((await ok(keys.anyWallet, { code: ENCRYPT, js_params: { pkpId: amw, message: "m" } })).has_error).to.equal(false);
    expect((await sign(master, w2)).has_error).to.equal(false);
    expect((await sign(keys.all, w2)).has_error).to.equal(false);
    // a wallet of another account: never, not even for the master or a [0] key
    expect((await sign(master, otherAmw)).response).to.equal("Error: API key cannot use selected wallet in selected action");
    expect((await sign(keys.all, otherAmw)).has_error).to.equal(true);
    expect((await sign(keys.all, ethers.Wallet.createRandom().address)).has_error).to.equal(true);
  });

  it("the TypeScript permission mirror answers exactly as the diamond's views", async () => {
    // A ChainSecured account with a transferred admin: former alias (None), current alias (All), master.
    const other = keyHash(otherMaster);
    const [a0, a1] = [h.f.users[0], h.f.users[1]];
    await (await h.f.diamond.connect(h.f.owner).convertToChainSecuredAccount(other, a0.address)).wait();
    await (await h.f.diamond.connect(a0).transferChainSecuredAccountOwnership(other, a1.address)).wait();
    // A self-service account handed on: its master (the creator's alias) loses execution rights.
    const [creator, heir] = [h.f.users[2], h.f.users[3]];
    await (await h.f.diamond.connect(creator).newChainSecuredAccount("self-service", "")).wait();
    await (await h.f.diamond.connect(creator).transferChainSecuredAccountOwnership(ethers.keccak256(creator.address), heir.address)).wait();
    await h.relayer.chain.indexer.syncTo(await ethers.provider.getBlockNumber());

    const block = await ethers.provider.getBlock("latest");
    const perms = new ExecutionPermissions(h.relayer.store.index, { now: () => block!.timestamp });
    const alias = (a: string) => ethers.keccak256(a);
    const hashes = [
      keyHash(master),
      other,
      alias(a0.address),
      alias(a1.address),
      alias(creator.address),
      alias(heir.address),
      ...Object.values(keys).map(keyHash),
      keyHash("unknown"),
      ZERO_HASH,
    ];
    const cidHashes = [...Object.values(cids).map(cidHash), ZERO_HASH, cidHash("QmUnknown")];
    const wallets = [w1, w2, amw, otherAmw, ZERO_ADDRESS, ethers.Wallet.createRandom().address.toLowerCase()];
    let checked = 0;
    let trues = 0;
    for (const hh of hashes) {
      for (const c of cidHashes) {
        const onChain = await h.f.diamond.canExecuteAction(hh, c);
        expect(await perms.canExecuteAction(hh, c), `canExecuteAction(${hh}, ${c})`).to.equal(onChain);
        // decided from the credential rows a request read once (lit_action after authorize)
        const rows = await h.relayer.store.index.credential(hh);
        expect(await perms.canExecuteAction(hh, c, rows), `canExecuteAction(${hh}, ${c}) from its rows`).to.equal(onChain);
        checked++;
        if (onChain) trues++;
        for (const w of wallets) {
          const chainAnswer = await h.f.diamond.canUseWalletInAction(hh, c, w);
          expect(await perms.canUseWalletInAction(hh, c, w), `canUseWalletInAction(${hh}, ${c}, ${w})`).to.equal(chainAnswer);
          checked++;
          if (chainAnswer) trues++;
        }
      }
    }
    expect(checked).to.be.greaterThan(500);
    expect(trues).to.be.greaterThan(50);
  });

  it("runs code by ipfs_id from the content store; 404 unknown, 400 mismatch or missing", async () => {
    const code = "async function main() { return 'stored ' + 1; }";
    let res = await run(master, { ipfs_id: await litActionCid(code) });
    expect(res.statusCode).to.equal(404);
    expect(res.json()).to.include({ code: "ActionCodeNotFound" });
    const cid = (await h.call("POST", "/core/v1/get_lit_action_ipfs_id", { body: JSON.stringify(code), headers: { "content-type": "application/json" } })).json() as string;
    expect(cid).to.equal(await litActionCid(code));
    expect((await ok(master, { ipfs_id: cid })).response).to.equal("stored 1");
    // inline code submitted once is runnable by CID afterwards
    expect((await ok(keys.explicit, { ipfs_id: HELLO_CID })).response).to.equal("Hello World!");
    // code and a matching ipfs_id: fine; mismatching: 400
    expect((await ok(master, { code: HELLO, ipfs_id: HELLO_CID })).response).to.equal("Hello World!");
    res = await run(master, { code: HELLO, ipfs_id: cid });
    expect(res.statusCode).to.equal(400);
    expect((res.json() as { error: string }).error).to.match(/^ipfs_id: does not match/);
    expect((await run(master, {})).statusCode).to.equal(400);
    expect((await run(master, { ipfs_id: "not a cid" })).statusCode).to.equal(400);
    // a usage key still needs permission for stored code
    expect((await run(keys.none, { ipfs_id: HELLO_CID })).statusCode).to.equal(403);
  });

  it("request limits: oversized code and js_params are 400 naming the limit", async () => {
    let res = await run(master, { code: `// ${"x".repeat(20_000)}\nasync function main() {}` });
    expect(res.statusCode).to.equal(400);
    expect((res.json() as { error: string }).error).to.equal("code: longer than max_code_length = 20000 bytes");
    res = await run(master, { code: HELLO, js_params: { big: "y".repeat(3000) } });
    expect(res.statusCode).to.equal(400);
    expect((res.json() as { error: string }).error).to.equal("js_params: JSON longer than max_js_params_length = 2000 bytes");
  });

  it("in-action limits answer 200 with has_error naming the limit, and the logs so far", async () => {
    // (The time limit is tested below, on a relayer with a short one.)
    let r = await ok(master, { code: "async function main() { console.log('start'); const a = []; for (;;) a.push(new Array(1e5).fill(1.5)); }" });
    expect(r).to.deep.equal({ response: "out of memory: limit memory_limit_mb = 64 MB exceeded", logs: "start\n", has_error: true });
    r = await ok(master, { code: "async function main() { return 'r'.repeat(5001); }" });
    expect(r.response).to.equal("response too large: limit max_response_length = 5000 bytes exceeded");
    r = await ok(master, { code: "async function main() { for (;;) console.log('l'.repeat(99)); }" });
    expect(r.response).to.equal("console output too large: limit max_console_log_length = 5000 bytes exceeded");
    expect(r.logs).to.equal(`${"l".repeat(99)}\n`.repeat(50));
    r = await ok(master, {
      code: `async function main() { for (let i = 0; i < 51; i++) { const p = (await (await fetch("http://127.0.0.1:${port}/n" + i)).json()).path; if (i >= 48) console.log(p); } }`,
    });
    expect(r).to.deep.equal({
      response: "too many fetches: limit max_fetch_count = 50 exceeded",
      logs: "/n48\n/n49\n",
      has_error: true,
    });
  });

  it("fetch from an action: SSRF targets blocked, the allow-listed local server reachable", async () => {
    const code = `async function main({ url }) {
      try { const res = await fetch(url); return "status " + res.status; } catch (e) { return e.message; }
    }`;
    const fetchOf = async (url: string) => (await ok(master, { code, js_params: { url } })).response as string;
    expect(await fetchOf(`http://127.0.0.1:${port}/x`)).to.equal("status 200");
    expect(await fetchOf("http://169.254.169.254/latest/meta-data/")).to.match(/^fetch blocked: 169\.254\.169\.254 resolves to 169\.254\.169\.254/);
    expect(await fetchOf("http://10.0.0.1/")).to.match(/^fetch blocked: 10\.0\.0\.1/);
    expect(await fetchOf(`http://127.0.0.2:${port}/`)).to.match(/^fetch blocked: 127\.0\.0\.2 .*loopback/); // only 127.0.0.1 is allowed
    expect(await fetchOf("http://[::ffff:169.254.169.254]/")).to.match(/^fetch blocked/);
  });

  it("keeps serving during and after hostile executions; one account cannot hold every execution slot", async () => {
    // Eight CPU-burning actions of one account (as many as the relayer runs at once), each running
    // until the test tells it to stop. Without per-account limits they held every slot.
    local.stop = false;
    local.polledBy.clear();
    // A fresh account: otherMaster's account was converted and transferred above, so its old key
    // executes nothing any more (authority follows the current owner).
    const hostileKey = (await post("/new_account", undefined, { account_name: "hostile", account_description: "" })).api_key as string;
    const hostile = `async function main({ url }) {
      for (;;) {
        if ((await (await fetch(url)).text()) === "stop") return "stopped";
        const t = Date.now(); while (Date.now() - t < 50) {}
      }
    }`;
    const loops = Array.from({ length: 8 }, (_, i) =>
      run(hostileKey, { code: hostile, js_params: { url: `http://127.0.0.1:${port}/control?id=${i}` } }),
    );
    let loopsDone = false;
    void Promise.all(loops).then(() => (loopsDone = true));
    /** Fails after a generous bound instead of hanging (no assertion depends on it otherwise). */
    const within = <T>(what: string, p: Promise<T>) =>
      Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(what)), 30_000))]);
    try {
      await within("the hostile actions did not start", (async () => {
        while (local.polledBy.size < 4) await new Promise((resolve) => setTimeout(resolve, 10));
      })());
      // Another account is served while they run.
      const served = await within("not served while another account's actions ran", (async () => {
        expect((await h.call("GET", "/core/v1/version")).statusCode).to.equal(200);
        return ok(keys.explicit, { code: HELLO });
      })());
      expect(served.response).to.equal("Hello World!");
      expect(loopsDone, "answered while the hostile actions still run").to.equal(false);
      // At most half the slots (the default per-account limit) ran the account's actions at once.
      expect([...local.polledBy].length).to.equal(4);
    } finally {
      local.stop = true;
    }
    for (const l of await Promise.all(loops)) expect(l.json()).to.include({ response: "stopped", has_error: false });
    expect(local.polledBy.size).to.equal(8);
    expect((await ok(master, { code: HELLO })).response).to.equal("Hello World!");
  });

  it("fetches an action started are aborted when it returns: nothing outlives its run", async () => {
    const before = { ...local.streams };
    const opened = () => local.streams.opened - before.opened;
    const closed = () => local.streams.closed - before.closed;
    // The action starts 40 streams that never end by themselves, waits until the test has seen all
    // of them arrive, and returns at once.
    const reply = ok(master, {
      code: `async function main() {
        for (let i = 0; i < 40; i++) fetch("http://127.0.0.1:${port}/forever/" + i).catch(() => {});
        await fetch("http://127.0.0.1:${port}/hold");
        return "started";
      }`,
    });
    for (let i = 0; i < 1200 && (opened() < 40 || local.held.length === 0); i++) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(opened()).to.equal(40);
    release();
    expect(await reply).to.deep.include({ response: "started", has_error: false });
    // Only the relayer closing them ends the streams (a generous bound turns "never" into a failure).
    for (let i = 0; i < 400 && closed() < opened(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(closed(), `${opened()} streams opened, ${closed()} closed`).to.equal(opened());
  });

  it("many 10 MB fetches at once: the host holds at most max_fetch_bytes_in_flight for the run", async () => {
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 2);
    let r: Reply;
    try {
      r = await ok(master, {
        code: `async function main() {
          const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) =>
            fetch("http://127.0.0.1:${port}/ten-mb/" + i).then((res) => res.arrayBuffer()).then((b) => b.byteLength)));
          const errors = [...new Set(results.filter((x) => x.status === "rejected").map((x) => x.reason.message))];
          return { ok: results.filter((x) => x.status === "fulfilled").length, errors };
        }`,
      });
    } finally {
      clearInterval(sampler);
    }
    expect(r.has_error, String(r.response)).to.equal(false);
    const { ok: fetched, errors } = r.response as { ok: number; errors: string[] };
    expect(errors).to.deep.equal(["fetch data in flight too large: limit max_fetch_bytes_in_flight = 16777216 bytes exceeded"]);
    expect(fetched).to.be.lessThan(40);
    // The budget itself is exact (host-run.test.ts); this checks the process as a whole did not hold
    // every body at once. 40 x 10 MB would be 400 MB. The process figure also counts bodies already
    // handed to the isolate that V8 has not collected yet (it collects external memory under
    // pressure, in steps of tens of MiB), so the bound sits between the cap and "all of them".
    expect(peak - baseline, `host array buffers grew by ${Math.round((peak - baseline) / 2 ** 20)} MiB`).to.be.lessThan(256 * 2 ** 20);
  });

  it("records the usage (duration) of every execution for billing", async () => {
    // Usage is written behind the responses (group commit): give the writer a moment.
    type Row = { account: string; api_key_hash: string; cid: string; duration_ms: number; has_error: number };
    let rows: Row[] = [];
    for (let i = 0; i < 40; i++) {
      rows = await h.relayer.store.db.query<Row>(
        "SELECT account, api_key_hash, cid, duration_ms, has_error FROM lit_action_usage ORDER BY id",
      );
      if (rows.length > 20) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(rows.length).to.be.greaterThan(20);
    expect(rows.some((r) => r.has_error === 1)).to.equal(true);
    expect(rows.some((r) => r.api_key_hash === keyHash(keys.explicit) && r.account === keyHash(master) && r.cid === HELLO_CID)).to.equal(true);
  });
});

describe("lit actions: the time limit over HTTP (a relayer with a 1.5 s limit)", function () {
  this.timeout(300_000);
  let h: Harness;
  let key: string;

  before(async () => {
    h = await startHarness({ LIT_ACTION_TIMEOUT_MS: "1500" });
    const res = await h.call("POST", "/core/v1/new_account", { body: { account_name: "timeouts", account_description: "" } });
    key = (res.json() as { api_key: string }).api_key;
  });
  after(async () => {
    await h?.close();
  });

  it("answers 200 with has_error naming timeout_ms, and the logs so far (loop or never-settling promise)", async () => {
    for (const code of [
      "async function main() { console.log('start'); while (true) {} }",
      "async function main() { console.log('start'); await new Promise(() => {}); }",
    ]) {
      const res = await h.call("POST", "/core/v1/lit_action", { key, body: { code } });
      expect(res.statusCode).to.equal(200);
      expect(res.json()).to.deep.equal({ response: "execution timed out: limit timeout_ms = 1500 ms exceeded", logs: "start\n", has_error: true });
    }
  });

  it("a timed-out execution is recorded (and billed) for at least its time limit", async () => {
    type Row = { duration_ms: number; has_error: number };
    let rows: Row[] = [];
    for (let i = 0; i < 100 && rows.length < 2; i++) {
      rows = await h.relayer.store.db.query<Row>("SELECT duration_ms, has_error FROM lit_action_usage ORDER BY id");
      if (rows.length < 2) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(rows.length).to.be.at.least(2);
    for (const r of rows) {
      expect(r.has_error).to.equal(1);
      expect(r.duration_ms).to.be.at.least(1500);
    }
  });
});
