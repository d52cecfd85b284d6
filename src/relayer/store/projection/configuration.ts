/** Diamond configuration: payers, operators, owner, initialisation, node configuration entries. */
import type { RowWriter } from "./journal";
import type { Handlers } from "./handler";
import { SETS, nextPos, removeMember } from "./sets";
import { bool, str, strList, text } from "./values";

async function setConfig(w: RowWriter, item: string, val: string): Promise<void> {
  await w.upsert("config", { item, val });
}

export const CONFIGURATION_HANDLERS: Handlers = {
  async ApiPayersUpdated(w, a) {
    await setConfig(w, "apiPayers", JSON.stringify(strList(a.newApiPayers, "newApiPayers")));
  },
  async AdminApiPayerUpdated(w, a) {
    await setConfig(w, "adminApiPayer", str(a, "newAdminApiPayerAccount"));
  },
  async ConfigOperatorUpdated(w, a) {
    await setConfig(w, "configOperator", str(a, "newConfigOperator"));
  },
  async PricingOperatorUpdated(w, a) {
    await setConfig(w, "pricingOperator", str(a, "newPricingOperator"));
  },
  async RebalanceAmountUpdated(w, a) {
    await setConfig(w, "rebalanceAmount", str(a, "newRebalanceAmount"));
  },
  async RequestedApiPayerCountUpdated(w, a) {
    await setConfig(w, "requestedApiPayerCount", str(a, "newCount"));
  },
  async OwnershipTransferred(w, a) {
    await setConfig(w, "owner", str(a, "newOwner"));
  },
  async Initialized(w, a) {
    await setConfig(w, "initializedVersion", str(a, "version"));
  },
  async NodeConfigurationSet(w, a) {
    const key = text(a, "key");
    if (bool(a, "removed")) {
      await removeMember(w, SETS.nodeConfig, undefined, key);
      return;
    }
    const val = text(a, "value");
    if (!(await w.update("node_config", [key], { val }))) {
      await w.insert("node_config", { item: key, val, pos: await nextPos(w, SETS.nodeConfig) });
    }
  },
};
