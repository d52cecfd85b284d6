// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {IDiamondCut, IDiamondLoupe, IERC165, IERC173} from "../interfaces/IDiamond.sol";
import {IAccountConfigErrors} from "../interfaces/IAccountConfigErrors.sol";
import {IAccountConfigEvents} from "../interfaces/IAccountConfigEvents.sol";
import {LibAccountConfig} from "../libraries/LibAccountConfig.sol";
import {LibAccess} from "../libraries/LibAccess.sol";
import {LibDiamond} from "../libraries/LibDiamond.sol";

/// @title Versioned initializer, run once per version through diamondCut's delegatecall
/// @notice Version 1 sets the ERC-165 flags, operators and the first api payers. A later version
///         adds a function `initializeV2` that requires initializedVersion == 1.
contract AccountConfigInit is IAccountConfigErrors, IAccountConfigEvents {
    using EnumerableSet for EnumerableSet.AddressSet;

    /// @notice The storage version this initializer brings the diamond to.
    uint64 public constant VERSION = 1;

    struct InitArgs {
        address configOperator;
        address pricingOperator;
        address adminApiPayer;
        address[] apiPayers;
    }

    /// @notice Initialise a fresh diamond. Reverts AlreadyInitialized when run a second time.
    /// @param args operators and the initial api payer list (at most 100, distinct, non-zero)
    function initializeV1(InitArgs calldata args) external {
        LibAccountConfig.Layout storage s = LibAccountConfig.layout();
        if (s.initializedVersion >= VERSION) revert AlreadyInitialized(VERSION, s.initializedVersion);
        s.initializedVersion = VERSION;

        LibDiamond.DiamondStorage storage ds = LibDiamond.diamondStorage();
        ds.supportedInterfaces[type(IERC165).interfaceId] = true;
        ds.supportedInterfaces[type(IDiamondCut).interfaceId] = true;
        ds.supportedInterfaces[type(IDiamondLoupe).interfaceId] = true;
        ds.supportedInterfaces[type(IERC173).interfaceId] = true;

        s.configOperator = args.configOperator;
        emit ConfigOperatorUpdated(args.configOperator);
        s.pricingOperator = args.pricingOperator;
        emit PricingOperatorUpdated(args.pricingOperator);
        s.adminApiPayer = args.adminApiPayer;
        emit AdminApiPayerUpdated(args.adminApiPayer);
        LibAccess.requireMaxLength(args.apiPayers.length, LibAccountConfig.MAX_API_PAYERS, "apiPayers");
        for (uint256 i; i < args.apiPayers.length; ++i) {
            LibAccess.requireNonZeroAddress(args.apiPayers[i], "apiPayers");
            if (!s.apiPayers.add(args.apiPayers[i])) revert InvalidRequest("apiPayers: duplicate address");
        }
        emit ApiPayersUpdated(args.apiPayers);
        emit Initialized(VERSION);
    }
}
