import { Type } from "@sinclair/typebox";
import { Description, GroupIdU64, Hash32Text, Name, OptionalNullable, PageQuery } from "./common";

const PkpIds = Type.Array(Type.String(), {
  description: "wallet addresses registered to the account (20-byte hex); the zero address = every wallet; at most 10",
});
const CidHashes = Type.Array(Type.String(), {
  description: "hashed CIDs (0x hex or decimal); 0 = every action of the account; at most 10",
});

export const AddGroupBody = Type.Object({
  group_name: Name("group_name"),
  group_description: Description("group_description"),
  pkp_ids_permitted: PkpIds,
  cid_hashes_permitted: CidHashes,
});
export const AddGroupReply = Type.Object({
  success: Type.Literal(true),
  group_id: Type.String({ description: "the new group's id, decimal (from the GroupAdded event)" }),
});

export const UpdateGroupBody = Type.Object({
  group_id: GroupIdU64,
  name: Name(),
  description: Description(),
  pkp_ids_permitted: OptionalNullable(PkpIds),
  cid_hashes_permitted: OptionalNullable(CidHashes),
});

export const RemoveGroupBody = Type.Object({
  group_id: Type.Union([Type.String(), GroupIdU64], {
    description: "decimal or 0x-hex string (or integer); 0 is invalid",
  }),
});

export const ListGroupsQuery = Type.Object(PageQuery);
export const GroupItem = Type.Object({
  id: Hash32Text("the group id"),
  name: Type.String(),
  description: Type.String(),
});
export const ListGroupsReply = Type.Array(GroupItem);

export const AddActionToGroupBody = Type.Object({
  group_id: GroupIdU64,
  action_ipfs_cid: Type.String({ description: "raw IPFS CID (Qm...); the server hashes it" }),
});
export const RemoveActionFromGroupBody = Type.Object({
  group_id: GroupIdU64,
  hashed_cid: Type.String({ description: "keccak256 of the CID, 0x hex or decimal (list_actions id)" }),
});
export const PkpInGroupBody = Type.Object({
  group_id: GroupIdU64,
  pkp_id: Type.String({ description: "wallet address (20-byte hex, 0x optional)" }),
});
