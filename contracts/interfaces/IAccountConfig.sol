// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccountConfigErrors} from "./IAccountConfigErrors.sol";
import {IAccountConfigEvents} from "./IAccountConfigEvents.sol";
import {IAccountConfigTypes} from "./IAccountConfigTypes.sol";
import {IDiamondCut, IDiamondLoupe, IERC165, IERC173} from "./IDiamond.sol";
import {IAccounts} from "./IAccounts.sol";
import {IActions} from "./IActions.sol";
import {IWallets} from "./IWallets.sol";
import {IGroups} from "./IGroups.sol";
import {IUsageKeys} from "./IUsageKeys.sol";
import {IPermissions} from "./IPermissions.sol";
import {IConfig} from "./IConfig.sol";
import {IBilling} from "./IBilling.sol";
import {IBatch} from "./IBatch.sol";

// The interface only composes its bases: its body is empty by design.
// solhint-disable no-empty-blocks

/// @title The complete external surface of the AccountConfig diamond
/// @notice Apps bind to this one interface at the diamond's address. It declares nothing itself: it
///         is the union of the domain interfaces, each implemented by one facet (`contract
///         AccountsFacet is IAccounts`, ...), so the compiler checks that every facet serves its
///         domain's functions with their exact signatures, and a test checks that the diamond's
///         selectors equal this interface's (docs/contracts.md, "Facets").
interface IAccountConfig is
    IAccountConfigErrors,
    IAccountConfigEvents,
    IAccountConfigTypes,
    IDiamondCut,
    IDiamondLoupe,
    IERC165,
    IERC173,
    IAccounts,
    IActions,
    IWallets,
    IGroups,
    IUsageKeys,
    IPermissions,
    IConfig,
    IBilling,
    IBatch
{}
