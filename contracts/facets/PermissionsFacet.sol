// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {LibAccountConfig} from "../libraries/LibAccountConfig.sol";
import {LibAccess} from "../libraries/LibAccess.sol";
import {IPermissions} from "../interfaces/IPermissions.sol";

/// @title Execution permission views: may this key run this action and sign with this wallet?
/// @notice The master key, an admin alias and an all-access usage key (0 in executeInGroups) may run
///         any action and use any wallet registered to the account. Any other usage key may when one
///         of its execute groups permits the action (explicitly, or by the 0 wildcard for registered
///         actions) and, for wallets, the same group permits the wallet (explicitly or by the
///         address(0) wildcard). A wallet not registered to the account is never usable; an expired
///         or removed key may do nothing; a removed group permits nothing.
/// @dev Cost is bounded by the key's execute groups (at most 50), never by the size of the account.
contract PermissionsFacet is IPermissions {
    using EnumerableSet for EnumerableSet.UintSet;

    /// @notice Whether `apiKeyHash` may run the action `cidHash`.
    /// @param apiKeyHash master, admin alias or usage key hash
    /// @param cidHash keccak256 of the action's CID text
    function canExecuteAction(uint256 apiKeyHash, uint256 cidHash) public view returns (bool) {
        (uint256 master, LibAccess.ExecScope scope) = LibAccess.executionScope(apiKeyHash);
        if (scope == LibAccess.ExecScope.None || cidHash == 0) return false;
        if (scope == LibAccess.ExecScope.All) return true;
        uint256[] storage groups = _executeGroups(apiKeyHash);
        for (uint256 i; i < groups.length; ++i) {
            if (LibAccess.groupPermitsAction(master, groups[i], cidHash)) return true;
        }
        return false;
    }

    /// @notice Whether `apiKeyHash` may sign with `walletAddress` while running `cidHash`.
    /// @param apiKeyHash master, admin alias or usage key hash
    /// @param cidHash keccak256 of the action's CID text
    /// @param walletAddress a wallet (pkpId)
    function canUseWalletInAction(
        uint256 apiKeyHash,
        uint256 cidHash,
        address walletAddress
    ) public view returns (bool) {
        (uint256 master, LibAccess.ExecScope scope) = LibAccess.executionScope(apiKeyHash);
        if (scope == LibAccess.ExecScope.None || cidHash == 0) return false;
        if (!LibAccess.walletInAccount(master, walletAddress)) return false;
        if (scope == LibAccess.ExecScope.All) return true;
        uint256[] storage groups = _executeGroups(apiKeyHash);
        for (uint256 i; i < groups.length; ++i) {
            uint256 id = groups[i];
            if (LibAccess.groupPermitsAction(master, id, cidHash) && LibAccess.groupPermitsWallet(id, walletAddress)) {
                return true;
            }
        }
        return false;
    }

    /// @notice Both answers at once.
    /// @param apiKeyHash master, admin alias or usage key hash
    /// @param cidHash keccak256 of the action's CID text
    /// @param walletAddress a wallet (pkpId)
    /// @return canExecute canExecuteAction(apiKeyHash, cidHash)
    /// @return canUseWallet canUseWalletInAction(apiKeyHash, cidHash, walletAddress)
    function canExecuteActionAndUseWallet(
        uint256 apiKeyHash,
        uint256 cidHash,
        address walletAddress
    ) external view returns (bool canExecute, bool canUseWallet) {
        canExecute = canExecuteAction(apiKeyHash, cidHash);
        canUseWallet = canExecute && canUseWalletInAction(apiKeyHash, cidHash, walletAddress);
    }

    /// @notice Same as canExecuteAction (kept for hosted-service clients; every check here is fast).
    /// @param apiKeyHash master, admin alias or usage key hash
    /// @param cidHash keccak256 of the action's CID text
    function canExecuteActionFast(uint256 apiKeyHash, uint256 cidHash) external view returns (bool) {
        return canExecuteAction(apiKeyHash, cidHash);
    }

    /// @notice Same as canUseWalletInAction (kept for hosted-service clients).
    /// @param apiKeyHash master, admin alias or usage key hash
    /// @param cidHash keccak256 of the action's CID text
    /// @param walletAddress a wallet (pkpId)
    function canUseWalletInActionFast(
        uint256 apiKeyHash,
        uint256 cidHash,
        address walletAddress
    ) external view returns (bool) {
        return canUseWalletInAction(apiKeyHash, cidHash, walletAddress);
    }

    /// @notice The groups through which `apiKeyHash` may run `cidHash` (no duplicates).
    /// @param apiKeyHash master, admin alias or usage key hash
    /// @param cidHash keccak256 of the action's CID text
    function groupIdsForAction(uint256 apiKeyHash, uint256 cidHash) external view returns (uint256[] memory) {
        return _groupsFor(apiKeyHash, cidHash, address(0), false);
    }

    /// @notice The groups through which `apiKeyHash` may run `cidHash` and sign with `walletAddress`.
    /// @param apiKeyHash master, admin alias or usage key hash
    /// @param cidHash keccak256 of the action's CID text
    /// @param walletAddress a wallet (pkpId) registered to the account
    function groupIdsForActionAndWallet(
        uint256 apiKeyHash,
        uint256 cidHash,
        address walletAddress
    ) external view returns (uint256[] memory) {
        return _groupsFor(apiKeyHash, cidHash, walletAddress, true);
    }

    /// @notice Whether `apiKeyHash` may execute in at least one of `groupIds` (existing groups of its
    ///         account only).
    /// @param apiKeyHash master, admin alias or usage key hash
    /// @param groupIds candidate group ids
    function apiKeyCanExecuteForAnyGroup(uint256 apiKeyHash, uint256[] calldata groupIds) external view returns (bool) {
        (uint256 master, LibAccess.ExecScope scope) = LibAccess.executionScope(apiKeyHash);
        if (scope == LibAccess.ExecScope.None) return false;
        mapping(uint256 => LibAccountConfig.Group) storage all = LibAccountConfig.layout().groups;
        for (uint256 i; i < groupIds.length; ++i) {
            uint256 id = groupIds[i];
            if (id == 0 || all[id].account != master) continue;
            if (scope == LibAccess.ExecScope.All) return true;
            if (LibAccess.hasGroupPermission(apiKeyHash, id, LibAccountConfig.PERM_EXECUTE)) return true;
        }
        return false;
    }

    function _executeGroups(uint256 hash) private view returns (uint256[] storage) {
        return LibAccountConfig.layout().usageKeys[hash].executeInGroups;
    }

    function _groupsFor(
        uint256 hash,
        uint256 cid,
        address wallet,
        bool withWallet
    ) private view returns (uint256[] memory out) {
        (uint256 master, LibAccess.ExecScope scope) = LibAccess.executionScope(hash);
        if (scope == LibAccess.ExecScope.None || cid == 0) return out;
        if (withWallet && !LibAccess.walletInAccount(master, wallet)) return out;
        if (scope == LibAccess.ExecScope.Groups) {
            uint256[] storage groups = _executeGroups(hash);
            out = new uint256[](groups.length);
            uint256 n;
            for (uint256 i; i < groups.length; ++i) {
                uint256 id = groups[i];
                if (!LibAccess.groupPermitsAction(master, id, cid)) continue;
                if (withWallet && !LibAccess.groupPermitsWallet(id, wallet)) continue;
                out[n++] = id;
            }
            return _truncate(out, n);
        }
        // All scope: the groups listing the action explicitly, then the wildcard groups (when the
        // action is registered), skipping groups that already matched explicitly.
        LibAccountConfig.Layout storage s = LibAccountConfig.layout();
        LibAccountConfig.Account storage account = s.accounts[master];
        EnumerableSet.UintSet storage explicit = account.actionGroups[cid];
        EnumerableSet.UintSet storage wildcard = account.wildcardActionGroups;
        bool registered = account.actions.contains(cid);
        uint256 e = explicit.length();
        out = new uint256[](e + (registered ? wildcard.length() : 0));
        uint256 count;
        for (uint256 i; i < e; ++i) {
            uint256 id = explicit.at(i);
            if (!withWallet || LibAccess.groupPermitsWallet(id, wallet)) out[count++] = id;
        }
        if (registered) {
            for (uint256 i; i < wildcard.length(); ++i) {
                uint256 id = wildcard.at(i);
                if (explicit.contains(id)) continue;
                if (!withWallet || LibAccess.groupPermitsWallet(id, wallet)) out[count++] = id;
            }
        }
        return _truncate(out, count);
    }

    function _truncate(uint256[] memory array, uint256 length) private pure returns (uint256[] memory) {
        assembly {
            mstore(array, length)
        }
        return array;
    }
}
