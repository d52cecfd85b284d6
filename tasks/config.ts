/** config:* tasks: api payers, operators, payer count, rebalance amount, node configuration. */
import { parseAddress, parseAddressList, parseUint } from "../src/core";
import { defineTask, optional, read, required, send, withDefault } from "./lib/cli";
import { defineAddressSetter, defineView } from "./lib/simple-tasks";

const OWNER_OR_OPERATOR = "signer 0 (the owner; or the config operator)";

defineTask({
  name: "config:set-api-payers",
  description: "Replace the api payer list (setApiPayers): at most 100, no zero address, no duplicates.",
  signer: "signer 0 (the owner; or the config operator or admin api payer)",
  params: { payers: required('comma list of payer addresses ("" = none)') },
  run: async (ctx, a) => {
    const payers = parseAddressList(a.payers, "--payers");
    return send(ctx, (d) => d.setApiPayers(payers));
  },
});

defineTask({
  name: "config:api-payers",
  description: "The api payers: {payers, count} (api_payers, apiPayerCount).",
  params: {},
  run: async (ctx) => ({
    payers: await read(ctx, "api_payers", (d) => d.api_payers()),
    count: await read(ctx, "apiPayerCount", (d) => d.apiPayerCount()),
  }),
});

defineTask({
  name: "config:is-api-payer",
  description: "Whether the address is an api payer (isApiPayer).",
  params: { address: required("address") },
  run: async (ctx, a) => {
    const address = parseAddress(a.address, "--address");
    return read(ctx, "isApiPayer", (d) => d.isApiPayer(address));
  },
});

defineAddressSetter("config:set-admin-payer", (d, address) => d.setAdminApiPayerAccount(address), {
  description: "Set the admin api payer (setAdminApiPayerAccount).",
  signer: OWNER_OR_OPERATOR,
  address: "new admin api payer address",
});

defineView("config:admin-payer", "adminApiPayerAccount", (d) => d.adminApiPayerAccount(), {
  description: "The admin api payer (adminApiPayerAccount).",
});

defineAddressSetter("config:set-operator", (d, address) => d.setConfigOperator(address), {
  description: "Set the config operator (setConfigOperator).",
  signer: "signer 0 (must be the owner)",
  address: "new config operator address",
});

defineView("config:operator", "configOperator", (d) => d.configOperator(), {
  description: "The config operator (configOperator).",
});

defineTask({
  name: "config:set-requested-payer-count",
  description: "Set the requested api payer count (setRequestedApiPayerCount).",
  signer: OWNER_OR_OPERATOR,
  params: { count: required("requested number of api payers") },
  run: async (ctx, a) => {
    const count = parseUint(a.count, "--count");
    return send(ctx, (d) => d.setRequestedApiPayerCount(count));
  },
});

defineView("config:requested-payer-count", "requestedApiPayerCount", (d) => d.requestedApiPayerCount(), {
  description: "The requested api payer count (requestedApiPayerCount).",
});

defineTask({
  name: "config:set-rebalance-amount",
  description: "Set the payer rebalance amount in wei (setRebalanceAmount).",
  signer: OWNER_OR_OPERATOR,
  params: { amount: required("rebalance amount (wei, decimal or 0x hex)") },
  run: async (ctx, a) => {
    const amount = parseUint(a.amount, "--amount");
    return send(ctx, (d) => d.setRebalanceAmount(amount));
  },
});

defineView("config:rebalance-amount", "rebalanceAmount", (d) => d.rebalanceAmount(), {
  description: "The payer rebalance amount in wei (rebalanceAmount).",
});

defineTask({
  name: "config:set-node-config",
  description: "Set a node configuration entry (setNodeConfiguration): key 1..128 bytes, value at most 1024.",
  signer: OWNER_OR_OPERATOR,
  params: { key: required("configuration key"), value: withDefault("configuration value", "") },
  run: async (ctx, a) => send(ctx, (d) => d.setNodeConfiguration(a.key, a.value)),
});

defineTask({
  name: "config:remove-node-config",
  description: "Remove a node configuration entry (removeNodeConfiguration).",
  signer: OWNER_OR_OPERATOR,
  params: { key: required("configuration key") },
  run: async (ctx, a) => send(ctx, (d) => d.removeNodeConfiguration(a.key)),
});

defineTask({
  name: "config:node-config",
  description:
    "With --key: that entry's value (nodeConfigurationValue). Without: {keys, values: [{key, value}]} (nodeConfigurationKeys, nodeConfigurationValues).",
  params: { key: optional("configuration key") },
  run: async (ctx, a) => {
    const key = a.key;
    if (key !== undefined) return read(ctx, "nodeConfigurationValue", (d) => d.nodeConfigurationValue(key));
    return {
      keys: await read(ctx, "nodeConfigurationKeys", (d) => d.nodeConfigurationKeys()),
      values: await read(ctx, "nodeConfigurationValues", (d) => d.nodeConfigurationValues()),
    };
  },
});

defineTask({
  name: "config:server-trigger",
  description: "Emit ServerTriggered(value, sender) for the relayer (serverTrigger).",
  signer: "signer 0 (owner, config operator, admin api payer or an api payer)",
  params: { value: withDefault("trigger value", "0") },
  run: async (ctx, a) => {
    const value = parseUint(a.value, "--value");
    return send(ctx, (d) => d.serverTrigger(value));
  },
});
