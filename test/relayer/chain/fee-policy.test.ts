/** The writer's fee policy: pure functions, no node (src/relayer/chain/writer/fee-policy.ts). */
import { expect } from "chai";
import fc from "fast-check";
import {
  DEFAULT_PRIORITY_FEE,
  bump,
  bumpPermille,
  bumpedFees,
  feesFromNode,
  maxCost,
  type AttemptFees,
  type Fees,
} from "../../../src/relayer/chain/writer/fee-policy";

const GWEI = 1_000_000_000n;
const eip1559 = (maxFee: bigint, prio: bigint): Fees => ({ eip1559: true, maxFeePerGas: maxFee, maxPriorityFeePerGas: prio, gasPrice: 0n });
const legacy = (price: bigint): Fees => ({ eip1559: false, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n, gasPrice: price });
const attempt = (f: Fees): AttemptFees =>
  f.eip1559
    ? { maxFeePerGas: f.maxFeePerGas.toString(), maxPriorityFeePerGas: f.maxPriorityFeePerGas.toString(), gasPrice: null }
    : { maxFeePerGas: null, maxPriorityFeePerGas: null, gasPrice: f.gasPrice.toString() };

describe("relayer fee policy", () => {
  describe("feesFromNode", () => {
    it("bids twice the base fee plus the suggested priority fee on an EIP-1559 chain", () => {
      expect(feesFromNode({ baseFeePerGas: 10n * GWEI, priorityFee: 2n * GWEI, gasPrice: null })).to.deep.equal(eip1559(22n * GWEI, 2n * GWEI));
    });

    it("uses 1 gwei of priority fee when the node suggests none", () => {
      expect(feesFromNode({ baseFeePerGas: 5n, priorityFee: null, gasPrice: null })).to.deep.equal(
        eip1559(10n + DEFAULT_PRIORITY_FEE, DEFAULT_PRIORITY_FEE),
      );
    });

    it("caps the max fee at the maximum fee per gas, and the priority fee at the max fee", () => {
      expect(feesFromNode({ baseFeePerGas: 10n * GWEI, priorityFee: 2n * GWEI, gasPrice: null }, 15n * GWEI)).to.deep.equal(
        eip1559(15n * GWEI, 2n * GWEI),
      );
      expect(feesFromNode({ baseFeePerGas: 10n * GWEI, priorityFee: 2n * GWEI, gasPrice: null }, GWEI)).to.deep.equal(eip1559(GWEI, GWEI));
    });

    it("takes the node's gas price on a legacy chain, capped", () => {
      expect(feesFromNode({ baseFeePerGas: null, priorityFee: null, gasPrice: 7n })).to.deep.equal(legacy(7n));
      expect(feesFromNode({ baseFeePerGas: null, priorityFee: null, gasPrice: 7n }, 5n)).to.deep.equal(legacy(5n));
      expect(() => feesFromNode({ baseFeePerGas: null, priorityFee: null, gasPrice: null })).to.throw(/gas price/);
    });
  });

  describe("bumpedFees", () => {
    it("raises both fees of a type-2 attempt by at least 12.5 %, rounding up", () => {
      const prev = attempt(eip1559(1000n, 101n));
      expect(bumpedFees(prev, eip1559(10n, 1n), bumpPermille())).to.deep.equal(eip1559(1125n, 114n));
    });

    it("follows the current fees when they rose more than the bump", () => {
      expect(bumpedFees(attempt(eip1559(1000n, 100n)), eip1559(5000n, 300n), bumpPermille())).to.deep.equal(eip1559(5000n, 300n));
    });

    it("never bids a priority fee above the max fee", () => {
      const f = bumpedFees(attempt(eip1559(100n, 100n)), eip1559(50n, 200n), bumpPermille());
      expect(f).to.deep.equal(eip1559(200n, 200n));
    });

    it("prices a legacy attempt on a chain that now has base fees as type 2 above the old gas price", () => {
      expect(bumpedFees(attempt(legacy(800n)), eip1559(10n, 1n), bumpPermille())).to.deep.equal(eip1559(900n, 900n));
    });

    it("raises a legacy gas price on a legacy chain", () => {
      expect(bumpedFees(attempt(legacy(800n)), legacy(10n), bumpPermille(20))).to.deep.equal(legacy(960n));
    });

    it("makes no replacement that would bid above the maximum fee per gas", () => {
      const prev = attempt(eip1559(1000n, 100n));
      expect(bumpedFees(prev, eip1559(10n, 1n), bumpPermille(), 1124n)).to.equal(null);
      expect(bumpedFees(prev, eip1559(10n, 1n), bumpPermille(), 1125n)).to.deep.equal(eip1559(1125n, 113n));
      expect(bumpedFees(attempt(legacy(800n)), legacy(10n), bumpPermille(), 899n)).to.equal(null);
    });

    it("never bumps by less than 12.5 %, whatever is configured", () => {
      expect(bumpPermille(5)).to.equal(125n);
      expect(bumpPermille(12.5)).to.equal(125n);
      expect(bumpPermille(30)).to.equal(300n);
      expect(bump(8n, 125n)).to.equal(9n);
    });

    it("a replacement always out-bids the attempt it replaces by the bump and the current fees, or is refused at the cap (property)", () => {
      const fee = fc.bigInt({ min: 0n, max: 10n ** 12n });
      const fees = fc.oneof(
        fc.tuple(fee, fee).map(([a, b]) => eip1559(a > b ? a : b, a > b ? b : a)),
        fee.map((p) => legacy(p)),
      );
      fc.assert(
        fc.property(fees, fees, fc.integer({ min: 0, max: 100 }), fc.option(fee, { nil: undefined }), (prev, current, pct, cap) => {
          const permille = bumpPermille(pct);
          const next = bumpedFees(attempt(prev), current, permille, cap);
          const bid = (f: Fees): bigint => (f.eip1559 ? f.maxFeePerGas : f.gasPrice);
          if (next === null) {
            expect(cap === undefined, "refused only under a cap").to.equal(false);
            return;
          }
          if (cap !== undefined) expect(bid(next) <= cap, "within the cap").to.equal(true);
          expect(next.maxPriorityFeePerGas <= next.maxFeePerGas || !next.eip1559).to.equal(true);
          if (prev.eip1559 && next.eip1559) {
            expect(next.maxFeePerGas >= bump(prev.maxFeePerGas, permille)).to.equal(true);
            expect(next.maxPriorityFeePerGas >= bump(prev.maxPriorityFeePerGas, permille)).to.equal(true);
          } else {
            const floor = bump(prev.eip1559 ? prev.maxFeePerGas : prev.gasPrice, permille);
            if (!prev.eip1559) expect(bid(next) >= floor).to.equal(true);
          }
          expect(bid(next) >= bid(current)).to.equal(true);
        }),
        { seed: 1414, numRuns: 500 },
      );
    });
  });

  describe("maxCost", () => {
    it("is gas limit x the fee it bids + value + the L1 data fee", () => {
      expect(maxCost({ gasLimit: 100n, fees: eip1559(7n, 1n), value: 5n, l1Fee: 1000n })).to.equal(1705n);
      expect(maxCost({ gasLimit: 100n, fees: legacy(3n) })).to.equal(300n);
      expect(maxCost({ gasLimit: 10n, fees: attempt(eip1559(9n, 2n)), l1Fee: 1n })).to.equal(91n);
      expect(maxCost({ gasLimit: 10n, fees: attempt(legacy(4n)) })).to.equal(40n);
    });
  });
});
