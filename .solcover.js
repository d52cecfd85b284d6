// solidity-coverage settings: measure contracts/ except test-only contracts.
module.exports = {
  skipFiles: ["test/"],
  istanbulReporter: ["html", "lcov", "text-summary", "json-summary"],
  mocha: { timeout: 600000 },
};
