/**
 * Variables that make a shell, loader or interpreter run code or load it from elsewhere. A
 * repository's `agent.env` may not set them: on the local runner an allowed command (`npm test`)
 * would otherwise run whatever they point at.
 */
const CODE_LOADING = [
  /^LD_/,
  /^DYLD_/,
  /^NODE_OPTIONS$/,
  /^NODE_PATH$/,
  /^NODE_REPL_EXTERNAL_MODULE$/,
  /^BASH_ENV$/,
  /^ENV$/,
  /^BASH_FUNC_/,
  /^SHELLOPTS$/,
  /^BASHOPTS$/,
  /^PS4$/,
  /^PROMPT_COMMAND$/,
  /^IFS$/,
  /^CDPATH$/,
  /^PYTHON/,
  /^PERL5?(LIB|OPT|DB)/,
  /^RUBY(OPT|LIB)$/,
  /^GEM_/,
  /^BUNDLE_/,
  /^JAVA_TOOL_OPTIONS$/,
  /^_JAVA_OPTIONS$/,
  /^JDK_JAVA_OPTIONS$/,
  /^CLASSPATH$/,
  /^MAVEN_OPTS$/,
  /^GRADLE_OPTS$/,
  /^GIT_/,
  /^NPM_CONFIG_/i,
  /^YARN_/,
  /^PNPM_/,
  /^COREPACK_/,
  /^GCONV_PATH$/,
  /^HOSTALIASES$/,
  /^(EDITOR|VISUAL|PAGER|BROWSER)$/,
  /^(HTTPS?|ALL|NO)_PROXY$/i,
];

/** Names `agent.env` may not set besides these: the runner's own (PATH, HOME, …, FACTORY_*). */
const RESERVED = /^(PATH|HOME|LANG|TMPDIR)$|^FACTORY_/;

export function isForbiddenAgentEnv(name: string): boolean {
  return RESERVED.test(name) || CODE_LOADING.some((pattern) => pattern.test(name));
}
