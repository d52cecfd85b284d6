// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {LibAccountConfig} from "../libraries/LibAccountConfig.sol";
import {LibAccess} from "../libraries/LibAccess.sol";
import {LibUsageKeys} from "../libraries/LibUsageKeys.sol";
import {IAccountConfigErrors} from "../interfaces/IAccountConfigErrors.sol";
import {IAccountConfigEvents} from "../interfaces/IAccountConfigEvents.sol";
import {IAccountConfigTypes} from "../interfaces/IAccountConfigTypes.sol";

/// @title Accounts and wallet aliases: create, convert to ChainSecured, transfer, reclaim an alias
/// @notice An unmanaged account binds its admin's alias keccak256(abi.encodePacked(admin)) and
///         records the wallet its master hash belongs to (Account.masterWallet): the master hash
///         executes only while that wallet is the admin (LibAccess.masterHoldsAuthority).
contract AccountsFacet is IAccountConfigErrors, IAccountConfigEvents {
    /// @notice Create an account. Api payers and the owner may create either kind; anyone else only
    ///         an unmanaged account whose hash is keccak256(abi.encodePacked(msg.sender)) and whose
    ///         admin is msg.sender. An unmanaged account also binds its admin alias.
    /// @param apiKeyHash the master hash (keccak of the API key, or of the admin address)
    /// @param managed true for API mode (written by api payers), false for ChainSecured
    /// @param accountName at most 128 bytes
    /// @param accountDescription at most 1024 bytes
    /// @param adminWalletAddress the account wallet (API mode) or admin wallet (ChainSecured)
    function newAccount(
        uint256 apiKeyHash,
        bool managed,
        string calldata accountName,
        string calldata accountDescription,
        address adminWalletAddress
    ) external {
        bool ownAccount = !managed && adminWalletAddress == msg.sender && apiKeyHash == LibAccess.aliasOf(msg.sender);
        if (!ownAccount && !LibAccess.isApiPayerOrOwner(msg.sender)) revert OnlyApiPayerOrOwner(msg.sender);
        // A wallet creating its own account takes its alias back from a usage key squatting it.
        if (ownAccount) _releaseSquat(apiKeyHash, msg.sender);
        _createAccount(apiKeyHash, managed, accountName, accountDescription, adminWalletAddress);
    }

    /// @notice Create an unmanaged (ChainSecured) account administered by msg.sender, whose master
    ///         hash is keccak256(abi.encodePacked(msg.sender)). A usage key of another account bound
    ///         to that hash (a squat) is removed first (UsageApiKeyRemoved, AddressAliasReclaimed).
    /// @param accountName at most 128 bytes
    /// @param accountDescription at most 1024 bytes
    function newChainSecuredAccount(string calldata accountName, string calldata accountDescription) external {
        uint256 aliasHash = LibAccess.aliasOf(msg.sender);
        _releaseSquat(aliasHash, msg.sender);
        _createAccount(aliasHash, false, accountName, accountDescription, msg.sender);
    }

    /// @notice Reclaim msg.sender's alias keccak256(abi.encodePacked(msg.sender)) from a usage key
    ///         that squats it (removed, with UsageApiKeyRemoved) or from a removed usage key's
    ///         tombstone, and reserve it for msg.sender: no account may bind it as a usage key again,
    ///         and a conversion or transfer to msg.sender, or its own account, may follow. Never
    ///         touches a master or admin-alias binding (AccountAlreadyExists).
    function reclaimAddressAlias() external {
        uint256 aliasHash = LibAccess.aliasOf(msg.sender);
        LibAccountConfig.Binding storage binding = LibAccountConfig.layout().bindings[aliasHash];
        IAccountConfigTypes.HashKind kind = binding.kind;
        if (kind == IAccountConfigTypes.HashKind.Master || kind == IAccountConfigTypes.HashKind.AdminAlias) {
            revert AccountAlreadyExists(aliasHash);
        }
        uint256 previous = _releaseSquat(aliasHash, msg.sender);
        if (previous == 0) {
            // nothing bound (or already reclaimed): reserve the hash for the wallet
            binding.master = 0;
            binding.kind = IAccountConfigTypes.HashKind.RemovedUsageKey;
            emit AddressAliasReclaimed(aliasHash, msg.sender, 0);
        }
    }

    /// @notice Flip a managed account to unmanaged with `newAdminWalletAddress` as admin. One way only.
    /// @dev Api payer or owner. `apiKeyHash` must be the master hash.
    /// @param apiKeyHash the account's master hash
    /// @param newAdminWalletAddress the wallet that becomes the sole admin
    function convertToChainSecuredAccount(uint256 apiKeyHash, address newAdminWalletAddress) external {
        LibAccess.enforceApiPayerOrOwner();
        LibAccess.requireNonZeroAddress(newAdminWalletAddress, "newAdminWalletAddress");
        (uint256 master, IAccountConfigTypes.HashKind kind) = LibAccess.resolve(apiKeyHash);
        if (master == 0) revert AccountDoesNotExist(apiKeyHash);
        if (kind != IAccountConfigTypes.HashKind.Master) revert NotMasterAccount(apiKeyHash);
        LibAccountConfig.Account storage account = LibAccountConfig.layout().accounts[master];
        if (!account.managed) revert InvalidRequest("account is already ChainSecured");
        account.managed = false;
        account.admin = newAdminWalletAddress;
        _bindAdminAlias(master, newAdminWalletAddress, true);
        emit AccountConvertedToChainSecured(master, newAdminWalletAddress);
        _setMasterWallet(account, master, newAdminWalletAddress);
    }

    /// @notice Hand an unmanaged account to a new admin wallet. Only the current admin may call.
    ///         The previous admin's alias stays bound, so no wallet that was ever an admin can
    ///         receive an account. From now on the master hash (the old API key of a converted
    ///         account) executes nothing: authority follows the current owner.
    /// @param apiKeyHash the master hash or any hash that resolves to it
    /// @param newAdminWalletAddress the new admin; its alias must be unbound
    function transferChainSecuredAccountOwnership(uint256 apiKeyHash, address newAdminWalletAddress) external {
        LibAccess.requireNonZeroAddress(newAdminWalletAddress, "newAdminWalletAddress");
        uint256 master = LibAccess.requireAccount(apiKeyHash);
        LibAccountConfig.Account storage account = LibAccountConfig.layout().accounts[master];
        if (account.managed) revert InvalidRequest("account is managed; use convertToChainSecuredAccount");
        address previous = account.admin;
        if (msg.sender != previous) revert NoAccountAccess(apiKeyHash, msg.sender);
        if (newAdminWalletAddress == previous) revert InvalidRequest("newAdminWalletAddress: already the admin");
        account.admin = newAdminWalletAddress;
        // The creator of a self-service account owns the master hash itself: it is bound too.
        _bindAdminAlias(master, newAdminWalletAddress, false);
        emit ChainSecuredAccountOwnershipTransferred(master, previous, newAdminWalletAddress);
    }

    // ------------------------------------------------------------------ internals

    function _createAccount(
        uint256 hash,
        bool managed,
        string calldata name,
        string calldata description,
        address admin
    ) private {
        LibAccess.requireNonZero(hash, "apiKeyHash");
        LibAccess.requireNonZeroAddress(admin, "adminWalletAddress");
        LibAccess.requireMetadata(bytes(name).length, bytes(description).length);
        LibAccountConfig.Layout storage s = LibAccountConfig.layout();
        if (!LibAccess.isFreeForAccount(s.bindings[hash])) revert AccountAlreadyExists(hash);
        s.bindings[hash] = LibAccountConfig.Binding(hash, IAccountConfigTypes.HashKind.Master);
        LibAccountConfig.Account storage account = s.accounts[hash];
        account.exists = true;
        account.managed = managed;
        account.admin = admin;
        account.name = name;
        account.description = description;
        s.accountHashes.push(hash);
        emit AccountCreated(hash, admin, managed);
        emit AccountMetadataSet(hash, name, description);
        if (!managed) {
            _bindAdminAlias(hash, admin, true);
            _setMasterWallet(account, hash, admin);
        }
    }

    /// @dev The master hash of `account` belongs to `wallet` (see LibAccess.masterHoldsAuthority).
    function _setMasterWallet(LibAccountConfig.Account storage account, uint256 master, address wallet) private {
        account.masterWallet = wallet;
        emit MasterWalletSet(master, wallet);
    }

    /// @dev If `aliasHash` (the alias of `wallet`, which is msg.sender) is bound as a usage key of some
    ///      account, or is a removed usage key's tombstone, free it for the wallet: remove the key,
    ///      leave a reclaimed tombstone (master 0) and emit AddressAliasReclaimed. Returns the account
    ///      that held it, or 0 when nothing was released.
    function _releaseSquat(uint256 aliasHash, address wallet) private returns (uint256 previous) {
        LibAccountConfig.Binding storage binding = LibAccountConfig.layout().bindings[aliasHash];
        IAccountConfigTypes.HashKind kind = binding.kind;
        previous = binding.master;
        if (kind == IAccountConfigTypes.HashKind.UsageKey) {
            LibUsageKeys.remove(previous, aliasHash);
        } else if (kind != IAccountConfigTypes.HashKind.RemovedUsageKey || previous == 0) {
            return 0;
        }
        binding.master = 0;
        emit AddressAliasReclaimed(aliasHash, wallet, previous);
    }

    /// @dev Bind keccak(admin) -> master; revert AccountAlreadyExists if that hash is bound. When
    ///      `masterIsAlias` is true and the alias is the master hash itself, there is nothing to bind.
    function _bindAdminAlias(uint256 master, address admin, bool masterIsAlias) private {
        uint256 aliasHash = LibAccess.aliasOf(admin);
        if (aliasHash == master && masterIsAlias) {
            LibAccountConfig.layout().accounts[master].masterIsAdminAlias = true;
            return;
        }
        LibAccountConfig.Binding storage binding = LibAccountConfig.layout().bindings[aliasHash];
        if (!LibAccess.isFreeForAccount(binding)) revert AccountAlreadyExists(aliasHash);
        binding.master = master;
        binding.kind = IAccountConfigTypes.HashKind.AdminAlias;
        emit AdminAliasBound(master, aliasHash, admin);
    }
}
