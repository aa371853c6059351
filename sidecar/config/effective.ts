import { envelope, type EffectiveConfig } from '../contract/index.js';
import type { ResolvedConfig } from './schema.js';

/** The configuration as published in data/config.json: every password, user and token left out. */
export function effectiveConfig(config: ResolvedConfig, generatedAt: string): EffectiveConfig {
  return {
    ...envelope(generatedAt),
    configFile: config.configFile,
    cloudplowConfig: { path: config.cloudplow.path, found: config.cloudplow.found, from: config.cloudplow.from },
    output: config.output,
    stateDir: config.stateDir,
    host: config.host,
    port: config.port,
    intervalSeconds: config.intervalSeconds,
    transfersLimit: config.transfersLimit,
    rclone: config.rclone.map((r) => ({
      name: r.name,
      url: r.url,
      auth: r.user !== null || r.pass !== null ? 'basic' : 'none',
      credentialsFrom: r.credentialsFrom === 'url' ? 'the URL' : r.credentialsFrom,
    })),
  };
}
