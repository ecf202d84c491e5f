import { oneAtATime, settleEach } from "../../../src/util/concurrency";

/** A task per item that waits until released, recording how many run at once. */
function controlledTasks() {
  const release = new Map<number, () => void>();
  const started: number[] = [];
  let running = 0;
  let mostAtOnce = 0;
  const task = async (item: number): Promise<number> => {
    started.push(item);
    running += 1;
    mostAtOnce = Math.max(mostAtOnce, running);
    await new Promise<void>((resolve) => release.set(item, resolve));
    running -= 1;
    if (item < 0) throw new Error(`item ${item} failed`);
    return item * 10;
  };
  const settle = async () => {
    for (let i = 0; i < 5; i += 1) await Promise.resolve();
  };
  return { release, started, task, settle, mostAtOnce: () => mostAtOnce };
}

describe("settleEach", () => {
  it("runs at most `limit` tasks at once, starting them in the items' order", async () => {
    const { release, started, task, settle, mostAtOnce } = controlledTasks();
    const all = settleEach([1, 2, 3, 4, 5], 2, task);
    await settle();
    expect(started).toEqual([1, 2]);
    release.get(2)?.();
    await settle();
    expect(started).toEqual([1, 2, 3]);
    release.get(1)?.();
    await settle();
    expect(started).toEqual([1, 2, 3, 4]);
    for (const item of [3, 4]) release.get(item)?.();
    await settle();
    release.get(5)?.();
    expect((await all).map((r) => (r.status === "fulfilled" ? r.value : "rejected"))).toEqual([10, 20, 30, 40, 50]);
    expect(mostAtOnce()).toBe(2);
  });

  it("settles every item when some fail, in the items' order", async () => {
    const results = await settleEach([1, -2, 3], 3, async (item) => {
      await Promise.resolve();
      if (item < 0) throw new Error(`item ${item} failed`);
      return item;
    });
    expect(results).toEqual([
      { status: "fulfilled", value: 1 },
      { status: "rejected", reason: new Error("item -2 failed") },
      { status: "fulfilled", value: 3 },
    ]);
  });

  it("starts no more workers than there are items, and none for no items", async () => {
    const { started, task, release, settle } = controlledTasks();
    const all = settleEach([7], 4, task);
    await settle();
    expect(started).toEqual([7]);
    release.get(7)?.();
    expect(await all).toEqual([{ status: "fulfilled", value: 70 }]);
    expect(await settleEach([], 4, task)).toEqual([]);
  });

  it.each([0, -1, 1.5, Number.NaN])("refuses a limit of %p", async (limit) => {
    await expect(settleEach([1], limit, (item) => Promise.resolve(item))).rejects.toThrow(`limit must be a whole number of at least 1, got ${limit}`);
  });
});

describe("oneAtATime", () => {
  it("runs the tasks given to it one after another, in order, past a failure", async () => {
    const gate = oneAtATime();
    const { release, started, task, settle, mostAtOnce } = controlledTasks();
    const first = gate(() => task(-1));
    const second = gate(() => task(2));
    await settle();
    expect(started).toEqual([-1]);
    release.get(-1)?.();
    await expect(first).rejects.toThrow("item -1 failed");
    await settle();
    expect(started).toEqual([-1, 2]);
    release.get(2)?.();
    expect(await second).toBe(20);
    expect(mostAtOnce()).toBe(1);
  });
});
