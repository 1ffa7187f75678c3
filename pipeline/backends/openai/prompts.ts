import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashOf } from '../../text/hash.ts';

/** The bundled templates; a config file may point at a copy to tune them (`openai.promptsDir`). */
export const PROMPTS_DIR = join(import.meta.dirname, '..', '..', '..', 'prompts');

export type TemplateName = 'screen' | 'same-incident' | 'extract' | 'extract-merge' | 'classify';

export interface Template {
  name: TemplateName;
  system: string;
  user: string;
  /** Content hash of the template with its partials expanded: a prompt version. */
  hash: string;
}

const SECTION = /^--- (system|user) ---$/m;

/**
 * Reads `prompts/<name>.md`: a `--- system ---` part and a `--- user ---` part. `{{> partial}}`
 * includes `prompts/_partial.md`; `{{name}}` is a value filled in per call.
 */
export function loadTemplate(dir: string, name: TemplateName): Template {
  const file = join(dir, `${name}.md`);
  if (!existsSync(file)) throw new Error(`prompt template ${file} is missing`);
  const raw = expandPartials(dir, readFileSync(file, 'utf8'), file);
  const parts = raw.split(SECTION);
  // split with a capture group: [before, 'system', text, 'user', text]
  const sections = new Map<string, string>();
  for (let i = 1; i + 1 < parts.length; i += 2) sections.set(parts[i], parts[i + 1].trim());
  const system = sections.get('system'),
    user = sections.get('user');
  if (!system || !user) throw new Error(`${file}: needs a "--- system ---" and a "--- user ---" section`);
  return { name, system, user, hash: hashOf([name, system, user]) };
}

function expandPartials(dir: string, text: string, from: string): string {
  return text.replace(/\{\{>\s*([\w-]+)\s*\}\}/g, (_m, p: string) => {
    const file = join(dir, `_${p}.md`);
    if (!existsSync(file)) throw new Error(`${from}: partial ${file} is missing`);
    return readFileSync(file, 'utf8').trim();
  });
}

/** Fills `{{name}}` placeholders; a placeholder with no value is an error, never left in a prompt. */
export function fill(text: string, values: Record<string, string>, where: string): string {
  return text.replace(/\{\{\s*([\w-]+)\s*\}\}/g, (_m, k: string) => {
    if (!(k in values)) throw new Error(`prompt ${where}: no value for {{${k}}}`);
    return values[k];
  });
}
