/** The sample events and the real SMN captures (test/fixtures/events, README there). */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { AlarmSignal } from '../../../lib/events/alarm-message';

export const FIXTURES_DIR = path.resolve(__dirname, '..', '..', 'fixtures', 'events');

/** Parsed JSON of a fixture, e.g. `fixture('real/cloudeye-dcs-alarm.cn-north-4.2025-06-02.json')`. */
export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(path.join(FIXTURES_DIR, name), 'utf8')) as T;
}

/** Every *.json fixture, relative names (real/ included). */
export function allFixtureNames(): string[] {
  const list = (dir: string): string[] => readdirSync(path.join(FIXTURES_DIR, dir)).filter((f) => f.endsWith('.json')).map((f) => path.posix.join(dir, f));
  return [...list('.'), ...list('real')];
}

export const REAL_ALARM = 'real/cloudeye-dcs-alarm.cn-north-4.2025-06-02.json';
export const REAL_DATAARTS = 'real/dataarts-job-failure.cn-south-1.2025-02-14.json';
export const REAL_CONFIRMATION = 'real/subscription-confirmation.cn-north-4.2025-06-07.json';
export const REAL_MESSAGES = [REAL_ALARM, REAL_DATAARTS, REAL_CONFIRMATION];

/** What REAL_ALARM's templated body reads as (alarm-message tests build the same body around other instances). */
export const REAL_ALARM_SIGNAL: AlarmSignal = {
  format: 'templated',
  alarmId: 'ah1748876175242njvndyzMZ',
  alarmName: 'alarm-c5jj',
  status: 'alarm',
  namespace: null,
  metric: null,
  instanceId: '3dc7b9ea-70b4-4c38-942d-e2636e6d844c',
  node: null,
  dimensions: [],
  time: Date.parse('2025-06-02T14:56:15Z'),
  region: 'cn-east-3',
  recordId: 'ah1748876175242njvndyzMZ',
};
