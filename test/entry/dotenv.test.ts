import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyDotEnv } from "../../src/entry/dotenv.js";

describe(".env", () => {
  const names = ["FACTORY_TEST_FROM_DOTENV", "FACTORY_TEST_OVERRIDDEN"];
  afterEach(() => names.forEach((n) => delete process.env[n]));

  it("loads ./.env into process.env the way Probot does (its values win)", () => {
    const dir = mkdtempSync(join(tmpdir(), "dotenv-"));
    writeFileSync(join(dir, ".env"), 'FACTORY_TEST_FROM_DOTENV="a b"\nFACTORY_TEST_OVERRIDDEN=file\n');
    process.env.FACTORY_TEST_OVERRIDDEN = "shell";
    applyDotEnv(dir);
    expect(process.env.FACTORY_TEST_FROM_DOTENV).toBe("a b");
    expect(process.env.FACTORY_TEST_OVERRIDDEN).toBe("file");
    rmSync(dir, { recursive: true });
  });

  it("is fine without a .env", () => {
    const dir = mkdtempSync(join(tmpdir(), "dotenv-"));
    expect(() => applyDotEnv(dir)).not.toThrow();
    rmSync(dir, { recursive: true });
  });
});
