// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title A stand-in for the OP-stack GasPriceOracle predeploy, for tests and offline rehearsals
/// @notice Computes the L1 data fee of a transaction as the Ecotone GasPriceOracle does:
///         l1Gas = calldata gas of the bytes (4 per zero byte, 16 per other) + 68 x 16 for the
///         signature, fee = l1Gas x (16 x baseFeeScalar x l1BaseFee + blobBaseFeeScalar x blobBaseFee)
///         / (16 x 10^6). The parameters are immutable, so the deployed code can be copied to
///         0x420000000000000000000000000000000000000F (hardhat_setCode) and keeps them.
contract GasPriceOracleTest {
    uint256 public constant DECIMALS = 6;

    uint256 public immutable L1_BASE_FEE;
    uint256 public immutable BLOB_BASE_FEE;
    uint256 public immutable BASE_FEE_SCALAR;
    uint256 public immutable BLOB_BASE_FEE_SCALAR;

    constructor(uint256 l1BaseFee_, uint256 blobBaseFee_, uint256 baseFeeScalar_, uint256 blobBaseFeeScalar_) {
        L1_BASE_FEE = l1BaseFee_;
        BLOB_BASE_FEE = blobBaseFee_;
        BASE_FEE_SCALAR = baseFeeScalar_;
        BLOB_BASE_FEE_SCALAR = blobBaseFeeScalar_;
    }

    /// @notice The L1 data fee (wei) of the signed, RLP-encoded transaction `data`.
    function getL1Fee(bytes calldata data) external view returns (uint256) {
        uint256 scaled = 16 * BASE_FEE_SCALAR * L1_BASE_FEE + BLOB_BASE_FEE_SCALAR * BLOB_BASE_FEE;
        return (getL1GasUsed(data) * scaled) / (16 * 10 ** DECIMALS);
    }

    /// @notice The L1 gas the bytes of `data` are charged for (signature included).
    function getL1GasUsed(bytes calldata data) public pure returns (uint256 total) {
        for (uint256 i = 0; i < data.length; i++) total += data[i] == 0 ? 4 : 16;
        total += 68 * 16;
    }

    /// @notice The L1 base fee the fee is computed with.
    function l1BaseFee() external view returns (uint256) {
        return L1_BASE_FEE;
    }
}
