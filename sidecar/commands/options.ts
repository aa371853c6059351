import { Command, Option } from 'commander';
import { SETTINGS, flagOf, helpOf, type Setting, type SettingName } from '../config/settings.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * A setting's flag, made from its row in the settings table. Values stay text: load.ts
 * checks a flag, its variable and its config key against the same type, so that a bad
 * value reads the same wherever it was given.
 */
export function settingOption(name: SettingName): Option {
  const s: Setting = SETTINGS[name];
  if (!s.arg) throw new Error(`${name} has no flag`);
  const option = new Option(`${flagOf(name)} ${s.arg}`, helpOf(name));
  return s.repeatable ? option.argParser(collect) : option;
}

const flagsFor = (group: Setting['flagFor']) => (Object.keys(SETTINGS) as SettingName[]).filter((n) => (SETTINGS[n] as Setting).flagFor === group);

const withOptions = (cmd: Command, names: SettingName[]) => names.reduce((c, name) => c.addOption(settingOption(name)), cmd);

/** The flags every command that reads sources shares. Each also has a PLOWBOARD_* variable. */
export function withSourceOptions(cmd: Command, opts: { output?: boolean } = {}): Command {
  withOptions(cmd, flagsFor('source'));
  return opts.output === false ? cmd : cmd.addOption(outputOption());
}

export function withServerOptions(cmd: Command): Command {
  return withOptions(cmd, flagsFor('server'));
}

/** The flags of the commands that keep running (`run`, `sidecar`): what they do on a schedule. */
export function withRunningOptions(cmd: Command): Command {
  return withOptions(cmd, flagsFor('running'));
}

export function outputOption(): Option {
  return settingOption('output');
}
