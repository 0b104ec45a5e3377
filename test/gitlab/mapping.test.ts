import { hunkAround, toReviewThread } from "../../src/gitlab/mapping.js";

const DIFF = "@@ -1,3 +1,4 @@\n a\n+b\n c\n d\n@@ -20,2 +21,3 @@\n x\n+y\n z\n";

describe("GitLab discussions as review threads", () => {
  it("cuts the hunk whose new side holds the line", () => {
    expect(hunkAround(DIFF, 2)).toBe("@@ -1,3 +1,4 @@\n a\n+b\n c\n d");
    expect(hunkAround(DIFF, 22)).toBe("@@ -20,2 +21,3 @@\n x\n+y\n z");
    expect(hunkAround(DIFF, 10)).toBeNull();
  });

  it("keeps resolvable, unresolved discussions with every note and its author", () => {
    const note = (body: string, username: string, resolved = false) => ({
      id: 1,
      body,
      created_at: "",
      author: { username },
      resolvable: true,
      resolved,
    });
    const thread = toReviewThread(
      {
        id: "abc",
        notes: [
          { ...note("Rename.", "alice"), position: { new_path: "a.ts", new_line: 2 } },
          note("+1", "bob"),
          { ...note("added 1 commit", "alice"), system: true },
        ],
      },
      new Map([["a.ts", DIFF]]),
    );
    expect(thread).toEqual({
      id: "abc",
      path: "a.ts",
      line: 2,
      diffHunk: "@@ -1,3 +1,4 @@\n a\n+b\n c\n d",
      comments: [
        { author: "alice", body: "Rename." },
        { author: "bob", body: "+1" },
      ],
    });
    expect(toReviewThread({ id: "r", notes: [note("done", "alice", true)] }, new Map())).toBeNull();
    expect(toReviewThread({ id: "i", notes: [{ ...note("chat", "bob"), resolvable: false }] }, new Map())).toBeNull();
  });
});
