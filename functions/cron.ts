/** FunctionGraph entry point for timer triggers. */
import { cronHandler } from '../lib/pipeline';

export const handler = cronHandler(__dirname);
