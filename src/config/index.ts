export type * from "./types.js";
export { parseConfigText, sizeProblem, MAX_CONFIG_BYTES, type ConfigDocument, type ParsedConfigText } from "./parse.js";
export { validateConfig, type ConfigValidation } from "./validate.js";
export { resolveConfig, mergeOver, type ConfigSourceText } from "./resolve.js";
export { defaultConfig } from "./defaults.js";
export { formatProblem } from "./problems.js";
export { configSchema } from "./schema.js";
export type { KeyLocations, SourcePosition } from "./locations.js";
export { parseExtendsTarget, type ExtendsTarget } from "./extends.js";
