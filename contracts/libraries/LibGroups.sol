// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {LibAccountConfig} from "./LibAccountConfig.sol";
import {LibAccess} from "./LibAccess.sol";
import {IAccountConfigErrors} from "../interfaces/IAccountConfigErrors.sol";
import {IAccountConfigEvents} from "../interfaces/IAccountConfigEvents.sol";

/// @title Group membership and action registration, with their reverse indexes and events
/// @notice The only code that changes a group's lists, so the reverse indexes (action -> groups,
///         wildcard groups) can never disagree with the groups themselves.
library LibGroups {
    using EnumerableSet for EnumerableSet.UintSet;
    using EnumerableSet for EnumerableSet.AddressSet;

    /// @notice Register `cid` to account `master` (no-op when already registered).
    function registerAction(uint256 master, uint256 cid) internal returns (bool added) {
        added = LibAccountConfig.layout().accounts[master].actions.add(cid);
        if (added) emit IAccountConfigEvents.ActionAdded(master, cid);
    }

    /// @notice Add `cid` (0 = every action of the account) to the group. A cid not registered to the
    ///         account is registered when the caller has full rights (`full`), else the call reverts
    ///         NotMasterAccount(hash): only the master makes code runnable. No-op when the group
    ///         already lists the cid.
    function addAction(uint256 master, uint256 hash, bool full, uint256 groupId, uint256 cid) internal {
        LibAccountConfig.Layout storage s = LibAccountConfig.layout();
        LibAccountConfig.Group storage group = s.groups[groupId];
        LibAccountConfig.Account storage account = s.accounts[master];
        if (cid != 0 && !account.actions.contains(cid)) {
            if (!full) revert IAccountConfigErrors.NotMasterAccount(hash);
            registerAction(master, cid);
        }
        if (!group.cids.add(cid)) return;
        LibAccess.requireMaxLength(group.cids.length(), LibAccountConfig.MAX_GROUP_MEMBERS, "group cidHashes");
        if (cid == 0) {
            account.wildcardActionGroups.add(groupId);
        } else {
            EnumerableSet.UintSet storage holders = account.actionGroups[cid];
            holders.add(groupId);
            LibAccess.requireMaxLength(holders.length(), LibAccountConfig.MAX_GROUPS_PER_ACTION, "groups of action");
        }
        emit IAccountConfigEvents.ActionAddedToGroup(master, groupId, cid);
    }

    /// @notice Remove `cid` from the group; returns false when the group did not list it.
    function removeAction(uint256 master, uint256 groupId, uint256 cid) internal returns (bool removed) {
        LibAccountConfig.Layout storage s = LibAccountConfig.layout();
        removed = s.groups[groupId].cids.remove(cid);
        if (!removed) return false;
        LibAccountConfig.Account storage account = s.accounts[master];
        if (cid == 0) {
            account.wildcardActionGroups.remove(groupId);
        } else {
            account.actionGroups[cid].remove(groupId);
        }
        emit IAccountConfigEvents.ActionRemovedFromGroup(master, groupId, cid);
    }

    /// @notice Add `wallet` (address(0) = every wallet of the account) to the group. The wallet must
    ///         be registered to the account. `hash` is the caller's hash, used in the error.
    function addWallet(uint256 master, uint256 hash, uint256 groupId, address wallet) internal {
        if (wallet != address(0) && !LibAccess.walletInAccount(master, wallet)) {
            revert IAccountConfigErrors.PkpDoesNotExist(hash, groupId, wallet);
        }
        EnumerableSet.AddressSet storage wallets = LibAccountConfig.layout().groups[groupId].wallets;
        if (!wallets.add(wallet)) return;
        LibAccess.requireMaxLength(wallets.length(), LibAccountConfig.MAX_GROUP_MEMBERS, "group pkpIds");
        emit IAccountConfigEvents.PkpAddedToGroup(master, groupId, wallet);
    }

    /// @notice Remove `wallet` from the group; returns false when the group did not list it.
    function removeWallet(uint256 master, uint256 groupId, address wallet) internal returns (bool removed) {
        removed = LibAccountConfig.layout().groups[groupId].wallets.remove(wallet);
        if (removed) emit IAccountConfigEvents.PkpRemovedFromGroup(master, groupId, wallet);
    }

    /// @notice Add lists given to addGroup/updateGroup (each at most MAX_GROUP_LIST_INPUT entries).
    ///         `hash` is the caller's hash and `full` its rights (see addAction).
    function addLists(
        uint256 master,
        uint256 hash,
        bool full,
        uint256 groupId,
        uint256[] calldata cids,
        address[] calldata wallets
    ) internal {
        LibAccess.requireMaxLength(cids.length, LibAccountConfig.MAX_GROUP_LIST_INPUT, "cidHashes");
        LibAccess.requireMaxLength(wallets.length, LibAccountConfig.MAX_GROUP_LIST_INPUT, "pkpIds");
        for (uint256 i; i < cids.length; ++i) addAction(master, hash, full, groupId, cids[i]);
        for (uint256 i; i < wallets.length; ++i) addWallet(master, hash, groupId, wallets[i]);
    }

    /// @notice Empty both lists of the group (bounded by MAX_GROUP_MEMBERS each), keeping the
    ///         reverse indexes in step and emitting a removal event per entry.
    function clearLists(uint256 master, uint256 groupId) internal {
        LibAccountConfig.Group storage group = LibAccountConfig.layout().groups[groupId];
        for (uint256 n = group.cids.length(); n != 0; --n) removeAction(master, groupId, group.cids.at(n - 1));
        for (uint256 n = group.wallets.length(); n != 0; --n) removeWallet(master, groupId, group.wallets.at(n - 1));
    }
}
