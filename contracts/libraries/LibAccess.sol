// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {LibAccountConfig} from "./LibAccountConfig.sol";
import {LibDiamond} from "./LibDiamond.sol";
import {IAccountConfigErrors} from "../interfaces/IAccountConfigErrors.sol";
import {IAccountConfigTypes} from "../interfaces/IAccountConfigTypes.sol";

/// @title Identity resolution, write authority and usage-key permissions
/// @notice Every rule about "who may do what" lives here; facets only call these functions.
library LibAccess {
    using EnumerableSet for EnumerableSet.UintSet;
    using EnumerableSet for EnumerableSet.AddressSet;

    /// @notice How far an apiKeyHash may execute actions.
    enum ExecScope {
        None, // unknown, removed or expired
        All, // master, admin alias, or a usage key with 0 in executeInGroups
        Groups // a usage key limited to its executeInGroups list
    }

    // ------------------------------------------------------------------ resolution

    /// @notice The master hash and binding kind of `hash`; master is 0 when it resolves to nothing.
    function resolve(uint256 hash) internal view returns (uint256 master, IAccountConfigTypes.HashKind kind) {
        LibAccountConfig.Binding storage b = LibAccountConfig.layout().bindings[hash];
        kind = b.kind;
        if (kind == IAccountConfigTypes.HashKind.None || kind == IAccountConfigTypes.HashKind.RemovedUsageKey) {
            return (0, kind);
        }
        return (b.master, kind);
    }

    /// @notice The master hash of `hash`, or revert AccountDoesNotExist(hash).
    function requireAccount(uint256 hash) internal view returns (uint256 master) {
        (master, ) = resolve(hash);
        if (master == 0) revert IAccountConfigErrors.AccountDoesNotExist(hash);
    }

    /// @notice The ChainSecured alias of `wallet`: uint256(keccak256(abi.encodePacked(wallet))).
    function aliasOf(address wallet) internal pure returns (uint256) {
        return uint256(keccak256(abi.encodePacked(wallet)));
    }

    /// @notice Whether `binding` leaves its hash free to become an account's master or admin alias:
    ///         never bound, or a wallet alias reclaimed by its wallet (RemovedUsageKey with master 0).
    function isFreeForAccount(LibAccountConfig.Binding storage binding) internal view returns (bool) {
        IAccountConfigTypes.HashKind kind = binding.kind;
        return
            kind == IAccountConfigTypes.HashKind.None ||
            (kind == IAccountConfigTypes.HashKind.RemovedUsageKey && binding.master == 0);
    }

    /// @notice Whether the master hash `hash` of `account` still carries the account's authority to
    ///         execute: always for a managed account; for an unmanaged one only while the admin is
    ///         the wallet the master hash belongs to (the wallet the account was created with or
    ///         converted to), so a transfer takes execution away from the old API key.
    function masterHoldsAuthority(LibAccountConfig.Account storage account, uint256 hash) internal view returns (bool) {
        if (account.managed) return true;
        address wallet = account.masterWallet;
        if (wallet != address(0)) return account.admin == wallet;
        // Made before storage version 2 and not recorded by its initializer: a self-service master
        // (the creator's alias) is checked by its alias; any other master executes nothing.
        return account.masterIsAdminAlias && aliasOf(account.admin) == hash;
    }

    // ------------------------------------------------------------------ write authority

    function isApiPayerOrOwner(address who) internal view returns (bool) {
        return LibAccountConfig.layout().apiPayers.contains(who) || who == LibDiamond.contractOwner();
    }

    function enforceApiPayerOrOwner() internal view {
        if (!isApiPayerOrOwner(msg.sender)) revert IAccountConfigErrors.OnlyApiPayerOrOwner(msg.sender);
    }

    /// @notice Authorise a write that names `hash`. Managed accounts are written by api payers (or the
    ///         owner), unmanaged ones only by their admin wallet. An expired usage key authorises nothing.
    /// @return master the account's master hash
    /// @return full true for the master hash or an admin alias; false for a usage key
    function authorizeWrite(uint256 hash) internal view returns (uint256 master, bool full) {
        IAccountConfigTypes.HashKind kind;
        (master, kind) = resolve(hash);
        if (master == 0) revert IAccountConfigErrors.AccountDoesNotExist(hash);
        LibAccountConfig.Account storage account = LibAccountConfig.layout().accounts[master];
        if (account.managed) {
            enforceApiPayerOrOwner();
        } else if (msg.sender != account.admin) {
            revert IAccountConfigErrors.NoAccountAccess(hash, msg.sender);
        }
        if (kind == IAccountConfigTypes.HashKind.UsageKey) {
            uint256 expiration = LibAccountConfig.layout().usageKeys[hash].expiration;
            if (isExpired(expiration)) revert IAccountConfigErrors.UsageApiKeyExpired(hash, expiration);
            return (master, false);
        }
        return (master, true);
    }

    /// @notice Authorise a write that only the master key (or an admin alias) may make.
    function authorizeMasterWrite(uint256 hash) internal view returns (uint256 master) {
        bool full;
        (master, full) = authorizeWrite(hash);
        if (!full) revert IAccountConfigErrors.NotMasterAccount(hash);
    }

    function isExpired(uint256 expiration) internal view returns (bool) {
        return expiration != 0 && expiration <= block.timestamp;
    }

    /// @notice Whether usage key `keyHash` holds group permission `perm` (a PERM_* bit) for `groupId`,
    ///         directly or through the 0 wildcard.
    function hasGroupPermission(uint256 keyHash, uint256 groupId, uint8 perm) internal view returns (bool) {
        LibAccountConfig.UsageKey storage key = LibAccountConfig.layout().usageKeys[keyHash];
        return (key.wildcards & perm) != 0 || (key.groupFlags[key.epoch][groupId] & perm) != 0;
    }

    /// @notice The group `groupId` if it belongs to `master`, else revert GroupDoesNotExist(hash, groupId).
    function requireGroup(
        uint256 master,
        uint256 hash,
        uint256 groupId
    ) internal view returns (LibAccountConfig.Group storage group) {
        group = LibAccountConfig.layout().groups[groupId];
        if (groupId == 0 || group.account != master) revert IAccountConfigErrors.GroupDoesNotExist(hash, groupId);
    }

    // ------------------------------------------------------------------ execution permission

    /// @notice The execution scope of `hash` and its master (0 when scope is None).
    function executionScope(uint256 hash) internal view returns (uint256 master, ExecScope scope) {
        IAccountConfigTypes.HashKind kind;
        (master, kind) = resolve(hash);
        if (master == 0) return (0, ExecScope.None);
        if (kind == IAccountConfigTypes.HashKind.AdminAlias) {
            // Only the current admin's alias executes; a former admin's alias stays bound (so the
            // wallet can never receive an account again) but carries no rights.
            if (aliasOf(LibAccountConfig.layout().accounts[master].admin) != hash) return (0, ExecScope.None);
            return (master, ExecScope.All);
        }
        if (kind == IAccountConfigTypes.HashKind.Master) {
            // Authority follows the current owner: the old API key of a transferred account is inert.
            if (!masterHoldsAuthority(LibAccountConfig.layout().accounts[master], hash)) return (0, ExecScope.None);
            return (master, ExecScope.All);
        }
        LibAccountConfig.UsageKey storage key = LibAccountConfig.layout().usageKeys[hash];
        if (isExpired(key.expiration)) return (0, ExecScope.None);
        if ((key.wildcards & LibAccountConfig.PERM_EXECUTE) != 0) return (master, ExecScope.All);
        return (master, ExecScope.Groups);
    }

    /// @notice Whether group `groupId` of account `master` permits action `cid` (explicitly, or by
    ///         the 0 wildcard for actions registered to the account).
    function groupPermitsAction(uint256 master, uint256 groupId, uint256 cid) internal view returns (bool) {
        if (cid == 0) return false;
        LibAccountConfig.Layout storage s = LibAccountConfig.layout();
        LibAccountConfig.Group storage group = s.groups[groupId];
        if (group.account != master) return false;
        if (group.cids.contains(cid)) return true;
        return group.cids.contains(0) && s.accounts[master].actions.contains(cid);
    }

    /// @notice Whether group `groupId` permits `wallet`; the caller must already know that the wallet
    ///         is registered to the group's account.
    function groupPermitsWallet(uint256 groupId, address wallet) internal view returns (bool) {
        EnumerableSet.AddressSet storage wallets = LibAccountConfig.layout().groups[groupId].wallets;
        return wallets.contains(wallet) || wallets.contains(address(0));
    }

    /// @notice Whether `wallet` is registered to account `master`.
    function walletInAccount(uint256 master, address wallet) internal view returns (bool) {
        return master != 0 && LibAccountConfig.layout().wallets[wallet].account == master;
    }

    // ------------------------------------------------------------------ input validation

    /// @notice Revert InvalidRequest naming `field` when a text of `length` bytes exceeds `maxBytes`.
    function requireTextLength(uint256 length, uint256 maxBytes, string memory field) internal pure {
        if (length > maxBytes) {
            revert IAccountConfigErrors.InvalidRequest(
                string.concat(field, ": longer than ", _toString(maxBytes), " bytes")
            );
        }
    }

    /// @notice Validate a name/description pair by their byte lengths.
    function requireMetadata(uint256 nameLength, uint256 descriptionLength) internal pure {
        requireTextLength(nameLength, LibAccountConfig.MAX_NAME_BYTES, "name");
        requireTextLength(descriptionLength, LibAccountConfig.MAX_DESCRIPTION_BYTES, "description");
    }

    function requireMaxLength(uint256 length, uint256 max, string memory field) internal pure {
        if (length > max) {
            revert IAccountConfigErrors.InvalidRequest(
                string.concat(field, ": more than ", _toString(max), " entries")
            );
        }
    }

    function requireNonZero(uint256 value, string memory field) internal pure {
        if (value == 0) revert IAccountConfigErrors.InvalidRequest(string.concat(field, ": must not be zero"));
    }

    function requireNonZeroAddress(address value, string memory field) internal pure {
        if (value == address(0)) revert IAccountConfigErrors.InvalidRequest(string.concat(field, ": zero address"));
    }

    function _toString(uint256 value) private pure returns (string memory) {
        if (value == 0) return "0";
        uint256 digits;
        for (uint256 v = value; v != 0; v /= 10) ++digits;
        bytes memory out = new bytes(digits);
        for (; value != 0; value /= 10) out[--digits] = bytes1(uint8(48 + (value % 10)));
        return string(out);
    }
}
