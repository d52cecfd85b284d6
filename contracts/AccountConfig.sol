// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IDiamondCut} from "./interfaces/IDiamond.sol";
import {IAccountConfigErrors} from "./interfaces/IAccountConfigErrors.sol";
import {LibDiamond} from "./libraries/LibDiamond.sol";

/// @title AccountConfig: the EIP-2535 diamond holding every account, key, group, action and wallet
/// @notice The constructor sets the owner and applies the initial facet cut (with the initializer);
///         every other call is delegated to the facet that serves its selector.
contract AccountConfig {
    /// @param owner the diamond owner (may cut facets and set operators)
    /// @param cuts the initial facets
    /// @param init the initializer to delegatecall after the cut (zero for none)
    /// @param initCalldata the initializer call
    constructor(address owner, IDiamondCut.FacetCut[] memory cuts, address init, bytes memory initCalldata) payable {
        LibDiamond.setContractOwner(owner);
        LibDiamond.diamondCut(cuts, init, initCalldata);
    }

    /// @notice Delegate to the facet serving msg.sig; revert FunctionDoesNotExist when none does.
    // solhint-disable-next-line no-complex-fallback
    fallback() external payable {
        address facet = LibDiamond.diamondStorage().selectorInfo[msg.sig].facet;
        if (facet == address(0)) revert IAccountConfigErrors.FunctionDoesNotExist(msg.sig);
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), facet, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            switch ok
            case 0 {
                revert(0, returndatasize())
            }
            default {
                return(0, returndatasize())
            }
        }
    }
}
