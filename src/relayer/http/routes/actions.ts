import type { FastifyInstance } from "fastify";
import type { RelayerServices } from "../../services";
import { endpoint } from "../endpoint";
import { actionItem } from "../present";
import {
  AddActionBody,
  DeleteActionBody,
  IpfsIdReply,
  ListActionsQuery,
  ListActionsReply,
  LitActionCodeBody,
  UpdateActionMetadataBody,
} from "../schemas/actions";
import { Success } from "../schemas/common";

export function registerActionRoutes(app: FastifyInstance, services: RelayerServices): void {
  endpoint(app, services, {
    method: "POST",
    path: "/add_action",
    tag: "actions",
    summary: "Register an action by its raw CID (account key only)",
    auth: "key",
    write: true,
    body: AddActionBody,
    response: Success,
    handle: async ({ caller, body, write }) => {
      await services.actions.add(caller, body.action_ipfs_cid, body.name, body.description, write);
      return { success: true as const };
    },
  });

  endpoint(app, services, {
    method: "POST",
    path: "/delete_action",
    tag: "actions",
    summary: "Unregister an action by its hashed CID (account key only)",
    auth: "key",
    write: true,
    body: DeleteActionBody,
    response: Success,
    handle: async ({ caller, body, write }) => {
      await services.actions.remove(caller, body.hashed_cid, write);
      return { success: true as const };
    },
  });

  endpoint(app, services, {
    method: "POST",
    path: "/update_action_metadata",
    tag: "actions",
    summary: "Rename an action (account key only)",
    auth: "key",
    write: true,
    body: UpdateActionMetadataBody,
    response: Success,
    handle: async ({ caller, body, write }) => {
      await services.actions.updateMetadata(caller, body.hashed_cid, body.name, body.description, write);
      return { success: true as const };
    },
  });

  endpoint(app, services, {
    method: "GET",
    path: "/list_actions",
    tag: "actions",
    summary: "List the account's actions, or a group's",
    auth: "key",
    query: ListActionsQuery,
    response: ListActionsReply,
    handle: async ({ caller, query }) =>
      (await services.actions.list(caller, query.group_id, query.page_number, query.page_size)).map(actionItem),
  });

  endpoint(app, services, {
    method: "POST",
    path: "/get_lit_action_ipfs_id",
    tag: "actions",
    summary: "The IPFS CID (CIDv0) of Lit Action code",
    description:
      "The body is a JSON string: the code. No authentication needed: without a key the code is only cached for a while " +
      "(so lit_action can run it by ipfs_id soon after); with a key of an account it is kept for that account, " +
      "within the account's code quota (409 CodeQuotaExceeded beyond it).",
    auth: "optional",
    body: LitActionCodeBody,
    response: IpfsIdReply,
    handle: async ({ body, caller }) => services.actions.ipfsId(body, caller),
  });
}
