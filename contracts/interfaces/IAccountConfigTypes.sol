// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Value types returned by the AccountConfig views (ABI-compatible with the hosted service)
interface IAccountConfigTypes {
    /// @notice Name and description of an object; `id` is its hash or id.
    struct Metadata {
        uint256 id;
        string name;
        string description;
    }

    /// @notice A wallet (PKP) entry; `id` is its derivation value.
    struct WalletData {
        uint256 id;
        address pkpId;
        string name;
        string description;
    }

    /// @notice A usage API key with its full permission set, as listApiKeys returns it.
    struct UsageApiKey {
        Metadata metadata;
        uint256 apiKeyHash;
        uint256 expiration;
        uint256 balance;
        uint256[] executeInGroups;
        bool createGroups;
        bool deleteGroups;
        bool createPKPs;
        uint256[] manageIPFSIdsInGroups;
        uint256[] addPkpToGroups;
        uint256[] removePkpFromGroups;
    }

    /// @notice The permission part of a usage key (carried by UsageApiKeyPermissionsSet).
    struct UsageKeyPermissions {
        uint256 expiration;
        uint256 balance;
        bool createGroups;
        bool deleteGroups;
        bool createPKPs;
        uint256[] manageIPFSIdsInGroups;
        uint256[] addPkpToGroups;
        uint256[] removePkpFromGroups;
        uint256[] executeInGroups;
    }

    /// @notice A group with its action (cid hash) and wallet lists; 0 / address(0) are wildcards.
    struct GroupContents {
        Metadata metadata;
        uint256[] cidHash;
        address[] pkpId;
    }

    /// @notice One node configuration entry.
    struct KeyValue {
        string key;
        string value;
    }

    /// @notice A snapshot of an account (added by this project).
    struct AccountInfo {
        uint256 masterApiKeyHash;
        bool managed;
        address adminWalletAddress;
        string name;
        string description;
        uint256 groupCount;
        uint256 actionCount;
        uint256 walletCount;
        uint256 usageKeyCount;
        /// the master hash is the alias of the wallet that created (or was converted to) the
        /// account: it executes only while that wallet is the admin
        bool masterIsAdminAlias;
        /// the wallet the master hash belongs to (unmanaged accounts): the master hash executes
        /// only while this wallet is the admin; zero for managed accounts
        address masterWallet;
    }

    /// @notice What an apiKeyHash is bound to.
    enum HashKind {
        None,
        Master,
        UsageKey,
        AdminAlias,
        RemovedUsageKey
    }
}
