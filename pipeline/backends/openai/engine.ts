import { type Article, type Incident, TAXONOMY } from '../../../schemas/index.ts';
import { TASKS, type Task } from '../backend.ts';
import type { ExamplePool } from '../../examples/pool.ts';
import { hashOf } from '../../text/hash.ts';
import type { ChatModel, Message } from './chat.ts';
import { type ExampleTask, examplesBlock } from './examples.ts';
import { TEMPLATE_NAMES, type Template, type TemplateName, fill, loadTemplate } from './prompts.ts';
import type { Prefilter } from './prefilter.ts';
import type { OpenAISettings } from './settings.ts';
import type { TokenCounter } from './tokens.ts';
import { ClassifyAnswer, ExtractAnswer, MergeAnswer, SameIncidentAnswer, ScreenAnswer } from './schemas.ts';

/**
 * The taxonomy as the classify prompt shows it, one line per dimension, from the same table the rest
 * of the pipeline reads. `unknown` is not listed per dimension: the prompt's rules allow it everywhere.
 * The definitions are whole, examples included: with them the classify system message passes the
 * 1,024 tokens a provider caches, and a cached prefix costs half (gpt-4o-mini) or a quarter (gpt-4.1),
 * so the longer message costs less than the shorter one did uncached.
 */
export function renderTaxonomy(): string {
  return TAXONOMY.map(
    (d) =>
      `${d.key}${d.kind === 'boolean' || d.iotOnly ? ` (${[d.kind === 'boolean' ? 'bool' : '', d.iotOnly ? 'IoT' : ''].filter(Boolean).join(', ')})` : ''}: ${d.options.map((o) => `${o.key} — ${o.definition.replace(/\.$/, '')}`).join('; ')}`,
  ).join('\n');
}

/** Response schemas by name: the name is sent with the format and tells answers apart in the cache. */
export const SPECS = {
  screen: { name: 'screen', schema: ScreenAnswer, task: 'screen' },
  sameIncident: { name: 'same_incident', schema: SameIncidentAnswer, task: 'group' },
  extract: { name: 'extract', schema: ExtractAnswer, task: 'extract' },
  merge: { name: 'extract_merge', schema: MergeAnswer, task: 'extract' },
  classify: { name: 'classify', schema: ClassifyAnswer, task: 'classify' },
} as const;

const TEMPLATES_OF: Record<Task, TemplateName[]> = {
  screen: ['screen'],
  group: ['same-incident'],
  extract: ['extract', 'extract-merge'],
  classify: ['classify'],
};
const SPECS_OF: Record<Task, (keyof typeof SPECS)[]> = {
  screen: ['screen'],
  group: ['sameIncident'],
  extract: ['extract', 'merge'],
  classify: ['classify'],
};
const EXAMPLE_TASKS: readonly ExampleTask[] = ['extract', 'classify'];
const isExampleTask = (t: string): t is ExampleTask => (EXAMPLE_TASKS as readonly string[]).includes(t);

/** What every task needs: the chat model, the settings, a token counter, the prompts and the example pool. */
export class Engine {
  readonly templates: Record<TemplateName, Template>;
  /** System messages do not depend on the articles: rendered once. */
  readonly system: Record<TemplateName, string>;
  private readonly hashes: Record<Task, { prompt: string; schema: string }>;
  /** Examples are shown only with both a pool and its settings (k, maxTokens). */
  readonly examples: { pool: ExamplePool; k: number; maxTokens: number } | null;

  constructor(
    readonly chat: ChatModel,
    readonly s: OpenAISettings,
    readonly count: TokenCounter,
    pool: ExamplePool | null = null,
    readonly prefilter: Prefilter | null = null,
  ) {
    this.templates = Object.fromEntries(TEMPLATE_NAMES.map((n) => [n, loadTemplate(s.promptsDir, n)])) as Record<TemplateName, Template>;
    if (pool && !s.examples) throw new Error('an example pool was given, but the settings have no openai.examples (k, maxTokens)');
    if (s.examples && !pool)
      throw new Error(
        'openai.examples is set, but no example pool was loaded: create the backend with OpenAIBackend.open or createBackend',
      );
    this.examples = pool && s.examples ? { pool, k: s.examples.k, maxTokens: s.examples.maxTokens } : null;
    for (const t of this.examples ? EXAMPLE_TASKS : []) {
      // A tuned copy of the prompts without the placeholder would drop the examples without a word.
      if (!/\{\{\s*examples\s*\}\}/.test(this.templates[t].user))
        throw new Error(
          `${s.promptsDir}/${t}.md: openai.examples is set, but the user section has no {{examples}} (put it before {{articles}})`,
        );
    }
    const taxonomy = renderTaxonomy();
    this.system = Object.fromEntries(
      TEMPLATE_NAMES.map((n) => [n, fill(this.templates[n].system, { taxonomy }, `${n} (system)`)]),
    ) as Record<TemplateName, string>;
    const examples = this.examples && hashOf([this.examples.pool.hash, this.examples.k, this.examples.maxTokens]);
    this.hashes = Object.fromEntries(
      TASKS.map((t) => [
        t,
        {
          // Screening and same-incident results also depend on what decides without a call (thresholds, the
          // pre-filter's model); extract and classify results on the examples, so a changed pool re-runs their jobs.
          prompt: hashOf([
            TEMPLATES_OF[t].map((n) => [this.templates[n].hash, this.system[n]]),
            t === 'group' ? s.sameIncident : null,
            ...(prefilter && (t === 'screen' || t === 'group') ? [prefilter.hash(t)] : []),
            ...(examples && isExampleTask(t) ? [examples] : []),
          ]),
          schema: hashOf(SPECS_OF[t].map((k) => chat.jsonSchemaOf(SPECS[k]))),
        },
      ]),
    ) as Record<Task, { prompt: string; schema: string }>;
  }

  promptHash(task: Task): string {
    return this.hashes[task].prompt;
  }

  schemaHash(task: Task): string {
    return this.hashes[task].schema;
  }

  messages(name: TemplateName, values: Record<string, string>): Message[] {
    return [
      { role: 'system', content: this.system[name] },
      { role: 'user', content: fill(this.templates[name].user, values, `${name} (user)`) },
    ];
  }

  /** Tokens left for article text in one call of a template, after its fixed parts and its examples. */
  articleBudget(name: TemplateName, examples = '', reserve = 100): number {
    const left =
      this.s.tokenBudget - this.count(this.system[name]) - this.count(this.templates[name].user) - this.count(examples) - reserve;
    if (left < 300)
      throw new Error(
        `openai.tokenBudget ${this.s.tokenBudget} leaves no room for articles in the ${name} prompt${examples ? ' after its examples (lower openai.examples.maxTokens)' : ''}; raise it`,
      );
    return left;
  }

  /** The examples block for one incident's prompts ('' without a pool); the same for every part of a long incident. */
  examplesFor(task: ExampleTask, incident: Incident, articles: readonly Article[]): string {
    if (!this.examples) return '';
    return examplesBlock(task, this.examples.pool.nearest({ id: incident.id, articles }), this.examples, this.count).text;
  }

  /** A call's spec: its response format, its output room and, for prompts that carry examples, the pool they came from. */
  spec<K extends keyof typeof SPECS>(key: K) {
    return {
      ...SPECS[key],
      maxTokens: this.s.maxOutputTokens,
      examplePool: isExampleTask(SPECS[key].name) ? this.examples?.pool.hash : undefined,
    };
  }
}
