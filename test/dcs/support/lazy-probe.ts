/**
 * Run in a child process by cold-start.test.ts, bundled with sdk-core left
 * external so Node's require.cache shows when core is really loaded. Prints
 * one JSON line: was core loaded after importing lib/dcs, after building a
 * client, after its first call?
 */
import { createDcsClient, resolveDcsConfig } from '../../../lib/dcs';
import { closedPort } from './canned-server';

const coreLoaded = (): boolean => Object.keys(require.cache).some((path) => path.includes('huaweicloud-sdk-core'));

async function main(): Promise<void> {
  const afterImport = coreLoaded();
  const config = resolveDcsConfig({ ...process.env, DCS_ENDPOINT: `http://127.0.0.1:${await closedPort()}` });
  if (!config.ok) throw config.error;
  const client = createDcsClient(config.value, { readRetry: { maxAttempts: 1 } });
  const afterClient = coreLoaded();
  const kind = await client.showInstance({ instanceId: '5e2b1c9a-7f3d-4d2e-9b8a-1c2d3e4f5a6b' }).then(() => 'ok', (e: { kind?: string }) => e.kind);
  console.log(JSON.stringify({ afterImport, afterClient, afterCall: coreLoaded(), kind }));
}

void main();
