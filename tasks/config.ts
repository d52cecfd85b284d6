/** config:* tasks: api payers, operators, payer count, rebalance amount, node configuration. */
import { parseAddress, parseAddressList, parseUint } from "../src/core";
import { defineTask, optional, read, required, send, withDefault } from "./lib/cli";

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

defineTask({
  name: "config:set-admin-payer",
  description: "Set the admin api payer (setAdminApiPayerAccount).",
  signer: OWNER_OR_OPERATOR,
  params: { address: required("new admin api payer address") },
  run: async (ctx, a) => {
    const address = parseAddress(a.address, "--address");
    return send(ctx, (d) => d.setAdminApiPayerAccount(address));
  },
});

defineTask({
  name: "config:admin-payer",
  description: "The admin api payer (adminApiPayerAccount).",
  params: {},
  run: async (ctx) => read(ctx, "adminApiPayerAccount", (d) => d.adminApiPayerAccount()),
});

defineTask({
  name: "config:set-operator",
  description: "Set the config operator (setConfigOperator).",
  signer: "signer 0 (must be the owner)",
  params: { address: required("new config operator address") },
  run: async (ctx, a) => {
    const address = parseAddress(a.address, "--address");
    return send(ctx, (d) => d.setConfigOperator(address));
  },
});

defineTask({
  name: "config:operator",
  description: "The config operator (configOperator).",
  params: {},
  run: async (ctx) => read(ctx, "configOperator", (d) => d.configOperator()),
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

defineTask({
  name: "config:requested-payer-count",
  description: "The requested api payer count (requestedApiPayerCount).",
  params: {},
  run: async (ctx) => read(ctx, "requestedApiPayerCount", (d) => d.requestedApiPayerCount()),
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

defineTask({
  name: "config:rebalance-amount",
  description: "The payer rebalance amount in wei (rebalanceAmount).",
  params: {},
  run: async (ctx) => read(ctx, "rebalanceAmount", (d) => d.rebalanceAmount()),
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
