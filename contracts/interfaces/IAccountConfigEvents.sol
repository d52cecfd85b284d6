// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccountConfigTypes} from "./IAccountConfigTypes.sol";

/// @title Events of the AccountConfig diamond
/// @notice The first block is the hosted service's event surface (kept byte-identical). The second
///         block is added so that an indexer can rebuild the complete state from logs alone.
interface IAccountConfigEvents {
    // ---- hosted-compatible events ----
    event AccountConvertedToChainSecured(uint256 indexed apiKeyHash, address indexed newAdminWalletAddress);
    event AccountCreated(uint256 indexed apiKeyHash, address indexed admin, bool managed);
    event ActionAdded(uint256 indexed accountApiKeyHash, uint256 indexed actionHash);
    event ActionAddedToGroup(uint256 indexed apiKeyHash, uint256 indexed groupId, uint256 action);
    event ActionRemoved(uint256 indexed accountApiKeyHash, uint256 indexed actionHash);
    event ActionRemovedFromGroup(uint256 indexed apiKeyHash, uint256 indexed groupId, uint256 action);
    event GroupAdded(uint256 indexed apiKeyHash, uint256 indexed groupId);
    event GroupRemoved(uint256 indexed apiKeyHash, uint256 indexed groupId);
    event GroupUpdated(uint256 indexed accountApiKeyHash, uint256 indexed groupId);
    event PkpAddedToGroup(uint256 indexed apiKeyHash, uint256 indexed groupId, address pkpId);
    event PkpRemovedFromGroup(uint256 indexed apiKeyHash, uint256 indexed groupId, address pkpId);
    event UsageApiKeyRemoved(uint256 indexed accountApiKeyHash, uint256 indexed usageApiKeyHash);
    event UsageApiKeySet(uint256 indexed accountApiKeyHash, uint256 indexed usageApiKeyHash);
    event WalletDerivationRegistered(uint256 indexed apiKeyHash, address indexed pkpId, uint256 derivationPath);
    event AdminApiPayerUpdated(address indexed newAdminApiPayerAccount);
    event ApiPayersUpdated(address[] newApiPayers);
    event ConfigOperatorUpdated(address indexed newConfigOperator);
    event RebalanceAmountUpdated(uint256 newRebalanceAmount);
    event RequestedApiPayerCountUpdated(uint256 newCount);
    event ServerTriggered(uint256 value, address indexed sender);
    event ApiKeyCredited(uint256 indexed apiKeyHash, uint256 amount);
    event ApiKeyDebited(uint256 indexed apiKeyHash, uint256 amount);
    event PricingOperatorUpdated(address indexed newPricingOperator);
    event PricingUpdated(uint256 indexed pricingItemId, uint256 price);
    event ChainSecuredAccountOwnershipTransferred(
        uint256 indexed masterApiKeyHash,
        address indexed previousAdminWalletAddress,
        address indexed newAdminWalletAddress
    );

    // ---- added by this project (state that the hosted events leave out) ----
    /// @notice Account name/description, emitted on creation.
    event AccountMetadataSet(uint256 indexed apiKeyHash, string name, string description);
    /// @notice `aliasHash` now resolves to `masterApiKeyHash` (admin-wallet alias).
    event AdminAliasBound(uint256 indexed masterApiKeyHash, uint256 indexed aliasHash, address indexed admin);
    /// @notice Group name/description, emitted on addGroup, updateGroup and updateGroupMetadata.
    event GroupMetadataSet(uint256 indexed apiKeyHash, uint256 indexed groupId, string name, string description);
    /// @notice Action name/description, emitted on addAction and updateActionMetadata.
    event ActionMetadataSet(uint256 indexed apiKeyHash, uint256 indexed actionHash, string name, string description);
    /// @notice Wallet name/description, emitted on registerWalletDerivation.
    event WalletMetadataSet(uint256 indexed apiKeyHash, address indexed pkpId, string name, string description);
    /// @notice The full permission set of a usage key, emitted by setUsageApiKey.
    event UsageApiKeyPermissionsSet(
        uint256 indexed accountApiKeyHash,
        uint256 indexed usageApiKeyHash,
        IAccountConfigTypes.UsageKeyPermissions permissions
    );
    /// @notice Usage-key name/description, emitted by setUsageApiKey and updateUsageApiKeyMetadata.
    event UsageApiKeyMetadataSet(
        uint256 indexed accountApiKeyHash,
        uint256 indexed usageApiKeyHash,
        string name,
        string description
    );
    /// @notice A node configuration entry was set (or removed, with `removed` true).
    event NodeConfigurationSet(string key, string value, bool removed);
    /// @notice The master hash of the account belongs to `wallet`: it executes only while `wallet`
    ///         is the account's admin (emitted when an unmanaged account is created or converted,
    ///         and by the version 2 initializer for accounts made before it).
    event MasterWalletSet(uint256 indexed masterApiKeyHash, address indexed wallet);
    /// @notice `wallet` reclaimed its alias `aliasHash` = keccak256(abi.encodePacked(wallet)): the
    ///         usage-key binding of account `previousAccountApiKeyHash` (0 when there was none) is
    ///         gone and no account may bind the hash as a usage key again.
    event AddressAliasReclaimed(
        uint256 indexed aliasHash,
        address indexed wallet,
        uint256 indexed previousAccountApiKeyHash
    );
    /// @notice The diamond's storage was initialised at `version`.
    event Initialized(uint64 version);
    /// @notice batchCalls: call `index` finished (emitted after the call's own events, so it closes
    ///         them in the receipt). `revertData` is the call's revert data when it failed, else empty.
    event BatchCallResult(uint256 indexed index, bool success, bytes revertData);
}
