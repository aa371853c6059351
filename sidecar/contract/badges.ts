import { Type, type Static } from '@sinclair/typebox';
import { envelopeFields } from './common.js';

/**
 * One badge file, data/badges/<name>.json, in shields.io's endpoint format
 * (https://shields.io/badges/endpoint-badge): only the fields shields accepts, so it
 * can be handed to img.shields.io/endpoint as it is. Plain text, never markup.
 */
export interface ShieldsBadge {
  schemaVersion: 1;
  label: string;
  message: string;
  color: string;
  isError?: boolean;
  cacheSeconds?: number;
}

export const BADGE_NAMES = ['state', 'speed', 'sas-usable', 'uploaded-today', 'pool-left'] as const;
export type BadgeName = (typeof BADGE_NAMES)[number];

export const badgePath = (name: string) => `data/badges/${name}.json`;

export const BadgeEntry = Type.Object({
  name: Type.String({ description: 'state, speed, sas-usable, uploaded-today or pool-left' }),
  path: Type.String({ description: 'the badge file, relative to the output folder, in shields.io endpoint format' }),
  label: Type.String(),
  message: Type.String(),
  color: Type.String({ description: 'a shields.io colour name: brightgreen, green, blue, orange, red, lightgrey' }),
  state: Type.String({ description: 'what the colour stands for: ok, active, idle, warning, error, unknown' }),
});

export const BadgeList = Type.Object(
  {
    ...envelopeFields,
    badges: Type.Array(BadgeEntry),
  },
  {
    $id: 'badges',
    title: 'plowboard badges.json',
    description: 'The badge files under data/badges/ (shields.io endpoint format: Homepage, Home Assistant, img.shields.io/endpoint), with what each says now',
  },
);

export type BadgeEntry = Static<typeof BadgeEntry>;
export type BadgeList = Static<typeof BadgeList>;
