/** Definers for the two simplest task shapes: a view without arguments, and a write that sets one address. */
import type { ContractTransactionResponse } from "ethers";
import { parseAddress } from "../../src/core";
import { defineTask, read, required, send, type Diamond, type DiamondFunction } from "./cli";

/** A view without arguments: prints what `fn` returns. */
export function defineView(name: string, fn: DiamondFunction, call: (d: Diamond) => Promise<unknown>, { description }: { description: string }): void {
  defineTask({ name, description, params: {}, run: async (ctx) => read(ctx, fn, call) });
}

/** A write that sets one role address (--address). */
export function defineAddressSetter(
  name: string,
  call: (d: Diamond, address: string) => Promise<ContractTransactionResponse>,
  spec: { description: string; signer: string; address: string },
): void {
  defineTask({
    name,
    description: spec.description,
    signer: spec.signer,
    params: { address: required(spec.address) },
    run: async (ctx, a) => {
      const address = parseAddress(a.address, "--address");
      return send(ctx, (d) => call(d, address));
    },
  });
}
