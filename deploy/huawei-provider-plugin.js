'use strict';
/**
 * The Huawei provider for serverless.yml, loaded through this file rather than listed by name.
 *
 * Why: a plugin listed by name under `plugins` must be installed for EVERY command, so an
 * offline `serverless print` (docs, CI) would fail without serverless-huawei-functions.
 * Through this file:
 *  - plugin installed: it is the provider, and `deploy` first checks the settings the
 *    cloud would otherwise reject late or silently ignore (project id, agency, topic, VPC);
 *  - plugin missing: print/help work; commands that talk to Huawei Cloud stop with a
 *    clear message instead of "The specified provider huawei does not exist".
 */
const path = require('node:path');

const PLUGIN_NAME = 'serverless-huawei-functions';
const CLOUD_COMMANDS = new Set(['deploy', 'remove', 'info', 'invoke', 'logs', 'metrics', 'rollback']);
// Where to look for the plugin: beside this project, then beside the running Framework
// (a global `serverless` with a globally installed plugin), as the Framework itself does.
const SEARCH_PATHS = [path.resolve(__dirname, '..'), ...(require.main ? [path.dirname(require.main.filename)] : [])];

/** The installed plugin's class, or null when it is not installed (its own load errors still throw). */
function loadInstalledPlugin() {
  let entry;
  try {
    entry = require.resolve(PLUGIN_NAME, { paths: SEARCH_PATHS });
  } catch {
    return null;
  }
  const loaded = require(entry);
  const Plugin = typeof loaded === 'function' ? loaded : loaded && loaded.default;
  if (typeof Plugin !== 'function') throw new Error(`${entry} does not export a Serverless plugin class`);
  return Plugin;
}

const isTopicUrn = (value) => /^urn:smn:\S+$/.test(String(value || '').trim());

/** What would make a deploy fail at the cloud, or deploy something other than intended. */
function deploySettingProblems(service) {
  const provider = service.provider || {};
  const variables = (provider.environment && provider.environment.variables) || {};
  const vpc = provider.funcVpc || {};
  const problems = [];
  if (!variables.HUAWEICLOUD_SDK_PROJECT_ID) {
    problems.push('project id: set HUAWEICLOUD_SDK_PROJECT_ID or --param="projectId=..."');
  }
  if (!provider.agencyName) {
    problems.push('agency: set FG_AGENCY or --param="agency=..." (the function gets its DCS credentials from it)');
  }
  if (!['true', 'false'].includes(String(variables.GUARD_DRY_RUN))) {
    problems.push(`dry run: GUARD_DRY_RUN / --param="dryRun=..." must be "true" or "false", not "${variables.GUARD_DRY_RUN}"`);
  }
  if (Boolean(vpc.vpcId) !== Boolean(vpc.subnetId)) {
    problems.push('VPC: set both FG_VPC_ID and FG_SUBNET_ID, or neither (the plugin ignores one alone)');
  }
  for (const [name, fn] of Object.entries(service.functions || {})) {
    for (const event of fn.events || []) {
      const data = event.eventData || {};
      if (event.status !== 'ACTIVE') continue;
      if (event.triggerTypeCode === 'SMN' && !isTopicUrn(data.topicUrn)) {
        problems.push(`${name}: the SMN trigger needs a topic URN (urn:smn:...): set SMN_TOPIC_URN or --param="topicUrn=..."`);
      }
      // The webhook has no gateway auth (SMN cannot sign for APIG): the topic allowlist is part of its protection.
      if (['APIG', 'DEDICATEDGATEWAY'].includes(event.triggerTypeCode) && !String(variables.SMN_TOPIC_URNS || '').split(',').every(isTopicUrn)) {
        problems.push(`${name}: the webhook accepts only listed topics: set SMN_TOPIC_URN or --param="topicUrn=..." (SMN_TOPIC_URNS)`);
      }
      if (event.triggerTypeCode !== 'SMN' && data.auth === 'NONE' && variables.SMN_ALLOW_UNSIGNED === 'true') {
        problems.push(`${name}: SMN_ALLOW_UNSIGNED=true on an unauthenticated webhook would let anyone trigger kills`);
      }
    }
  }
  return problems;
}

function checkDeploySettings(serverless) {
  const problems = deploySettingProblems(serverless.service);
  if (problems.length > 0) {
    throw new serverless.classes.Error(
      `Not deploying: fix these settings first (docs/deploy.md):\n  - ${problems.join('\n  - ')}`,
      'DCS_GUARD_DEPLOY_SETTINGS',
    );
  }
}

/** The installed plugin, with the settings check run before any deploy. */
function withDeployCheck(Plugin) {
  return class HuaweiProvider extends Plugin {
    constructor(serverless, options) {
      super(serverless, options);
      const own = (this.hooks && this.hooks['before:deploy:deploy']) || null;
      this.hooks = {
        ...this.hooks,
        'before:deploy:deploy': async () => {
          checkDeploySettings(serverless);
          if (own) await own();
        },
      };
    }
  };
}

/** Stand-in while the plugin is not installed: offline commands run, cloud commands stop clearly. */
class MissingHuaweiProvider {
  constructor(serverless) {
    const command = ((serverless.processedInput && serverless.processedInput.commands) || [])[0];
    if (CLOUD_COMMANDS.has(command)) {
      throw new serverless.classes.Error(
        `"serverless ${command}" needs the Huawei provider plugin, which is not installed.\n` +
          `Install it beside this project (npm install --no-save ${PLUGIN_NAME}, or from its repository): see docs/deploy.md`,
        'DCS_GUARD_PROVIDER_PLUGIN_MISSING',
      );
    }
    this.hooks = {};
  }
}

const Installed = loadInstalledPlugin();
module.exports = Installed ? withDeployCheck(Installed) : MissingHuaweiProvider;
module.exports.deploySettingProblems = deploySettingProblems;
