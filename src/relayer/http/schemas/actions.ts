import { Type } from "@sinclair/typebox";
import { Description, Hash32Text, Name, PageQuery, U64 } from "./common";

const HashedCid = Type.String({ description: "keccak256 of the CID, 0x hex or decimal (list_actions id)" });

export const AddActionBody = Type.Object({
  action_ipfs_cid: Type.String({ description: "raw IPFS CID (Qm...); the server hashes it" }),
  name: Name(),
  description: Description(),
});
export const DeleteActionBody = Type.Object({ hashed_cid: HashedCid });
export const UpdateActionMetadataBody = Type.Object({
  hashed_cid: HashedCid,
  name: Name(),
  description: Description(),
});

export const ListActionsQuery = Type.Object({
  group_id: Type.Optional(U64("absent or 0 = every action of the account")),
  ...PageQuery,
});
export const ActionItem = Type.Object({
  id: Hash32Text("the hashed CID, usable as hashed_cid"),
  name: Type.String(),
  description: Type.String(),
});
export const ListActionsReply = Type.Array(ActionItem);

export const LitActionCodeBody = Type.String({ description: "the Lit Action code, as a JSON string" });
export const IpfsIdReply = Type.String({ description: "CIDv0 (Qm...) of the code's UTF-8 bytes" });
