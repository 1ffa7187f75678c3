import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { hashOf } from '../../text/hash.ts';
import { OfflineModel } from './model.ts';
import { jsonError } from '../../text/json-error.ts';

/** The model that ships: learned from the project's corpus (data/train) and FAIL's dev split. */
export const DEFAULT_MODEL_FILE = join(import.meta.dirname, 'model.json');

export interface LoadedModel {
  file: string;
  model: OfflineModel;
  /** Of the parsed content: part of every job's input hash and of the labels' provenance. */
  hash: string;
}

const loaded = new Map<string, LoadedModel>();

/**
 * Reads and checks a model file, so a hand-edited or stale one fails loudly, naming the file, instead
 * of deciding quietly wrong.
 */
export function loadModel(file: string = DEFAULT_MODEL_FILE): LoadedModel {
  const abs = resolve(file);
  const hit = loaded.get(abs);
  if (hit) return hit;
  let json: unknown;
  let text = '';
  try {
    text = readFileSync(abs, 'utf8');
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${abs}: cannot read the offline model (${jsonError(text, e)})`);
  }
  const parsed = OfflineModel.safeParse(json);
  if (!parsed.success) {
    throw new Error(
      `${abs}: not an offline model (${parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`)
        .join('; ')}); re-learn it with failscope learn`,
    );
  }
  const m = { file: abs, model: parsed.data, hash: hashOf(parsed.data) };
  loaded.set(abs, m);
  return m;
}

export const MODEL: OfflineModel = loadModel().model;
