/** @jest-config-loader esbuild-register */
import type { Config } from "jest";

// ESM all the way (Probot 14 is ESM only): swc strips types, `tsc --noEmit` checks them.
const config: Config = {
  testEnvironment: "node",
  // Files that block the network with nock leave http patched for later files in the worker, so
  // those still reach only loopback (test/helpers/net.ts); that patch must outlive its file's
  // globals, which Jest 30 would otherwise soft-delete with a deprecation warning per file.
  testEnvironmentOptions: { globalsCleanup: "off" },
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  extensionsToTreatAsEsm: [".ts"],
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      {
        jsc: { parser: { syntax: "typescript" }, target: "es2022" },
        module: { type: "es6" },
      },
    ],
  },
  clearMocks: true,
  restoreMocks: true,
  testTimeout: 20000,
};

export default config;
