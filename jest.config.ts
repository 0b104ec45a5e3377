/** @jest-config-loader esbuild-register */
import type { Config } from "jest";

// ESM all the way (Probot 14 is ESM only): swc strips types, `tsc --noEmit` checks them.
const config: Config = {
  testEnvironment: "node",
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
