import { existsSync, readFileSync } from 'node:fs';
import { Config } from '../schemas/index.ts';

export const CONFIG_FILE = 'failscope.config.json';

/** Reads the config file if there is one; a bad file is an error that names it, not a silent default. */
export function loadConfig(path?: string): Config {
  const file = path ?? (existsSync(CONFIG_FILE) ? CONFIG_FILE : null);
  if (!file) return Config.parse({});
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  const parsed = Config.safeParse(raw);
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
