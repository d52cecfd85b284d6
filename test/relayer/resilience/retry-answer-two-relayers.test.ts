/**
 * Two relayers on one database (docs/finality.md, "Sent again after a crash"): a write alone sent from
 * cached gas that ran out of it is sent again under the key `cached-gas-retry/<row id>` by whichever
 * relayer gets there: the one that sent it (its caller waits for that answer) and the start-up
 * recovery of another one. What must hold: the answer the caller got is never contradicted by what
 * the chain does for that key, and a later attempt under the key gets that same answer.
 *
 * Here relayer A's pre-flight of the retry refuses the call (A's node lags: it runs the call on a
 * block before the account existed, a real revert on that state) and A answers its caller that error;
 * relayer B's recovery pre-flights the same call under the same key afterwards, on the current state,
 * where it applies. In-process Hardhat network (automine), confirmation depth 3, SQLite and Postgres.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { diamondInterface, type Chain } from "../../../src/relayer/chain";
import type { ChainLogger } from "../../../src/relayer/chain/log";
import { RevertError } from "../../../src/relayer/ports";
import { BACKENDS, FlakyRpc, hardhatRpc, rejectionOf, start, until } from "../support";
import { useRecoveryFixture } from "./recovery-fixture";

const LONG = "a group name of two relayers and one retry key";

for (const backend of BACKENDS) {
  describe(`relayer: a retry's refusal answered by one relayer and the same key at another (${backend})`, function () {
    const { store, addGroup, onChain, mine, chains, fixture, warnings, logger, revertFromCachedGas } = useRecoveryFixture(backend);

    const run = async (rpc: FlakyRpc, log?: ChainLogger): Promise<Chain> => {
      const c = await start(store(), fixture().diamondAddress, { provider: rpc, confirmationDepth: 3, payerCheckIntervalMs: 200, ...(log ? { logger: log } : {}) });
      chains.push(c);
      return c;
    };

    it("never applies a call sent again under a retry key after a relayer answered its caller that the call was refused", async () => {
      const rpcA = new FlakyRpc(hardhatRpc());
      const a = await run(rpcA);
      // A wrong (too low) estimate cached for the shape: the next write of it runs out of gas on chain.
      const name = `${LONG} 1`;
      const { answer: answerA, oog, blockBeforeAccount } = await revertFromCachedGas(a, rpcA, LONG, name);
      const calldata = diamondInterface.encodeFunctionData("addGroup", addGroup(name).args);
      const preflightOf = (method: string, params: unknown[]): boolean =>
        (method === "eth_call" || method === "eth_estimateGas") && (params[0] as { data?: string }).data === calldata;

      // From now on A's node lags: it pre-flights the call on the block before the account existed.
      const lagged = ethers.toQuantity(blockBeforeAccount);
      rpcA.before = async (method, params) => {
        if (!preflightOf(method, params)) return;
        if (method === "eth_call") params[1] = lagged;
        else params.splice(1, 1, lagged);
      };
      // B starts on the same database; its recovery watches the row. Its pre-flight of the call waits
      // until A has answered its caller.
      const rpcB = new FlakyRpc(hardhatRpc());
      rpcB.before = async (method, params) => {
        if (preflightOf(method, params)) await until(() => answerA.value !== undefined, 20_000, "A answered");
      };
      const b = await run(rpcB, logger);

      await mine(4); // the reverted attempt is final: A and B send the call again under its key
      await until(() => answerA.value !== undefined, 20_000, "A answered its caller");
      expect(answerA.value, "A's caller is told the call was refused").to.equal("AccountDoesNotExist");
      await until(
        async () => (await onChain(name)) > 0 || warnings.includes("cached-gas recovery: the write sent again was not applied"),
        20_000,
        "B's recovery done",
      );
      expect(await onChain(name), "the chain does what A's caller was told: nothing").to.equal(0);
      // Asking again under the key gets A's answer, from either relayer.
      const again = await rejectionOf(b.writer.write({ ...addGroup(name), idempotencyScope: "cached-gas-retry", idempotencyKey: String(oog.id) }));
      expect(again instanceof RevertError ? again.errorName : again.message).to.equal("AccountDoesNotExist");
      expect(await onChain(name)).to.equal(0);
    });
  });
}
