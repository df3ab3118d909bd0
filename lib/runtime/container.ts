import * as path from 'node:path';
import type { LaterSinks } from '../audit';
import type { DcsClient, DcsClientConfig, DcsConfigCache, DcsError } from '../dcs';
import type { Result } from '../domain/types';
import { fromContext } from '../fg/context';
import type { Context } from '../fg/types';
import type { CertFetcher, SmnAuthConfig, SmnConfigError } from '../auth';
import { guardStoreOptionsFromEnv, type GuardError, type GuardStore, type GuardStoreOptions } from '../guard';
import { getPolicy, type LoadedPolicy, type LoadPolicyOptions, type PolicyError } from '../policy';
import { chooseSinks } from '../sinks/choose';
import type { NodeResolver } from '../targets';
import { acting } from './acting';

export type Env = Record<string, string | undefined>;

/**
 * What lives as long as a warm container: the policy, the guard store, the
 * node cache, DCS clients. Built lazily, once; nothing here loads the SDK
 * until a DCS call is actually made.
 */
export class Container {
  private nodeResolver: NodeResolver | undefined;
  private dcsConfigCache: DcsConfigCache | undefined;
  private dcsClient: { key: string; config: DcsClientConfig; client: DcsClient } | undefined;
  private smn: { key: string; config: Result<SmnAuthConfig, SmnConfigError> } | undefined;
  private certs: CertFetcher | undefined;

  /** The node listings, cached per instance for the container's life. */
  get nodes(): NodeResolver {
    return (this.nodeResolver ??= new (acting().NodeResolver)());
  }

  /** Downloaded SMN certificates are cached for the container's life (bounded). */
  get certFetcher(): CertFetcher {
    return (this.certs ??= acting().createCertFetcher());
  }

  constructor(
    /** The environment, fixed for the container's life (the handler gives a snapshot of process.env). */
    readonly env: Env,
    /** Folder the bundle runs from: the packaged policy sits beside it. */
    private readonly bundleDir: string,
  ) {}

  /** The options of every policy lookup: built once, so that getPolicy's warm answer is a few comparisons (lib/policy/load.ts). */
  private policyOptions: LoadPolicyOptions | undefined;

  policy(): Result<LoadedPolicy, PolicyError> {
    // The packaged policy sits beside the bundle, with its build-checked form (policy.checked.json).
    this.policyOptions ??= { env: this.env, defaultPath: path.join(this.bundleDir, 'policy.yaml'), checked: true };
    return getPolicy(this.policyOptions);
  }

  /** SMN webhook settings, read (and a certificate file parsed) once per distinct value. */
  smnAuth(): Result<SmnAuthConfig, SmnConfigError> {
    const key = SMN_VARIABLES.map((name) => this.env[name] ?? '').join('\u0000');
    if (this.smn?.key !== key) this.smn = { key, config: acting().readSmnAuthConfig(this.env) };
    return this.smn.config;
  }

  /**
   * One store per configuration for the container's life; GUARD_REDIS_TIMEOUT_MS wins over the
   * policy's storeTimeoutMs. The environment is fixed for the container's life: read once per timeout.
   */
  guard(storeTimeoutMs: number): Result<GuardStore, GuardError> {
    let guard = this.guards.get(storeTimeoutMs);
    if (!guard) {
      guard = this.buildGuard(storeTimeoutMs);
      this.guards.set(storeTimeoutMs, guard);
    }
    return guard;
  }

  private readonly guards = new Map<number, Result<GuardStore, GuardError>>();
  private guardSettings: GuardStoreOptions | undefined;

  /** The guard store's settings from the environment (GUARD_REDIS_*), read once. */
  private guardOptions(): GuardStoreOptions {
    return (this.guardSettings ??= guardStoreOptionsFromEnv(this.env));
  }

  private buildGuard(storeTimeoutMs: number): Result<GuardStore, GuardError> {
    return acting().openGuardStore({ timeoutMs: storeTimeoutMs, ...this.guardOptions() });
  }

  /**
   * Agency credentials rotate: new credentials get a new client, the same ones reuse it. A warm
   * call resolves nothing: the config is kept while its inputs (settings, credentials) are the same.
   */
  dcs(context: Context | undefined): Result<DcsClient, DcsError> {
    this.dcsConfigCache ??= new (acting().DcsConfigCache)();
    const config = this.dcsConfigCache.resolve(this.env, context);
    if (!config.ok) return config;
    if (this.dcsClient?.config !== config.value) {
      // Held in memory only, never printed: the whole credential decides whether the signer is still right.
      const key = [config.value.endpoint, config.value.projectId, ...config.value.credentials.secretValues()].join('\u0000');
      if (this.dcsClient?.key !== key) this.dcsClient = { key, config: config.value, client: acting().createDcsClient(config.value) };
      else this.dcsClient.config = config.value;
    }
    return { ok: true, value: this.dcsClient.client };
  }

  /**
   * The decision sinks after the audit line (history, SMN, webhooks, metrics),
   * in order, for one invocation. Chosen on the first decision that may reach
   * them, from the policy read then (lib/sinks/choose.ts). GUARD_SINKS=off
   * (set by `dcs-session-guard plan`) turns them all off: a plan tells nobody
   * and leaves nothing in Redis.
   */
  decisionSinks(context: Context | undefined, now: () => number): LaterSinks {
    if (this.env.GUARD_SINKS?.trim().toLowerCase() === 'off') return () => [];
    return chooseSinks({
      policy: () => {
        const loaded = this.policy();
        return loaded.ok ? loaded.value.policy : null;
      },
      redisGuard: this.guardOptions().redisUrl !== null,
      build: (policy) =>
        acting().policySinks({
          policy: () => policy,
          env: this.env,
          context,
          guard: (storeTimeoutMs) => {
            const guard = this.guard(storeTimeoutMs);
            return guard.ok ? guard.value : null;
          },
          now,
        }),
    });
  }

  /** Values that must never appear in output: every credential this container can see. */
  secrets(context: Context | undefined): string[] {
    const agency = [
      fromContext(context, (c) => c.getSecuritySecretKey?.()),
      fromContext(context, (c) => c.getSecurityToken?.()),
      fromContext(context, (c) => c.getSecurityAccessKey?.()),
    ].filter((v): v is string => !!v);
    // A container's environment is fixed for its life: read once.
    this.envSecrets ??= ['HUAWEICLOUD_SDK_SK', 'HUAWEICLOUD_SDK_SECURITY_TOKEN', 'CLOUD_SDK_SK', 'HUAWEICLOUD_SDK_AK', 'CLOUD_SDK_AK']
      .map((name) => this.env[name])
      .filter((v): v is string => !!v);
    return [...agency, ...this.envSecrets];
  }

  private envSecrets: string[] | undefined;
}

const SMN_VARIABLES = ['SMN_SIGNING_CERT', 'SMN_CERT_HOSTS', 'SMN_CONFIRM_HOSTS', 'SMN_MAX_AGE_SECONDS', 'SMN_TOPIC_URNS', 'SMN_ALLOW_UNSIGNED', 'DCS_REGION'];
