// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccountConfigErrors} from "./IAccountConfigErrors.sol";
import {IAccountConfigEvents} from "./IAccountConfigEvents.sol";
import {IAccountConfigTypes} from "./IAccountConfigTypes.sol";

/// @title Batches: several diamond calls in one transaction, each with its own outcome
/// @notice Served by BatchFacet (NatSpec there; behaviour: docs/contract-behaviour.md, "Batches").
interface IBatch is IAccountConfigErrors, IAccountConfigEvents, IAccountConfigTypes {
    function batchCalls(
        bytes[] calldata calls
    ) external returns (bool[] memory success, bytes[] memory results, uint256[] memory gasUsed);
}
