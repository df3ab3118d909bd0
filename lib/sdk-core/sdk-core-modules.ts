/**
 * Everything this project takes from @huaweicloud/huaweicloud-sdk-core, in one
 * module. hardened.ts requires it on first use only; the function bundles
 * build it as a file of its own (dist/<fn>/sdk.js, esbuild.config.mjs), so an
 * invocation that never calls DCS neither parses nor evaluates core and its
 * dependencies (axios, log4js, lodash, moment).
 */
export { ClientBuilder } from '@huaweicloud/huaweicloud-sdk-core/ClientBuilder';
export { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials';
export { Logger4jInstance } from '@huaweicloud/huaweicloud-sdk-core/logger/log4jLogger';
