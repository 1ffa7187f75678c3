import OpenAI, { APIError } from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming, ParsedChatCompletion } from 'openai/resources/chat/completions';
import { GarbledResponseError } from './retry.ts';

export interface TransportOptions {
  apiKey: string;
  baseURL: string | null;
  timeoutMs: number;
  /** For tests and for counting: every HTTP request goes through it. */
  fetch?: typeof fetch;
}

/** One HTTP exchange: the completion as the server sent it, and what the client's parse made of it. */
export interface Exchange {
  completion: ChatCompletion;
  parsed: ParsedChatCompletion<unknown> | null;
  /** Why the client could not parse the answer (truncation, bad JSON, schema mismatch); the HTTP part worked. */
  parseError: unknown;
}

/**
 * openai-node's `chat.completions.parse`, which also validates against the zod response format.
 * When its parse throws (LengthFinishReasonError, a JSON or zod error), the completion it refused is
 * still needed (its tokens were paid for, and its content goes back in the re-ask), so each request's
 * body is kept as it arrives. Retries are not the client's: they are ours (retry.ts), so that each
 * attempt passes the rate limiter again.
 */
export class Transport {
  private readonly client: OpenAI;
  requests = 0;

  constructor(private readonly opts: TransportOptions) {
    this.client = new OpenAI({ apiKey: opts.apiKey, baseURL: opts.baseURL ?? undefined, timeout: opts.timeoutMs, maxRetries: 0 });
  }

  /** The client for the other endpoints (files, batches), its requests counted with the rest. */
  get api(): OpenAI {
    return this.client.withOptions({
      fetch: async (url, init) => {
        this.requests++;
        return (this.opts.fetch ?? globalThis.fetch)(url, init);
      },
    });
  }

  async send(body: ChatCompletionCreateParamsNonStreaming): Promise<Exchange> {
    const kept: { text?: Promise<string> } = {};
    const base = this.opts.fetch;
    const client = this.client.withOptions({
      fetch: async (url, init) => {
        this.requests++;
        const res = await (base ?? globalThis.fetch)(url, init);
        if (res.ok) kept.text = res.clone().text();
        return res;
      },
    });
    try {
      const parsed = await client.chat.completions.parse(body as Parameters<typeof client.chat.completions.parse>[0]);
      return { completion: parsed as unknown as ChatCompletion, parsed, parseError: null };
    } catch (e) {
      if (e instanceof APIError) throw e;
      const completion = asCompletion(kept.text ? await kept.text : undefined);
      if (!completion) throw new GarbledResponseError(e instanceof Error ? e.message : String(e));
      return { completion, parsed: null, parseError: e };
    }
  }
}

function asCompletion(text: string | undefined): ChatCompletion | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as ChatCompletion;
    return v && Array.isArray(v.choices) ? v : null;
  } catch {
    return null;
  }
}
