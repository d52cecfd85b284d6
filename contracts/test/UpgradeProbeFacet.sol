// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {LibAccountConfig} from "../libraries/LibAccountConfig.sol";

/// @title Test-only facet used by test/contracts/upgrade.test.ts to show that a new facet can be
///        added to a live diamond, read the existing storage, and be removed again.
contract UpgradeProbeFacet {
    /// @notice A constant marking this build.
    function probeVersion() external pure returns (uint256) {
        return 2;
    }

    /// @notice The shared group counter (last group id handed out), read from LibAccountConfig.
    function groupCounter() external view returns (uint256) {
        return LibAccountConfig.layout().nextGroupId;
    }

    /// @notice The storage version written by the last initializer.
    function storageVersion() external view returns (uint64) {
        return LibAccountConfig.layout().initializedVersion;
    }
}
