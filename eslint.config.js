import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  // Flat config ignores .gitignore: list every generated folder (bundles, bench data, caches).
  { ignores: ["dist/**", "node_modules/**", "coverage/**", ".bench/**", ".serverless/**", ".openapi-cache/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-imports": "off",
    },
  },
  {
    // DESIGN.md section 6: the core is forge-neutral.
    files: ["src/core/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: ["probot", "probot/*", "@octokit/*", "@gitbeaker/*"] }],
    },
  },
  {
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-non-null-assertion": "off" },
  },
);
