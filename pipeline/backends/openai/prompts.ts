import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { hashOf } from '../../text/hash.ts';

/** The bundled templates; a config file may point at a copy to tune them (`openai.promptsDir`). */
export const PROMPTS_DIR = join(import.meta.dirname, '..', '..', '..', 'prompts');

export const TEMPLATE_NAMES = ['screen', 'same-incident', 'extract', 'extract-merge', 'classify'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export interface Template {
  name: TemplateName;
  system: string;
  user: string;
  /** Content hash of the template with its partials expanded: a prompt version. */
  hash: string;
}

const SECTION = /^--- (system|user) ---$/m;

/** A file of a tuned prompts folder, else the bundled one: a folder may hold only the templates it changes. */
const fileIn = (dir: string, name: string) => {
  const own = join(dir, name);
  return existsSync(own) ? own : join(PROMPTS_DIR, name);
};

/**
 * The templates and partials a tuned prompts folder (`openai.promptsDir`) replaces; the others stay bundled. A folder
 * that does not exist, holds no template or partial, or holds a file named like none (`clasify.md`) is refused
 * before any request: the run would otherwise go on with the bundled prompt in its place.
 */
export function ownTemplates(dir: string): string[] {
  if (resolve(dir) === resolve(PROMPTS_DIR)) return [];
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`openai.promptsDir ${dir}: no such folder`);
  const files = readdirSync(dir).filter((f) => f.endsWith('.md') && f.toLowerCase() !== 'readme.md');
  const names = files.filter((f) => !f.startsWith('_'));
  const known = new Set<string>(TEMPLATE_NAMES);
  const stray = names.filter((f) => !known.has(f.slice(0, -3)));
  if (stray.length)
    throw new Error(
      `openai.promptsDir ${dir}: ${stray.join(', ')} is no prompt template (the templates are ${TEMPLATE_NAMES.map((n) => `${n}.md`).join(', ')}; partials start with _)`,
    );
  // A folder of partials alone (`_quotes.md`) changes the templates that include them.
  if (!files.length)
    throw new Error(`openai.promptsDir ${dir}: holds none of the prompt templates (${TEMPLATE_NAMES.map((n) => `${n}.md`).join(', ')})`);
  return [...TEMPLATE_NAMES.filter((n) => names.includes(`${n}.md`)), ...files.filter((f) => f.startsWith('_')).map((f) => f.slice(0, -3))];
}

/**
 * Reads `<name>.md` from `dir`, or the bundled one when `dir` has none: a `--- system ---` part and a
 * `--- user ---` part. `{{> partial}}` includes `_partial.md` (from `dir` first as well); `{{name}}` is
 * a value filled in per call.
 */
export function loadTemplate(dir: string, name: TemplateName): Template {
  const file = fileIn(dir, `${name}.md`);
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
    const file = fileIn(dir, `_${p}.md`);
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
