/**
 * The ChainSecured endpoints over HTTP against a real relayer and the in-process chain:
 * create_wallet_with_signature, add_usage_api_key_with_signature, convert_to_chain_secured_account,
 * their rejections (wrong flow, replay, no account, wrong caller), an ERC-1271 contract wallet
 * accepted for conversion, and the exploit test: PKP material minted for wallet A cannot be
 * registered and used by account B.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { startHarness, type Harness } from "../e2e/relayer-harness";
import { chainSecuredHash, pkpAddress } from "../../../src/core";
import { chainSecuredTypedData, type WalletFlow } from "../../../src/relayer/services/wallet-signatures";
import { TEST_SEED, seededRandom } from "../../fixtures/seed";
import { PkpKeys } from "../../../src/relayer/services/wallet-signatures-keys";
import { ServiceError } from "../../../src/relayer/services/errors";

const now = () => Math.floor(Date.now() / 1000);
let issued = 0;
/** A fresh issuedAt per signature (the server accepts each signature once). */
const fresh = () => (issued = Math.max(now(), issued + 1));

async function sign(
  signer: HardhatEthersSigner,
  flow: WalletFlow,
  opts: { address?: string; issuedAt?: number } = {},
): Promise<{ typed_data: ReturnType<typeof chainSecuredTypedData>; signature: string }> {
  const typed = chainSecuredTypedData(flow, opts.address ?? signer.address, 31337, opts.issuedAt ?? fresh());
  const signature = await signer.signTypedData(typed.domain, { [flow]: typed.types[flow] }, typed.message);
  return { typed_data: typed, signature };
}

describe("ChainSecured endpoints (real relayer, in-process chain)", function () {
  this.timeout(180_000);
  let h: Harness;
  let admin: HardhatEthersSigner; // a ChainSecured account's admin
  let stranger: HardhatEthersSigner; // no account
  let other: HardhatEthersSigner; // another ChainSecured account (account B)

  const sync = async () => h.relayer.chain.indexer.syncTo(await ethers.provider.getBlockNumber());
  const newManaged = async () => {
    const res = await h.call("POST", "/core/v1/new_account", {
      body: { account_name: "api", account_description: "" },
    });
    expect(res.statusCode, res.body).to.equal(200);
    const key = (res.json() as { api_key: string }).api_key;
    return { key, master: ethers.keccak256(ethers.toUtf8Bytes(key)) };
  };

  before(async () => {
    h = await startHarness();
    [admin, stranger, other] = h.f.users;
    await (await h.f.diamond.connect(admin).newChainSecuredAccount("A", "account A")).wait();
    await (await h.f.diamond.connect(other).newChainSecuredAccount("B", "account B")).wait();
    await sync();
  });
  after(async () => {
    await h?.close();
  });

  describe("POST /create_wallet_with_signature", () => {
    it("mints a wallet bound to the signer's account; the admin registers it on-chain", async () => {
      const res = await h.call("POST", "/core/v1/create_wallet_with_signature", {
        body: { wallet_address: admin.address, ...(await sign(admin, "CreateWallet")) },
      });
      expect(res.statusCode, res.body).to.equal(200);
      const body = res.json() as { wallet_address: string; derivation_path: string };
      expect(body.wallet_address).to.match(/^0x[0-9a-f]{40}$/);
      expect(body.derivation_path).to.match(/^0x[1-9a-f][0-9a-f]*$/);
      const master = chainSecuredHash(admin.address);
      expect(pkpAddress(h.relayer.config.rootSecret, master, BigInt(body.derivation_path))).to.equal(
        body.wallet_address,
      );
      await (
        await h.f.diamond
          .connect(admin)
          .registerWalletDerivation(master, body.wallet_address, body.derivation_path, "w", "")
      ).wait();
      await sync();
      const key = await new PkpKeys(h.relayer.store.index, h.relayer.config.rootSecret).signingKey(
        master,
        body.wallet_address,
      );
      expect(new ethers.Wallet(key.privateKey).address.toLowerCase()).to.equal(body.wallet_address);
    });

    it("a wallet without an account gets 404 AccountDoesNotExist", async () => {
      const res = await h.call("POST", "/core/v1/create_wallet_with_signature", {
        body: await sign(stranger, "CreateWallet"),
      });
      expect(res.statusCode, res.body).to.equal(404);
      expect(res.json()).to.include({ code: "AccountDoesNotExist" });
    });

    it("a replayed request is 409; a body address that is not the signer is 401", async () => {
      const body = await sign(admin, "CreateWallet");
      expect((await h.call("POST", "/core/v1/create_wallet_with_signature", { body })).statusCode).to.equal(200);
      const again = await h.call("POST", "/core/v1/create_wallet_with_signature", { body });
      expect(again.statusCode, again.body).to.equal(409);
      expect(again.json()).to.include({
        code: "SignatureAlreadyUsed",
        error: "signature already used; sign a new message",
      });
      const mismatch = await h.call("POST", "/core/v1/create_wallet_with_signature", {
        body: { wallet_address: other.address, ...(await sign(admin, "CreateWallet")) },
      });
      expect(mismatch.statusCode).to.equal(401);
      expect(mismatch.json()).to.include({ code: "AddressMismatch" });
    });

    it("an AddUsageApiKey signature is refused here (primaryType pinned per endpoint); shape errors are 422", async () => {
      const res = await h.call("POST", "/core/v1/create_wallet_with_signature", {
        body: await sign(admin, "AddUsageApiKey"),
      });
      expect(res.statusCode).to.equal(401);
      expect(res.json()).to.include({ code: "WrongPrimaryType" });
      const shape = await h.call("POST", "/core/v1/create_wallet_with_signature", { body: { typed_data: {} } });
      expect(shape.statusCode).to.equal(422);
    });
  });

  describe("legacy signed-text messages (older clients)", () => {
    it("create_wallet_with_signature accepts {message, signature}; the same message again is 409", async () => {
      const message = [
        "Sign this message to create a new wallet for your account.",
        `Address: ${admin.address}`,
        "Chain ID: 31337",
        `Issued At: ${fresh()}`,
      ].join("\n");
      const body = { message, signature: await admin.signMessage(message) };
      const res = await h.call("POST", "/core/v1/create_wallet_with_signature", { body });
      expect(res.statusCode, res.body).to.equal(200);
      const again = await h.call("POST", "/core/v1/create_wallet_with_signature", { body });
      expect(again.statusCode).to.equal(409);
      const convertText = message.replace("create a new wallet for", "take admin ownership of");
      const wrongFlow = await h.call("POST", "/core/v1/add_usage_api_key_with_signature", {
        body: { message: convertText, signature: await admin.signMessage(convertText) },
      });
      expect(wrongFlow.statusCode).to.equal(401);
      expect(wrongFlow.json()).to.include({ code: "WrongPrimaryType" });
    });
  });

  describe("POST /add_usage_api_key_with_signature", () => {
    it("mints a usage key and a wallet; after registerWalletDerivation + setUsageApiKey the key works over HTTP", async () => {
      const res = await h.call("POST", "/core/v1/add_usage_api_key_with_signature", {
        body: await sign(admin, "AddUsageApiKey"),
      });
      expect(res.statusCode, res.body).to.equal(200);
      const body = res.json() as { usage_api_key: string; wallet_address: string; derivation_path: string };
      expect(body.usage_api_key).to.match(/^[A-Za-z0-9+/]{43}=$/);
      const master = chainSecuredHash(admin.address);
      const d = h.f.diamond.connect(admin);
      await (await d.registerWalletDerivation(master, body.wallet_address, body.derivation_path, "k", "")).wait();
      const usageHash = ethers.keccak256(ethers.toUtf8Bytes(body.usage_api_key));
      await (await d.setUsageApiKey(master, usageHash, 0, 0, "k", "", false, false, false, [], [], [], [0])).wait();
      await sync();
      const exists = await h.call("GET", "/core/v1/account_exists", { key: body.usage_api_key });
      expect(exists.json()).to.equal(true);
      const listed = await h.call("GET", "/core/v1/list_api_keys?page_number=0&page_size=10", {
        key: body.usage_api_key,
      });
      expect((listed.json() as { api_key_hash: string }[])[0].api_key_hash).to.equal(usageHash);
    });
  });

  describe("POST /convert_to_chain_secured_account", () => {
    it("a CreateWallet signature sent to convert is 401 WrongPrimaryType; no key is 401; nothing changes", async () => {
      const { key, master } = await newManaged();
      const fresh = ethers.Wallet.createRandom().connect(ethers.provider);
      const signer = fresh as unknown as HardhatEthersSigner;
      const wrong = await sign(signer, "CreateWallet");
      const res = await h.call("POST", "/core/v1/convert_to_chain_secured_account", {
        key,
        body: { new_admin_wallet_address: fresh.address, ...wrong },
      });
      expect(res.statusCode, res.body).to.equal(401);
      expect(res.json()).to.include({ code: "WrongPrimaryType" });
      const noKey = await h.call("POST", "/core/v1/convert_to_chain_secured_account", {
        body: { new_admin_wallet_address: fresh.address, ...(await sign(signer, "ConvertAccount")) },
      });
      expect(noKey.statusCode).to.equal(401);
      expect((await h.f.diamond.getAccount(master)).managed).to.equal(true);
    });

    it("converts with the master key and the new admin's signature; a second conversion is 409", async () => {
      const { key, master } = await newManaged();
      const newAdmin = h.f.users[3];
      const res = await h.call("POST", "/core/v1/convert_to_chain_secured_account", {
        key,
        body: { new_admin_wallet_address: newAdmin.address.toLowerCase(), ...(await sign(newAdmin, "ConvertAccount")) },
      });
      expect(res.statusCode, res.body).to.equal(200);
      expect(res.json()).to.deep.equal({
        success: true,
        wallet_address: newAdmin.address.toLowerCase(),
        api_key_hash: master,
      });
      const account = await h.f.diamond.getAccount(master);
      expect(account.managed).to.equal(false);
      expect(account.adminWalletAddress).to.equal(newAdmin.address);
      const again = await h.call("POST", "/core/v1/convert_to_chain_secured_account", {
        key,
        body: { new_admin_wallet_address: h.f.users[4].address, ...(await sign(h.f.users[4], "ConvertAccount")) },
      });
      expect(again.statusCode, again.body).to.equal(409);
    });

    it("refuses a new admin that already owns an account with 409 AccountAlreadyExists (signature given back)", async () => {
      const { key } = await newManaged();
      const body = { new_admin_wallet_address: admin.address, ...(await sign(admin, "ConvertAccount")) };
      const res = await h.call("POST", "/core/v1/convert_to_chain_secured_account", { key, body });
      expect(res.statusCode, res.body).to.equal(409);
      expect(res.json()).to.include({ code: "AccountAlreadyExists" });
    });

    it("accepts an ERC-1271 contract wallet (asked on-chain) and refuses a signature its owner did not make", async () => {
      const owner = h.f.users[5];
      const factory = await ethers.getContractFactory("ERC1271WalletTest");
      const wallet = await factory.deploy(owner.address);
      await wallet.waitForDeployment();
      const walletAddress = (await wallet.getAddress()).toLowerCase();

      const { key, master } = await newManaged();
      const forged = await sign(h.f.users[6], "ConvertAccount", { address: walletAddress });
      const refused = await h.call("POST", "/core/v1/convert_to_chain_secured_account", {
        key,
        body: { new_admin_wallet_address: walletAddress, ...forged },
      });
      expect(refused.statusCode, refused.body).to.equal(401);
      expect(refused.json()).to.include({ code: "SignerMismatch" });

      const signed = await sign(owner, "ConvertAccount", { address: walletAddress });
      const res = await h.call("POST", "/core/v1/convert_to_chain_secured_account", {
        key,
        body: { new_admin_wallet_address: walletAddress, ...signed },
      });
      expect(res.statusCode, res.body).to.equal(200);
      expect((await h.f.diamond.getAccount(master)).adminWalletAddress.toLowerCase()).to.equal(walletAddress);
      // the contract wallet is now the admin: its owner can write through it
      const call = h.f.diamond.interface.encodeFunctionData("addAction", [master, "a", "", ethers.id("QmX")]);
      await (await wallet.connect(owner).getFunction("execute")(await h.f.diamond.getAddress(), call)).wait();
      expect((await h.f.diamond.listActions(master, 0, 10)).length).to.equal(1);
    });
  });

  describe("verifier failures over HTTP", () => {
    it("each failed check answers its own status, code and message", async () => {
      const url = "/core/v1/create_wallet_with_signature";
      const good = await sign(admin, "CreateWallet");
      const cases: { body: unknown; status: number; code: string; says: string }[] = [
        {
          body: { ...good, typed_data: { ...good.typed_data, padding: "x".repeat(5000) } },
          status: 400,
          code: "TypedDataTooLarge",
          says: "4096",
        },
        {
          body: await sign(admin, "CreateWallet", { issuedAt: now() - 301 }),
          status: 401,
          code: "SignatureExpired",
          says: "too old",
        },
        {
          body: await sign(admin, "CreateWallet", { issuedAt: now() + 400 }),
          status: 401,
          code: "SignatureExpired",
          says: "in the future",
        },
        {
          body: { ...good, typed_data: { ...good.typed_data, domain: { ...good.typed_data.domain, chainId: 1 } } },
          status: 401,
          code: "WrongChainId",
          says: "31337",
        },
        {
          body: { ...good, typed_data: { ...good.typed_data, domain: { ...good.typed_data.domain, name: "Lit" } } },
          status: 401,
          code: "WrongDomain",
          says: "Lit ChainSecured",
        },
        {
          body: {
            ...good,
            typed_data: {
              ...good.typed_data,
              types: { ...good.typed_data.types, CreateWallet: [...good.typed_data.types.CreateWallet].reverse() },
            },
          },
          status: 400,
          code: "InvalidTypes",
          says: "in this order",
        },
        {
          body: {
            ...good,
            typed_data: { ...good.typed_data, message: { ...good.typed_data.message, address: other.address } },
          },
          status: 401,
          code: "SignerMismatch",
          says: "recovered signer",
        },
      ];
      for (const c of cases) {
        const res = await h.call("POST", url, { body: c.body });
        expect(res.statusCode, `${c.code}: ${res.body}`).to.equal(c.status);
        const body = res.json() as { code: string; error: string };
        expect(body.code).to.equal(c.code);
        expect(body.error).to.contain(c.says);
      }
      // none of them consumed the good signature
      expect((await h.call("POST", url, { body: good })).statusCode).to.equal(200);
    });

    it(`random bodies never produce a 5xx (seed ${TEST_SEED})`, async () => {
      const good = await sign(admin, "ConvertAccount");
      const values: unknown[] = [
        null,
        0,
        -1,
        1.5,
        "",
        "0x",
        "0xzz",
        "x".repeat(300),
        [],
        {},
        true,
        good.typed_data,
        good.signature,
      ];
      const random = seededRandom();
      const pick = () => values[Math.floor(random() * values.length)];
      const paths = [
        "/create_wallet_with_signature",
        "/add_usage_api_key_with_signature",
        "/convert_to_chain_secured_account",
      ];
      const { key } = await newManaged();
      for (let i = 0; i < 150; i++) {
        const body: Record<string, unknown> = {};
        for (const f of ["typed_data", "message", "signature", "wallet_address", "new_admin_wallet_address"])
          if (random() < 0.7) body[f] = pick();
        const path = paths[i % paths.length];
        const res = await h.call("POST", `/core/v1${path}`, { key: i % 2 === 0 ? key : undefined, body });
        expect(res.statusCode, `${path} ${JSON.stringify(body).slice(0, 200)} -> ${res.body}`).to.be.below(500);
      }
    });
  });

  describe("exploit: PKP material minted for wallet A is useless to account B", () => {
    it("B can register A's minted (pkpId, derivation) but the server refuses to use it; A's own registration then fails", async () => {
      const res = await h.call("POST", "/core/v1/create_wallet_with_signature", {
        body: await sign(admin, "CreateWallet"),
      });
      expect(res.statusCode, res.body).to.equal(200);
      const stolen = res.json() as { wallet_address: string; derivation_path: string };
      const masterA = chainSecuredHash(admin.address);
      const masterB = chainSecuredHash(other.address);

      // B front-runs with the stolen response: the contract cannot know the key, so this lands...
      await (
        await h.f.diamond
          .connect(other)
          .registerWalletDerivation(masterB, stolen.wallet_address, stolen.derivation_path, "x", "")
      ).wait();
      await sync();
      // ...but for B the derivation derives another address, so no key is ever produced for it
      expect(pkpAddress(h.relayer.config.rootSecret, masterB, BigInt(stolen.derivation_path))).to.not.equal(
        stolen.wallet_address,
      );
      const keys = new PkpKeys(h.relayer.store.index, h.relayer.config.rootSecret);
      let refused: unknown;
      try {
        await keys.signingKey(masterB, stolen.wallet_address);
      } catch (e) {
        refused = e;
      }
      expect(refused).to.be.instanceOf(ServiceError);
      expect((refused as ServiceError).code).to.equal("PkpNotBoundToAccount");
      // A cannot use it either (registered to B), and cannot register it again: derivations and pkpIds are unique
      let notMine: unknown;
      try {
        await keys.signingKey(masterA, stolen.wallet_address);
      } catch (e) {
        notMine = e;
      }
      expect((notMine as ServiceError).code).to.equal("PkpDoesNotExist");
      await expect(
        h.f.diamond
          .connect(admin)
          .registerWalletDerivation(masterA, stolen.wallet_address, stolen.derivation_path, "w", ""),
      ).to.be.revertedWithCustomError(h.f.diamond, "WalletAlreadyRegistered");

      // and a Lit Action of B asking for the key is refused by the runtime
      {
        const keyB = "account-b-usage-key";
        const hashB = ethers.keccak256(ethers.toUtf8Bytes(keyB));
        await (
          await h.f.diamond
            .connect(other)
            .setUsageApiKey(masterB, hashB, 0, 0, "b", "", false, false, false, [], [], [], [0])
        ).wait();
        await sync();
        const code = `async function main() { return await Lit.Actions.getPrivateKey({ pkpId: "${stolen.wallet_address}" }); }`;
        const run = await h.call("POST", "/core/v1/lit_action", { key: keyB, body: { code } });
        expect(run.statusCode, run.body).to.equal(200);
        const out = run.json() as { response: unknown; logs: string; has_error: boolean };
        expect(out.has_error, run.body).to.equal(true);
        expect(out.response).to.contain("not a key of this server");
        expect(run.body).to.not.match(/0x[0-9a-f]{64}/);
      }
    });

    it("B's own mint never yields A's wallet: the key context includes the account's master hash", async () => {
      const a = (
        await h.call("POST", "/core/v1/create_wallet_with_signature", { body: await sign(admin, "CreateWallet") })
      ).json() as {
        wallet_address: string;
        derivation_path: string;
      };
      const b = (
        await h.call("POST", "/core/v1/create_wallet_with_signature", { body: await sign(other, "CreateWallet") })
      ).json() as {
        wallet_address: string;
        derivation_path: string;
      };
      const root = h.relayer.config.rootSecret;
      expect(pkpAddress(root, chainSecuredHash(other.address), BigInt(a.derivation_path))).to.not.equal(
        a.wallet_address,
      );
      expect(pkpAddress(root, chainSecuredHash(other.address), BigInt(b.derivation_path))).to.equal(b.wallet_address);
    });
  });
});
