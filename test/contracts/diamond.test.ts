/**
 * EIP-2535 machinery: loupe, ERC-165, ERC-173 ownership, diamondCut validation, initializer,
 * fallback behaviour. docs/contract-behaviour.md "Diamond".
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond, type DiamondFixture } from "../fixtures/diamond";
import { FACET_NAMES, FacetCutAction, selectorsOf, type FacetCut, type InitArgs } from "../../scripts/lib/diamond";

const NO_SELECTOR = "0x00000000";

async function facetSelectors(name: string): Promise<string[]> {
  return selectorsOf((await ethers.getContractFactory(name)).interface);
}

async function initV1Calldata(f: DiamondFixture): Promise<string> {
  const init = await ethers.getContractAt("AccountConfigInit", f.initAddress);
  const args: InitArgs = {
    configOperator: f.users[0].address,
    pricingOperator: f.users[1].address,
    adminApiPayer: f.users[2].address,
    apiPayers: [f.users[3].address],
  };
  return init.interface.encodeFunctionData("initializeV1", [args]);
}

const sel = (signature: string): string => ethers.id(signature).slice(0, 10);

describe("Diamond (cut, loupe, ownership, ERC-165)", () => {
  describe("loupe", () => {
    it("facets() lists every facet with exactly the selectors of its contract", async () => {
      const f = await loadFixture(deployDiamond);
      const facets = await f.diamond.facets();
      expect(facets.length).to.equal(FACET_NAMES.length);
      for (const name of FACET_NAMES) {
        const entry = facets.find((x) => x.facetAddress === f.facets[name]);
        expect(entry, name).to.not.equal(undefined);
        expect([...entry!.functionSelectors].sort(), name).to.deep.equal(await facetSelectors(name));
      }
    });

    it("facetAddresses() lists every deployed facet once", async () => {
      const f = await loadFixture(deployDiamond);
      const addresses = await f.diamond.facetAddresses();
      expect(addresses.length).to.equal(FACET_NAMES.length);
      expect([...addresses]).to.have.members(FACET_NAMES.map((n) => f.facets[n]));
    });

    it("facetFunctionSelectors(facet) returns the facet's selectors", async () => {
      const f = await loadFixture(deployDiamond);
      for (const name of FACET_NAMES) {
        const selectors = await f.diamond.facetFunctionSelectors(f.facets[name]);
        expect([...selectors].sort(), name).to.deep.equal(await facetSelectors(name));
      }
    });

    it("facetFunctionSelectors returns an empty list for an address that is not a facet", async () => {
      const f = await loadFixture(deployDiamond);
      expect(await f.diamond.facetFunctionSelectors(f.users[0].address)).to.deep.equal([]);
    });

    it("facetAddress(selector) maps every selector to the facet that serves it", async () => {
      const f = await loadFixture(deployDiamond);
      for (const name of FACET_NAMES) {
        for (const selector of await facetSelectors(name)) {
          expect(await f.diamond.facetAddress(selector), `${name} ${selector}`).to.equal(f.facets[name]);
        }
      }
    });

    it("facetAddress returns the zero address for an unknown selector", async () => {
      const f = await loadFixture(deployDiamond);
      expect(await f.diamond.facetAddress("0xdeadbeef")).to.equal(ethers.ZeroAddress);
    });
  });

  describe("supportsInterface", () => {
    const supported: [string, string][] = [
      ["IERC165", "0x01ffc9a7"],
      ["IDiamondCut", "0x1f931c1c"],
      ["IDiamondLoupe", "0x48e2b093"],
      ["IERC173", "0x7f5828d0"],
    ];
    for (const [name, id] of supported) {
      it(`reports ${name} (${id}) as supported`, async () => {
        const f = await loadFixture(deployDiamond);
        expect(await f.diamond.supportsInterface(id)).to.equal(true);
      });
    }

    it("reports 0xffffffff as unsupported", async () => {
      const f = await loadFixture(deployDiamond);
      expect(await f.diamond.supportsInterface("0xffffffff")).to.equal(false);
    });

    it("reports an arbitrary interface id as unsupported", async () => {
      const f = await loadFixture(deployDiamond);
      expect(await f.diamond.supportsInterface("0x12345678")).to.equal(false);
    });

    it("uses interface ids equal to the XOR of the interfaces' selectors", async () => {
      const xor = (sigs: string[]) =>
        "0x" +
        sigs
          .map((s) => BigInt(sel(s)))
          .reduce((a, b) => a ^ b, 0n)
          .toString(16)
          .padStart(8, "0");
      expect(xor(["diamondCut((address,uint8,bytes4[])[],address,bytes)"])).to.equal("0x1f931c1c");
      expect(
        xor(["facets()", "facetFunctionSelectors(address)", "facetAddresses()", "facetAddress(bytes4)"]),
      ).to.equal("0x48e2b093");
      expect(xor(["owner()", "transferOwnership(address)"])).to.equal("0x7f5828d0");
      expect(xor(["supportsInterface(bytes4)"])).to.equal("0x01ffc9a7");
    });
  });

  describe("ownership (ERC-173)", () => {
    it("owner() returns the owner given to the constructor", async () => {
      const f = await loadFixture(deployDiamond);
      expect(await f.diamond.owner()).to.equal(f.owner.address);
    });

    it("transferOwnership sets the new owner and emits OwnershipTransferred", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.owner).transferOwnership(f.users[0].address))
        .to.emit(f.diamond, "OwnershipTransferred")
        .withArgs(f.owner.address, f.users[0].address);
      expect(await f.diamond.owner()).to.equal(f.users[0].address);
    });

    it("transferOwnership by a non-owner reverts NotContractOwner(sender, owner)", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.configOperator).transferOwnership(f.configOperator.address))
        .to.be.revertedWithCustomError(f.diamond, "NotContractOwner")
        .withArgs(f.configOperator.address, f.owner.address);
    });

    it("transferOwnership to the zero address reverts InvalidRequest", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.transferOwnership(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("newOwner: zero address");
      expect(await f.diamond.owner()).to.equal(f.owner.address);
    });

    it("moves owner-only rights to the new owner and away from the old one", async () => {
      const f = await loadFixture(deployDiamond);
      const newOwner = f.users[0];
      await f.diamond.transferOwnership(newOwner.address);
      await expect(f.diamond.connect(f.owner).diamondCut([], ethers.ZeroAddress, "0x"))
        .to.be.revertedWithCustomError(f.diamond, "NotContractOwner")
        .withArgs(f.owner.address, newOwner.address);
      await expect(f.diamond.connect(f.owner).setConfigOperator(f.owner.address))
        .to.be.revertedWithCustomError(f.diamond, "NotContractOwner")
        .withArgs(f.owner.address, newOwner.address);
      await expect(f.diamond.connect(newOwner).diamondCut([], ethers.ZeroAddress, "0x")).to.emit(f.diamond, "DiamondCut");
    });

    it("makes the new owner an implicit api payer and the old one no longer", async () => {
      const f = await loadFixture(deployDiamond);
      const newOwner = f.users[0];
      await f.diamond.transferOwnership(newOwner.address);
      await expect(f.diamond.connect(f.owner).serverTrigger(1))
        .to.be.revertedWithCustomError(f.diamond, "OnlyApiPayerOrOwner")
        .withArgs(f.owner.address);
      await expect(f.diamond.connect(newOwner).serverTrigger(1))
        .to.emit(f.diamond, "ServerTriggered")
        .withArgs(1n, newOwner.address);
    });
  });

  describe("diamondCut", () => {
    it("reverts NotContractOwner(sender, owner) for a non-owner", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.payer).diamondCut([], ethers.ZeroAddress, "0x"))
        .to.be.revertedWithCustomError(f.diamond, "NotContractOwner")
        .withArgs(f.payer.address, f.owner.address);
    });

    it("emits DiamondCut with the cuts, init address and calldata", async () => {
      const f = await loadFixture(deployDiamond);
      const newFacet = await ethers.deployContract("ConfigFacet");
      const cuts: FacetCut[] = [
        { facetAddress: await newFacet.getAddress(), action: FacetCutAction.Replace, functionSelectors: [sel("serverTrigger(uint256)")] },
      ];
      await expect(f.diamond.diamondCut(cuts, ethers.ZeroAddress, "0x"))
        .to.emit(f.diamond, "DiamondCut")
        .withArgs([[cuts[0].facetAddress, cuts[0].action, cuts[0].functionSelectors]], ethers.ZeroAddress, "0x");
    });

    it("adds a selector from a new facet and routes calls to it", async () => {
      const f = await loadFixture(deployDiamond);
      // remove serverTrigger, then add it back from a fresh ConfigFacet
      const selector = sel("serverTrigger(uint256)");
      await f.diamond.diamondCut([{ facetAddress: ethers.ZeroAddress, action: FacetCutAction.Remove, functionSelectors: [selector] }], ethers.ZeroAddress, "0x");
      const fresh = await ethers.deployContract("ConfigFacet");
      const freshAddress = await fresh.getAddress();
      await f.diamond.diamondCut([{ facetAddress: freshAddress, action: FacetCutAction.Add, functionSelectors: [selector] }], ethers.ZeroAddress, "0x");
      expect(await f.diamond.facetAddress(selector)).to.equal(freshAddress);
      expect(await f.diamond.facetFunctionSelectors(freshAddress)).to.deep.equal([selector]);
      await expect(f.diamond.serverTrigger(9)).to.emit(f.diamond, "ServerTriggered").withArgs(9n, f.owner.address);
    });

    it("replaces a selector: the loupe moves it to the new facet and calls still work", async () => {
      const f = await loadFixture(deployDiamond);
      const selector = sel("serverTrigger(uint256)");
      const fresh = await ethers.deployContract("ConfigFacet");
      const freshAddress = await fresh.getAddress();
      await f.diamond.diamondCut([{ facetAddress: freshAddress, action: FacetCutAction.Replace, functionSelectors: [selector] }], ethers.ZeroAddress, "0x");
      expect(await f.diamond.facetAddress(selector)).to.equal(freshAddress);
      expect(await f.diamond.facetFunctionSelectors(f.facets.ConfigFacet)).to.not.include(selector);
      expect(await f.diamond.facetAddresses()).to.include(freshAddress);
      await expect(f.diamond.serverTrigger(1)).to.emit(f.diamond, "ServerTriggered");
    });

    it("removes a selector: calls to it revert FunctionDoesNotExist", async () => {
      const f = await loadFixture(deployDiamond);
      const selector = sel("serverTrigger(uint256)");
      await f.diamond.diamondCut([{ facetAddress: ethers.ZeroAddress, action: FacetCutAction.Remove, functionSelectors: [selector] }], ethers.ZeroAddress, "0x");
      expect(await f.diamond.facetAddress(selector)).to.equal(ethers.ZeroAddress);
      await expect(f.diamond.serverTrigger(1))
        .to.be.revertedWithCustomError(f.diamond, "FunctionDoesNotExist")
        .withArgs(selector);
    });

    it("drops a facet from facetAddresses when its last selector is removed", async () => {
      const f = await loadFixture(deployDiamond);
      const selectors = await facetSelectors("BillingFacet");
      await f.diamond.diamondCut([{ facetAddress: ethers.ZeroAddress, action: FacetCutAction.Remove, functionSelectors: selectors }], ethers.ZeroAddress, "0x");
      expect(await f.diamond.facetAddresses()).to.not.include(f.facets.BillingFacet);
      expect((await f.diamond.facets()).length).to.equal(FACET_NAMES.length - 1);
      expect(await f.diamond.facetFunctionSelectors(f.facets.BillingFacet)).to.deep.equal([]);
    });

    it("keeps the loupe consistent after removing selectors from the middle of facets", async () => {
      const f = await loadFixture(deployDiamond);
      const config = await facetSelectors("ConfigFacet");
      const removed = [config[3], config[0], config[config.length - 1]];
      await f.diamond.diamondCut([{ facetAddress: ethers.ZeroAddress, action: FacetCutAction.Remove, functionSelectors: removed }], ethers.ZeroAddress, "0x");
      const left = await f.diamond.facetFunctionSelectors(f.facets.ConfigFacet);
      expect([...left].sort()).to.deep.equal(config.filter((s) => !removed.includes(s)).sort());
      for (const facet of await f.diamond.facets()) {
        for (const selector of facet.functionSelectors) {
          expect(await f.diamond.facetAddress(selector)).to.equal(facet.facetAddress);
        }
      }
      for (const selector of removed) expect(await f.diamond.facetAddress(selector)).to.equal(ethers.ZeroAddress);
    });

    it("reverts DiamondCutInvalid when adding a selector that already exists", async () => {
      const f = await loadFixture(deployDiamond);
      const fresh = await ethers.deployContract("ConfigFacet");
      const selector = sel("serverTrigger(uint256)");
      await expect(
        f.diamond.diamondCut([{ facetAddress: await fresh.getAddress(), action: FacetCutAction.Add, functionSelectors: [selector] }], ethers.ZeroAddress, "0x"),
      )
        .to.be.revertedWithCustomError(f.diamond, "DiamondCutInvalid")
        .withArgs("add: selector already exists", selector);
    });

    it("reverts DiamondCutInvalid when replacing a selector that does not exist", async () => {
      const f = await loadFixture(deployDiamond);
      const fresh = await ethers.deployContract("ConfigFacet");
      await expect(
        f.diamond.diamondCut([{ facetAddress: await fresh.getAddress(), action: FacetCutAction.Replace, functionSelectors: ["0xdeadbeef"] }], ethers.ZeroAddress, "0x"),
      )
        .to.be.revertedWithCustomError(f.diamond, "DiamondCutInvalid")
        .withArgs("replace: selector missing", "0xdeadbeef");
    });

    it("reverts DiamondCutInvalid when replacing a selector with the facet that already serves it", async () => {
      const f = await loadFixture(deployDiamond);
      const selector = sel("serverTrigger(uint256)");
      await expect(
        f.diamond.diamondCut([{ facetAddress: f.facets.ConfigFacet, action: FacetCutAction.Replace, functionSelectors: [selector] }], ethers.ZeroAddress, "0x"),
      )
        .to.be.revertedWithCustomError(f.diamond, "DiamondCutInvalid")
        .withArgs("replace: same facet", selector);
    });

    it("reverts DiamondCutInvalid when removing with a non-zero facet address", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(
        f.diamond.diamondCut([{ facetAddress: f.facets.ConfigFacet, action: FacetCutAction.Remove, functionSelectors: [sel("serverTrigger(uint256)")] }], ethers.ZeroAddress, "0x"),
      )
        .to.be.revertedWithCustomError(f.diamond, "DiamondCutInvalid")
        .withArgs("remove: facet address must be zero", NO_SELECTOR);
    });

    it("reverts DiamondCutInvalid when removing a selector that does not exist", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(
        f.diamond.diamondCut([{ facetAddress: ethers.ZeroAddress, action: FacetCutAction.Remove, functionSelectors: ["0xdeadbeef"] }], ethers.ZeroAddress, "0x"),
      )
        .to.be.revertedWithCustomError(f.diamond, "DiamondCutInvalid")
        .withArgs("remove: selector missing", "0xdeadbeef");
    });

    it("reverts DiamondCutInvalid for a cut with an empty selector list", async () => {
      const f = await loadFixture(deployDiamond);
      const fresh = await ethers.deployContract("ConfigFacet");
      await expect(
        f.diamond.diamondCut([{ facetAddress: await fresh.getAddress(), action: FacetCutAction.Add, functionSelectors: [] }], ethers.ZeroAddress, "0x"),
      )
        .to.be.revertedWithCustomError(f.diamond, "DiamondCutInvalid")
        .withArgs("no selectors in facet cut", NO_SELECTOR);
    });

    it("reverts DiamondCutInvalid when adding from an address without code", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(
        f.diamond.diamondCut([{ facetAddress: f.users[0].address, action: FacetCutAction.Add, functionSelectors: ["0xdeadbeef"] }], ethers.ZeroAddress, "0x"),
      )
        .to.be.revertedWithCustomError(f.diamond, "DiamondCutInvalid")
        .withArgs("address has no code", NO_SELECTOR);
    });

    it("reverts DiamondCutInvalid when replacing with an address without code", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(
        f.diamond.diamondCut([{ facetAddress: f.users[0].address, action: FacetCutAction.Replace, functionSelectors: [sel("serverTrigger(uint256)")] }], ethers.ZeroAddress, "0x"),
      )
        .to.be.revertedWithCustomError(f.diamond, "DiamondCutInvalid")
        .withArgs("address has no code", NO_SELECTOR);
    });

    it("reverts DiamondCutInvalid for calldata without an init address", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.diamondCut([], ethers.ZeroAddress, "0x1234"))
        .to.be.revertedWithCustomError(f.diamond, "DiamondCutInvalid")
        .withArgs("calldata without init", NO_SELECTOR);
    });

    it("reverts DiamondCutInvalid for an init address without code", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.diamondCut([], f.users[0].address, "0x1234"))
        .to.be.revertedWithCustomError(f.diamond, "DiamondCutInvalid")
        .withArgs("address has no code", NO_SELECTOR);
    });

    it("applies no part of a cut whose later entry is invalid", async () => {
      const f = await loadFixture(deployDiamond);
      const selector = sel("serverTrigger(uint256)");
      await expect(
        f.diamond.diamondCut(
          [
            { facetAddress: ethers.ZeroAddress, action: FacetCutAction.Remove, functionSelectors: [selector] },
            { facetAddress: ethers.ZeroAddress, action: FacetCutAction.Remove, functionSelectors: ["0xdeadbeef"] },
          ],
          ethers.ZeroAddress,
          "0x",
        ),
      ).to.be.revertedWithCustomError(f.diamond, "DiamondCutInvalid");
      expect(await f.diamond.facetAddress(selector)).to.equal(f.facets.ConfigFacet);
    });

    it("delegatecalls the init with the diamond's storage", async () => {
      const f = await loadFixture(deployDiamond);
      const config = await ethers.getContractFactory("ConfigFacet");
      const data = config.interface.encodeFunctionData("setNodeConfiguration", ["set-by-init", "yes"]);
      await expect(f.diamond.diamondCut([], f.facets.ConfigFacet, data))
        .to.emit(f.diamond, "NodeConfigurationSet")
        .withArgs("set-by-init", "yes", false);
      expect(await f.diamond.nodeConfigurationValue("set-by-init")).to.equal("yes");
    });

    it("bubbles up the init's revert reason", async () => {
      const f = await loadFixture(deployDiamond);
      const config = await ethers.getContractFactory("ConfigFacet");
      const data = config.interface.encodeFunctionData("setNodeConfiguration", ["", "v"]);
      await expect(f.diamond.diamondCut([], f.facets.ConfigFacet, data))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("key: empty");
    });

    it("reverts DiamondInitFailed(init, data) when the init reverts without data", async () => {
      const f = await loadFixture(deployDiamond);
      // OwnershipFacet has no fallback: an unknown selector reverts with empty return data
      await expect(f.diamond.diamondCut([], f.facets.OwnershipFacet, "0xdeadbeef"))
        .to.be.revertedWithCustomError(f.diamond, "DiamondInitFailed")
        .withArgs(f.facets.OwnershipFacet, "0xdeadbeef");
    });

    it("undoes the cut when the init reverts", async () => {
      const f = await loadFixture(deployDiamond);
      const selector = sel("serverTrigger(uint256)");
      const config = await ethers.getContractFactory("ConfigFacet");
      const data = config.interface.encodeFunctionData("setNodeConfiguration", ["", "v"]);
      await expect(
        f.diamond.diamondCut([{ facetAddress: ethers.ZeroAddress, action: FacetCutAction.Remove, functionSelectors: [selector] }], f.facets.ConfigFacet, data),
      ).to.be.reverted;
      expect(await f.diamond.facetAddress(selector)).to.equal(f.facets.ConfigFacet);
    });
  });

  describe("initializer", () => {
    it("refuses to run initializeV1 a second time: AlreadyInitialized(1, 2)", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.diamondCut([], f.initAddress, await initV1Calldata(f)))
        .to.be.revertedWithCustomError(f.diamond, "AlreadyInitialized")
        .withArgs(1n, 2n);
    });

    it("initialises a fresh diamond at version 2: initializeV2 is refused with AlreadyInitialized(2, 2)", async () => {
      const f = await loadFixture(deployDiamond);
      const init = await ethers.getContractAt("AccountConfigInit", f.initAddress);
      expect(await init.VERSION()).to.equal(2n);
      await expect(f.diamond.diamondCut([], f.initAddress, init.interface.encodeFunctionData("initializeV2", [[]])))
        .to.be.revertedWithCustomError(f.diamond, "AlreadyInitialized")
        .withArgs(2n, 2n);
    });

    it("records no legacy master wallet on a version 2 diamond: every account made at version 2 has one", async () => {
      const f = await loadFixture(deployDiamond);
      const init = await ethers.getContractAt("AccountConfigInit", f.initAddress);
      const admin = f.users[0];
      await f.diamond.connect(admin).newChainSecuredAccount("a", "");
      const managed = ethers.id("managed-for-init-test");
      await f.diamond.connect(f.payer).newAccount(managed, true, "m", "", admin.address);
      const record = (master: string | bigint, wallet: string) =>
        f.diamond.diamondCut([], f.initAddress, init.interface.encodeFunctionData("recordLegacyMasterWallets", [[{ master, wallet }]]));
      const own = ethers.solidityPackedKeccak256(["address"], [admin.address]);
      for (const [master, wallet] of [
        [own, admin.address], // already recorded
        [managed, admin.address], // managed
        [ethers.id("nobody"), admin.address], // no account
      ] as const) {
        await expect(record(master, wallet)).to.be.revertedWithCustomError(f.diamond, "LegacyMasterWalletInvalid").withArgs(master, wallet);
      }
      await expect(f.diamond.diamondCut([], f.initAddress, init.interface.encodeFunctionData("recordLegacyMasterWallets", [[]]))).to.emit(
        f.diamond,
        "DiamondCut",
      );
    });

    it("leaves the configuration untouched by the refused second run", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.diamondCut([], f.initAddress, await initV1Calldata(f))).to.be.reverted;
      expect(await f.diamond.configOperator()).to.equal(f.configOperator.address);
      expect(await f.diamond.api_payers()).to.deep.equal([f.payer.address, f.payer2.address]);
    });

    it("emitted Initialized(2) when the diamond was deployed", async () => {
      const f = await loadFixture(deployDiamond);
      const events = await f.diamond.queryFilter(f.diamond.filters.Initialized());
      expect(events.map((e) => e.args.version)).to.deep.equal([2n]);
    });
  });

  describe("fallback", () => {
    it("reverts FunctionDoesNotExist(selector) for an unknown selector", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.owner.sendTransaction({ to: f.diamondAddress, data: "0xdeadbeef" }))
        .to.be.revertedWithCustomError(f.diamond, "FunctionDoesNotExist")
        .withArgs("0xdeadbeef");
    });

    it("reverts FunctionDoesNotExist for calldata shorter than a selector", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.owner.sendTransaction({ to: f.diamondAddress, data: "0x12" }))
        .to.be.revertedWithCustomError(f.diamond, "FunctionDoesNotExist")
        .withArgs("0x12000000");
    });

    it("refuses a plain ETH transfer with FunctionDoesNotExist(0x00000000) and keeps no ether", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.owner.sendTransaction({ to: f.diamondAddress, value: ethers.parseEther("1") }))
        .to.be.revertedWithCustomError(f.diamond, "FunctionDoesNotExist")
        .withArgs(NO_SELECTOR);
      expect(await ethers.provider.getBalance(f.diamondAddress)).to.equal(0n);
    });

    it("refuses ether sent along with a call to a non-payable facet function", async () => {
      const f = await loadFixture(deployDiamond);
      const data = f.diamond.interface.encodeFunctionData("serverTrigger", [1]);
      await expect(f.owner.sendTransaction({ to: f.diamondAddress, data, value: 1n })).to.be.reverted;
      expect(await ethers.provider.getBalance(f.diamondAddress)).to.equal(0n);
    });
  });
});
