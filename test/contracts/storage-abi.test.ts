/**
 * (a) ERC-7201 storage slots: the constants in the libraries equal their documented derivation and
 *     the deployed diamond keeps its state there.
 * (b) ABI surface: the diamond's selectors equal IAccountConfig's, and every function, event and
 *     error of the ABI surface (test/fixtures/spec/abi-surface.md, a copy of the spec's list) exists with the documented shape.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import path from "node:path";
import { artifacts, ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ErrorFragment, EventFragment, FunctionFragment, Interface, type ParamType } from "ethers";
import { deployDiamond } from "../fixtures/diamond";
import { FACET_NAMES, selectorsOf } from "../../scripts/lib/diamond";
import { createManagedAccount } from "../fixtures/support";
import { specPath } from "../fixtures/spec";

const REPO = path.resolve(__dirname, "..", "..");
const ABI_SURFACE = specPath("abi-surface.md");

/** keccak256(abi.encode(uint256(keccak256(namespace)) - 1)) & ~bytes32(uint256(0xff)) */
function erc7201Slot(namespace: string): string {
  const inner = BigInt(ethers.keccak256(ethers.toUtf8Bytes(namespace))) - 1n;
  const outer = BigInt(ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["uint256"], [inner])));
  return ethers.toBeHex(outer & ~0xffn, 32);
}

/** The bytes32 STORAGE_SLOT constant declared in a Solidity source file. */
function slotConstantIn(relativePath: string): string {
  const source = readFileSync(path.join(REPO, relativePath), "utf8");
  const m = source.match(/bytes32\s+internal\s+constant\s+STORAGE_SLOT\s*=\s*(0x[0-9a-fA-F]{64})\s*;/);
  if (!m) throw new Error(`no STORAGE_SLOT constant in ${relativePath}`);
  return m[1].toLowerCase();
}

/** The erc7201 namespace named by the @custom:storage-location tag of a Solidity source file. */
function storageLocationIn(relativePath: string): string {
  const source = readFileSync(path.join(REPO, relativePath), "utf8");
  const m = source.match(/@custom:storage-location\s+erc7201:([\w.]+)/);
  if (!m) throw new Error(`no @custom:storage-location in ${relativePath}`);
  return m[1];
}

const slotPlus = (slot: string, offset: number): string => ethers.toBeHex(BigInt(slot) + BigInt(offset), 32);
const word = (value: bigint | string): string => ethers.toBeHex(typeof value === "string" ? BigInt(value) : value, 32);

// ------------------------------------------------------------------ abi-surface.md parsing

interface SurfaceEntries {
  errors: ErrorFragment[];
  events: EventFragment[];
  functions: FunctionFragment[];
}

/** Split a parameter list on top-level commas (tuples may nest parentheses). */
function splitParams(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of list) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(current.trim());
      current = "";
    } else current += ch;
  }
  if (current.trim() !== "") out.push(current.trim());
  return out;
}

/** Index of the parenthesis closing the one at `open`. */
function closingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "(") depth++;
    if (text[i] === ")" && --depth === 0) return i;
  }
  throw new Error(`unbalanced parentheses: ${text}`);
}

function parseSurface(markdown: string): SurfaceEntries {
  const blocks = [...markdown.matchAll(/```[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1]);
  const lines = blocks.flatMap((b) => b.split("\n")).map((l) => l.trim());
  const entries: SurfaceEntries = { errors: [], events: [], functions: [] };
  for (const line of lines) {
    if (line.startsWith("error ")) {
      entries.errors.push(ErrorFragment.from(line));
    } else if (line.startsWith("event ")) {
      // spec style: `uint256 apiKeyHash indexed` -> human-readable ABI: `uint256 indexed apiKeyHash`
      const open = line.indexOf("(");
      const close = closingParen(line, open);
      const params = splitParams(line.slice(open + 1, close)).map((p) => {
        const words = p.split(/\s+/);
        if (words[words.length - 1] !== "indexed") return p;
        return [words[0], "indexed", ...words.slice(1, -1)].join(" ");
      });
      entries.events.push(EventFragment.from(`${line.slice(0, open)}(${params.join(", ")})`));
    } else if (line.startsWith("function ")) {
      // spec style: `function f(args) view -> ret` / `nonpayable -> ` (no return value)
      const open = line.indexOf("(");
      const close = closingParen(line, open);
      const head = line.slice(0, close + 1);
      const [mutability, returns] = line
        .slice(close + 1)
        .split("->")
        .map((s) => s.trim());
      // ethers' human-readable ABI has no `nonpayable` keyword: it is the default
      const modifier = mutability === "nonpayable" ? "" : ` ${mutability}`;
      const human = `${head}${modifier}${returns ? ` returns (${returns})` : ""}`;
      entries.functions.push(FunctionFragment.from(human));
    }
  }
  return entries;
}

const canonicalOutputs = (params: readonly ParamType[]): string => params.map((p) => p.format("sighash")).join(",");
const indexedFlags = (e: EventFragment): boolean[] => e.inputs.map((i) => i.indexed === true);

async function iAccountConfig(): Promise<Interface> {
  return new Interface((await artifacts.readArtifact("IAccountConfig")).abi);
}

describe("Storage layout and ABI surface", () => {
  describe("ERC-7201 storage slots", () => {
    it("LibAccountConfig.STORAGE_SLOT equals the documented derivation of \"accountconfig.storage.main\"", () => {
      expect(slotConstantIn("contracts/libraries/LibAccountConfig.sol")).to.equal(erc7201Slot("accountconfig.storage.main"));
    });

    it("LibAccountConfig declares the namespace it derives the slot from", () => {
      const source = readFileSync(path.join(REPO, "contracts/libraries/LibAccountConfig.sol"), "utf8");
      expect(storageLocationIn("contracts/libraries/LibAccountConfig.sol")).to.equal("accountconfig.storage.main");
      expect(source).to.match(/string\s+internal\s+constant\s+NAMESPACE\s*=\s*"accountconfig\.storage\.main"\s*;/);
    });

    it("LibDiamond.STORAGE_SLOT equals the documented derivation of \"accountconfig.storage.diamond\"", () => {
      expect(storageLocationIn("contracts/libraries/LibDiamond.sol")).to.equal("accountconfig.storage.diamond");
      expect(slotConstantIn("contracts/libraries/LibDiamond.sol")).to.equal(erc7201Slot("accountconfig.storage.diamond"));
    });

    it("uses two different slots for application and diamond storage", () => {
      expect(erc7201Slot("accountconfig.storage.main")).to.not.equal(erc7201Slot("accountconfig.storage.diamond"));
    });

    it("stores initializedVersion = 2 at offset 0 of the main slot after deployment", async () => {
      const f = await loadFixture(deployDiamond);
      const slot = erc7201Slot("accountconfig.storage.main");
      expect(await ethers.provider.getStorage(f.diamondAddress, slot)).to.equal(word(2n));
    });

    it("stores the shared group counter (nextGroupId) at offset 1 of the main slot", async () => {
      const f = await loadFixture(deployDiamond);
      const slot = erc7201Slot("accountconfig.storage.main");
      expect(await ethers.provider.getStorage(f.diamondAddress, slotPlus(slot, 1))).to.equal(word(0n));
      const master = await createManagedAccount(f);
      await f.diamond.connect(f.payer).addGroup(master, "a", "", [], []);
      await f.diamond.connect(f.payer).addGroup(master, "b", "", [], []);
      expect(await ethers.provider.getStorage(f.diamondAddress, slotPlus(slot, 1))).to.equal(word(2n));
    });

    it("stores the account hash list length at offset 4 of the main slot", async () => {
      const f = await loadFixture(deployDiamond);
      const slot = erc7201Slot("accountconfig.storage.main");
      await createManagedAccount(f, "a");
      await createManagedAccount(f, "b");
      await createManagedAccount(f, "c");
      expect(await ethers.provider.getStorage(f.diamondAddress, slotPlus(slot, 4))).to.equal(word(3n));
      expect(await f.diamond.accountCount()).to.equal(3n);
    });

    it("stores the facet address count at offset 2 and the owner at offset 4 of the diamond slot", async () => {
      const f = await loadFixture(deployDiamond);
      const slot = erc7201Slot("accountconfig.storage.diamond");
      expect(await ethers.provider.getStorage(f.diamondAddress, slotPlus(slot, 2))).to.equal(word(BigInt(FACET_NAMES.length)));
      expect(await ethers.provider.getStorage(f.diamondAddress, slotPlus(slot, 4))).to.equal(word(f.owner.address));
      await f.diamond.transferOwnership(f.users[0].address);
      expect(await ethers.provider.getStorage(f.diamondAddress, slotPlus(slot, 4))).to.equal(word(f.users[0].address));
    });

    it("keeps low storage slots (0..9) of the diamond empty", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      await f.diamond.connect(f.payer).addGroup(master, "a", "", [], []);
      for (let i = 0; i < 10; i++) {
        expect(await ethers.provider.getStorage(f.diamondAddress, i), `slot ${i}`).to.equal(word(0n));
      }
    });
  });

  describe("selectors", () => {
    it("no selector is served by two facets", async () => {
      const f = await loadFixture(deployDiamond);
      const all = (await f.diamond.facets()).flatMap((facet) => [...facet.functionSelectors]);
      expect(new Set(all).size).to.equal(all.length);
    });

    it("the union of facet selectors equals the selectors of IAccountConfig exactly", async () => {
      const f = await loadFixture(deployDiamond);
      const onDiamond = (await f.diamond.facets()).flatMap((facet) => [...facet.functionSelectors]).sort();
      const declared = selectorsOf(await iAccountConfig());
      expect(onDiamond).to.deep.equal(declared);
    });

    it("every facet function matches IAccountConfig in outputs and mutability", async () => {
      const iface = await iAccountConfig();
      for (const name of FACET_NAMES) {
        const facetIface = (await ethers.getContractFactory(name)).interface;
        facetIface.forEachFunction((fn) => {
          const declared = iface.getFunction(fn.selector);
          expect(declared, `${name}.${fn.format("sighash")}`).to.not.equal(null);
          expect(canonicalOutputs(declared!.outputs), fn.format("sighash")).to.equal(canonicalOutputs(fn.outputs));
          expect(declared!.stateMutability, fn.format("sighash")).to.equal(fn.stateMutability);
        });
      }
    });
  });

  describe("abi-surface.md compatibility", () => {
    let surface: SurfaceEntries;
    before(() => {
      surface = parseSurface(readFileSync(ABI_SURFACE, "utf8"));
    });

    it("parses the whole surface (20 errors, 25 events, 65 functions)", () => {
      expect(surface.errors.length).to.equal(20);
      expect(surface.events.length).to.equal(25);
      expect(surface.functions.length).to.equal(65);
      const names = surface.functions.map((fn) => fn.name);
      expect(names).to.include.members([
        "setUsageApiKey",
        "listApiKeys",
        "transferChainSecuredAccountOwnership",
        "setPricingOperator",
        "reclaimAddressAlias",
      ]);
    });

    it("every function of the surface is served by a facet of the deployed diamond", async () => {
      const f = await loadFixture(deployDiamond);
      for (const fn of surface.functions) {
        expect(await f.diamond.facetAddress(fn.selector), fn.format("sighash")).to.not.equal(ethers.ZeroAddress);
      }
    });

    it("every function of the surface has the documented return shape in IAccountConfig", async () => {
      const iface = await iAccountConfig();
      for (const fn of surface.functions) {
        const declared = iface.getFunction(fn.selector);
        expect(declared, fn.format("sighash")).to.not.equal(null);
        expect(canonicalOutputs(declared!.outputs), fn.format("sighash")).to.equal(canonicalOutputs(fn.outputs));
      }
    });

    it("every function of the surface has the documented state mutability in IAccountConfig", async () => {
      const iface = await iAccountConfig();
      for (const fn of surface.functions) {
        expect(iface.getFunction(fn.selector)?.stateMutability, fn.format("sighash")).to.equal(fn.stateMutability);
      }
    });

    it("every event of the surface exists in IAccountConfig with the same topic and indexed arguments", async () => {
      const iface = await iAccountConfig();
      for (const ev of surface.events) {
        const declared = iface.getEvent(ev.topicHash);
        expect(declared, ev.format("sighash")).to.not.equal(null);
        expect(indexedFlags(declared!), ev.format("sighash")).to.deep.equal(indexedFlags(ev));
      }
    });

    it("every error of the surface exists in IAccountConfig with the same selector", async () => {
      const iface = await iAccountConfig();
      for (const err of surface.errors) {
        expect(iface.getError(err.selector)?.format("sighash"), err.format("sighash")).to.equal(err.format("sighash"));
      }
    });

    it("the diamond's typed binding decodes the surface's events and errors", async () => {
      const f = await loadFixture(deployDiamond);
      const iface = f.diamond.interface as unknown as Interface;
      for (const ev of surface.events) expect(iface.getEvent(ev.topicHash), ev.name).to.not.equal(null);
      for (const err of surface.errors) expect(iface.getError(err.selector), err.name).to.not.equal(null);
    });
  });
});
