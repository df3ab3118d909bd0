/** FunctionGraph entry point for Cloud Eye alarms (SMN trigger or APIG webhook). */
import { alarmHandler } from '../lib/pipeline';

export const handler = alarmHandler(__dirname);
