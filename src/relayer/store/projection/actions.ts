/** Actions (IPFS cids) an account registers, and their metadata. */
import type { Handlers } from "./handler";
import { addMember, removeMember, SETS } from "./sets";
import { str, text } from "./values";

export const ACTION_HANDLERS: Handlers = {
  async ActionAdded(w, a) {
    const account = str(a, "accountApiKeyHash");
    await addMember(w, SETS.actions, account, { account, cid: str(a, "actionHash"), name: "", description: "" });
  },
  async ActionMetadataSet(w, a) {
    await w.set("actions", [str(a, "apiKeyHash"), str(a, "actionHash")], {
      name: text(a, "name"),
      description: text(a, "description"),
    });
  },
  async ActionRemoved(w, a) {
    await removeMember(w, SETS.actions, str(a, "accountApiKeyHash"), str(a, "actionHash"));
  },
};
