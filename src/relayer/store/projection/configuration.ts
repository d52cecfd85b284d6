/** Diamond configuration: payers, operators, owner, initialisation, node configuration entries. */
import type { RowWriter } from "./journal";
import type { EventHandler, Handlers } from "./handler";
import { SETS, nextPos, removeMember } from "./sets";
import { bool, str, strList, text } from "./values";

async function setConfig(w: RowWriter, item: string, val: string): Promise<void> {
  await w.upsert("config", { item, val });
}

/** The events that set one config item to one string argument: event -> [item, argument]. */
const STRING_SETTINGS: Readonly<Record<string, readonly [item: string, arg: string]>> = {
  AdminApiPayerUpdated: ["adminApiPayer", "newAdminApiPayerAccount"],
  ConfigOperatorUpdated: ["configOperator", "newConfigOperator"],
  PricingOperatorUpdated: ["pricingOperator", "newPricingOperator"],
  RebalanceAmountUpdated: ["rebalanceAmount", "newRebalanceAmount"],
  RequestedApiPayerCountUpdated: ["requestedApiPayerCount", "newCount"],
  OwnershipTransferred: ["owner", "newOwner"],
  Initialized: ["initializedVersion", "version"],
};

const STRING_SETTING_HANDLERS: Handlers = Object.fromEntries(
  Object.entries(STRING_SETTINGS).map(([event, [item, arg]]): [string, EventHandler] => [
    event,
    async (w, a) => setConfig(w, item, str(a, arg)),
  ]),
);

export const CONFIGURATION_HANDLERS: Handlers = {
  ...STRING_SETTING_HANDLERS,
  async ApiPayersUpdated(w, a) {
    await setConfig(w, "apiPayers", JSON.stringify(strList(a.newApiPayers, "newApiPayers")));
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
