import { expect } from "chai";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { apiKeyTextHash } from "../../../src/core";
import { accountKey, actionHash, bigGroup, blockHash, groupId, usageKeyText, walletAddress, type ScaleSpec } from "../../../bench/scale/dataset";
import { fillIndex } from "../../../bench/scale/fill";
import { SocketClient } from "../../../bench/scale/http-client";
import { measureProbe, scaleApp, scaleProbes, sendProbe, type CountingWriter, type Probe } from "../../../bench/scale/reads";
import { BACKENDS, makeStore, skipUnlessAvailable, type TestStore } from "../support";

// The small version of the scale benchmark (bench/scale.ts): the same fill through the projection
// and the same HTTP app, checking the pages (not timings); the benchmark's probes go over a real
// socket (app.listen + its lean keep-alive client, bench/scale/http-client.ts) as in the benchmark. Lists page by set position
// (store/index-queries.ts pageRange), so a walk over every page must give each member once, in the
// contract's order, also after removals moved members into the holes.
const SPEC: ScaleSpec = { accounts: 10_000, groups: 1_000, actions: 300, wallets: 200, usageKeys: 50 };
const master = apiKeyTextHash(accountKey(0));
const hex32 = (id: string): string => `0x${BigInt(id).toString(16).padStart(64, "0")}`;

async function page(app: FastifyInstance, path: string, number: number, size: number, extra = ""): Promise<{ id?: string; wallet_address?: string }[]> {
  const r = await app.inject({
    method: "GET",
    url: `/core/v1/${path}?${extra}page_number=${number}&page_size=${size}`,
    headers: { authorization: `Bearer ${accountKey(0)}` },
  });
  expect(r.statusCode, r.body).to.equal(200);
  return r.json();
}

/** Every page of a list, in order, until the first empty one. */
async function walk(app: FastifyInstance, path: string, size: number, extra = "", field: "id" | "wallet_address" = "id"): Promise<string[]> {
  const out: string[] = [];
  for (let n = 0; ; n++) {
    const rows = await page(app, path, n, size, extra);
    if (rows.length === 0) return out;
    expect(rows.length).to.be.at.most(size);
    for (const r of rows) out.push(String(r[field]));
  }
}

/** EnumerableSet.remove on a model list: the last member moves into the hole. */
function swapRemove<T>(list: T[], member: T): void {
  const i = list.indexOf(member);
  if (i < 0) return;
  const last = list.pop() as T;
  if (i < list.length) list[i] = last;
}

for (const backend of BACKENDS) {
  describe(`index at scale, small version (${backend})`, function () {
    this.timeout(180_000);
    let ts: TestStore | null = null;
    let app: FastifyInstance;
    let writer: CountingWriter;
    let client: SocketClient;
    let lastBlock = 0;

    before(async function () {
      await skipUnlessAvailable(this, backend);
      ts = await makeStore(backend);
      const filled = await fillIndex(ts.store, SPEC, { perBlock: 500, journalBlocks: 3 });
      lastBlock = filled.blocks;
      ({ app, writer } = await scaleApp(ts.store.index));
      await app.listen({ host: "127.0.0.1", port: 0 });
      client = new SocketClient((app.server.address() as AddressInfo).port, 4);
    });

    after(async () => {
      client?.close();
      await app?.close();
      await ts?.cleanup();
    });

    it("fills every event of the history through the projection, the last account included", async () => {
      const store = (ts as TestStore).store;
      expect(await store.index.indexedBlock()).to.equal(lastBlock);
      expect((await store.index.accountHashes()).length).to.equal(SPEC.accounts);
      const r = await app.inject({ method: "GET", url: "/core/v1/account_exists", headers: { authorization: `Bearer ${accountKey(SPEC.accounts - 1)}` } });
      expect(r.json()).to.equal(true);
    });

    it("answers every probe of the benchmark over the socket as the benchmark expects (each write reaches the writer past its pre-checks)", async () => {
      const probes = scaleProbes(SPEC);
      expect(probes.length).to.be.above(30);
      const before = writer.calls;
      for (const p of probes) await sendProbe(client, p);
      expect(writer.calls - before, "one writer call per write probe").to.equal(probes.filter((p) => p.write).length);
    });

    it("measures a write probe over the socket with every warm-up and measured request reaching the writer", async () => {
      const probe = scaleProbes(SPEC).filter((p) => p.write).slice(-1)[0];
      const before = writer.calls;
      const figures = await measureProbe(client, probe, 16, 4, 2);
      expect(writer.calls - before, "warm-up and measured requests").to.equal(18);
      expect(figures.name).to.equal(probe.name);
      expect(figures.p50).to.be.above(0).and.at.most(figures.p99);
    });

    it("throws for a write probe that a pre-check refuses (403: a usage key may not update a group) before the writer", async () => {
      const probe = scaleProbes(SPEC).find((p) => p.name === "pre-check update_group") as Probe;
      const before = writer.calls;
      const stranger: Probe = { ...probe, key: usageKeyText(1) };
      const err = await sendProbe(client, stranger).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(err?.message).to.match(/refused by a pre-check \(403 /);
      expect(writer.calls).to.equal(before);
    });

    it("throws for a write probe of a group that does not exist (404)", async () => {
      const probe = scaleProbes(SPEC).find((p) => p.name === "pre-check update_group") as Probe;
      const missing: Probe = { ...probe, body: { ...(probe.body as object), group_id: SPEC.groups + 7 } };
      const err = await sendProbe(client, missing).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(err?.message).to.match(/refused by a pre-check \(404 /);
    });

    it("throws for a read probe answered with another status than it expects", async () => {
      const probe = scaleProbes(SPEC).find((p) => p.name === "list_groups (first page)") as Probe;
      const err = await sendProbe(client, { ...probe, key: "scale-no-such-key" }).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(err?.message).to.match(/^list_groups \(first page\): 4\d\d /);
    });

    it("answers the first, a middle and the last page of list_groups with the groups at those positions", async () => {
      const ids = (rows: { id?: string }[]): string[] => rows.map((r) => String(r.id));
      const range = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => hex32(groupId(from + i)));
      expect(ids(await page(app, "list_groups", 0, 100))).to.deep.equal(range(1, 100));
      expect(ids(await page(app, "list_groups", 4, 100))).to.deep.equal(range(401, 500));
      expect(ids(await page(app, "list_groups", 9, 100))).to.deep.equal(range(901, 1000));
      expect(await page(app, "list_groups", 10, 100)).to.deep.equal([]);
    });

    it("walks every list page by page with no member skipped or repeated, for page sizes that do not divide it", async () => {
      expect(await walk(app, "list_groups", 7)).to.deep.equal(Array.from({ length: SPEC.groups }, (_, g) => hex32(groupId(g + 1))));
      expect(await walk(app, "list_actions", 13)).to.deep.equal(Array.from({ length: SPEC.actions }, (_, a) => actionHash(a)));
      expect(await walk(app, "list_wallets", 11)).to.have.length(SPEC.wallets);
      expect(await walk(app, "list_wallets_in_group", 9, `group_id=${bigGroup(SPEC)}&`, "wallet_address")).to.deep.equal(
        Array.from({ length: SPEC.wallets }, (_, w) => walletAddress(w)),
      );
      expect(await walk(app, "list_actions", 17, `group_id=${bigGroup(SPEC)}&`)).to.deep.equal(
        Array.from({ length: SPEC.actions }, (_, a) => actionHash(a)),
      );
      expect(await walk(app, "list_api_keys", 3)).to.have.length(SPEC.usageKeys);
    });

    it("keeps the pages continuous in the contract's order after removals move the last members into the holes", async () => {
      const store = (ts as TestStore).store;
      const groups = Array.from({ length: SPEC.groups }, (_, g) => groupId(g + 1));
      const actions = Array.from({ length: SPEC.actions }, (_, a) => actionHash(a));
      const events = [];
      for (const g of ["1", "500", "999", "1000", "2"]) {
        events.push({ name: "GroupRemoved", args: { apiKeyHash: master, groupId: g } });
        swapRemove(groups, g);
      }
      for (const a of [0, 150, 299]) {
        events.push({ name: "ActionRemoved", args: { accountApiKeyHash: master, actionHash: actionHash(a) } });
        swapRemove(actions, actionHash(a));
      }
      const n = lastBlock + 1;
      expect(await store.index.projection.applyBlock(n, blockHash(n), blockHash(n - 1), events)).to.equal("applied");
      lastBlock = n;
      expect(await walk(app, "list_groups", 7)).to.deep.equal(groups.map(hex32));
      expect(await walk(app, "list_groups", 100)).to.deep.equal(groups.map(hex32));
      expect(await walk(app, "list_actions", 13)).to.deep.equal(actions);
    });
  });
}
