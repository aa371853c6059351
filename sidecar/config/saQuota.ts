import { ConfigError } from './configError.js';
import type { SaQuota } from '../contract/index.js';
import type { Picked } from './settings.js';

/** "750GiB", "750 GB", "0.5TiB": the unit is explicit, because Google says GB and the fork means GiB. */
export function parseQuota(text: string, where: Picked | null): SaQuota {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(GiB|GB|TiB|TB)\s*$/i.exec(text);
  if (!m) throw new ConfigError(where?.where ?? 'default', where?.key ?? null, `must be an amount with a unit such as 750GiB or 750GB, not ${JSON.stringify(text)}`);
  const amount = Number(m[1]);
  const unit = ({ gib: 'GiB', gb: 'GB', tib: 'TiB', tb: 'TB' } as const)[m[2]!.toLowerCase() as 'gib' | 'gb' | 'tib' | 'tb'];
  const factor = { GiB: 1024 ** 3, GB: 1e9, TiB: 1024 ** 4, TB: 1e12 }[unit];
  const bytesPerAccount = Math.round(amount * factor);
  if (bytesPerAccount <= 0) throw new ConfigError(where?.where ?? 'default', where?.key ?? null, 'must be more than zero');
  return {
    bytesPerAccount,
    label: `${amount} ${unit}`,
    unit: unit.includes('i') ? 'GiB' : 'GB',
    windowHours: 24,
    from: where ? (where.key ? `${where.where}: ${where.key}` : where.where) : "default: the cloudplow fork's 750 GiB",
  };
}
