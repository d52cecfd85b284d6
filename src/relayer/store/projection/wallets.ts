/** Wallets (PKPs) registered by derivation, and their metadata. */
import type { Handlers } from "./handler";
import { addMember, SETS } from "./sets";
import { str, text } from "./values";

export const WALLET_HANDLERS: Handlers = {
  async WalletDerivationRegistered(w, a) {
    const account = str(a, "apiKeyHash");
    const seq = await w.tx.one<{ p: number }>("SELECT COALESCE(MAX(seq) + 1, 0) AS p FROM wallets");
    await addMember(w, SETS.wallets, account, {
      pkp: str(a, "pkpId"),
      account,
      derivation: str(a, "derivationPath"),
      name: "",
      description: "",
      seq: Number(seq?.p ?? 0),
    });
  },
  async WalletMetadataSet(w, a) {
    await w.update("wallets", [str(a, "pkpId")], { name: text(a, "name"), description: text(a, "description") });
  },
};
