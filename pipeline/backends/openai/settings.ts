import { Config, type OpenAIConfig } from '../../../schemas/index.ts';
import { PROMPTS_DIR } from './prompts.ts';

export interface OpenAISettings extends OpenAIConfig {
  apiKey: string;
  model: string;
  /** Read cached responses (`--no-cache` turns this off; fresh answers are still stored). */
  cache: boolean;
  promptsDir: string;
  /** `--batch`: requests go through the Batch API (openai.batch). */
  batchMode: boolean;
  /** The offline model the pre-filter reads (the config's offline.modelFile; null: the shipped one). */
  offlineModelFile: string | null;
}

export interface SettingsInput {
  config?: Config;
  model?: string;
  cache?: boolean;
  batch?: boolean;
  env?: Record<string, string | undefined>;
}

/**
 * Flags and environment over the config file: `--model` (or the config's model), then
 * `openai.model`; OPENAI_BASE_URL over `openai.baseURL`. OpenAI itself needs OPENAI_API_KEY; a
 * local server usually ignores the key, so one is only required when no base URL is set.
 */
export function resolveSettings(input: SettingsInput): OpenAISettings {
  const env = input.env ?? process.env;
  const config = input.config ?? Config.parse({});
  const oc = config.openai;
  const baseURL = env.OPENAI_BASE_URL?.trim() || oc.baseURL;
  const key = env.OPENAI_API_KEY?.trim();
  if (!key && !baseURL) {
    throw new Error(
      'the openai backend needs OPENAI_API_KEY (for api.openai.com), or OPENAI_BASE_URL / openai.baseURL in the config pointing at an OpenAI-compatible server such as Ollama, vLLM or llama.cpp',
    );
  }
  return {
    ...oc,
    baseURL,
    apiKey: key || 'not-needed',
    model: input.model ?? oc.model,
    cache: input.cache ?? true,
    promptsDir: oc.promptsDir ?? PROMPTS_DIR,
    batchMode: input.batch ?? false,
    offlineModelFile: config.offline.modelFile,
  };
}

/** OpenAI's own API takes max_completion_tokens (reasoning models refuse max_tokens); most local servers only know max_tokens. */
export const isOpenAIProper = (s: Pick<OpenAISettings, 'baseURL'>) => !s.baseURL || /(^|\/\/)api\.openai\.com/.test(s.baseURL);
