// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {LibAccountConfig} from "./LibAccountConfig.sol";
import {IAccountConfigErrors} from "../interfaces/IAccountConfigErrors.sol";

/// @title Paging of the list* views, shared by the facets that list their domain's objects
/// @notice A page is (pageNumber, pageSize): zero-based, pageSize 1..100, and an empty page past the end.
library LibPaging {
    /// @notice The [start, end) index range of page `pageNumber` of a list of `total` entries.
    /// @dev Reverts InvalidRequest for a pageSize outside 1..MAX_PAGE_SIZE; (0, 0) past the end.
    function bounds(uint256 total, uint256 pageNumber, uint256 pageSize) internal pure returns (uint256, uint256) {
        if (pageSize == 0 || pageSize > LibAccountConfig.MAX_PAGE_SIZE) {
            revert IAccountConfigErrors.InvalidRequest("pageSize: must be between 1 and 100");
        }
        if (pageNumber >= (total + pageSize - 1) / pageSize) return (0, 0);
        uint256 start = pageNumber * pageSize;
        uint256 end = start + pageSize;
        return (start, end > total ? total : end);
    }
}
