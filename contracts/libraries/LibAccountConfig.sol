// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {IAccountConfigTypes} from "../interfaces/IAccountConfigTypes.sol";

/// @title The one storage layout of the AccountConfig diamond
/// @notice ERC-7201 namespaced storage. All application state of every facet lives in `Layout`.
///         Upgrades may only append fields at the end of a struct; never reorder or remove.
/// @dev Slot: keccak256(abi.encode(uint256(keccak256("accountconfig.storage.main")) - 1)) & ~bytes32(uint256(0xff))
/// @custom:storage-location erc7201:accountconfig.storage.main
library LibAccountConfig {
    /// @notice Namespace id used to derive STORAGE_SLOT.
    string internal constant NAMESPACE = "accountconfig.storage.main";
    /// @notice keccak256(abi.encode(uint256(keccak256(NAMESPACE)) - 1)) & ~bytes32(uint256(0xff))
    bytes32 internal constant STORAGE_SLOT = 0x670b4f625b9fda9a3eac332aabaa648631fa00e6f553ff20ea361f4416f74d00;

    // ---- limits (contracts.md) ----
    uint256 internal constant MAX_GROUP_LIST_INPUT = 10; // cid hashes / pkp ids per addGroup/updateGroup call
    uint256 internal constant MAX_GROUP_MEMBERS = 100; // cids (or wallets) held by one group
    uint256 internal constant MAX_GROUPS_PER_ACTION = 100; // groups one action may belong to
    uint256 internal constant MAX_USAGE_KEY_GROUPS = 50; // entries in each usage-key group array
    uint256 internal constant MAX_NAME_BYTES = 128;
    uint256 internal constant MAX_DESCRIPTION_BYTES = 1024;
    uint256 internal constant MAX_PAGE_SIZE = 100;
    uint256 internal constant MAX_API_PAYERS = 100;
    uint256 internal constant MAX_NODE_CONFIG_KEYS = 100;
    uint256 internal constant MAX_NODE_CONFIG_VALUE_BYTES = 1024;

    // ---- usage-key group permission flags (bit per permission) ----
    uint8 internal constant PERM_MANAGE_IPFS = 1;
    uint8 internal constant PERM_ADD_PKP = 2;
    uint8 internal constant PERM_REMOVE_PKP = 4;
    uint8 internal constant PERM_EXECUTE = 8;

    /// @notice What an apiKeyHash resolves to. `kind` RemovedUsageKey keeps `master` as a tombstone
    ///         so that only the same account may bind that hash again. A RemovedUsageKey tombstone
    ///         with master 0 is a wallet alias reclaimed by its wallet (reclaimAddressAlias): no
    ///         account may bind it as a usage key, but it may become that wallet's account or alias.
    struct Binding {
        uint256 master;
        IAccountConfigTypes.HashKind kind;
    }

    struct Account {
        bool exists;
        bool managed;
        address admin;
        string name;
        string description;
        EnumerableSet.UintSet groups;
        EnumerableSet.UintSet actions;
        EnumerableSet.AddressSet wallets;
        EnumerableSet.UintSet usageKeys;
        /// groups whose cid list holds the 0 wildcard (every registered action)
        EnumerableSet.UintSet wildcardActionGroups;
        mapping(uint256 actionHash => Metadata) actionMeta;
        /// reverse index: action -> groups that list it explicitly
        mapping(uint256 actionHash => EnumerableSet.UintSet) actionGroups;
        /// the master hash is keccak256(abi.encodePacked(wallet)) of the wallet that created (or was
        /// converted to) this account: it executes only while that wallet is the admin
        bool masterIsAdminAlias;
        /// (appended in storage version 2) the wallet the master hash belongs to: the admin an
        /// unmanaged account was created with, or the wallet a managed account was converted to.
        /// The master hash of an unmanaged account executes only while this wallet is the admin.
        /// Zero for managed accounts and for unmanaged accounts made before version 2 until the
        /// version 2 initializer records it (see AccountConfigInit).
        address masterWallet;
    }

    struct Metadata {
        string name;
        string description;
    }

    struct Group {
        /// master hash of the owning account; 0 when the group does not exist
        uint256 account;
        string name;
        string description;
        /// cid hashes; 0 = every action registered to the account
        EnumerableSet.UintSet cids;
        /// wallets; address(0) = every wallet registered to the account
        EnumerableSet.AddressSet wallets;
    }

    struct Wallet {
        /// master hash of the owning account; 0 when unregistered
        uint256 account;
        uint256 derivation;
        string name;
        string description;
    }

    struct UsageKey {
        uint256 expiration;
        string name;
        string description;
        bool createGroups;
        bool deleteGroups;
        bool createPKPs;
        /// bit set of PERM_* whose array holds the 0 wildcard
        uint8 wildcards;
        /// incremented on every set/remove; selects a fresh `groupFlags` map so nothing survives
        uint64 epoch;
        uint256[] manageIPFSIdsInGroups;
        uint256[] addPkpToGroups;
        uint256[] removePkpFromGroups;
        uint256[] executeInGroups;
        mapping(uint64 epoch => mapping(uint256 groupId => uint8 flags)) groupFlags;
    }

    struct Layout {
        /// version of the last initializer run (asserted at offset 0 of the slot by the tests)
        uint64 initializedVersion;
        uint256 nextGroupId;
        mapping(uint256 apiKeyHash => Binding) bindings;
        mapping(uint256 masterHash => Account) accounts;
        uint256[] accountHashes;
        mapping(uint256 groupId => Group) groups;
        mapping(address pkpId => Wallet) wallets;
        mapping(uint256 derivation => address pkpId) derivationOwner;
        address[] allWallets;
        mapping(uint256 usageKeyHash => UsageKey) usageKeys;
        mapping(uint256 apiKeyHash => uint256) balances;
        // config
        EnumerableSet.AddressSet apiPayers;
        address adminApiPayer;
        address configOperator;
        address pricingOperator;
        uint256 requestedApiPayerCount;
        uint256 rebalanceAmount;
        EnumerableSet.StringSet nodeConfigKeys;
        mapping(string key => string) nodeConfig;
        // billing
        EnumerableSet.UintSet pricingItems;
        mapping(uint256 itemId => uint256) prices;
    }

    /// @notice The diamond's application storage.
    function layout() internal pure returns (Layout storage s) {
        bytes32 slot = STORAGE_SLOT;
        assembly {
            s.slot := slot
        }
    }
}
