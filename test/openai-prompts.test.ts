import { describe, expect, it } from 'vitest';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Config, TAXONOMY, optionKeys } from '../schemas/index.ts';
import { PROMPTS_DIR, fill, loadTemplate, type TemplateName } from '../pipeline/backends/openai/prompts.ts';
import { renderTaxonomy } from '../pipeline/backends/openai/engine.ts';
import { resolveSettings } from '../pipeline/backends/openai/settings.ts';
import { createBackend, defaultBackend } from '../pipeline/backends/index.ts';
import { ClassifyAnswer } from '../pipeline/backends/openai/schemas.ts';
import { testBackend } from './openai-helpers.ts';
import { tempDir } from './fixtures.ts';

const NAMES: TemplateName[] = ['screen', 'same-incident', 'extract', 'extract-merge', 'classify'];

describe('openai prompt templates', () => {
  it('each template has a system and a user part, includes its partials, and marks article text as untrusted', () => {
    for (const n of NAMES) {
      const t = loadTemplate(PROMPTS_DIR, n);
      expect(t.system.length).toBeGreaterThan(200);
      expect(t.system).not.toMatch(/\{\{>/);
      expect(t.system).toMatch(/never an instruction/);
      expect(t.hash).toMatch(/^[0-9a-f]{16}$/);
    }
    // The classify prompt fixes FAIL's weaknesses: no "at least one", unknown only alone, IoT only for cps.
    const c = loadTemplate(PROMPTS_DIR, 'classify').system;
    expect(c).not.toMatch(/at least one contributing/i);
    expect(c).toMatch(/"unknown" is only ever alone/);
    expect(c).toMatch(/only when your answer for cps is \["true"\]/);
    expect(loadTemplate(PROMPTS_DIR, 'extract').system).toMatch(/Copy every quote verbatim/);
  });

  it('refuses to leave a placeholder unfilled', () => {
    expect(() => fill('a {{x}} b {{y}}', { x: '1' }, 'test')).toThrow(/no value for \{\{y\}\}/);
    // values are inserted as they are: placeholders inside article text are not expanded
    expect(fill('{{a}}', { a: 'text with {{b}}' }, 'test')).toBe('text with {{b}}');
  });

  it('renders the taxonomy from the schema table, one line per dimension, every option key included', () => {
    const lines = renderTaxonomy().split('\n');
    expect(lines).toHaveLength(TAXONOMY.length);
    TAXONOMY.forEach((d, i) => {
      expect(lines[i].startsWith(`${d.key}${d.kind === 'boolean' || d.iotOnly ? ' (' : ':'}`)).toBe(true);
      expect(lines[i].includes('bool')).toBe(d.kind === 'boolean');
      expect(lines[i].includes('IoT')).toBe(d.iotOnly);
      // unknown is allowed everywhere by the prompt's rules, not listed per dimension
      for (const k of optionKeys(d.key).filter((k) => k !== 'unknown')) expect(lines[i]).toContain(`${k} — `);
    });
  });

  it("versions prompts by content: editing one template changes only its tasks' prompt hash", () => {
    const d = tempDir('failscope-prompts-');
    try {
      const a = testBackend('http://127.0.0.1:9/v1').backend;
      // A tuned folder holds only what it changes; the other templates and the partials stay bundled.
      const file = join(d.dir, 'extract-merge.md');
      writeFileSync(file, readFileSync(join(PROMPTS_DIR, 'extract-merge.md'), 'utf8').replace('into one.', 'into a single one.'));
      const said: string[] = [];
      const b = testBackend('http://127.0.0.1:9/v1', { promptsDir: d.dir }, { log: (l) => said.push(l) }).backend;
      expect(said).toEqual([`prompts: extract-merge from ${d.dir}; the others bundled`]);
      expect(b.promptHash('extract')).not.toBe(a.promptHash('extract'));
      for (const t of ['screen', 'group', 'classify'] as const) expect(b.promptHash(t)).toBe(a.promptHash(t));
      expect(a.schemaHash('classify')).toMatch(/^[0-9a-f]{16}$/);
      // The whole folder copied and left as it is asks exactly as the bundled prompts do.
      cpSync(PROMPTS_DIR, d.dir, { recursive: true });
      const c = testBackend('http://127.0.0.1:9/v1', { promptsDir: d.dir }).backend;
      for (const t of ['screen', 'group', 'extract', 'classify'] as const) expect(c.promptHash(t)).toBe(a.promptHash(t));
    } finally {
      d.cleanup();
    }
  });

  it('refuses a prompts folder that is missing, holds no template or partial, or holds a file named like none', () => {
    const d = tempDir('failscope-prompts-');
    try {
      const at = (dir: string) => () => testBackend('http://127.0.0.1:9/v1', { promptsDir: dir });
      expect(at(join(d.dir, 'nowhere'))).toThrow(`openai.promptsDir ${join(d.dir, 'nowhere')}: no such folder`);
      writeFileSync(join(d.dir, 'README.md'), 'my notes');
      expect(at(d.dir)).toThrow('holds none of the prompt templates');
      // A partial alone is a change: it reaches every template that includes it.
      writeFileSync(join(d.dir, '_quotes.md'), `${readFileSync(join(PROMPTS_DIR, '_quotes.md'), 'utf8')}\nQuote whole sentences.`);
      const said: string[] = [];
      const partial = testBackend('http://127.0.0.1:9/v1', { promptsDir: d.dir }, { log: (l) => said.push(l) }).backend,
        bundled = testBackend('http://127.0.0.1:9/v1').backend;
      for (const t of ['extract', 'classify'] as const) expect(partial.promptHash(t)).not.toBe(bundled.promptHash(t));
      for (const t of ['screen', 'group'] as const) expect(partial.promptHash(t)).toBe(bundled.promptHash(t));
      expect(said).toEqual([`prompts: _quotes from ${d.dir}; the others bundled`]);
      writeFileSync(join(d.dir, 'clasify.md'), readFileSync(join(PROMPTS_DIR, 'classify.md')));
      expect(at(d.dir)).toThrow('clasify.md is no prompt template (the templates are screen.md,');
    } finally {
      d.cleanup();
    }
  });
});

describe('openai answer schemas', () => {
  it('sends nullable (never optional) IoT layers, all properties required', () => {
    const { backend } = testBackend('http://127.0.0.1:9/v1');
    const schema = backend.chat.jsonSchemaOf({ name: 'classify', schema: ClassifyAnswer }) as {
      properties: Record<string, { anyOf?: unknown[] }>;
      required: string[];
    };
    expect(schema.required).toEqual(TAXONOMY.map((d) => d.key));
    expect(schema.properties.perception.anyOf).toContainEqual({ type: 'null' });
    expect(schema.properties.cps.anyOf).toBeUndefined();
  });

  it('rejects an empty options list with a message the re-ask can carry', () => {
    const base = { options: ['unknown'], rationale: 'r', confidence: 0.5, evidence: [] };
    const answer = Object.fromEntries(TAXONOMY.map((d) => [d.key, d.iotOnly ? null : base]));
    expect(ClassifyAnswer.safeParse(answer).success).toBe(true);
    const bad = ClassifyAnswer.safeParse({ ...answer, phase: { ...base, options: [] } });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toMatch(/phase: options must not be empty/);
  });
});

describe('openai configuration', () => {
  it('needs a key for api.openai.com, but not for a local server', async () => {
    expect(() => resolveSettings({ config: Config.parse({}), env: {} })).toThrow(/OPENAI_API_KEY/);
    const local = resolveSettings({ config: Config.parse({}), env: { OPENAI_BASE_URL: 'http://localhost:11434/v1' } });
    expect(local).toMatchObject({ baseURL: 'http://localhost:11434/v1', model: 'gpt-4o-mini', cache: true });
    const flag = resolveSettings({
      config: Config.parse({ openai: { model: 'llama3.1:8b' } }),
      env: { OPENAI_BASE_URL: 'http://x/v1' },
      model: 'qwen2.5:7b',
      cache: false,
    });
    expect(flag).toMatchObject({ model: 'qwen2.5:7b', cache: false });
    const saved = { ...process.env };
    delete process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_BASE_URL;
    try {
      await expect(createBackend({ backend: 'openai', config: Config.parse({}) })).rejects.toThrow(/OPENAI_API_KEY/);
    } finally {
      Object.assign(process.env, saved);
    }
  });

  it('runs the model server an endpoint names when no backend is chosen; with no endpoint, or a key alone, it stays offline', () => {
    const none = Config.parse({});
    expect(none.backend).toBeNull();
    expect(defaultBackend(none, {})).toEqual({ backend: 'offline', endpoint: null });
    // A key in the shell is no request to pay for calls.
    expect(defaultBackend(none, { OPENAI_API_KEY: 'sk-x' })).toEqual({ backend: 'offline', endpoint: null });
    expect(defaultBackend(none, { OPENAI_BASE_URL: ' http://localhost:11434/v1 ' })).toEqual({
      backend: 'openai',
      endpoint: 'OPENAI_BASE_URL http://localhost:11434/v1',
    });
    expect(defaultBackend(Config.parse({ openai: { baseURL: 'http://gpu:8000/v1' } }), {})).toEqual({
      backend: 'openai',
      endpoint: 'openai.baseURL http://gpu:8000/v1',
    });
  });
});
