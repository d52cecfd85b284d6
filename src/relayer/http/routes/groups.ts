import type { FastifyInstance } from "fastify";
import type { RelayerServices } from "../../services";
import { endpoint } from "../endpoint";
import { groupItem } from "../present";
import { Success } from "../schemas/common";
import {
  AddActionToGroupBody,
  AddGroupBody,
  AddGroupReply,
  ListGroupsQuery,
  ListGroupsReply,
  PkpInGroupBody,
  RemoveActionFromGroupBody,
  RemoveGroupBody,
  UpdateGroupBody,
} from "../schemas/groups";

export function registerGroupRoutes(app: FastifyInstance, services: RelayerServices): void {
  endpoint(app, services, {
    method: "POST",
    path: "/add_group",
    tag: "groups",
    summary: "Create a group (permission can_create_groups)",
    auth: "key",
    write: true,
    body: AddGroupBody,
    response: AddGroupReply,
    handle: async ({ caller, body, write }) => {
      const { groupId } = await services.groups.add(
        caller,
        {
          name: body.group_name,
          description: body.group_description,
          pkpIdsPermitted: body.pkp_ids_permitted,
          cidHashesPermitted: body.cid_hashes_permitted,
        },
        write,
      );
      return { success: true as const, group_id: groupId };
    },
  });

  endpoint(app, services, {
    method: "POST",
    path: "/update_group",
    tag: "groups",
    summary: "Replace a group's name, description and lists (account key only)",
    description: "Absent lists are empty: the group's lists are replaced.",
    auth: "key",
    write: true,
    body: UpdateGroupBody,
    response: Success,
    handle: async ({ caller, body, write }) => {
      await services.groups.update(
        caller,
        {
          groupId: body.group_id,
          name: body.name,
          description: body.description,
          pkpIdsPermitted: body.pkp_ids_permitted ?? undefined,
          cidHashesPermitted: body.cid_hashes_permitted ?? undefined,
        },
        write,
      );
      return { success: true as const };
    },
  });

  endpoint(app, services, {
    method: "POST",
    path: "/remove_group",
    tag: "groups",
    summary: "Delete a group (permission can_delete_groups)",
    auth: "key",
    write: true,
    body: RemoveGroupBody,
    response: Success,
    handle: async ({ caller, body, write }) => {
      await services.groups.remove(caller, body.group_id, write);
      return { success: true as const };
    },
  });

  endpoint(app, services, {
    method: "GET",
    path: "/list_groups",
    tag: "groups",
    summary: "List the account's groups",
    auth: "key",
    query: ListGroupsQuery,
    response: ListGroupsReply,
    handle: async ({ caller, query }) =>
      (await services.groups.list(caller, query.page_number, query.page_size)).map(groupItem),
  });

  endpoint(app, services, {
    method: "POST",
    path: "/add_action_to_group",
    tag: "groups",
    summary: "Add an action (raw CID) to a group (permission manage_ipfs_ids_in_groups)",
    auth: "key",
    write: true,
    body: AddActionToGroupBody,
    response: Success,
    handle: async ({ caller, body, write }) => {
      await services.groups.addAction(caller, body.group_id, body.action_ipfs_cid, write);
      return { success: true as const };
    },
  });

  endpoint(app, services, {
    method: "POST",
    path: "/remove_action_from_group",
    tag: "groups",
    summary: "Remove an action (hashed CID) from a group (permission manage_ipfs_ids_in_groups)",
    auth: "key",
    write: true,
    body: RemoveActionFromGroupBody,
    response: Success,
    handle: async ({ caller, body, write }) => {
      await services.groups.removeAction(caller, body.group_id, body.hashed_cid, write);
      return { success: true as const };
    },
  });

  endpoint(app, services, {
    method: "POST",
    path: "/add_pkp_to_group",
    tag: "groups",
    summary: "Add a wallet to a group (permission add_pkp_to_groups)",
    auth: "key",
    write: true,
    body: PkpInGroupBody,
    response: Success,
    handle: async ({ caller, body, write }) => {
      await services.groups.addPkp(caller, body.group_id, body.pkp_id, write);
      return { success: true as const };
    },
  });

  endpoint(app, services, {
    method: "POST",
    path: "/remove_pkp_from_group",
    tag: "groups",
    summary: "Remove a wallet from a group (permission remove_pkp_from_groups)",
    auth: "key",
    write: true,
    body: PkpInGroupBody,
    response: Success,
    handle: async ({ caller, body, write }) => {
      await services.groups.removePkp(caller, body.group_id, body.pkp_id, write);
      return { success: true as const };
    },
  });
}
