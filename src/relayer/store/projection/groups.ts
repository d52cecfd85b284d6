/** Groups of an account and their members (action cids, wallets). */
import type { Handlers } from "./handler";
import { addMember, removeMember, SETS } from "./sets";
import { str, text } from "./values";

export const GROUP_HANDLERS: Handlers = {
  async GroupAdded(w, a) {
    const account = str(a, "apiKeyHash");
    await addMember(w, SETS.groups, account, { id: str(a, "groupId"), account, name: "", description: "" });
  },
  async GroupMetadataSet(w, a) {
    await w.set("account_groups", [str(a, "groupId")], { name: text(a, "name"), description: text(a, "description") });
  },
  async GroupUpdated() {
    // Announces a change whose content the other group events carry.
  },
  async GroupRemoved(w, a) {
    const id = str(a, "groupId");
    await removeMember(w, SETS.groups, str(a, "apiKeyHash"), id);
    const cids = await w.tx.query<{ cid: string }>("SELECT cid FROM group_cids WHERE group_id = $1", [id]);
    for (const c of cids) await w.remove("group_cids", [id, c.cid]);
    const wallets = await w.tx.query<{ wallet: string }>("SELECT wallet FROM group_wallets WHERE group_id = $1", [id]);
    for (const x of wallets) await w.remove("group_wallets", [id, x.wallet]);
  },
  async ActionAddedToGroup(w, a) {
    const id = str(a, "groupId");
    await addMember(w, SETS.groupCids, id, { group_id: id, cid: str(a, "action") });
  },
  async ActionRemovedFromGroup(w, a) {
    await removeMember(w, SETS.groupCids, str(a, "groupId"), str(a, "action"));
  },
  async PkpAddedToGroup(w, a) {
    const id = str(a, "groupId");
    await addMember(w, SETS.groupWallets, id, { group_id: id, wallet: str(a, "pkpId") });
  },
  async PkpRemovedFromGroup(w, a) {
    await removeMember(w, SETS.groupWallets, str(a, "groupId"), str(a, "pkpId"));
  },
};
