// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IBatch} from "../interfaces/IBatch.sol";

/// @title Batches: several diamond calls in one transaction, each with its own outcome
/// @notice Lets a writer (e.g. an api payer relaying many independent writes) pay the transaction
///         overhead once. The calls are not atomic: each one succeeds or fails by itself.
/// @dev No storage of its own. Every call goes back through the diamond's fallback by delegatecall,
///      so it runs in the diamond's storage with msg.sender (and msg.value, always 0 here) unchanged.
contract BatchFacet is IBatch {
    /// @notice Run diamond calls in order, each with its own outcome. Non-atomic: a failing call is
    ///         rolled back alone (its state changes and events disappear) and the later calls still
    ///         run. After each call, BatchCallResult(i, success, revertData) is emitted, so in the
    ///         receipt a successful call's own events come right before its BatchCallResult, which
    ///         serves as the delimiter; a failed call contributes only its BatchCallResult, with
    ///         its revert data. Each call has exactly the authority the caller has when calling the
    ///         function directly (same msg.sender, same checks): a batch grants nothing more.
    ///         Reverts the whole transaction with EmptyBatch() for no calls, NestedBatch(i) when call
    ///         i is itself batchCalls, and BatchCallOutOfGas(i) when call i fails for lack of gas
    ///         (so a too-low gas limit never drops a call silently). The loop runs over calldata
    ///         only, so its length is bounded by the caller's gas.
    /// @param calls ABI-encoded diamond calls (selector + arguments), run in order
    /// @return success whether each call succeeded
    /// @return results each call's return data when it succeeded, its revert data when it failed
    /// @return gasUsed the gas each call used, including its dispatch through the fallback
    function batchCalls(
        bytes[] calldata calls
    ) external returns (bool[] memory success, bytes[] memory results, uint256[] memory gasUsed) {
        uint256 n = calls.length;
        if (n == 0) revert EmptyBatch();
        success = new bool[](n);
        results = new bytes[](n);
        gasUsed = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            bytes calldata data = calls[i];
            if (data.length >= 4 && bytes4(data[:4]) == this.batchCalls.selector) revert NestedBatch(i);
            uint256 g = gasleft();
            // solhint-disable-next-line avoid-low-level-calls
            (bool ok, bytes memory ret) = address(this).delegatecall(data);
            uint256 left = gasleft();
            // Two delegatecalls (this one, then the fallback's) each keep 1/64 of the gas back, so a
            // call that ran out of gas returns at most g/64 + (63/64)(g/64) < g/32. Such a failure
            // means the gas limit was too low for the batch, not that the call itself failed.
            if (!ok && left <= g / 32) revert BatchCallOutOfGas(i);
            gasUsed[i] = g - left;
            success[i] = ok;
            results[i] = ret;
            emit BatchCallResult(i, ok, ok ? bytes("") : ret);
        }
    }
}
