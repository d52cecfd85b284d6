import type { FastifyInstance } from "fastify";
import type { RelayerServices } from "../../services";
import { endpoint } from "../endpoint";
import { walletItem } from "../present";
import { CreateWalletReply, ListWalletsInGroupQuery, ListWalletsQuery, ListWalletsReply } from "../schemas/wallets";

export function registerWalletRoutes(app: FastifyInstance, services: RelayerServices): void {
  endpoint(app, services, {
    method: "GET",
    path: "/create_wallet",
    tag: "wallets",
    summary: "Create a wallet (PKP) for the account (permission can_create_pkps)",
    auth: "key",
    write: true,
    response: CreateWalletReply,
    handle: async ({ caller, write }) => ({
      wallet_address: (await services.wallets.create(caller, write)).walletAddress,
    }),
  });

  endpoint(app, services, {
    method: "GET",
    path: "/list_wallets",
    tag: "wallets",
    summary: "List the account's wallets",
    auth: "key",
    query: ListWalletsQuery,
    response: ListWalletsReply,
    handle: async ({ caller, query }) =>
      (await services.wallets.list(caller, query.page_number, query.page_size)).map(walletItem),
  });

  endpoint(app, services, {
    method: "GET",
    path: "/list_wallets_in_group",
    tag: "wallets",
    summary: "List a group's wallets",
    auth: "key",
    query: ListWalletsInGroupQuery,
    response: ListWalletsReply,
    handle: async ({ caller, query }) =>
      (await services.wallets.listInGroup(caller, query.group_id, query.page_number, query.page_size)).map(walletItem),
  });
}
