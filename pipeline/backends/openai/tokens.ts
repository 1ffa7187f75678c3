import { Tiktoken } from 'js-tiktoken/lite';
import o200k from 'js-tiktoken/ranks/o200k_base';
import cl100k from 'js-tiktoken/ranks/cl100k_base';

/**
 * Counts tokens with the model's own encoding where it is known (o200k_base for the gpt-4o, gpt-4.1,
 * gpt-5 and o-series families) and cl100k_base otherwise: local models use other tokenizers, but
 * cl100k is close enough to budget prompts and pace requests by.
 */
const encoders = new Map<string, Tiktoken>();
export function encodingFor(model: string): 'o200k_base' | 'cl100k_base' {
  return /^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o\d|chatgpt-4o)/i.test(model) ? 'o200k_base' : 'cl100k_base';
}

function encoder(model: string): Tiktoken {
  const name = encodingFor(model);
  let enc = encoders.get(name);
  if (!enc) {
    enc = new Tiktoken(name === 'o200k_base' ? o200k : cl100k);
    encoders.set(name, enc);
  }
  return enc;
}

export type TokenCounter = (text: string) => number;

/** The token ids of a text; special-token text inside an article is plain text to us, never a control token. */
export function tokenEncoder(model: string): (text: string) => number[] {
  const enc = encoder(model);
  return (text) => enc.encode(text, [], []);
}

export function tokenCounter(model: string): TokenCounter {
  const encode = tokenEncoder(model);
  return (text) => encode(text).length;
}

/** Chat overhead per message and per reply, as OpenAI documents it for its chat models. */
const PER_MESSAGE = 4;
const PER_REPLY = 3;

export function countMessages(count: TokenCounter, messages: readonly { content?: unknown }[]): number {
  let n = PER_REPLY;
  for (const m of messages) n += PER_MESSAGE + (typeof m.content === 'string' ? count(m.content) : count(JSON.stringify(m.content ?? '')));
  return n;
}
