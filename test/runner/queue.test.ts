import { TaskQueue } from "../../src/runner/queue.js";

function deferred() {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/** Lets queued promise callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

test("runs at most `limit` jobs and starts the waiting ones in arrival order", async () => {
  const queue = new TaskQueue(2);
  const gates = [deferred(), deferred(), deferred(), deferred()];
  const started: number[] = [];
  const runs = gates.map((gate, index) =>
    queue.run(async () => {
      started.push(index);
      await gate.promise;
      return index;
    }),
  );
  await settle();
  expect(started).toEqual([0, 1]);
  expect([queue.active, queue.pending]).toEqual([2, 2]);

  gates[1]!.resolve();
  await settle();
  expect(started).toEqual([0, 1, 2]);

  gates[0]!.resolve();
  gates[2]!.resolve();
  gates[3]!.resolve();
  expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
  expect([queue.active, queue.pending]).toEqual([0, 0]);
});

test("a failing job frees its slot", async () => {
  const queue = new TaskQueue(1);
  await expect(queue.run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
  expect(await queue.run(async () => "next")).toBe("next");
});

test("an aborted waiting job leaves the line without running; an already aborted one never queues", async () => {
  const queue = new TaskQueue(1);
  const gate = deferred();
  const first = queue.run(() => gate.promise);
  const controller = new AbortController();
  const ran: string[] = [];
  const second = queue.run(async () => void ran.push("second"), controller.signal);
  const third = queue.run(async () => void ran.push("third"));

  controller.abort(new Error("stopped by /factory stop"));
  await expect(second).rejects.toThrow("stopped by /factory stop");
  expect(queue.pending).toBe(1);
  await expect(queue.run(async () => "late", controller.signal)).rejects.toThrow("stopped by /factory stop");

  gate.resolve();
  await Promise.all([first, third]);
  expect(ran).toEqual(["third"]);
});

test("runs at most `perKeyLimit` jobs of one key; jobs of other keys pass the waiting ones", async () => {
  const queue = new TaskQueue(3, 1);
  const gates = [deferred(), deferred(), deferred()];
  const started: string[] = [];
  const job = (name: string, gate: { promise: Promise<void> }) => async () => {
    started.push(name);
    await gate.promise;
  };
  const runs = [
    queue.run(job("a1", gates[0]!), undefined, "acme/a"),
    queue.run(job("a2", gates[1]!), undefined, "acme/a"),
    queue.run(job("b1", gates[2]!), undefined, "acme/b"),
  ];
  await settle();
  expect(started).toEqual(["a1", "b1"]);
  expect([queue.active, queue.pending]).toEqual([2, 1]);
  gates[0]!.resolve();
  await settle();
  expect(started).toEqual(["a1", "b1", "a2"]);
  gates[1]!.resolve();
  gates[2]!.resolve();
  await Promise.all(runs);
  expect([queue.active, queue.pending]).toEqual([0, 0]);
});
