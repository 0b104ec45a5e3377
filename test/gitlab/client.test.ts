import { createGitLabApi } from "../../src/gitlab/client.js";
import { GitLabForge } from "../../src/gitlab/forge.js";
import { FakeGitLab } from "../helpers/fake-gitlab-server.js";

describe("GitLab client", () => {
  let fake: FakeGitLab;
  beforeAll(async () => {
    fake = new FakeGitLab({ "README.md": "# widgets\n" });
    await fake.start();
  });
  afterAll(() => fake.stop());

  it("does not hold archive downloads to gitbeaker's 5 a minute (each task downloads one)", async () => {
    const forge = new GitLabForge(
      createGitLabApi({ url: fake.url, token: fake.token }),
      { id: fake.projectId, pathWithNamespace: fake.projectPath, webUrl: fake.webUrl, defaultBranch: "main" },
      fake.bot,
    );
    const sha = fake.headOf("main")!;
    // With the default limiter the sixth download waits for the next minute, past this test's timeout.
    for (let i = 0; i < 8; i++) {
      const stream = await forge.downloadArchive(sha);
      let bytes = 0;
      for await (const chunk of stream) bytes += (chunk as Buffer).length;
      expect(bytes).toBeGreaterThan(0);
    }
    expect(fake.requests.filter((r) => r.path.includes("/repository/archive")).length).toBe(8);
  }, 20_000);
});
