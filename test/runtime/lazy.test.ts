import { onFirstUse } from '../../lib/runtime/lazy';

describe('onFirstUse', () => {
  it('loads on the first call only, never before', () => {
    let loads = 0;
    const get = onFirstUse(() => ({ n: ++loads }));
    expect(loads).toBe(0);
    const first = get();
    expect(get()).toBe(first);
    expect(loads).toBe(1);
  });

  it('tries a load that threw again on the next call', () => {
    let calls = 0;
    const get = onFirstUse(() => {
      if (++calls === 1) throw new Error('not yet');
      return 'loaded';
    });
    expect(get).toThrow('not yet');
    expect(get()).toBe('loaded');
    expect([get(), calls]).toEqual(['loaded', 2]);
  });
});
