// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Custom errors of the AccountConfig diamond
/// @notice The first block is the hosted service's error surface (kept byte-identical); the
///         second block is added by this project. Every error names the offending value.
interface IAccountConfigErrors {
    // ---- hosted-compatible errors ----
    error AccountAlreadyExists(uint256 apiKeyHash);
    error AccountDoesNotExist(uint256 apiKeyHash);
    error ActionDoesNotExist(uint256 apiKeyHash, uint256 groupId, uint256 cidHash);
    error GroupDoesNotExist(uint256 apiKeyHash, uint256 groupId);
    error InvalidRequest(string message);
    error NoAccountAccess(uint256 apiKeyHash, address sender);
    error NotAllowedToAddPkpToGroup(uint256 apiKeyHash, uint256 groupId);
    error NotAllowedToCreateGroup(uint256 apiKeyHash);
    error NotAllowedToCreatePkp(uint256 apiKeyHash);
    error NotAllowedToDeleteGroup(uint256 apiKeyHash);
    error NotAllowedToManageIPFSIdsInGroup(uint256 apiKeyHash, uint256 groupId);
    error NotAllowedToRemovePkpFromGroup(uint256 apiKeyHash, uint256 groupId);
    error NotMasterAccount(uint256 apiKeyHash);
    error OnlyApiPayerOrOwner(address caller);
    error PkpDoesNotExist(uint256 apiKeyHash, uint256 groupId, address pkpId);
    error UsageApiKeyDoesNotExist(uint256 apiKeyHash, uint256 usageApiKeyHash);
    error NotContractOwner(address _user, address _contractOwner);
    error OnlyConfigOperatorOrOwner(address caller);
    error InsufficientBalance(uint256 apiKeyHash, uint256 amount);
    error OnlyApiPayerOrPricingOperator(address caller);

    // ---- added by this project ----
    /// @notice The usage key exists but its expiration time has passed.
    error UsageApiKeyExpired(uint256 usageApiKeyHash, uint256 expiration);
    /// @notice The wallet (pkpId) is already registered, to this or another account.
    error WalletAlreadyRegistered(address pkpId, uint256 ownerApiKeyHash);
    /// @notice The derivation value is already registered, to this or another account.
    error DerivationAlreadyRegistered(uint256 derivationPath);
    /// @notice Pricing may be set only by the diamond owner or the pricing operator.
    error OnlyPricingOperatorOrOwner(address caller);
    /// @notice The versioned initializer already ran for this (or a later) version.
    error AlreadyInitialized(uint64 version, uint64 currentVersion);
    /// @notice The version 2 initializer was given a (master, wallet) pair it cannot record: the
    ///         account is not an unmanaged account made before version 2, or `wallet` was never its
    ///         admin.
    error LegacyMasterWalletInvalid(uint256 masterApiKeyHash, address wallet);
    /// @notice diamondCut: an add/replace/remove operation is invalid (message says which).
    error DiamondCutInvalid(string message, bytes4 selector);
    /// @notice diamondCut: the initializer call reverted without a reason.
    error DiamondInitFailed(address init, bytes data);
    /// @notice No facet implements the called selector.
    error FunctionDoesNotExist(bytes4 selector);
    /// @notice batchCalls was given no calls.
    error EmptyBatch();
    /// @notice batchCalls: call `index` is itself a batchCalls call (batches do not nest).
    error NestedBatch(uint256 index);
    /// @notice batchCalls: call `index` ran out of the gas the transaction left it. The whole batch
    ///         reverts (rather than recording a failure) so that a gas limit that is too low can
    ///         never drop a call silently, and eth_estimateGas finds a limit at which every call runs.
    error BatchCallOutOfGas(uint256 index);
}
