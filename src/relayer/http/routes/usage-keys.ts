import type { Static } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { RelayerServices } from "../../services";
import type { UsageKeyPermissionsInput } from "../../services/usage-keys";
import { endpoint } from "../endpoint";
import { apiKeyItem } from "../present";
import { Success } from "../schemas/common";
import {
  AddUsageKeyBody,
  AddUsageKeyReply,
  ListApiKeysQuery,
  ListApiKeysReply,
  RemoveUsageKeyBody,
  UpdateUsageKeyBody,
  UpdateUsageKeyMetadataBody,
} from "../schemas/usage-keys";

function permissions(body: Static<typeof AddUsageKeyBody>): UsageKeyPermissionsInput {
  return {
    name: body.name,
    description: body.description,
    canCreateGroups: body.can_create_groups,
    canDeleteGroups: body.can_delete_groups,
    canCreatePkps: body.can_create_pkps,
    manageIpfsIdsInGroups: body.manage_ipfs_ids_in_groups,
    addPkpToGroups: body.add_pkp_to_groups,
    removePkpFromGroups: body.remove_pkp_from_groups,
    executeInGroups: body.execute_in_groups,
    expiration: body.expiration ?? undefined,
  };
}

export function registerUsageKeyRoutes(app: FastifyInstance, services: RelayerServices): void {
  endpoint(app, services, {
    method: "POST",
    path: "/add_usage_api_key",
    tag: "usage keys",
    summary: "Create a usage API key (account key only)",
    auth: "key",
    write: true,
    body: AddUsageKeyBody,
    response: AddUsageKeyReply,
    handle: async ({ caller, body, write }) => {
      const { usageApiKey } = await services.usageKeys.add(caller, permissions(body), write);
      return { success: true as const, usage_api_key: usageApiKey };
    },
  });

  endpoint(app, services, {
    method: "POST",
    path: "/update_usage_api_key",
    tag: "usage keys",
    summary: "Replace every permission of a usage key (account key only)",
    description: "Full overwrite: omitted optional fields take their defaults. An unknown usage key is 404.",
    auth: "key",
    write: true,
    body: UpdateUsageKeyBody,
    response: Success,
    handle: async ({ caller, body, write }) => {
      await services.usageKeys.update(caller, body.usage_api_key, permissions(body), write);
      return { success: true as const };
    },
  });

  endpoint(app, services, {
    method: "POST",
    path: "/update_usage_api_key_metadata",
    tag: "usage keys",
    summary: "Rename a usage key (account key only)",
    auth: "key",
    write: true,
    body: UpdateUsageKeyMetadataBody,
    response: Success,
    handle: async ({ caller, body, write }) => {
      await services.usageKeys.updateMetadata(caller, body.usage_api_key, body.name, body.description, write);
      return { success: true as const };
    },
  });

  endpoint(app, services, {
    method: "POST",
    path: "/remove_usage_api_key",
    tag: "usage keys",
    summary: "Delete a usage key (account key only)",
    auth: "key",
    write: true,
    body: RemoveUsageKeyBody,
    response: Success,
    handle: async ({ caller, body, write }) => {
      await services.usageKeys.remove(caller, body.usage_api_key, write);
      return { success: true as const };
    },
  });

  endpoint(app, services, {
    method: "GET",
    path: "/list_api_keys",
    tag: "usage keys",
    summary: "List usage keys",
    description: "The account key sees every usage key (never itself); a usage key sees only its own entry.",
    auth: "key",
    query: ListApiKeysQuery,
    response: ListApiKeysReply,
    handle: async ({ caller, query }) =>
      (await services.usageKeys.list(caller, query.page_number, query.page_size)).map(apiKeyItem),
  });
}
