import { createHash } from 'node:crypto';

/** OpenAI caches prompts of at least 1024 tokens, and serves cache hits in steps of 128 tokens. */
const MIN_TOKENS = 1024;
const STEP = 128;
/** Chat overhead per message (role markers), as tokens.ts counts it. */
const PER_MESSAGE = 4;

/**
 * Provider prompt caching as OpenAI describes it: a request's prompt is served from the cache up to the
 * longest prefix (at least 1024 tokens, in 128-token steps) that an earlier request sent exactly. Nothing
 * is ever evicted: the local server lives for one test or benchmark.
 */
export class PromptCache {
  private readonly seen = new Set<string>();

  constructor(private readonly encode: (text: string) => number[]) {}

  /** Prompt tokens of these messages served from the cache; their prefixes are remembered for later requests. */
  serve(messages: readonly { role: string; content: string }[]): number {
    const ids: number[] = [];
    // Role markers as negative ids: a system message never matches a user message with the same text.
    for (const m of messages)
      ids.push(...Array<number>(PER_MESSAGE).fill(-1 - ['system', 'user', 'assistant'].indexOf(m.role)), ...this.encode(m.content));
    const hash = createHash('sha256');
    let cached = 0,
      hit = true,
      from = 0;
    for (let end = MIN_TOKENS; end <= ids.length; end += STEP) {
      hash.update(Buffer.from(Int32Array.from(ids.slice(from, end)).buffer));
      from = end;
      const key = hash.copy().digest('hex');
      if (hit && this.seen.has(key)) cached = end;
      else hit = false;
      this.seen.add(key);
    }
    return cached;
  }
}
