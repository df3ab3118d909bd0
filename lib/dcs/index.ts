/** The DCS client: typed calls, error taxonomy, retry policy, config and job following. */
export * from './models';
export * from './errors';
export * from './ids';
export * from './client-addr';
export * from './retry';
export * from './credentials';
export * from './config';
export * from './client';
export * from './jobs';
