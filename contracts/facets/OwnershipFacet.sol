// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC173} from "../interfaces/IDiamond.sol";
import {IAccountConfigErrors} from "../interfaces/IAccountConfigErrors.sol";
import {LibDiamond} from "../libraries/LibDiamond.sol";

/// @title ERC-173 ownership of the diamond
contract OwnershipFacet is IERC173 {
    /// @inheritdoc IERC173
    /// @dev Owner only. The zero address is refused: a diamond without an owner can never be upgraded.
    function transferOwnership(address _newOwner) external override {
        LibDiamond.enforceIsContractOwner();
        if (_newOwner == address(0)) revert IAccountConfigErrors.InvalidRequest("newOwner: zero address");
        LibDiamond.setContractOwner(_newOwner);
    }

    /// @inheritdoc IERC173
    function owner() external view override returns (address owner_) {
        owner_ = LibDiamond.contractOwner();
    }
}
