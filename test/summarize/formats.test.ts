import { readFileSync } from "node:fs";
import { actionsLog, excerptText, gitlabSection, summarize } from "./helpers.js";
import { renderSummaryText, summarizeText } from "../../src/summarize/index.js";

describe("CI runner formats", () => {
  test("GitHub Actions: the tool's error, not the step wrapper, without timestamps", async () => {
    const summary = await summarize(
      actionsLog([
        "##[group]Run npx tsc --noEmit",
        "\x1b[36;1mnpx tsc --noEmit\x1b[0m",
        "shell: /usr/bin/bash -e {0}",
        "##[endgroup]",
        "src/api/client.ts(14,7): error TS2322: Type 'string' is not assignable to type 'number'.",
        "##[error]Process completed with exit code 2.",
        "Post job cleanup.",
      ]),
    );
    expect(summary.headline).toBe(
      "src/api/client.ts(14,7): error TS2322: Type 'string' is not assignable to type 'number'.",
    );
    expect(excerptText(summary)).not.toMatch(/2024-05-01T|Process completed|shell:/);
  });

  test("GitHub Actions: a failure in an earlier step that was allowed to fail does not outrank the failing step", async () => {
    const summary = await summarize(
      actionsLog([
        "##[group]Run python scripts/optional_lint.py",
        "##[endgroup]",
        "ModuleNotFoundError: No module named 'yaml'",
        "##[group]Run pytest -q",
        "##[endgroup]",
        "AssertionError: expected 200, got 500",
        "##[error]Process completed with exit code 1.",
      ]),
    );
    expect(summary.headline).toBe("AssertionError: expected 200, got 500");
  });

  test("GitHub Actions: a log cut without the step header's ##[endgroup] still shows the output", async () => {
    const summary = await summarize(
      actionsLog([
        "##[group]Run npm run build",
        "\x1b[36;1mnpm run build\x1b[0m",
        "shell: /usr/bin/bash -e {0}",
        "> tsc -p .",
        "src/cart.ts(12,7): error TS2322: Type 'string' is not assignable to type 'number'.",
        "##[error]Process completed with exit code 2.",
      ]),
    );
    expect(summary.headline).toBe("src/cart.ts(12,7): error TS2322: Type 'string' is not assignable to type 'number'.");
    expect(summary.excerpt).not.toContain("shell: /usr/bin/bash -e {0}");
  });

  test("GitHub Actions: a step that failed with continue-on-error does not hide the step that failed the job", async () => {
    const summary = await summarize(
      actionsLog([
        "##[group]Run npm run lint",
        "##[endgroup]",
        "src/a.ts:3:7 - error TS6133: 'x' is declared but its value is never read.",
        "##[error]Process completed with exit code 1.",
        "##[group]Run npm test",
        "##[endgroup]",
        "  ● cart › applies the coupon",
        "",
        "    Expected: 90",
        "    Received: 100",
        "##[error]Process completed with exit code 1.",
        "##[group]Run actions/upload-artifact@v4",
        "##[endgroup]",
        "##[warning]No files were found with the provided path: coverage/. No artifacts will be uploaded.",
        "Post job cleanup.",
      ]),
    );
    expect(summary.excerpt).toEqual(
      expect.arrayContaining(["  ● cart › applies the coupon", "    Expected: 90", "    Received: 100"]),
    );
    expect(summary.excerpt).toContain("src/a.ts:3:7 - error TS6133: 'x' is declared but its value is never read.");
    expect(excerptText(summary)).not.toContain("No files were found");
  });

  test("GitHub Actions: a job timeout is the cause", async () => {
    const summary = await summarize(
      actionsLog([
        "test_api.py::test_slow PASSED",
        "Uploading test report failed: An error occurred (AccessDenied)",
        "##[error]The job running on runner GitHub Actions 12 has exceeded the maximum execution time of 360 minutes.",
        "##[error]The operation was canceled.",
      ]),
    );
    expect(summary.headline).toMatch(/exceeded the maximum execution time of 360 minutes/);
  });

  test("GitHub Actions: a runner shutdown is the cause", async () => {
    const summary = await summarize(
      actionsLog([
        "Compiling crate serde v1.0.200",
        "##[error]The runner has received a shutdown signal. This can happen when the runner service is stopped, or a manually started runner is canceled.",
        "##[error]The operation was canceled.",
      ]),
    );
    expect(summary.headline).toMatch(/received a shutdown signal/);
  });

  test("GitLab: sections and colours are removed; after_script noise does not outrank the script's error", async () => {
    const summary = await summarize([
      "\x1b[0KRunning with gitlab-runner 17.0.0 (44feccdf)\x1b[0;m",
      ...gitlabSection("step_script", 'Executing "step_script" stage of the job script', [
        "\x1b[32;1m$ cargo build --locked\x1b[0;m",
        "\x1b[1m\x1b[31merror[E0425]\x1b[0m\x1b[1m: cannot find value `cfg` in this scope\x1b[0m",
        "  \x1b[1m\x1b[34m--> \x1b[0msrc/main.rs:7:13",
        '\x1b[1m\x1b[31merror\x1b[0m: could not compile `app` (bin "app") due to 1 previous error',
      ]),
      ...gitlabSection("after_script", "Running after_script", [
        "\x1b[32;1m$ curl -sf https://metrics.internal/report\x1b[0;m",
        "curl: (6) Could not resolve host: metrics.internal",
      ]),
      "\x1b[31;1mERROR: Job failed: exit code 101\x1b[0;m",
    ]);
    expect(summary.headline).toBe("error[E0425]: cannot find value `cfg` in this scope");
    expect(summary.excerpt).toContain("  --> src/main.rs:7:13");
    expect(excerptText(summary)).not.toMatch(/section_|Job failed/);
    expect(excerptText(summary)).not.toContain("\x1b");
  });

  test("GitLab: a job that ran out of time", async () => {
    const summary = await summarize([
      ...gitlabSection("step_script", 'Executing "step_script" stage of the job script', [
        "$ ./integration.sh",
        "waiting for database...",
      ]),
      "\x1b[31;1mERROR: Job failed: execution took longer than 1h0m0s seconds\x1b[0;m",
    ]);
    expect(summary.headline).toBe("ERROR: Job failed: execution took longer than 1h0m0s seconds");
  });

  test("carriage returns: only what the terminal finally showed", async () => {
    const summary = await summarize([
      "Downloading 10%\rDownloading 55%\rDownloading 100%\rfatal: unable to access 'https://example.com/repo.git/': Could not resolve host: example.com",
    ]);
    expect(summary.excerpt).toEqual([
      "fatal: unable to access 'https://example.com/repo.git/': Could not resolve host: example.com",
    ]);
  });

  test("Travis: folds and timing markers are removed, the wrapper is not the cause", async () => {
    const summary = await summarize([
      "travis_fold:start:install\r\x1b[0Ktravis_time:start:0a1b2c\r\x1b[0K$ make deps\r",
      "travis_time:end:0a1b2c:start=1,finish=2,duration=1\r\x1b[0Ktravis_fold:end:install\r\x1b[0K$ make test\r",
      "./run-tests.sh: line 4: pytest: command not found\r",
      "make: *** [Makefile:8: test] Error 127\r",
      '\x1b[31;1mThe command "make test" exited with 2.\x1b[0m\r',
    ]);
    expect(summary.headline).toBe("./run-tests.sh: line 4: pytest: command not found");
    expect(excerptText(summary)).not.toMatch(/travis_|\r/);
  });

  test("Jenkins with timestamps: Maven's compiler error, not Maven's failure banner", async () => {
    const summary = await summarize([
      "10:15:02  [INFO] BUILD FAILURE",
      "10:15:02  [ERROR] Failed to execute goal org.apache.maven.plugins:maven-compiler-plugin:3.11.0:compile (default-compile) on project app: Compilation failure",
      "10:15:02  [ERROR] /var/lib/jenkins/workspace/app/src/main/java/com/example/App.java:[10,5] cannot find symbol",
      "10:15:02  [ERROR]   symbol:   method frobnicate()",
      "10:15:02  [ERROR]   location: class com.example.App",
      "10:15:02  [ERROR] -> [Help 1]",
      "10:15:03  ERROR: script returned exit code 1",
      "10:15:03  Finished: FAILURE",
    ]);
    expect(summary.headline).toBe(
      "[ERROR] /var/lib/jenkins/workspace/app/src/main/java/com/example/App.java:[10,5] cannot find symbol",
    );
    expect(summary.excerpt).toContain("[ERROR]   symbol:   method frobnicate()");
  });
});

describe("compilers and build tools", () => {
  test("gcc: the error with its source line, not make's", async () => {
    const summary = await summarize(
      actionsLog([
        "cc -c main.c -o main.o",
        "main.c: In function 'main':",
        "main.c:5:3: error: 'count' undeclared (first use in this function)",
        "    5 |   count++;",
        "      |   ^~~~~",
        "make: *** [Makefile:2: main.o] Error 1",
        "##[error]Process completed with exit code 2.",
      ]),
    );
    expect(summary.headline).toBe("main.c:5:3: error: 'count' undeclared (first use in this function)");
    expect(summary.excerpt).toEqual(expect.arrayContaining(["main.c: In function 'main':", "    5 |   count++;"]));
    expect(summary.excerpt).not.toContain("make: *** [Makefile:2: main.o] Error 1");
  });

  test("linker: the undefined reference, not collect2", async () => {
    const summary = await summarize([
      "/usr/bin/ld: main.o: in function `main':",
      "main.c:(.text+0x15): undefined reference to `compute_total'",
      "collect2: error: ld returned 1 exit status",
    ]);
    expect(summary.headline).toBe("main.c:(.text+0x15): undefined reference to `compute_total'");
  });

  test("MSVC", async () => {
    const summary = await summarize([
      "  main.cpp",
      "C:\\src\\app\\main.cpp(12,5): error C2065: 'total': undeclared identifier [C:\\src\\app\\app.vcxproj]",
      "Build FAILED.",
    ]);
    expect(summary.headline).toMatch(/^C:\\src\\app\\main.cpp\(12,5\): error C2065/);
  });

  test("tsc, both output styles", async () => {
    const pretty = await summarize([
      "src/a.ts:3:7 - error TS2322: Type 'string' is not assignable to type 'number'.",
      "",
      "Found 1 error in src/a.ts:3",
    ]);
    expect(pretty.headline).toBe("src/a.ts:3:7 - error TS2322: Type 'string' is not assignable to type 'number'.");
  });

  test("javac", async () => {
    const summary = await summarize([
      "Foo.java:3: error: cannot find symbol",
      "    bar();",
      "    ^",
      "  symbol:   method bar()",
      "1 error",
    ]);
    expect(summary.headline).toBe("Foo.java:3: error: cannot find symbol");
    expect(summary.excerpt).toContain("  symbol:   method bar()");
  });

  test("kotlinc through Gradle: the compiler's line, not Gradle's banner", async () => {
    const summary = await summarize([
      "> Task :app:compileKotlin FAILED",
      "e: file:///home/runner/work/app/src/main/kotlin/App.kt:12:5 Unresolved reference 'frobnicate'.",
      "",
      "FAILURE: Build failed with an exception.",
      "",
      "* What went wrong:",
      "Execution failed for task ':app:compileKotlin'.",
      "> A failure occurred while executing org.jetbrains.kotlin.compilerRunner.GradleCompilerRunnerWithWorkers$GradleKotlinCompilerWorkAction",
      "BUILD FAILED in 14s",
    ]);
    expect(summary.headline).toBe(
      "e: file:///home/runner/work/app/src/main/kotlin/App.kt:12:5 Unresolved reference 'frobnicate'.",
    );
  });

  test("rustc: the error code with its location", async () => {
    const summary = await summarize([
      "   Compiling app v0.1.0 (/work/app)",
      "error[E0308]: mismatched types",
      " --> src/main.rs:4:18",
      "  |",
      '4 |     let n: u32 = "three";',
      "  |            ---   ^^^^^^^ expected `u32`, found `&str`",
      'error: could not compile `app` (bin "app") due to 1 previous error',
    ]);
    expect(summary.headline).toBe("error[E0308]: mismatched types");
    expect(summary.excerpt).toContain(" --> src/main.rs:4:18");
  });

  test("go build", async () => {
    const summary = await summarize([
      "# example.com/app",
      "./main.go:8:2: undefined: fmt.Printn",
      "./main.go:9:6: declared and not used: total",
    ]);
    expect(summary.headline).toBe("./main.go:8:2: undefined: fmt.Printn");
    expect(summary.excerpt).toContain("./main.go:9:6: declared and not used: total");
  });

  test("a cascade: the generator's exception before the compiler errors it caused", async () => {
    const gccErrors = Array.from(
      { length: 30 },
      (_, i) => `src/vm.c:${20 + i}:8: error: 'OP_${i}' undeclared (first use in this function)`,
    );
    const summary = await summarize([
      "python3 tools/gen.py > include/ops.h",
      "Traceback (most recent call last):",
      '  File "tools/gen.py", line 11, in <module>',
      "    code = int(value, 16)",
      "ValueError: invalid literal for int() with base 16: '0x1G'",
      "make: [Makefile:8: include/ops.h] Error 1 (ignored)",
      ...gccErrors,
      "make: *** [Makefile:11: build/vm.o] Error 1",
    ]);
    expect(summary.headline).toBe("ValueError: invalid literal for int() with base 16: '0x1G'");
    expect(summary.excerpt).toContain('  File "tools/gen.py", line 11, in <module>');
  });

  test("ninja: the failed target and what the shell said", async () => {
    const summary = await summarize([
      "[12/40] Building CXX object src/CMakeFiles/core.dir/a.cc.o",
      "FAILED: src/CMakeFiles/core.dir/b.cc.o",
      "/usr/bin/c++ -O2 -c src/b.cc -o src/CMakeFiles/core.dir/b.cc.o",
      "/bin/sh: 1: /usr/bin/c++: not found",
      "ninja: build stopped: subcommand failed.",
    ]);
    expect(summary.excerpt).toEqual(
      expect.arrayContaining(["FAILED: src/CMakeFiles/core.dir/b.cc.o", "/bin/sh: 1: /usr/bin/c++: not found"]),
    );
    expect(summary.excerpt).not.toContain("ninja: build stopped: subcommand failed.");
  });
});

describe("test runners", () => {
  test("jest: the failing test's block with Expected and Received", async () => {
    const summary = await summarize([
      "PASS src/cart.test.ts",
      "FAIL src/tax.test.ts",
      "  ● tax › rounds half up",
      "",
      "    expect(received).toBe(expected) // Object.is equality",
      "",
      "    Expected: 11",
      "    Received: 10",
      "",
      "      at Object.<anonymous> (src/tax.test.ts:9:22)",
      "",
      "Tests:       1 failed, 41 passed, 42 total",
    ]);
    expect(summary.headline).toBe("● tax › rounds half up");
    expect(summary.excerpt).toEqual(expect.arrayContaining(["    Expected: 11", "    Received: 10"]));
  });

  test("vitest", async () => {
    const summary = await summarize([
      " ❯ src/sum.test.ts (2 tests | 1 failed) 4ms",
      "   × sum > adds numbers 3ms",
      " FAIL  src/sum.test.ts > sum > adds numbers",
      "AssertionError: expected 3 to be 4 // Object.is equality",
      " ❯ src/sum.test.ts:5:20",
    ]);
    expect(summary.headline).toBe("FAIL  src/sum.test.ts > sum > adds numbers");
    expect(summary.excerpt).toContain("AssertionError: expected 3 to be 4 // Object.is equality");
  });

  test("mocha: the assertion of the first failure", async () => {
    const summary = await summarize([
      "  Array",
      "    #indexOf()",
      "      1) should return -1 when the value is not present",
      "",
      "  0 passing (6ms)",
      "  1 failing",
      "",
      "  1) Array",
      "       #indexOf()",
      "         should return -1 when the value is not present:",
      "",
      "      AssertionError [ERR_ASSERTION]: 0 == -1",
      "      + expected - actual",
      "      at Context.<anonymous> (test/array.spec.js:5:14)",
    ]);
    expect(summary.headline).toBe("AssertionError [ERR_ASSERTION]: 0 == -1");
    expect(excerptText(summary)).toContain("should return -1 when the value is not present:");
  });

  test("pytest: the assertion and the short summary", async () => {
    const summary = await summarize([
      "tests/test_math.py::test_sub PASSED                                      [ 50%]",
      "tests/test_math.py::test_add FAILED                                      [100%]",
      "",
      "=================================== FAILURES ===================================",
      "___________________________________ test_add ___________________________________",
      "",
      "    def test_add():",
      ">       assert add(1, 1) == 3",
      "E       assert 2 == 3",
      "E        +  where 2 = add(1, 1)",
      "",
      "tests/test_math.py:4: AssertionError",
      "=========================== short test summary info ============================",
      "FAILED tests/test_math.py::test_add - assert 2 == 3",
      "========================= 1 failed, 1 passed in 0.03s =========================",
    ]);
    expect(summary.excerpt).toEqual(expect.arrayContaining([">       assert add(1, 1) == 3", "E       assert 2 == 3"]));
    expect(summary.excerpt).toContain("FAILED tests/test_math.py::test_add - assert 2 == 3");
  });

  test("pytest: a collection error", async () => {
    const summary = await summarize([
      "==================================== ERRORS ====================================",
      "______________________ ERROR collecting tests/test_client.py ______________________",
      "ImportError while importing test module '/work/tests/test_client.py'.",
      "tests/test_client.py:1: in <module>",
      "    import requests",
      "E   ModuleNotFoundError: No module named 'requests'",
      "=========================== short test summary info ============================",
      "ERROR tests/test_client.py",
      "!!!!!!!!!!!!!!!!!!!! Interrupted: 1 error during collection !!!!!!!!!!!!!!!!!!!!",
    ]);
    expect(excerptText(summary)).toContain("E   ModuleNotFoundError: No module named 'requests'");
  });

  test("go test: the failing test with its message", async () => {
    const summary = await summarize([
      "=== RUN   TestAdd",
      "    add_test.go:9: Add(1, 2) = 4; want 3",
      "--- FAIL: TestAdd (0.00s)",
      "=== RUN   TestSub",
      "--- PASS: TestSub (0.00s)",
      "FAIL",
      "FAIL\texample.com/calc\t0.002s",
    ]);
    expect(summary.headline).toBe("--- FAIL: TestAdd (0.00s)");
    expect(summary.excerpt).toContain("    add_test.go:9: Add(1, 2) = 4; want 3");
  });

  test("cargo test: the panic with left and right", async () => {
    const summary = await summarize([
      "running 2 tests",
      "test tests::subtracts ... ok",
      "test tests::adds ... FAILED",
      "",
      "failures:",
      "",
      "---- tests::adds stdout ----",
      "thread 'tests::adds' panicked at src/lib.rs:10:9:",
      "assertion `left == right` failed",
      "  left: 4",
      " right: 5",
      "",
      "test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s",
    ]);
    expect(excerptText(summary)).toMatch(/thread 'tests::adds' panicked at src\/lib.rs:10:9:/);
    expect(summary.excerpt).toEqual(expect.arrayContaining(["  left: 4", " right: 5"]));
  });

  test("rspec", async () => {
    const summary = await summarize([
      "Failures:",
      "",
      "  1) Calculator adds numbers",
      "     Failure/Error: expect(calc.add(1, 1)).to eq(3)",
      "",
      "       expected: 3",
      "            got: 2",
      "",
      "Finished in 0.01 seconds",
      "2 examples, 1 failure",
      "",
      "Failed examples:",
      "",
      "rspec ./spec/calculator_spec.rb:5 # Calculator adds numbers",
    ]);
    expect(summary.excerpt).toEqual(
      expect.arrayContaining([
        "     Failure/Error: expect(calc.add(1, 1)).to eq(3)",
        "       expected: 3",
        "            got: 2",
      ]),
    );
  });

  test("JUnit through Surefire", async () => {
    const summary = await summarize([
      "[INFO] Running com.example.AppTest",
      "[ERROR] Tests run: 2, Failures: 1, Errors: 0, Skipped: 0, Time elapsed: 0.05 s <<< FAILURE! - in com.example.AppTest",
      "[ERROR] testAdd(com.example.AppTest)  Time elapsed: 0.01 s  <<< FAILURE!",
      "java.lang.AssertionError: expected:<3> but was:<2>",
      "\tat com.example.AppTest.testAdd(AppTest.java:12)",
      "[ERROR] Tests run: 2, Failures: 1, Errors: 0, Skipped: 0",
      "[INFO] BUILD FAILURE",
    ]);
    expect(excerptText(summary)).toContain("java.lang.AssertionError: expected:<3> but was:<2>");
    expect(excerptText(summary)).toContain("testAdd(com.example.AppTest)");
  });
});

describe("more tools", () => {
  test("Terraform's boxed errors", async () => {
    const summary = await summarize([
      "╷",
      "│ Error: Reference to undeclared resource",
      "│ ",
      '│   on main.tf line 12, in resource "aws_instance" "web":',
      "│   12:   subnet_id = aws_subnet.main.id",
      "╵",
    ]);
    expect(summary.headline).toBe("│ Error: Reference to undeclared resource");
  });

  test("make: a missing target is the cause, not make's wrapper", async () => {
    const summary = await summarize([
      "make -C docs html",
      "make[1]: *** No rule to make target 'html'.  Stop.",
      "make: *** [Makefile:4: docs] Error 2",
    ]);
    expect(summary.headline).toBe("make[1]: *** No rule to make target 'html'.  Stop.");
  });

  test("shell: unbound variables and syntax errors", async () => {
    expect((await summarize(["+ echo start", "./ci/deploy.sh: line 14: DEPLOY_ENV: unbound variable"])).headline).toBe(
      "./ci/deploy.sh: line 14: DEPLOY_ENV: unbound variable",
    );
    expect((await summarize(["./build.sh: line 3: syntax error near unexpected token `fi'"])).headline).toBe(
      "./build.sh: line 3: syntax error near unexpected token `fi'",
    );
  });

  test("PHP fatal errors", async () => {
    const summary = await summarize([
      "PHPUnit 10.5.0",
      "PHP Fatal error:  Uncaught Error: Call to undefined function frobnicate() in /app/src/a.php:3",
    ]);
    expect(summary.headline).toMatch(/^PHP Fatal error: {2}Uncaught Error/);
  });

  test("sanitizers", async () => {
    const summary = await summarize([
      "[ RUN      ] Buffer.Grow",
      "=================================================================",
      "==4242==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010",
      "READ of size 4 at 0x602000000010 thread T0",
    ]);
    expect(summary.headline).toBe("==4242==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010");
  });

  test("merge conflicts", async () => {
    const summary = await summarize([
      "Auto-merging src/app.ts",
      "CONFLICT (content): Merge conflict in src/app.ts",
      "Automatic merge failed; fix conflicts and then commit the result.",
    ]);
    expect(summary.headline).toBe("CONFLICT (content): Merge conflict in src/app.ts");
  });

  test("coverage thresholds", async () => {
    const summary = await summarize([
      "All files |   78.12 |    70.1 |",
      'Jest: "global" coverage threshold for lines (80%) not met: 78.12%',
    ]);
    expect(summary.headline).toBe('Jest: "global" coverage threshold for lines (80%) not met: 78.12%');
  });

  test("rate limits and HTTP failures", async () => {
    const limited = await summarize([
      "{",
      '  "message": "API rate limit exceeded for user ID 1234.",',
      '  "status": "403"',
      "}",
    ]);
    expect(limited.headline).toBe('"message": "API rate limit exceeded for user ID 1234.",');
    const http = await summarize(["Uploading coverage report", "HTTP/1.1 503 Service Unavailable", "giving up"]);
    expect(http.headline).toBe("HTTP/1.1 503 Service Unavailable");
  });

  test("network failures name their error code", async () => {
    const summary = await summarize([
      "npm install",
      "request to https://registry.npmjs.org/react failed, reason: getaddrinfo EAI_AGAIN registry.npmjs.org",
    ]);
    expect(summary.headline).toMatch(/EAI_AGAIN/);
  });

  test("Java: the exception and its cause, not the frames in between", async () => {
    const frames = Array.from(
      { length: 30 },
      (_, i) => `\tat java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:${1000 + i})`,
    );
    const summary = await summarize([
      'Exception in thread "main" java.lang.IllegalStateException: cannot start server',
      "\tat com.example.Server.start(Server.java:42)",
      ...frames,
      "Caused by: java.net.BindException: Address already in use",
      "\t... 31 more",
    ]);
    expect(summary.headline).toBe('Exception in thread "main" java.lang.IllegalStateException: cannot start server');
    expect(summary.excerpt).toContain("Caused by: java.net.BindException: Address already in use");
  });
});

describe("monorepo task runners", () => {
  test.each([
    ["turbo", "web:test: "],
    ["pnpm -r", "packages/web test: "],
  ])("%s prefixes do not hide the error", async (_runner, prefix) => {
    const summary = await summarize([
      `${prefix}PASS src/a.test.ts`,
      `${prefix}  ● cart › totals`,
      `${prefix}    Expected: 3`,
      `${prefix}    Received: 2`,
    ]);
    expect(summary.headline).toBe(`${prefix}  ● cart › totals`.trim());
    expect(summary.excerpt).toEqual(expect.arrayContaining([`${prefix}    Expected: 3`, `${prefix}    Received: 2`]));
  });
});

describe("linters", () => {
  test("eslint", async () => {
    const summary = await summarize([
      "/home/runner/work/app/src/index.js",
      "  3:7  error  'unused' is assigned a value but never used  no-unused-vars",
      "",
      "✖ 1 problem (1 error, 0 warnings)",
    ]);
    expect(summary.headline).toBe("3:7  error  'unused' is assigned a value but never used  no-unused-vars");
    expect(summary.excerpt).toContain("/home/runner/work/app/src/index.js");
  });

  test("flake8 / ruff", async () => {
    const summary = await summarize(["src/app.py:1:1: F401 'os' imported but unused", "Found 1 error."]);
    expect(summary.headline).toBe("src/app.py:1:1: F401 'os' imported but unused");
  });

  test("a lint warning explains a lint job, but never outranks an error", async () => {
    const summary = await summarize([
      "src/a.c:3:9: warning: unused variable 'x' [-Wunused-variable]",
      "src/b.c:7:1: error: expected ';' before '}' token",
    ]);
    expect(summary.headline).toBe("src/b.c:7:1: error: expected ';' before '}' token");
  });
});

describe("package managers, images, files", () => {
  test("npm: the error code, not the lifecycle boilerplate", async () => {
    const summary = await summarize([
      "npm ERR! code E404",
      "npm ERR! 404 Not Found - GET https://registry.npmjs.org/left-padd - Not found",
      "npm ERR! 404",
      "npm ERR! A complete log of this run can be found in:",
      "npm ERR!     /home/runner/.npm/_logs/2024-05-01T10_00_00_000Z-debug-0.log",
    ]);
    expect(summary.headline).toBe("npm ERR! code E404");
    expect(summary.excerpt).toContain("npm ERR! 404 Not Found - GET https://registry.npmjs.org/left-padd - Not found");
  });

  test("pip", async () => {
    const summary = await summarize([
      "Collecting torch==9.9",
      "ERROR: Could not find a version that satisfies the requirement torch==9.9 (from versions: 2.2.0, 2.3.0)",
      "ERROR: No matching distribution found for torch==9.9",
    ]);
    expect(summary.headline).toMatch(/^ERROR: Could not find a version that satisfies the requirement torch==9.9/);
  });

  test("pip: the error inside an indented subprocess output, before pip's own summary", async () => {
    const summary = await summarize([
      "  Building wheel for fastext (pyproject.toml) ... error",
      "  error: subprocess-exited-with-error",
      "  × Building wheel for fastext (pyproject.toml) did not run successfully.",
      "  │ exit code: 1",
      "  ╰─> [12 lines of output]",
      '      -- Found Python3: /usr/bin/python3 (found version "3.12.3")',
      "      CMake Error at CMakeLists.txt:20 (find_package):",
      '        Could not find a package configuration file provided by "pybind11".',
      "      -- Configuring incomplete, errors occurred!",
      "      error: command '/usr/bin/cmake' failed with exit code 1",
      "      [end of output]",
      "  ERROR: Failed building wheel for fastext",
      "ERROR: Failed to build installable wheels for some pyproject.toml based projects (fastext)",
    ]);
    expect(summary.headline).toBe("CMake Error at CMakeLists.txt:20 (find_package):");
    expect(summary.excerpt).toContain('        Could not find a package configuration file provided by "pybind11".');
    expect(summary.excerpt).toContain("  ERROR: Failed building wheel for fastext");
  });

  test("apt and dnf", async () => {
    expect((await summarize(["Reading package lists...", "E: Unable to locate package libfoo-dev"])).headline).toBe(
      "E: Unable to locate package libfoo-dev",
    );
    const dnf = await summarize([
      "Last metadata expiration check: 0:01:02 ago.",
      "Error:",
      " Problem: conflicting requests",
      "  - nothing provides libbar.so.1()(64bit) needed by foo-1.0-1.x86_64",
    ]);
    expect(excerptText(dnf)).toContain("nothing provides libbar.so.1()(64bit) needed by foo-1.0-1.x86_64");
  });

  test("docker: the daemon's answer; the build step's own error before BuildKit's wrapper", async () => {
    const pull = await summarize([
      "Unable to find image 'myorg/private:1.2' locally",
      "docker: Error response from daemon: pull access denied for myorg/private, repository does not exist or may require 'docker login'.",
    ]);
    expect(pull.headline).toMatch(/Error response from daemon: pull access denied/);
    const build = await summarize([
      "#8 [4/6] RUN npm ci",
      "#8 1.234 npm ERR! code ERESOLVE",
      "#8 1.235 npm ERR! ERESOLVE unable to resolve dependency tree",
      '#8 ERROR: process "/bin/sh -c npm ci" did not complete successfully: exit code: 1',
      'ERROR: failed to solve: process "/bin/sh -c npm ci" did not complete successfully: exit code: 1',
    ]);
    expect(build.headline).toMatch(/npm ERR! (?:code )?ERESOLVE/);
  });

  test("missing files and commands", async () => {
    expect(
      (await summarize(["+ cat config/settings.yml", "cat: config/settings.yml: No such file or directory"])).headline,
    ).toBe("cat: config/settings.yml: No such file or directory");
    expect((await summarize(["$ yarn build", "/bin/sh: 1: yarn: not found"])).headline).toBe(
      "/bin/sh: 1: yarn: not found",
    );
    expect(
      (
        await summarize([
          "node:internal/modules/cjs/loader:1147",
          "Error: Cannot find module 'express'",
          "Require stack:",
        ])
      ).headline,
    ).toBe("Error: Cannot find module 'express'");
  });
});

describe("timeouts, signals, silent deaths", () => {
  test.each([
    ['Error: Timeout of 2000ms exceeded. For async tests and hooks, ensure "done()" is called'],
    ['    thrown: "Exceeded timeout of 5000 ms for a test.'],
    ["panic: test timed out after 10m0s"],
    ["Command took >30min, returning 124"],
  ])("timeout: %s", async (line) => {
    const summary = await summarize(["running tests", "ok   example.com/a 0.01s", line, "exit status 1"]);
    expect(summary.headline).toBe(line.trim());
  });

  test.each([
    ["FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory"],
    ['Exception in thread "main" java.lang.OutOfMemoryError: Java heap space'],
    ["Segmentation fault (core dumped)"],
    ["Killed"],
  ])("out of memory and signals: %s", async (line) => {
    const summary = await summarize(["Building bundle...", "[webpack] 82% sealing", line]);
    expect(summary.headline).toBe(line);
  });

  test("exit code 137 alone still says the process was killed", async () => {
    const summary = await summarize([
      ...gitlabSection("step_script", 'Executing "step_script" stage', ["$ make bundle", "bundling 812 modules"]),
      "ERROR: Job failed: exit code 137",
    ]);
    expect(summary.excerpt).toContain("ERROR: Job failed: exit code 137");
  });

  test("a set -x script that dies silently: its last command", async () => {
    const summary = await summarize(
      actionsLog([
        "##[group]Run ./scripts/release.sh",
        "##[endgroup]",
        "+ VERSION=1.4.0",
        "+ tar -czf dist/app.tgz build/",
        "+ test -f dist/CHANGELOG.md",
        "##[error]Process completed with exit code 1.",
      ]),
    );
    expect(summary.headline).toBe("+ test -f dist/CHANGELOG.md");
  });

  test("a killed pytest: the test that was running when it died", async () => {
    const passes = Array.from(
      { length: 200 },
      (_, i) => `tests/test_etl.py::test_row_${i} PASSED [ ${Math.floor(i / 3)}%]`,
    );
    const summary = await summarize([
      ...passes,
      "tests/test_etl.py::test_full_day_import ",
      "Killed",
      "ERROR: Job failed: exit code 137",
    ]);
    expect(summary.excerpt).toEqual(expect.arrayContaining(["tests/test_etl.py::test_full_day_import", "Killed"]));
  });

  test("text with no error word at all is shown as it ends", async () => {
    const summary = await summarize(["Coverage report", "Coverage dropped: 71% is below the 80% target"]);
    expect(summary.headline).toBeNull();
    expect(summary.excerpt).toEqual(["Coverage report", "Coverage dropped: 71% is below the 80% target"]);
  });

  test("a failure with no error line at all shows how the step ended", async () => {
    const summary = await summarize(
      actionsLog([
        "##[group]Run ./check.sh",
        "##[endgroup]",
        "checking 42 files",
        "2 files differ from the generated version",
        "##[error]Process completed with exit code 3.",
      ]),
    );
    expect(summary.headline).toBeNull();
    expect(summary.excerpt).toEqual(["checking 42 files", "2 files differ from the generated version"]);
  });
});

describe("decoys", () => {
  test("file names and test names with error words are not errors", async () => {
    const summary = await summarize([
      "+ tar -cvzf dist.tgz .",
      "./lib/errors/index.js",
      "./error-pages/500.html",
      "./lib/failover/fail-fast.js",
      "  ✓ returns an error when the payload is empty (3 ms)",
      "tests/test_api.py::test_fails_on_bad_input PASSED",
      "Tests: 0 failed, 12 passed",
      "main.c:3:9: warning: unused variable 'x' [-Wunused-variable]",
      "src/db.c:40:2: error: implicit declaration of function 'connect_db'",
    ]);
    expect(summary.headline).toBe("src/db.c:40:2: error: implicit declaration of function 'connect_db'");
    expect(summary.excerpt).not.toContain("./error-pages/500.html");
  });

  test("package-manager warnings and passing tests in other runners' words are not errors", async () => {
    const summary = await summarize([
      "npm WARN deprecated inflight@1.0.6: This module is not supported, and leaks memory.",
      "warning package.json: No license field",
      "test tests::error_path ... ok",
      "  Passed Api.Tests.Errors.ReturnsProblemDetails [12 ms]",
      "OK (12 tests, 30 assertions)",
      "Done in 3.2s.",
    ]);
    expect(summary.headline).toBeNull();
  });

  test("repeats of one error are shown once", async () => {
    const attempts = [1, 2, 3].flatMap((n) => [
      `Attempt ${n}/3`,
      "Error response from daemon: manifest for app:9.9 not found: manifest unknown",
    ]);
    const summary = await summarize(attempts);
    expect(summary.excerpt.filter((line) => line.includes("manifest unknown"))).toHaveLength(1);
  });
});

describe("a step header left open (a log cut before ##[endgroup])", () => {
  it("ends at the first line that is output, so indented `key: value` output stays", async () => {
    const ts = "2026-01-05T10:00:05.3000000Z ";
    const log =
      [
        "##[group]Run cargo test",
        "   Compiling demo v0.1.0",
        "thread 'tests::parses_empty' panicked at src/lib.rs:42:9:",
        "assertion `left == right` failed",
        "  left: Some(0)",
        " right: None",
      ]
        .map((line) => ts + line)
        .join("\n") + "\n";
    const { excerpt } = await summarizeText(log, { maxLines: 12 });
    expect(excerpt).toEqual(expect.arrayContaining(["  left: Some(0)", " right: None"]));
  });
});

describe("other runners' prefixes, for matching and display", () => {
  test("gh run view --log: a real Actions log with job and step columns gives the same summary", async () => {
    const fixture = readFileSync(new URL("../fixtures/ci-logs/gha-pytorch-compile_error.log", import.meta.url), "utf8");
    const plain = await summarize(fixture);
    const columns = fixture
      .split("\n")
      .map((line) => (line.length > 0 ? `linux-build / build\tBuild\t${line}` : line))
      .join("\n");
    const viewed = await summarize(columns);
    expect(viewed.headline).toBe(plain.headline);
    expect(viewed.excerpt).toEqual(plain.excerpt);
  });

  test("Taskcluster + mozharness: the harness names the failing test; a GLib critical before it is noise", async () => {
    const tc = (time: string, level: string, text: string) =>
      `[task 2025-02-13T${time}.000Z] ${time} ${level} - ${text}`;
    const summary = await summarize([
      tc(
        "10:56:51",
        "    INFO",
        " (gst-launch-1.0:17741): GStreamer-CRITICAL **: gst_object_unref: assertion 'x' failed",
      ),
      tc("11:00:20", "    INFO", "TEST-PASS | devtools/browser_a.js | ok"),
      tc(
        "11:00:27",
        "    INFO",
        "TEST-UNEXPECTED-FAIL | devtools/browser_b.js | A promise chain failed to handle a rejection",
      ),
      tc(
        "11:00:27",
        "    INFO",
        "startWatchingNetworkResources@resource://devtools/client/webconsole/webconsole-ui.js:395:26",
      ),
      tc("11:05:00", " WARNING", "returning nonzero exit status 1"),
      "[taskcluster 2025-02-13 11:05:01.000Z] Unsuccessful task run with exit code: 1 completed in 600 seconds",
    ]);
    expect(summary.headline).toBe(
      "TEST-UNEXPECTED-FAIL | devtools/browser_b.js | A promise chain failed to handle a rejection",
    );
    expect(excerptText(summary)).not.toContain("[task ");
    expect(excerptText(summary)).not.toContain("GStreamer-CRITICAL");
  });

  test("a crash: the sanitizer's report with its top frames; a Mozilla crash report; a failed MOZ_ASSERT", async () => {
    const asan = await summarize([
      "PID 16211 | =================================================================",
      "PID 16211 | ==16211==ERROR: AddressSanitizer: heap-use-after-free on address 0x512000dacef0 at pc 0x7f5f778257ff",
      "PID 16211 | WRITE of size 8 at 0x512000dacef0 thread T0",
      "PID 16211 | [Parent 16211, Main Thread] WARNING: some unrelated warning: file a.cpp:12",
      "PID 16211 |     #0 0x7f5f778257fe in fetch_add /usr/include/c++/8/bits/atomic_base.h:541:16",
      "PID 16211 |     #1 0x7f5f778257fe in operator++ /obj/dist/include/nsISupportsImpl.h:388:19",
      "PID 16211 |     #2 0x7f5f778257fe in AddRef /gecko/toolkit/components/places/ConcurrentConnection.cpp:94:1",
    ]);
    expect(asan.headline).toMatch(/^==16211==ERROR: AddressSanitizer: heap-use-after-free/);
    expect(asan.excerpt).toEqual(
      expect.arrayContaining([
        "    #0 0x7f5f778257fe in fetch_add /usr/include/c++/8/bits/atomic_base.h:541:16",
        "    #1 0x7f5f778257fe in operator++ /obj/dist/include/nsISupportsImpl.h:388:19",
      ]),
    );
    const crash = await summarize([
      "TEST-START | services/common/tests/unit/test_tokenserverclient.js",
      "PROCESS-CRASH | application crashed [@ libsystem_kernel.dylib + 0x0dfa] | dom/base/test/unit_ipc/test_wrap.js",
      "Crash reason:  EXC_SOFTWARE / SIGABRT",
    ]);
    expect(crash.headline).toMatch(/^PROCESS-CRASH \| application crashed .*\/test_wrap\.js$/);
    const assertion = await summarize([
      "GECKO(10764) | [GPU 7380, CanvasRenderer] WARNING: Failed to make GL context current!: file GLContextProviderEGL.cpp:479",
      "GECKO(10764) | [7380] Assertion failure: !isStackAddress (Please don't pass stack arrays to the GL.), at gfx/gl/GLContext.cpp:2004",
      "GECKO(10764) | #01: mozilla::gl::GLContext::raw_fBufferData(unsigned int, long, void const*, unsigned int) [gfx/gl/GLContext.h:891]",
    ]);
    expect(assertion.headline).toMatch(/Assertion failure: !isStackAddress/);
    expect(excerptText(assertion)).toContain("#01: mozilla::gl::GLContext::raw_fBufferData");
  });
});

describe("Jenkins Pipeline", () => {
  test("its [Pipeline] structure lines are never shown; the step's error is the cause", async () => {
    const summary = await summarize([
      "[Pipeline] { (Build)",
      "[Pipeline] sh",
      "+ make dist",
      "make: *** No rule to make target 'assets/logo.svg', needed by 'dist'.  Stop.",
      "[Pipeline] }",
      "[Pipeline] // stage",
      "[Pipeline] End of Pipeline",
      "ERROR: script returned exit code 2",
      "Finished: FAILURE",
    ]);
    expect(summary.headline).toBe("make: *** No rule to make target 'assets/logo.svg', needed by 'dist'.  Stop.");
    expect(excerptText(summary)).not.toContain("[Pipeline]");
  });
});

describe("build-tool causes", () => {
  test("a patch that does not apply, with the patch's name", async () => {
    const summary = await summarize([
      "Executing(%prep): /bin/sh -e /var/tmp/rpm-tmp.duFVwH",
      "+ cd /builddir/build/BUILD",
      "+ echo 'Patch #3 (fix-build.patch):'",
      "Patch #3 (fix-build.patch):",
      "+ /usr/bin/patch -p1 --fuzz=0",
      "+ /usr/bin/cat /builddir/build/SOURCES/fix-build.patch",
      "patching file src/main.c",
      "Hunk #2 FAILED at 140.",
      "1 out of 2 hunks FAILED -- saving rejects to file src/main.c.rej",
      "error: Bad exit status from /var/tmp/rpm-tmp.duFVwH (%prep)",
      "",
      "RPM build errors:",
      "    Bad exit status from /var/tmp/rpm-tmp.duFVwH (%prep)",
    ]);
    expect(summary.headline).toBe("Hunk #2 FAILED at 140.");
    expect(summary.excerpt).toEqual(
      expect.arrayContaining(["Patch #3 (fix-build.patch):", "patching file src/main.c"]),
    );
  });

  test("javac reading classes of a newer Java", async () => {
    const summary = await summarize([
      "> Task :core:compileJava",
      "error: org.example.Thing: bad class file: /home/u/.gradle/caches/thing-2.0.jar(org/example/Thing.class)",
      "  class file has wrong version 61.0, should be 55.0",
      "  Please remove or make sure it appears in the correct subdirectory of the classpath.",
      "> Task :core:compileJava FAILED",
    ]);
    expect(excerptText(summary)).toContain("class file has wrong version 61.0, should be 55.0");
  });

  test("npm ERESOLVE: the conflict and the peer it could not satisfy", async () => {
    const summary = await summarize([
      "npm ERR! code ERESOLVE",
      "npm ERR! ERESOLVE unable to resolve dependency tree",
      "npm ERR!",
      "npm ERR! While resolving: web@1.0.0",
      "npm ERR! Found: react@18.2.0",
      "npm ERR! node_modules/react",
      'npm ERR!   react@"^18.2.0" from the root project',
      "npm ERR!",
      "npm ERR! Could not resolve dependency:",
      'npm ERR! peer react@"^16.8.0" from react-old-widget@2.1.0',
      "npm ERR! node_modules/react-old-widget",
      'npm ERR!   react-old-widget@"^2.1.0" from the root project',
      "npm ERR!",
      "npm ERR! Fix the upstream dependency conflict, or retry",
      "npm ERR! this command with --force, or --legacy-peer-deps",
      "npm ERR! to accept an incorrect (and potentially broken) dependency resolution.",
    ]);
    expect(summary.headline).toBe("npm ERR! ERESOLVE unable to resolve dependency tree");
    expect(summary.excerpt).toEqual(
      expect.arrayContaining([
        "npm ERR! Found: react@18.2.0",
        'npm ERR! peer react@"^16.8.0" from react-old-widget@2.1.0',
      ]),
    );
    expect(excerptText(summary)).not.toContain("Fix the upstream dependency conflict");
  });

  test("jest that does not exit, killed by CircleCI's no-output timeout", async () => {
    const summary = await summarize([
      "Tests:       286 passed, 286 total",
      "Ran all test suites.",
      "Jest did not exit one second after the test run has completed.",
      "",
      "This usually means that there are asynchronous operations that weren't stopped in your tests.",
      "Too long with no output (exceeded 10m0s): context deadline exceeded",
    ]);
    expect(summary.headline).toBe("Jest did not exit one second after the test run has completed.");
    expect(summary.excerpt).toContain("Too long with no output (exceeded 10m0s): context deadline exceeded");
  });

  test("a script's own message before its `exit 1` (set -x), whatever its words", async () => {
    const summary = await summarize(
      actionsLog([
        "##[group]Run .ci/test.sh",
        "##[endgroup]",
        "Failed to parse and upload json test reports: An error occurred (AccessDenied)",
        "+ git_status='?? cmake/profiles/'",
        "+ [[ -n ?? cmake/profiles/ ]]",
        "+ echo 'Build left local git repository checkout dirty'",
        "Build left local git repository checkout dirty",
        "+ echo 'git status --porcelain:'",
        "git status --porcelain:",
        "+ echo '?? cmake/profiles/'",
        "?? cmake/profiles/",
        "+ exit 1",
        "+ sccache --show-stats",
        "Compile requests                   2043",
        "##[error]Process completed with exit code 1.",
      ]),
    );
    expect(summary.headline).toBe("Build left local git repository checkout dirty");
    expect(summary.excerpt).toEqual(expect.arrayContaining(["git status --porcelain:", "?? cmake/profiles/"]));
  });

  test("Azure Pipelines: a script step that printed nothing shows its command, not the task banner", async () => {
    const summary = await summarize([
      "##[section]Starting: Run code quality tests",
      "==============================================================================",
      "Task         : Command line",
      "Version      : 2.151.2",
      "==============================================================================",
      "Generating script.",
      "Script contents:",
      "flake8 --output-file=lint-testresults.xml --format junit-xml",
      "========================== Starting Command Output ===========================",
      "##[error]Bash exited with code '1'.",
      "##[section]Finishing: Run code quality tests",
    ]);
    expect(summary.headline).toBe("flake8 --output-file=lint-testresults.xml --format junit-xml");
    expect(excerptText(summary)).not.toContain("Task         :");
  });
});

describe("infrastructure noise, clean logs, and never worse than the tail", () => {
  test("container and keep-alive noise is not a cause", async () => {
    const summary = await summarize([
      "systemd[1]: Failed to start Journal Service.",
      "mount: /sys/fs/cgroup: permission denied.",
      '/home/travis/.travis/functions: line 109:  4632 Terminated              travis_jigger "${!}" "${timeout}" "${cmd[@]}"',
      "src/app.c:12:3: error: 'count' undeclared (first use in this function)",
      'The command "make" exited with 2.',
    ]);
    expect(summary.headline).toBe("src/app.c:12:3: error: 'count' undeclared (first use in this function)");
    expect(excerptText(summary)).not.toMatch(/systemd|travis_jigger|mount:/);
  });

  test("a log that ends with the runner's success says nothing failed", async () => {
    const summary = await summarize([
      ...gitlabSection("step_script", 'Executing "step_script" stage', [
        "$ npm test",
        "retrying request after ECONNRESET",
        "Tests: 12 passed, 12 total",
      ]),
      "Job succeeded",
    ]);
    expect(summary.excerpt).toEqual([]);
    expect(summary.headline).toBeNull();
    expect(summary.passed).toBe(true);
    expect(renderSummaryText(summary)).toBe("No failure found: the runner reports that this job passed.\n");
  });

  test("with only a weak finding, the failing step's last lines are shown too", async () => {
    const summary = await summarize(
      actionsLog([
        "##[group]Run ./deploy.sh",
        "##[endgroup]",
        "uploading bundle (failed attempts are retried)",
        "bundle uploaded",
        "release 1.4.0 is not allowed on a frozen channel",
        "deploy stopped",
        "##[error]Process completed with exit code 1.",
      ]),
    );
    expect(summary.excerpt).toEqual(
      expect.arrayContaining(["release 1.4.0 is not allowed on a frozen channel", "deploy stopped"]),
    );
  });
});
