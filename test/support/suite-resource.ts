/**
 * A resource a suite shares (a server, an emulator): started before its tests, reset before
 * each one, closed after. Declared at the top of a describe block or file, it hands back a
 * stand-in that forwards to the started resource, so tests read `server.origin` rather than
 * juggling a `let` assigned in beforeAll.
 */
export function useSuiteResource<T extends object>(start: () => Promise<T>, life: { reset?: (resource: T) => void; close: (resource: T) => unknown }): T {
  let resource: T | undefined;
  const current = (): T => {
    if (resource === undefined) throw new Error('a suite resource starts in beforeAll: use it inside a test or hook');
    return resource;
  };
  beforeAll(async () => {
    resource = await start();
  });
  afterAll(async () => {
    if (resource !== undefined) await life.close(resource);
  });
  const reset = life.reset;
  if (reset) beforeEach(() => reset(current()));
  return new Proxy({} as T, {
    get(_target, key) {
      const target = current();
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
