/** Wallets (PKPs) registered by derivation, and their metadata. */
import type { Handlers } from "./handler";
import { addMember, SETS } from "./sets";
import { str, text } from "./values";

export const WALLET_HANDLERS: Handlers = {
  async WalletDerivationRegistered(w, a) {
    const account = str(a, "apiKeyHash");
    // seq: registration order across the diamond (one past the highest), computed by the INSERT.
    await addMember(
      w,
      SETS.wallets,
      account,
      { pkp: str(a, "pkpId"), account, derivation: str(a, "derivationPath"), name: "", description: "" },
      ["seq"],
    );
  },
  async WalletMetadataSet(w, a) {
    await w.set("wallets", [str(a, "pkpId")], { name: text(a, "name"), description: text(a, "description") });
  },
};
