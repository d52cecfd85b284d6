// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {LibAccountConfig} from "./LibAccountConfig.sol";
import {IAccountConfigEvents} from "../interfaces/IAccountConfigEvents.sol";
import {IAccountConfigTypes} from "../interfaces/IAccountConfigTypes.sol";

/// @title Removal of a usage key, shared by removeUsageApiKey and the reclaim of a wallet alias
library LibUsageKeys {
    using EnumerableSet for EnumerableSet.UintSet;

    /// @notice Remove usage key `usageHash` of account `master`: nothing of it remains but a
    ///         RemovedUsageKey tombstone naming `master`. Emits UsageApiKeyRemoved.
    /// @dev The caller has checked that `usageHash` is a live usage key of `master`.
    function remove(uint256 master, uint256 usageHash) internal {
        LibAccountConfig.Layout storage s = LibAccountConfig.layout();
        s.bindings[usageHash].kind = IAccountConfigTypes.HashKind.RemovedUsageKey;
        LibAccountConfig.UsageKey storage key = s.usageKeys[usageHash];
        delete key.expiration;
        delete key.name;
        delete key.description;
        delete key.createGroups;
        delete key.deleteGroups;
        delete key.createPKPs;
        delete key.wildcards;
        ++key.epoch; // a fresh flag map: no group permission survives
        delete key.manageIPFSIdsInGroups;
        delete key.addPkpToGroups;
        delete key.removePkpFromGroups;
        delete key.executeInGroups;
        delete s.balances[usageHash];
        s.accounts[master].usageKeys.remove(usageHash);
        emit IAccountConfigEvents.UsageApiKeyRemoved(master, usageHash);
    }
}
