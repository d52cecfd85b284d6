// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title EIP-2535 diamond cut interface
interface IDiamondCut {
    enum FacetCutAction {
        Add,
        Replace,
        Remove
    }

    struct FacetCut {
        address facetAddress;
        FacetCutAction action;
        bytes4[] functionSelectors;
    }

    /// @notice Emitted for every diamondCut.
    event DiamondCut(FacetCut[] _diamondCut, address _init, bytes _calldata);

    /// @notice Add, replace or remove selectors, then optionally delegatecall `_init` with `_calldata`.
    /// @dev Owner only.
    function diamondCut(FacetCut[] calldata _diamondCut, address _init, bytes calldata _calldata) external;
}

/// @title EIP-2535 loupe interface
interface IDiamondLoupe {
    struct Facet {
        address facetAddress;
        bytes4[] functionSelectors;
    }

    /// @notice Every facet with its selectors.
    function facets() external view returns (Facet[] memory facets_);

    /// @notice The selectors served by `_facet`.
    function facetFunctionSelectors(address _facet) external view returns (bytes4[] memory facetFunctionSelectors_);

    /// @notice Every facet address.
    function facetAddresses() external view returns (address[] memory facetAddresses_);

    /// @notice The facet serving `_functionSelector` (zero if none).
    function facetAddress(bytes4 _functionSelector) external view returns (address facetAddress_);
}

/// @title ERC-173 ownership
interface IERC173 {
    /// @notice Emitted when ownership changes.
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    /// @notice The current owner.
    function owner() external view returns (address owner_);

    /// @notice Transfer ownership; owner only.
    function transferOwnership(address _newOwner) external;
}

/// @title ERC-165
interface IERC165 {
    /// @notice Whether the contract implements `interfaceId`.
    function supportsInterface(bytes4 interfaceId) external view returns (bool);
}
