/** Usage API keys: binding, permissions (with the balance the event carries), metadata, removal. */
import { bind, type Handlers } from "./handler";
import { addMember, removeMember, SETS } from "./sets";
import { record, str, strList, text } from "./values";

/** A new usage key's columns: the table's defaults (store/migrations.ts, usage_keys). */
const NEW_USAGE_KEY = {
  name: "",
  description: "",
  expiration: "0",
  create_groups: false,
  delete_groups: false,
  create_pkps: false,
  manage_ipfs: "[]",
  add_pkp: "[]",
  remove_pkp: "[]",
  execute_in: "[]",
} as const;

export const USAGE_KEY_HANDLERS: Handlers = {
  async UsageApiKeySet(w, a) {
    const account = str(a, "accountApiKeyHash");
    const hash = str(a, "usageApiKeyHash");
    await bind(w, hash, account, "UsageKey");
    // The columns' defaults (migrations.ts) spelled out: the permissions and metadata events the
    // diamond emits right after this one then fold into this insert (write-queue.ts, fold).
    await addMember(w, SETS.usageKeys, account, { hash, account, ...NEW_USAGE_KEY });
  },
  async UsageApiKeyPermissionsSet(w, a) {
    const hash = str(a, "usageApiKeyHash");
    const p = record(a, "permissions");
    const field = (k: string): string => {
      const v = p[k];
      if (typeof v !== "string") throw new Error(`event argument permissions.${k}: expected a string`);
      return v;
    };
    const flag = (k: string): boolean => p[k] === true;
    const json = (k: string): string => JSON.stringify(strList(p[k], `permissions.${k}`));
    await w.set("usage_keys", [hash], {
      expiration: field("expiration"),
      create_groups: flag("createGroups"),
      delete_groups: flag("deleteGroups"),
      create_pkps: flag("createPKPs"),
      manage_ipfs: json("manageIPFSIdsInGroups"),
      add_pkp: json("addPkpToGroups"),
      remove_pkp: json("removePkpFromGroups"),
      execute_in: json("executeInGroups"),
    });
    await w.upsert("balances", { hash, amount: field("balance") });
  },
  async UsageApiKeyMetadataSet(w, a) {
    await w.set("usage_keys", [str(a, "usageApiKeyHash")], { name: text(a, "name"), description: text(a, "description") });
  },
  async UsageApiKeyRemoved(w, a) {
    const account = str(a, "accountApiKeyHash");
    const hash = str(a, "usageApiKeyHash");
    await bind(w, hash, account, "RemovedUsageKey");
    await removeMember(w, SETS.usageKeys, account, hash);
    await w.remove("balances", [hash]);
  },
};
