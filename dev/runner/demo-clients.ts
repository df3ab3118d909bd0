/**
 * Demo application clients: a handful of real Redis connections to the alarmed node (a real
 * redis-server behind the emulator), so a kill is something you can watch: their connections
 * drop when the alarm is handled. The `demo-app-*` ones sit idle after connecting; the
 * `demo-busy-*` ones PING every half second, so a precision action that selects idle sessions
 * closes the first and leaves the second running. They never reconnect on their own, as a
 * dropped connection is the point of the demo; POST /demo-clients opens a fresh set.
 */
import Redis from 'ioredis';

export interface DemoClients {
  /** Names of the clients connected right now. */
  connected(): string[];
  /** Opens a fresh set (the old ones are closed first). */
  reopen(): Promise<string[]>;
  close(): Promise<void>;
}

export interface DemoClientOptions {
  host: string;
  port: number;
  count: number;
  /** Clients that keep talking (never idle). */
  busyCount?: number;
  nodeLabel: string;
  print: (line: string) => void;
}

export async function openDemoClients(opts: DemoClientOptions): Promise<DemoClients> {
  let clients: Array<{ name: string; redis: Redis }> = [];
  let closing = false;
  let generation = 0;
  let busyTimer: NodeJS.Timeout | null = null;

  const open = async (): Promise<string[]> => {
    generation += 1;
    const names = [
      ...Array.from({ length: opts.count }, (_, i) => `demo-app-${generation}-${i + 1}`),
      ...Array.from({ length: opts.busyCount ?? 0 }, (_, i) => `demo-busy-${generation}-${i + 1}`),
    ];
    const opened = names.map((name) => {
      const redis = new Redis({
        host: opts.host,
        port: opts.port,
        connectionName: name,
        lazyConnect: true,
        retryStrategy: () => null, // a killed connection stays dropped: that is what we show
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
      });
      redis.on('error', () => undefined); // ECONNRESET after a kill: reported by 'close' below
      redis.once('close', () => {
        if (!closing) opts.print(`demo client ${name}: connection to ${opts.nodeLabel} closed by the server`);
      });
      return { name, redis };
    });
    await Promise.all(opened.map((c) => c.redis.connect()));
    clients = opened;
    const busy = opened.filter((c) => c.name.startsWith('demo-busy-'));
    busyTimer = setInterval(() => busy.forEach((c) => void (c.redis.status === 'ready' ? c.redis.ping().catch(() => undefined) : undefined)), 500);
    busyTimer.unref();
    return opened.map((c) => c.name);
  };

  const quitAll = async (): Promise<void> => {
    if (busyTimer) clearInterval(busyTimer);
    closing = true;
    await Promise.all(clients.map((c) => (c.redis.status === 'end' ? undefined : c.redis.quit().catch(() => c.redis.disconnect()))));
    clients = [];
    closing = false;
  };

  await open();
  return {
    connected: () => clients.filter((c) => c.redis.status === 'ready').map((c) => c.name),
    reopen: async () => {
      await quitAll();
      return open();
    },
    close: async () => {
      await quitAll();
      closing = true;
    },
  };
}
