/**
 * The authorization matrix of every authenticated endpoint (http-api.md §3): no key 401, unknown /
 * expired key 401, a usage key without the permission 403 before any Writer call, a usage key with
 * the [0] wildcard (and flags) allowed where a usage key may act at all, the master key allowed.
 */
import { expect } from "chai";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { keccak256, toUtf8Bytes } from "ethers";
import {
  addGroup,
  bearer,
  CID,
  CID_HASH,
  createWallet,
  errorBody,
  makeApp,
  newAccount,
  post,
  usageKey,
  usageKeyBody,
} from "./support";
import type { FakeChain } from "./fakes";

interface Ctx {
  app: FastifyInstance;
  chain: FakeChain;
  master: string;
  group: number;
  wallet: string;
  target: string;
  keys: { none: string; all: string; expired: string };
}

type Need = "master" | "createGroups" | "deleteGroups" | "createPKPs" | "manage" | "addPkp" | "removePkp" | "read";

interface Case {
  name: string;
  method: "GET" | "POST";
  path: (c: Ctx) => string;
  body?: (c: Ctx) => unknown;
  need: Need;
  /** Expected 403 code for a usage key without the permission. */
  code?: string;
}

const CASES: Case[] = [
  {
    name: "add_usage_api_key",
    method: "POST",
    path: () => "/add_usage_api_key",
    body: () => usageKeyBody(),
    need: "master",
    code: "NotMasterAccount",
  },
  {
    name: "update_usage_api_key",
    method: "POST",
    path: () => "/update_usage_api_key",
    body: (c) => ({ usage_api_key: c.target, ...usageKeyBody() }),
    need: "master",
    code: "NotMasterAccount",
  },
  {
    name: "update_usage_api_key_metadata",
    method: "POST",
    path: () => "/update_usage_api_key_metadata",
    body: (c) => ({ usage_api_key: c.target, name: "n", description: "d" }),
    need: "master",
    code: "NotMasterAccount",
  },
  {
    name: "remove_usage_api_key",
    method: "POST",
    path: () => "/remove_usage_api_key",
    body: (c) => ({ usage_api_key: c.target }),
    need: "master",
    code: "NotMasterAccount",
  },
  {
    name: "update_group",
    method: "POST",
    path: () => "/update_group",
    body: (c) => ({ group_id: c.group, name: "n", description: "d" }),
    need: "master",
    code: "NotMasterAccount",
  },
  {
    name: "add_action",
    method: "POST",
    path: () => "/add_action",
    body: () => ({ action_ipfs_cid: CID, name: "n", description: "d" }),
    need: "master",
    code: "NotMasterAccount",
  },
  {
    name: "delete_action",
    method: "POST",
    path: () => "/delete_action",
    body: () => ({ hashed_cid: CID_HASH }),
    need: "master",
    code: "NotMasterAccount",
  },
  {
    name: "update_action_metadata",
    method: "POST",
    path: () => "/update_action_metadata",
    body: () => ({ hashed_cid: CID_HASH, name: "n", description: "d" }),
    need: "master",
    code: "NotMasterAccount",
  },
  {
    name: "create_wallet",
    method: "GET",
    path: () => "/create_wallet",
    need: "createPKPs",
    code: "NotAllowedToCreatePkp",
  },
  {
    name: "add_group",
    method: "POST",
    path: () => "/add_group",
    body: () => ({ group_name: "g", group_description: "d", pkp_ids_permitted: [], cid_hashes_permitted: [] }),
    need: "createGroups",
    code: "NotAllowedToCreateGroup",
  },
  {
    name: "remove_group",
    method: "POST",
    path: () => "/remove_group",
    body: (c) => ({ group_id: String(c.group) }),
    need: "deleteGroups",
    code: "NotAllowedToDeleteGroup",
  },
  {
    name: "add_action_to_group",
    method: "POST",
    path: () => "/add_action_to_group",
    body: (c) => ({ group_id: c.group, action_ipfs_cid: CID }),
    need: "manage",
    code: "NotAllowedToManageIPFSIdsInGroup",
  },
  {
    name: "remove_action_from_group",
    method: "POST",
    path: () => "/remove_action_from_group",
    body: (c) => ({ group_id: c.group, hashed_cid: CID_HASH }),
    need: "manage",
    code: "NotAllowedToManageIPFSIdsInGroup",
  },
  {
    name: "add_pkp_to_group",
    method: "POST",
    path: () => "/add_pkp_to_group",
    body: (c) => ({ group_id: c.group, pkp_id: c.wallet }),
    need: "addPkp",
    code: "NotAllowedToAddPkpToGroup",
  },
  {
    name: "remove_pkp_from_group",
    method: "POST",
    path: () => "/remove_pkp_from_group",
    body: (c) => ({ group_id: c.group, pkp_id: c.wallet }),
    need: "removePkp",
    code: "NotAllowedToRemovePkpFromGroup",
  },
  { name: "list_api_keys", method: "GET", path: () => "/list_api_keys?page_number=0&page_size=10", need: "read" },
  { name: "list_wallets", method: "GET", path: () => "/list_wallets?page_number=0&page_size=10", need: "read" },
  {
    name: "list_wallets_in_group",
    method: "GET",
    path: (c) => `/list_wallets_in_group?group_id=${c.group}&page_number=0&page_size=10`,
    need: "read",
  },
  { name: "list_groups", method: "GET", path: () => "/list_groups?page_number=0&page_size=10", need: "read" },
  { name: "list_actions", method: "GET", path: () => "/list_actions?page_number=0&page_size=10", need: "read" },
  {
    name: "list_actions in group",
    method: "GET",
    path: (c) => `/list_actions?group_id=${c.group}&page_number=0&page_size=10`,
    need: "read",
  },
];

async function setup(): Promise<Ctx> {
  const { app, chain, clock } = await makeApp();
  const { key } = await newAccount(app);
  await post(app, "/add_action", { action_ipfs_cid: CID, name: "a", description: "" }, bearer(key));
  const wallet = await createWallet(app, key);
  const group = Number(await addGroup(app, key, [wallet], [CID_HASH]));
  const target = await usageKey(app, key);
  const none = await usageKey(app, key);
  const all = await usageKey(app, key, {
    can_create_groups: true,
    can_delete_groups: true,
    can_create_pkps: true,
    manage_ipfs_ids_in_groups: [0],
    add_pkp_to_groups: [0],
    remove_pkp_from_groups: [0],
    execute_in_groups: [0],
  });
  const expired = await usageKey(app, key, {
    can_create_groups: true,
    manage_ipfs_ids_in_groups: [0],
    expiration: clock.now - 1,
  });
  return { app, chain, master: key, group, wallet, target, keys: { none, all, expired } };
}

function send(c: Ctx, x: Case, headers: Record<string, string>): Promise<LightMyRequestResponse> {
  const url = `/core/v1${x.path(c)}`;
  if (x.method === "GET") return c.app.inject({ method: "GET", url, headers });
  return c.app.inject({
    method: "POST",
    url,
    payload: JSON.stringify(x.body?.(c) ?? {}),
    headers: { "content-type": "application/json", ...headers },
  });
}

describe("relayer http: authorization matrix", () => {
  for (const x of CASES) {
    describe(x.name, () => {
      it("401 without a key, with an unknown key and with an expired usage key; nothing written", async () => {
        const c = await setup();
        const writes = c.chain.requests.length;
        const missing = await send(c, x, {});
        expect(missing.statusCode).to.equal(401);
        expect(errorBody(missing).code).to.equal("MissingApiKey");
        const unknown = await send(c, x, bearer("not-a-key"));
        expect(unknown.statusCode).to.equal(401);
        expect(errorBody(unknown).code).to.equal("InvalidApiKey");
        const expired = await send(c, x, bearer(c.keys.expired));
        expect(expired.statusCode).to.equal(401);
        expect(errorBody(expired).code).to.equal("UsageApiKeyExpired");
        expect(c.chain.requests.length).to.equal(writes);
      });

      if (x.need !== "read") {
        it(`a usage key without the permission gets 403 ${x.code} before any write`, async () => {
          const c = await setup();
          const writes = c.chain.requests.length;
          const r = await send(c, x, bearer(c.keys.none));
          expect(r.statusCode).to.equal(403);
          expect(errorBody(r).code).to.equal(x.code);
          expect(c.chain.requests.length).to.equal(writes);
        });
      }

      it(
        x.need === "master"
          ? "an all-permission usage key still gets 403; the master key succeeds"
          : "a usage key with [0] / the flag succeeds, and so does the master key",
        async () => {
          for (const who of ["all", "master"] as const) {
            const c = await setup();
            const writes = c.chain.requests.length;
            const r = await send(c, x, bearer(who === "master" ? c.master : c.keys.all));
            if (x.need === "master" && who === "all") {
              expect(r.statusCode).to.equal(403);
              expect(c.chain.requests.length).to.equal(writes);
              continue;
            }
            expect(r.statusCode, `${who}: ${r.body}`).to.equal(200);
            const wrote = c.chain.requests.slice(writes);
            expect(wrote.length).to.equal(x.need === "read" ? 0 : 1);
            if (wrote.length === 1) {
              const sender = who === "master" ? c.master : c.keys.all;
              expect(wrote[0].args[0]).to.equal(keccak256(toUtf8Bytes(sender)));
              expect(wrote[0].idempotencyKey).to.equal(undefined);
            }
          }
        },
      );
    });
  }

  it("a usage key scoped to one group is refused in another group (403) and accepted in its own", async () => {
    const c = await setup();
    const other = Number(await addGroup(c.app, c.master, [c.wallet], [CID_HASH]));
    const scoped = await usageKey(c.app, c.master, {
      manage_ipfs_ids_in_groups: [c.group],
      add_pkp_to_groups: [c.group],
      remove_pkp_from_groups: [c.group],
    });
    for (const [path, body] of [
      ["/add_action_to_group", (g: number) => ({ group_id: g, action_ipfs_cid: CID })],
      ["/remove_action_from_group", (g: number) => ({ group_id: g, hashed_cid: CID_HASH })],
      ["/remove_pkp_from_group", (g: number) => ({ group_id: g, pkp_id: c.wallet })],
      ["/add_pkp_to_group", (g: number) => ({ group_id: g, pkp_id: c.wallet })],
    ] as [string, (g: number) => unknown][]) {
      expect((await post(c.app, path, body(other), bearer(scoped))).statusCode, `${path} other`).to.equal(403);
      expect((await post(c.app, path, body(c.group), bearer(scoped))).statusCode, `${path} own`).to.equal(200);
    }
  });

  it("keys of one account cannot touch another account's groups (404)", async () => {
    const c = await setup();
    const stranger = await newAccount(c.app);
    const writes = c.chain.requests.length;
    const r = await post(
      c.app,
      "/add_action_to_group",
      { group_id: c.group, action_ipfs_cid: CID },
      bearer(stranger.key),
    );
    expect(r.statusCode).to.equal(404);
    expect(
      (
        await c.app.inject({
          method: "GET",
          url: `/core/v1/list_wallets_in_group?group_id=${c.group}&page_number=0&page_size=1`,
          headers: bearer(stranger.key),
        })
      ).statusCode,
    ).to.equal(404);
    expect(c.chain.requests.length).to.equal(writes);
  });
});
