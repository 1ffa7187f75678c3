import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { Config } from '../schemas/index.ts';
import { unknownKeys } from './unknown-keys.ts';
import { jsonError } from './text/json-error.ts';

export const CONFIG_FILE = 'failscope.config.json';

/** A JSON file's content; an error names the file, and the line and column of a syntax error. */
function parseJsonFile(file: string): unknown {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: ${jsonError(text, e)}`);
  }
}

/** Checks a file's JSON against a schema: errors name the file and the field; unknown keys go to `onUnknownKey`. */
function checked<T>(file: string, schema: z.ZodType<T>, raw: unknown, onUnknownKey?: (key: string) => void): T {
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  if (onUnknownKey) for (const k of unknownKeys(schema, raw)) onUnknownKey(k);
  return parsed.data;
}

/**
 * Reads a JSON file and checks it against a schema; every error names the file and, where it can, the field.
 * Keys the schema does not know are dropped, and named to `onUnknownKey` when given.
 */
export const readJsonFile = <T>(file: string, schema: z.ZodType<T>, onUnknownKey?: (key: string) => void): T =>
  checked(file, schema, parseJsonFile(file), onUnknownKey);

/**
 * Reads the config file if there is one; a bad file is an error that names it, not a silent default,
 * and a key it does not know (a misspelt setting) is a warning naming the file and the key.
 * Paths it names (the database, a model file, prompt and example folders) are read from the file's folder,
 * so a config works from any working directory.
 */
export function loadConfig(path?: string, warn: (message: string) => void = () => {}): Config {
  const file = path ?? (existsSync(CONFIG_FILE) ? CONFIG_FILE : null);
  if (!file) return Config.parse({});
  const raw = parseJsonFile(file);
  const config = checked(file, Config, raw, (key) => warn(`${file}: unknown key "${key}" is ignored`));
  const at = (p: string) => resolve(dirname(resolve(file)), p);
  // Only paths the file gives: the default database (./failscope.db) stays where the command runs.
  if (typeof (raw as { db?: unknown }).db === 'string') config.db = at(config.db);
  if (config.offline.modelFile) config.offline.modelFile = at(config.offline.modelFile);
  if (config.openai.promptsDir) config.openai.promptsDir = at(config.openai.promptsDir);
  const examples = config.openai.examples;
  if (examples) examples.dirs = examples.dirs.map(at);
  return config;
}
