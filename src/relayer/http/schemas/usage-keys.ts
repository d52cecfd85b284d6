import { Type } from "@sinclair/typebox";
import { Description, GroupIdList, Hash32Text, Name, OptionalNullable, PageQuery, U64 } from "./common";

const UsageKeyText = Type.String({
  description: "the usage key, or its hash as 0x + 64 hex (as list_api_keys returns it)",
});

const permissionFields = {
  name: Name(),
  description: Description(),
  can_create_groups: Type.Boolean(),
  can_delete_groups: Type.Boolean(),
  can_create_pkps: Type.Boolean(),
  manage_ipfs_ids_in_groups: GroupIdList("add/remove actions"),
  add_pkp_to_groups: GroupIdList("add wallets"),
  remove_pkp_from_groups: GroupIdList("remove wallets"),
  execute_in_groups: GroupIdList("execute Lit Actions"),
  expiration: OptionalNullable(U64("unix seconds after which the key stops working; 0, null or absent = never")),
};

export const AddUsageKeyBody = Type.Object(permissionFields);
export const AddUsageKeyReply = Type.Object({
  success: Type.Literal(true),
  usage_api_key: Type.String({ description: "the new usage key; shown once" }),
});

export const UpdateUsageKeyBody = Type.Object({ usage_api_key: UsageKeyText, ...permissionFields });
export const UpdateUsageKeyMetadataBody = Type.Object({
  usage_api_key: UsageKeyText,
  name: Name(),
  description: Description(),
});
export const RemoveUsageKeyBody = Type.Object({ usage_api_key: UsageKeyText });

export const ListApiKeysQuery = Type.Object(PageQuery);

const NumberList = Type.Array(Type.Number());
export const ApiKeyItem = Type.Object({
  id: Hash32Text("the key's hash"),
  api_key_hash: Hash32Text("the key's hash"),
  name: Type.String(),
  description: Type.String(),
  expiration: Type.String({ description: "unix seconds as a decimal string; 0 = never" }),
  balance: Type.Number(),
  can_create_groups: Type.Boolean(),
  can_delete_groups: Type.Boolean(),
  can_create_pkps: Type.Boolean(),
  can_manage_ipfs_ids_in_groups: NumberList,
  can_add_pkp_to_groups: NumberList,
  can_remove_pkp_from_groups: NumberList,
  can_execute_in_groups: NumberList,
});
export const ListApiKeysReply = Type.Array(ApiKeyItem);
