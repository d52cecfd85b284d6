// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {LibAccountConfig} from "../libraries/LibAccountConfig.sol";
import {LibAccess} from "../libraries/LibAccess.sol";
import {LibAccounts} from "../libraries/LibAccounts.sol";
import {IAccounts} from "../interfaces/IAccounts.sol";

/// @title Accounts and wallet aliases: create, convert to ChainSecured, transfer, reclaim an alias;
///        the account views
/// @notice An unmanaged account binds its admin's alias keccak256(abi.encodePacked(admin)) and
///         records the wallet its master hash belongs to (Account.masterWallet): the master hash
///         executes only while that wallet is the admin (LibAccess.masterHoldsAuthority). The
///         shared steps (create, bind an alias, release a squat) are in LibAccounts.
contract AccountsFacet is IAccounts {
    using EnumerableSet for EnumerableSet.UintSet;
    using EnumerableSet for EnumerableSet.AddressSet;

    // ------------------------------------------------------------------ writes

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
        if (ownAccount) LibAccounts.releaseSquat(apiKeyHash, msg.sender);
        LibAccounts.create(apiKeyHash, managed, accountName, accountDescription, adminWalletAddress);
    }

    /// @notice Create an unmanaged (ChainSecured) account administered by msg.sender, whose master
    ///         hash is keccak256(abi.encodePacked(msg.sender)). A usage key of another account bound
    ///         to that hash (a squat) is removed first (UsageApiKeyRemoved, AddressAliasReclaimed).
    /// @param accountName at most 128 bytes
    /// @param accountDescription at most 1024 bytes
    function newChainSecuredAccount(string calldata accountName, string calldata accountDescription) external {
        uint256 aliasHash = LibAccess.aliasOf(msg.sender);
        LibAccounts.releaseSquat(aliasHash, msg.sender);
        LibAccounts.create(aliasHash, false, accountName, accountDescription, msg.sender);
    }

    /// @notice Reclaim msg.sender's alias keccak256(abi.encodePacked(msg.sender)) from a usage key
    ///         that squats it (removed, with UsageApiKeyRemoved) or from a removed usage key's
    ///         tombstone, and reserve it for msg.sender: no account may bind it as a usage key again,
    ///         and a conversion or transfer to msg.sender, or its own account, may follow. Never
    ///         touches a master or admin-alias binding (AccountAlreadyExists).
    function reclaimAddressAlias() external {
        uint256 aliasHash = LibAccess.aliasOf(msg.sender);
        LibAccountConfig.Binding storage binding = LibAccountConfig.layout().bindings[aliasHash];
        HashKind kind = binding.kind;
        if (kind == HashKind.Master || kind == HashKind.AdminAlias) {
            revert AccountAlreadyExists(aliasHash);
        }
        uint256 previous = LibAccounts.releaseSquat(aliasHash, msg.sender);
        if (previous == 0) {
            // nothing bound (or already reclaimed): reserve the hash for the wallet
            binding.master = 0;
            binding.kind = HashKind.RemovedUsageKey;
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
        (uint256 master, HashKind kind) = LibAccess.resolve(apiKeyHash);
        if (master == 0) revert AccountDoesNotExist(apiKeyHash);
        if (kind != HashKind.Master) revert NotMasterAccount(apiKeyHash);
        LibAccountConfig.Account storage account = LibAccountConfig.layout().accounts[master];
        if (!account.managed) revert InvalidRequest("account is already ChainSecured");
        account.managed = false;
        account.admin = newAdminWalletAddress;
        LibAccounts.bindAdminAlias(master, newAdminWalletAddress, true);
        emit AccountConvertedToChainSecured(master, newAdminWalletAddress);
        LibAccounts.setMasterWallet(account, master, newAdminWalletAddress);
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
        LibAccounts.bindAdminAlias(master, newAdminWalletAddress, false);
        emit ChainSecuredAccountOwnershipTransferred(master, previous, newAdminWalletAddress);
    }

    // ------------------------------------------------------------------ views

    /// @notice Number of accounts ever created.
    function accountCount() external view returns (uint256) {
        return LibAccountConfig.layout().accountHashes.length;
    }

    /// @notice The master hash of the `index`-th account created (zero-based).
    /// @param index below accountCount()
    function indexToAccountHashAt(uint256 index) external view returns (uint256) {
        uint256[] storage hashes = LibAccountConfig.layout().accountHashes;
        if (index >= hashes.length) revert InvalidRequest("index: out of range");
        return hashes[index];
    }

    /// @notice Whether `apiKeyHash` resolves to an account (master, admin alias, or a usage key that
    ///         is not removed) AND the caller (msg.sender) may write to that account: an api payer
    ///         (or the diamond owner) for an API-mode account, its current admin wallet for a
    ///         ChainSecured one. Answers for the caller as the hosted contract does; plain existence
    ///         is accountExists.
    /// @param apiKeyHash any hash
    function accountExistsAndIsMutable(uint256 apiKeyHash) external view returns (bool) {
        (uint256 master, ) = LibAccess.resolve(apiKeyHash);
        if (master == 0) return false;
        LibAccountConfig.Account storage account = LibAccountConfig.layout().accounts[master];
        return account.managed ? LibAccess.isApiPayerOrOwner(msg.sender) : msg.sender == account.admin;
    }

    /// @notice Whether `apiKeyHash` resolves to an account (master, admin alias, or a usage key that
    ///         is not removed), in either mode, whoever asks.
    /// @param apiKeyHash any hash
    function accountExists(uint256 apiKeyHash) external view returns (bool) {
        (uint256 master, ) = LibAccess.resolve(apiKeyHash);
        return master != 0;
    }

    /// @notice The account's wallet (API mode) or admin wallet (ChainSecured).
    /// @param apiKeyHash any hash of the account
    function getAccountWalletAddress(uint256 apiKeyHash) external view returns (address) {
        return LibAccountConfig.layout().accounts[LibAccess.requireAccount(apiKeyHash)].admin;
    }

    /// @notice A snapshot of the account `apiKeyHash` resolves to.
    /// @param apiKeyHash any hash of the account
    function getAccount(uint256 apiKeyHash) external view returns (AccountInfo memory info) {
        uint256 master = LibAccess.requireAccount(apiKeyHash);
        LibAccountConfig.Account storage a = LibAccountConfig.layout().accounts[master];
        info = AccountInfo(
            master,
            a.managed,
            a.admin,
            a.name,
            a.description,
            a.groups.length(),
            a.actions.length(),
            a.wallets.length(),
            a.usageKeys.length(),
            a.masterIsAdminAlias,
            a.masterWallet
        );
    }

    /// @notice What `apiKeyHash` is bound to: its master (0 if none) and the kind of binding.
    /// @param apiKeyHash any hash
    function resolveApiKeyHash(uint256 apiKeyHash) external view returns (uint256 master, HashKind kind) {
        LibAccountConfig.Binding storage b = LibAccountConfig.layout().bindings[apiKeyHash];
        kind = b.kind;
        master = kind == HashKind.None || kind == HashKind.RemovedUsageKey ? 0 : b.master;
    }
}
