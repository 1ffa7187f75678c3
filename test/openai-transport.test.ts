import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import nock from 'nock';
import { fixture, tempStore } from './fixtures.ts';
import { callContext, testBackend } from './openai-helpers.ts';
import { apiError, completion } from '../evals/servers/fake-openai.ts';
import { ModelAnswerError } from '../pipeline/backends/openai/reask.ts';
import { BackendUnavailable, type CallContext } from '../pipeline/backends/backend.ts';
import type { CachedCall, Usage } from '../schemas/index.ts';

/** Replies as OpenAI shapes them (chat.completion JSON, error objects); no request leaves the machine. */
const HOST = 'http://api.test';
const BASE = `${HOST}/v1`;
const PATH = '/v1/chat/completions';
const ANSWER = {
  failedSystem: 'mobile banking app',
  cause: 'a bug in a login update',
  impact: 'customers could not pay',
  isFailure: true,
  analyzable: true,
  confidence: 0.92,
  rationale: 'The bank says a faulty update crashed its app.',
};
const ok = (content: unknown = ANSWER) =>
  completion(typeof content === 'string' ? content : JSON.stringify(content), { promptTokens: 812, completionTokens: 61 });

type Body = {
  messages: { role: string; content: string }[];
  response_format: { type: string };
  max_completion_tokens?: number;
  max_tokens?: number;
};

let t: ReturnType<typeof tempStore>;
beforeAll(() => {
  nock.disableNetConnect();
});
afterAll(() => {
  nock.enableNetConnect();
});
beforeEach(() => {
  t = tempStore();
});
afterEach(() => {
  nock.cleanAll();
  t.cleanup();
});

describe('openai transport: retries', () => {
  it('waits as long as a 429 retry-after asks, then succeeds', async () => {
    const { backend, clock } = testBackend(BASE);
    const scope = nock(HOST)
      .post(PATH)
      .reply(
        429,
        apiError(
          'Rate limit reached for gpt-4o-mini in organization org-x on requests per min (RPM): Limit 3, Used 3, Requested 1.',
          'requests',
          'rate_limit_exceeded',
        ),
        { 'retry-after': '7' },
      )
      .post(PATH)
      .reply(200, ok());
    const s = await backend.screen(fixture('bank1'), callContext(t.store));
    expect(s).toMatchObject({ isFailure: true, analyzable: true, confidence: 0.92 });
    expect(clock.sleeps).toEqual([7000]);
    expect(backend.requests).toBe(2);
    expect(scope.isDone()).toBe(true);
  });

  it('backs off exponentially, with jitter, on 500s', async () => {
    const { backend, clock } = testBackend(BASE);
    nock(HOST)
      .post(PATH)
      .reply(500, apiError('The server had an error while processing your request. Sorry about that!', 'server_error'))
      .post(PATH)
      .reply(503, apiError('The engine is currently overloaded, please try again later', 'server_error'))
      .post(PATH)
      .reply(200, ok());
    await backend.screen(fixture('bank1'), callContext(t.store));
    // equal jitter with random() = 0.5: half of 500 ms + a quarter, then of 1000 ms
    expect(clock.sleeps).toEqual([375, 750]);
    expect(backend.requests).toBe(3);
  });

  it('fails the call at once when a 429 asks to wait longer than two minutes, instead of hanging the run', async () => {
    const { backend, clock } = testBackend(BASE);
    nock(HOST)
      .post(PATH)
      .reply(
        429,
        apiError(
          'Rate limit reached for gpt-4o-mini in organization org-x on tokens per day (TPD): Limit 2000000, Used 2000000, Requested 812.',
          'tokens',
          'rate_limit_exceeded',
        ),
        { 'retry-after': '600' },
      );
    await expect(backend.screen(fixture('bank1'), callContext(t.store))).rejects.toThrow(/429/);
    expect(clock.sleeps).toEqual([]);
    expect(backend.requests).toBe(1);
  });

  it('gives up after maxRetries and names the status', async () => {
    const { backend, clock } = testBackend(BASE, { maxRetries: 2 });
    nock(HOST).post(PATH).times(3).reply(500, apiError('The server had an error while processing your request.', 'server_error'));
    await expect(backend.screen(fixture('bank1'), callContext(t.store))).rejects.toThrow(/500/);
    expect(clock.sleeps).toHaveLength(2);
    expect(backend.requests).toBe(3);
  });

  it('does not retry a 401', async () => {
    const { backend, clock } = testBackend(BASE);
    nock(HOST)
      .post(PATH)
      .reply(
        401,
        apiError(
          'Incorrect API key provided: sk-test. You can find your API key at https://platform.openai.com/account/api-keys.',
          'invalid_request_error',
          'invalid_api_key',
        ),
      );
    const e = await backend.screen(fixture('bank1'), callContext(t.store)).catch((x: unknown) => x);
    // No other request would fare better: the run is told to stop, and what to check.
    expect(e).toBeInstanceOf(BackendUnavailable);
    expect(e).toMatchObject({ message: expect.stringMatching(/Incorrect API key/), hint: 'check OPENAI_API_KEY' });
    expect(clock.sleeps).toEqual([]);
  });

  it('tells a missing model (a 404, as Ollama words it) from a request of its own that failed (a 400)', async () => {
    const { backend } = testBackend(BASE);
    nock(HOST)
      .post(PATH)
      .reply(404, {
        error: { message: 'model "gpt-4o-mini" not found, try pulling it first', type: 'api_error', param: null, code: null },
      });
    const e = await backend.screen(fixture('bank1'), callContext(t.store)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BackendUnavailable);
    expect((e as Error).message).toBe(
      `${BASE} has no model "gpt-4o-mini" or no chat completions there: 404 model "gpt-4o-mini" not found, try pulling it first`,
    );
    expect((e as BackendUnavailable).hint).toMatch(/--model/);
    nock(HOST)
      .post(PATH)
      .reply(400, apiError("This model's maximum context length is 128000 tokens.", 'invalid_request_error', 'context_length_exceeded'));
    const own = await backend.screen(fixture('bank1'), callContext(t.store)).catch((x: unknown) => x);
    expect(own).not.toBeInstanceOf(BackendUnavailable);
    expect((own as Error).message).toMatch(/maximum context length/);
  });

  it('retries a response whose body is malformed JSON', async () => {
    const { backend, clock } = testBackend(BASE);
    nock(HOST)
      .post(PATH)
      .reply(200, '{"id":"chatcmpl-9x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assis', {
        'content-type': 'application/json',
      })
      .post(PATH)
      .reply(200, ok());
    const s = await backend.screen(fixture('bank1'), callContext(t.store));
    expect(s.isFailure).toBe(true);
    expect(clock.sleeps).toHaveLength(1);
    expect(backend.requests).toBe(2);
  });
});

describe('openai answers: re-asks', () => {
  function capture() {
    const bodies: Body[] = [];
    return {
      bodies,
      reply: (answer: () => object) => (_uri: string, body: nock.Body) => {
        bodies.push(body as unknown as Body);
        return answer();
      },
    };
  }

  it('re-asks with the validation error when the answer does not match the schema', async () => {
    const { backend } = testBackend(BASE);
    const c = capture();
    nock(HOST)
      .post(PATH)
      .reply(
        200,
        c.reply(() => ok({ ...ANSWER, isFailure: 'yes', confidence: 3 })),
      )
      .post(PATH)
      .reply(
        200,
        c.reply(() => ok()),
      );
    const s = await backend.screen(fixture('bank1'), callContext(t.store));
    expect(s.isFailure).toBe(true);
    const second = c.bodies[1].messages;
    expect(second.at(-2)).toMatchObject({ role: 'assistant' });
    expect(second.at(-2)!.content).toContain('"isFailure":"yes"');
    expect(second.at(-1)!.role).toBe('user');
    expect(second.at(-1)!.content).toMatch(/did not match the required answer format: .*isFailure/);
    expect(second.at(-1)!.content).toMatch(/confidence must be between 0 and 1/);
  });

  it('re-asks when the content is not JSON at all', async () => {
    const { backend } = testBackend(BASE);
    const c = capture();
    nock(HOST)
      .post(PATH)
      .reply(
        200,
        c.reply(() => ok('Sure! The article reports an outage: isFailure = true.')),
      )
      .post(PATH)
      .reply(
        200,
        c.reply(() => ok()),
      );
    await backend.screen(fixture('bank1'), callContext(t.store));
    expect(c.bodies[1].messages.at(-1)!.content).toMatch(/not valid JSON/);
  });

  it('re-asks after a refusal, and fails the job with the reason when the model keeps refusing', async () => {
    const { backend } = testBackend(BASE, { maxReasks: 1 });
    const refusal = () => completion(null, { refusal: "I'm sorry, but I can't assist with that request." });
    const c = capture();
    nock(HOST)
      .post(PATH)
      .reply(200, c.reply(refusal))
      .post(PATH)
      .reply(
        200,
        c.reply(() => ok()),
      );
    expect((await backend.screen(fixture('bank1'), callContext(t.store))).isFailure).toBe(true);
    expect(c.bodies[1].messages.at(-1)!.content).toMatch(/You declined to answer \("I'm sorry/);

    nock(HOST).post(PATH).times(2).reply(200, refusal);
    const err = await backend
      .screen(fixture('bank1', { id: 'other', text: 'A different article about an outage.' }), callContext(t.store))
      .catch((e) => e);
    expect(err).toBeInstanceOf(ModelAnswerError);
    expect(err.message).toMatch(/screen: no valid answer after 2 attempt\(s\); last: refusal: I'm sorry/);
  });

  it('re-asks a truncated answer (finish_reason "length") with more room', async () => {
    const { backend } = testBackend(BASE);
    const c = capture();
    nock(HOST)
      .post(PATH)
      .reply(
        200,
        c.reply(() => completion('{"failedSystem":"mobile banking app","cause":"a bug in', { finish: 'length', completionTokens: 600 })),
      )
      .post(PATH)
      .reply(
        200,
        c.reply(() => ok()),
      );
    expect((await backend.screen(fixture('bank1'), callContext(t.store))).isFailure).toBe(true);
    // a server other than api.openai.com gets max_tokens (local servers do not know max_completion_tokens)
    expect(c.bodies[0].max_tokens).toBe(600);
    expect(c.bodies[1].max_tokens).toBe(1200);
    expect(c.bodies[1].messages.at(-1)!.content).toMatch(/cut off at the length limit/);
  });

  it('falls back to json_object after a 400 saying json_schema is unsupported, and stays there', async () => {
    const { backend } = testBackend(BASE);
    const c = capture();
    nock(HOST)
      .post(PATH)
      .reply(
        400,
        apiError(
          "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
          'invalid_request_error',
          null,
          'response_format',
        ),
      )
      .post(PATH)
      .reply(
        200,
        c.reply(() => ok()),
      )
      .post(PATH)
      .reply(
        200,
        c.reply(() => ok()),
      );
    await backend.screen(fixture('bank1'), callContext(t.store));
    await backend.screen(fixture('car'), callContext(t.store));
    expect(c.bodies.map((b) => b.response_format.type)).toEqual(['json_object', 'json_object']);
    expect(c.bodies[0].messages[0].content).toMatch(/answer format "screen", that matches this JSON Schema/);
  });

  it('sends json_object from the start when structuredOutputs is false, and validates locally', async () => {
    const { backend } = testBackend(BASE, { structuredOutputs: false });
    const c = capture();
    nock(HOST)
      .post(PATH)
      .reply(
        200,
        c.reply(() => ok(`\`\`\`json\n${JSON.stringify({ ...ANSWER, rationale: '' })}\n\`\`\``)),
      )
      .post(PATH)
      .reply(
        200,
        c.reply(() => ok()),
      );
    await backend.screen(fixture('bank1'), callContext(t.store));
    expect(c.bodies[0].response_format.type).toBe('json_object');
    expect(c.bodies[1].messages.at(-1)!.content).toMatch(/rationale must not be empty/);
  });
});

describe('openai response cache and usage', () => {
  it('caches only valid answers: a repeat call sends nothing, and its usage is recorded as cached', async () => {
    const { backend } = testBackend(BASE);
    nock(HOST)
      .post(PATH)
      .reply(200, ok({ ...ANSWER, isFailure: 'yes' }))
      .post(PATH)
      .reply(200, ok());
    const ctx = callContext(t.store);
    await backend.screen(fixture('bank1'), ctx);
    expect(backend.requests).toBe(2);
    // The invalid first answer was not cached, so asking again sends it again; it comes back the same,
    // so the re-ask conversation is the one already answered, and that valid answer comes from the cache.
    nock(HOST)
      .post(PATH)
      .reply(200, ok({ ...ANSWER, isFailure: 'yes' }))
      .post(PATH)
      .reply(200, ok());
    await backend.screen(fixture('bank1'), ctx);
    expect(backend.requests).toBe(3);
    const [u] = t.store.modelCalls.usage('run_id', ctx.runId);
    expect(u).toMatchObject({ calls: 4, sent: 3, fromCache: 1, promptTokens: 3 * 812, completionTokens: 3 * 61 });
    // gpt-4o-mini: $0.15 / 1M input, $0.60 / 1M output
    expect(u.cost).toBeCloseTo((3 * 812 * 0.15 + 3 * 61 * 0.6) / 1e6, 10);
    nock.cleanAll();
  });

  it('needs no store: any response cache and usage recorder will do', async () => {
    const { backend } = testBackend(BASE);
    nock(HOST).post(PATH).reply(200, ok());
    const answers = new Map<string, CachedCall>();
    const usage: Usage[] = [];
    const ctx: CallContext = {
      cache: {
        get: (hash) => answers.get(hash),
        put: ({ request, ...call }) => {
          answers.set(call.hash, call);
        },
      },
      usage: {
        recordUsage: (u) => {
          usage.push(u);
        },
      },
      quoteChecks: {
        recordQuoteCheck: () => {
          throw new Error('screening places no quotes');
        },
      },
      decisions: { recordDecision: () => {} },
      runId: 'run-x',
      subject: 'bank1',
    };
    const first = await backend.screen(fixture('bank1'), ctx);
    expect(await backend.screen(fixture('bank1'), ctx)).toEqual(first);
    expect(backend.requests).toBe(1);
    expect(answers.size).toBe(1);
    expect(usage.map((u) => [u.subject, u.fromCache, u.promptTokens])).toEqual([
      ['bank1', false, 812],
      ['bank1', true, 0],
    ]);
  });

  it('a valid answer is served from the cache; --no-cache sends it again', async () => {
    const a = testBackend(BASE);
    nock(HOST).post(PATH).reply(200, ok());
    const ctx = callContext(t.store);
    await a.backend.screen(fixture('bank1'), ctx);
    await a.backend.screen(fixture('bank1'), ctx);
    expect(a.backend.requests).toBe(1);
    const b = testBackend(BASE, {}, { cache: false });
    nock(HOST).post(PATH).reply(200, ok());
    await b.backend.screen(fixture('bank1'), ctx);
    expect(b.backend.requests).toBe(1);
    expect(t.store.modelCalls.usage('subject', ctx.runId)).toEqual([
      expect.objectContaining({ key: 'subject-1', calls: 3, sent: 2, fromCache: 1 }),
    ]);
  });
});
