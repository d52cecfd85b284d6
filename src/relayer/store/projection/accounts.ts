/** Accounts and hash bindings: creation, metadata, admin aliases, conversion, ownership. */
import { chainSecuredHash } from "../../../core";
import { bind, type Handlers } from "./handler";
import { addMember, SETS } from "./sets";
import { bool, str, text, ZERO32 } from "./values";

export const ACCOUNT_HANDLERS: Handlers = {
  async AccountCreated(w, a) {
    const master = str(a, "apiKeyHash");
    const managed = bool(a, "managed");
    const admin = str(a, "admin");
    await bind(w, master, master, "Master");
    await addMember(w, SETS.accounts, undefined, {
      master,
      managed,
      admin,
      name: "",
      description: "",
      master_is_admin_alias: !managed && chainSecuredHash(admin) === master.toLowerCase(),
    });
  },
  async AccountMetadataSet(w, a) {
    await w.set("accounts", [str(a, "apiKeyHash")], { name: text(a, "name"), description: text(a, "description") });
  },
  async AdminAliasBound(w, a) {
    await bind(w, str(a, "aliasHash"), str(a, "masterApiKeyHash"), "AdminAlias");
  },
  async AccountConvertedToChainSecured(w, a) {
    const master = str(a, "apiKeyHash");
    const admin = str(a, "newAdminWalletAddress");
    const changes: Record<string, string | boolean> = { managed: false, admin };
    if (chainSecuredHash(admin) === master.toLowerCase()) changes.master_is_admin_alias = true;
    await w.set("accounts", [master], changes);
  },
  async MasterWalletSet(w, a) {
    await w.set("accounts", [str(a, "masterApiKeyHash")], { master_wallet: str(a, "wallet") });
  },
  async AddressAliasReclaimed(w, a) {
    // Reserved for the wallet: no account may bind it as a usage key (a tombstone of no account).
    await bind(w, str(a, "aliasHash"), ZERO32, "RemovedUsageKey");
  },
  async ChainSecuredAccountOwnershipTransferred(w, a) {
    await w.set("accounts", [str(a, "masterApiKeyHash")], { admin: str(a, "newAdminWalletAddress") });
  },
};
