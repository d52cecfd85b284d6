// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {LibAccountConfig} from "../libraries/LibAccountConfig.sol";
import {LibDiamond} from "../libraries/LibDiamond.sol";
import {IAccountConfigErrors} from "../interfaces/IAccountConfigErrors.sol";
import {IAccountConfigEvents} from "../interfaces/IAccountConfigEvents.sol";

/// @title Test-only replacement for BillingFacet used by the deploy idempotency test
/// @notice Keeps getPricing/setPricing (so they are Replaced), adds billingVersion (Added); every
///         other BillingFacet selector is missing here and must be Removed by the deploy script.
contract BillingFacetUpgradeTest is IAccountConfigErrors, IAccountConfigEvents {
    /// @notice Same as BillingFacet.setPricing.
    function setPricing(uint256 pricingItemId, uint256 price) external {
        LibAccountConfig.Layout storage s = LibAccountConfig.layout();
        if (msg.sender != s.pricingOperator && msg.sender != LibDiamond.contractOwner()) {
            revert OnlyPricingOperatorOrOwner(msg.sender);
        }
        s.prices[pricingItemId] = price;
        emit PricingUpdated(pricingItemId, price);
    }

    /// @notice Same as BillingFacet.getPricing.
    function getPricing(uint256 pricingItemId) external view returns (uint256) {
        return LibAccountConfig.layout().prices[pricingItemId];
    }

    /// @notice A selector that only this build has.
    function billingVersion() external pure returns (uint256) {
        return 2;
    }
}
