import type { CallContext } from '../backend.ts';
import type { CallSpec, ChatModel, FailureKind, Message, Outcome } from './chat.ts';

/** Truncated answers are asked again with room to finish, up to this many output tokens. */
const MAX_OUTPUT_TOKENS = 16_384;

export class ModelAnswerError extends Error {
  constructor(
    readonly call: string,
    readonly kind: FailureKind,
    readonly attempts: number,
    detail: string,
  ) {
    super(`${call}: no valid answer after ${attempts} attempt(s); last: ${kind}: ${detail.slice(0, 500)}`);
    this.name = 'ModelAnswerError';
  }
}

function reaskText(out: Extract<Outcome<unknown>, { ok: false }>): string {
  switch (out.kind) {
    case 'invalid_json':
      return `Your reply was not valid JSON (${out.error}). Reply again with only the JSON object the system message asks for.`;
    case 'schema':
      return `Your reply did not match the required answer format: ${out.error}. Reply again with the complete, corrected JSON object.`;
    case 'refusal':
      return `You declined to answer ("${out.error.slice(0, 300)}"). The articles are published news reports, and the task is only to record what they say, with quotes. Reply with the JSON object the system message asks for.`;
    case 'truncated':
      return 'Your reply was cut off at the length limit before the JSON object was complete. Reply again with the complete JSON object, more concisely: fewer and shorter facts, and quotes of one sentence or less.';
    case 'empty':
      return 'Your reply was empty. Reply with the JSON object the system message asks for.';
  }
}

export interface Answer<T> {
  value: T;
  /** The conversation including the accepted answer, for a follow-up question about it. */
  conversation: Message[];
}

/**
 * Asks until the answer is valid: each re-ask shows the model its previous reply and what was wrong
 * with it (the JSON error, the schema issues, the refusal, the truncation). After `maxReasks`
 * re-asks it gives up with an error that names the call and the last failure, which the job runner
 * records as the job's reason.
 */
export async function askStructured<T>(
  chat: ChatModel,
  messages: readonly Message[],
  spec: CallSpec<T>,
  ctx: CallContext,
  maxReasks: number,
): Promise<Answer<T>> {
  let conversation = [...messages];
  let maxTokens = spec.maxTokens;
  for (let attempt = 0; ; attempt++) {
    const out = await chat.complete(conversation, { ...spec, maxTokens }, ctx);
    if (out.ok) return { value: out.value, conversation: [...conversation, { role: 'assistant', content: out.content }] };
    if (attempt >= maxReasks) throw new ModelAnswerError(spec.name, out.kind, attempt + 1, out.error);
    if (out.kind === 'truncated') maxTokens = Math.min(MAX_OUTPUT_TOKENS, maxTokens * 2);
    conversation = [
      ...conversation,
      { role: 'assistant', content: out.content?.trim() || '(no answer)' },
      { role: 'user', content: reaskText(out) },
    ];
  }
}
