import { Config, type OpenAIConfig } from '../../../schemas/index.ts';
import { PROMPTS_DIR } from './prompts.ts';

export interface OpenAISettings extends OpenAIConfig {
  apiKey: string;
  model: string;
  /** Read cached responses (`--no-cache` turns this off; fresh answers are still stored). */
  cache: boolean;
  promptsDir: string;
}

export interface SettingsInput {
  config?: Config;
  model?: string;
  cache?: boolean;
  env?: Record<string, string | undefined>;
}

/**
 * Flags and environment over the config file: `--model` (or the config's model), then
 * `openai.model`; OPENAI_BASE_URL over `openai.baseURL`. OpenAI itself needs OPENAI_API_KEY; a
 * local server usually ignores the key, so one is only required when no base URL is set.
 */
export function resolveSettings(input: SettingsInput): OpenAISettings {
  const env = input.env ?? process.env;
  const oc = (input.config ?? Config.parse({})).openai;
  const baseURL = env.OPENAI_BASE_URL?.trim() || oc.baseURL;
  const key = env.OPENAI_API_KEY?.trim();
  if (!key && !baseURL) {
    throw new Error('the openai backend needs OPENAI_API_KEY (for api.openai.com), or OPENAI_BASE_URL / openai.baseURL in the config pointing at an OpenAI-compatible server such as Ollama, vLLM or llama.cpp');
  }
  return {
    ...oc,
    baseURL,
    apiKey: key || 'not-needed',
    model: input.model ?? oc.model,
    cache: input.cache ?? true,
    promptsDir: oc.promptsDir ?? PROMPTS_DIR,
  };
}

/** OpenAI's own API takes max_completion_tokens (reasoning models refuse max_tokens); most local servers only know max_tokens. */
export const isOpenAIProper = (s: Pick<OpenAISettings, 'baseURL'>) => !s.baseURL || /(^|\/\/)api\.openai\.com/.test(s.baseURL);
