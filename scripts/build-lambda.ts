/**
 * `npm run build:lambda`: one ESM bundle per Lambda function (esbuild), in dist/lambda/<fn>/, with
 * the files it reads at run time beside it; nothing stays external. serverless.yml packages each
 * function's folder. Prints each bundle's size.
 */
import { copyFileSync, mkdirSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type BuildOptions, type Plugin } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Each function's entry, and the files its bundle reads beside itself at run time. */
export const LAMBDA_FUNCTIONS = {
  http: { entry: "src/entry/lambda/http.ts", assets: [] },
  // src/config/schema.ts reads schema.json beside the module, which is now the bundle.
  worker: { entry: "src/entry/lambda/worker.ts", assets: ["src/config/schema.json"] },
} as const satisfies Record<string, { entry: string; assets: readonly string[] }>;

export type LambdaFunctionName = keyof typeof LAMBDA_FUNCTIONS;

/**
 * Our modules only define things (the schema module compiles its validator, used or not), so a
 * module none of whose exports a function uses is left out: the HTTP function imports the GitLab
 * router's token check without the handlers, config loader and API clients behind the router.
 */
export const ourModulesAreSideEffectFree: Plugin = {
  name: "factory-bot-side-effect-free",
  setup(builder) {
    const src = join(root, "src") + "/";
    builder.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (!args.importer.startsWith(src)) return undefined;
      const path = resolve(dirname(args.importer), args.path.replace(/\.js$/, ".ts"));
      return path.startsWith(src) ? { path, sideEffects: false } : undefined;
    });
  },
};

/**
 * Shared by the bench's bare-Probot bundle, so both are built the same way. ESM (Probot 14 is ESM
 * only, and top-level await sets the function up before its first event); CommonJS dependencies
 * get a `require` for Node's built-ins through the banner.
 */
export const BUNDLE_OPTIONS: BuildOptions = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  minify: true,
  keepNames: true, // error class names stay readable in logs
  legalComments: "none",
  logLevel: "warning",
  banner: {
    js: "import { createRequire as __factoryRequire } from 'node:module'; const require = __factoryRequire(import.meta.url);",
  },
};

export interface BundleReport {
  name: string;
  file: string;
  bytes: number;
}

export async function buildLambdaBundles(outdir = join(root, "dist/lambda")): Promise<BundleReport[]> {
  rmSync(outdir, { recursive: true, force: true });
  const reports: BundleReport[] = [];
  for (const [name, { entry, assets }] of Object.entries(LAMBDA_FUNCTIONS)) {
    const file = join(outdir, name, "index.mjs");
    mkdirSync(dirname(file), { recursive: true });
    await build({
      ...BUNDLE_OPTIONS,
      plugins: [ourModulesAreSideEffectFree],
      entryPoints: [join(root, entry)],
      outfile: file,
    });
    for (const asset of assets) copyFileSync(join(root, asset), join(dirname(file), basename(asset)));
    reports.push({ name, file, bytes: statSync(file).size });
  }
  return reports;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const reports = await buildLambdaBundles(process.argv[2] ? resolve(process.argv[2]) : undefined);
  for (const r of reports) console.log(`${r.name.padEnd(7)} ${(r.bytes / 1024).toFixed(0).padStart(6)} KiB  ${r.file}`);
}
