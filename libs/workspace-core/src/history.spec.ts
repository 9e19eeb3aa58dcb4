// The bounded command history: a ring of the newest entries plus the total count.
import { CommandHistory, HISTORY_LIMIT, WorkspaceRegistry } from './index.js';

const entry = (index: number) => ({ session_id: 'default', command: `echo ${index}`, at: index });

describe('CommandHistory', () => {
  it('keeps every entry until the limit, oldest first', () => {
    const history = new CommandHistory(3);
    expect(history.entries()).toEqual([]);
    history.record(entry(1));
    history.record(entry(2));
    expect(history.entries().map((e) => e.at)).toEqual([1, 2]);
    expect(history.total).toBe(2);
  });

  it('past the limit keeps only the newest, in order, while the total keeps counting', () => {
    const history = new CommandHistory(3);
    for (let index = 1; index <= 10; index += 1) {
      history.record(entry(index));
      expect(history.entries().map((e) => e.at)).toEqual(
        Array.from({ length: Math.min(index, 3) }, (_, k) => Math.max(index - 3, 0) + k + 1),
      );
    }
    expect(history.total).toBe(10);
  });

  it('a copy is handed out: changing it does not change the history', () => {
    const history = new CommandHistory(2);
    history.record(entry(1));
    history.entries().pop();
    expect(history.entries()).toHaveLength(1);
  });

  it('refuses a limit that is not a positive integer', () => {
    for (const limit of [0, -1, 1.5, Number.NaN]) expect(() => new CommandHistory(limit)).toThrow(RangeError);
  });
});

describe('Workspace history is bounded', () => {
  const registry = new WorkspaceRegistry({ env: {} });
  afterAll(() => registry.closeAll());

  it(`keeps the newest ${HISTORY_LIMIT} commands; history_length counts all of them`, async () => {
    const workspace = await registry.create({ config: { mounts: { '/': { resource: 'ram', mode: 'write' } } } });
    const runs = HISTORY_LIMIT + 25;
    for (let index = 0; index < runs; index += 1) await workspace.execute({ command: `: ${index}` });
    await workspace.execute({ command: ': not recorded', record: false });
    const kept = workspace.commandHistory();
    expect(kept).toHaveLength(HISTORY_LIMIT);
    expect(kept[0]?.command).toBe(': 25');
    expect(kept.at(-1)?.command).toBe(`: ${runs - 1}`);
    expect(workspace.historyLength).toBe(runs);
    expect(workspace.detail(true).internals?.history_length).toBe(runs);
  }, 60_000);
});
