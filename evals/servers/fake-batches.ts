/**
 * OpenAI's Files and Batch APIs for the local fake server: POST /v1/files (multipart, purpose batch),
 * GET /v1/files/{id} and /content, POST /v1/batches, GET /v1/batches[/{id}], POST /v1/batches/{id}/cancel,
 * with the response shapes of openai-node's types (FileObject, Batch, BatchRequestOutput lines).
 *
 * A batch moves one status per retrieve, never by a timer, so a test controls it exactly: validating →
 * in_progress → (lines answered) finalizing → completed. `control` holds batches in progress, ends the
 * next ones expired, failed or cancelled after answering some of their lines, or fails a batch creation
 * before or after the batch exists (a client that never learns its batch's id).
 */
import { randomBytes } from 'node:crypto';
import type { FakeReply } from './fake-openai.ts';

export interface FakeFile {
  id: string;
  object: 'file';
  bytes: number;
  created_at: number;
  filename: string;
  purpose: string;
  status: 'processed';
  expires_at: null;
  status_details: null;
  content: string;
}

export type FakeBatchStatus = 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';

export interface FakeBatch {
  id: string;
  object: 'batch';
  endpoint: string;
  errors: { object: 'list'; data: { code: string; message: string; param: string | null; line: number | null }[] } | null;
  input_file_id: string;
  completion_window: string;
  status: FakeBatchStatus;
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  in_progress_at: number | null;
  expires_at: number;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  expired_at: number | null;
  cancelling_at: number | null;
  cancelled_at: number | null;
  request_counts: { total: number; completed: number; failed: number };
  metadata: Record<string, string> | null;
}

export interface BatchEnding {
  /** `expired` and `cancelled` answer `answered` lines first; `failed` rejects the input file. */
  outcome: 'completed' | 'expired' | 'failed' | 'cancelled';
  answered?: number;
}

export interface BatchControl {
  /** Keep batches in progress (a test kills the client meanwhile). */
  hold: boolean;
  /** How the next batches end, one entry each, taken when a batch is validated; then `completed`. */
  endings: BatchEnding[];
  /** The next batch creations answer 500: `before` creating the batch, or `after` (it exists, its id never reaches the client). */
  createFailures: ('before' | 'after')[];
}

/** Answers one request line as POST /v1/chat/completions would. */
export type LineAnswer = (body: unknown, batchId: string) => Promise<FakeReply>;

const now = () => Math.floor(Date.now() / 1000);
const newId = (prefix: string) => `${prefix}${randomBytes(12).toString('hex')}`;
const notFound = (what: string) => ({
  status: 404,
  body: { error: { message: `No such ${what}`, type: 'invalid_request_error', param: null, code: null } },
});

export class FakeBatches {
  readonly files = new Map<string, FakeFile>();
  readonly batches: FakeBatch[] = [];
  /** Status checks answered, in order. */
  retrieves = 0;
  readonly control: BatchControl = { hold: false, endings: [], createFailures: [] };
  private readonly endingOf = new Map<string, BatchEnding>();

  constructor(private readonly answer: LineAnswer) {}

  /** Answers the request if it is one of these endpoints; null otherwise. */
  async route(method: string, path: string, req: Request): Promise<FakeReply | null> {
    let m: RegExpExecArray | null;
    if (method === 'POST' && path === '/v1/files') return this.upload(req);
    if (method === 'GET' && (m = /^\/v1\/files\/([\w-]+)\/content$/.exec(path))) {
      const f = this.files.get(m[1]);
      return f ? { body: f.content, headers: { 'content-type': 'application/octet-stream' } } : notFound('file');
    }
    if (method === 'GET' && (m = /^\/v1\/files\/([\w-]+)$/.exec(path))) {
      const f = this.files.get(m[1]);
      return f ? { body: fileObject(f) } : notFound('file');
    }
    if (method === 'POST' && path === '/v1/batches') return this.create((await req.json()) as Record<string, unknown>);
    if (method === 'GET' && path === '/v1/batches') return this.list(new URL(req.url));
    if (method === 'GET' && (m = /^\/v1\/batches\/([\w-]+)$/.exec(path))) {
      const b = this.batches.find((x) => x.id === m![1]);
      if (!b) return notFound('batch');
      this.retrieves++;
      await this.advance(b);
      return { body: b };
    }
    if (method === 'POST' && (m = /^\/v1\/batches\/([\w-]+)\/cancel$/.exec(path))) {
      const b = this.batches.find((x) => x.id === m![1]);
      if (!b) return notFound('batch');
      if (!['validating', 'in_progress', 'finalizing'].includes(b.status))
        return {
          status: 409,
          body: {
            error: { message: `Cannot cancel a batch with status '${b.status}'.`, type: 'invalid_request_error', param: null, code: null },
          },
        };
      b.status = 'cancelling';
      b.cancelling_at = now();
      return { body: b };
    }
    return null;
  }

  private async upload(req: Request): Promise<FakeReply> {
    const form = await req.formData();
    const file = form.get('file');
    if (!(file instanceof File))
      return {
        status: 400,
        body: { error: { message: "'file' is a required property", type: 'invalid_request_error', param: 'file', code: null } },
      };
    const f = this.addFile(await file.text(), file.name, String(form.get('purpose') ?? ''));
    return { body: fileObject(f) };
  }

  private addFile(content: string, filename: string, purpose: string): FakeFile {
    const f: FakeFile = {
      id: newId('file-'),
      object: 'file',
      bytes: Buffer.byteLength(content),
      created_at: now(),
      filename,
      purpose,
      status: 'processed',
      expires_at: null,
      status_details: null,
      content,
    };
    this.files.set(f.id, f);
    return f;
  }

  private create(p: Record<string, unknown>): FakeReply {
    const input = this.files.get(String(p.input_file_id));
    if (!input) return notFound('file');
    if (input.purpose !== 'batch')
      return {
        status: 400,
        body: {
          error: {
            message: `File ${input.id} has purpose '${input.purpose}', not 'batch'.`,
            type: 'invalid_request_error',
            param: 'input_file_id',
            code: null,
          },
        },
      };
    if (p.completion_window !== '24h')
      return {
        status: 400,
        body: {
          error: { message: "completion_window must be '24h'", type: 'invalid_request_error', param: 'completion_window', code: null },
        },
      };
    const failure = this.control.createFailures.shift();
    const refused = {
      status: 500,
      body: { error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } },
    };
    if (failure === 'before') return refused;
    const t = now();
    const b: FakeBatch = {
      id: newId('batch_'),
      object: 'batch',
      endpoint: String(p.endpoint),
      errors: null,
      input_file_id: input.id,
      completion_window: '24h',
      status: 'validating',
      output_file_id: null,
      error_file_id: null,
      created_at: t,
      in_progress_at: null,
      expires_at: t + 86_400,
      finalizing_at: null,
      completed_at: null,
      failed_at: null,
      expired_at: null,
      cancelling_at: null,
      cancelled_at: null,
      request_counts: { total: 0, completed: 0, failed: 0 },
      metadata: (p.metadata as Record<string, string>) ?? null,
    };
    this.batches.push(b);
    return failure === 'after' ? refused : { body: b };
  }

  /** Newest first, in pages of `limit` after the id `after`, as the cursor pagination of openai-node reads them. */
  private list(url: URL): FakeReply {
    const all = [...this.batches].reverse();
    const after = url.searchParams.get('after');
    const start = after ? all.findIndex((b) => b.id === after) + 1 : 0;
    const limit = Number(url.searchParams.get('limit') ?? 20);
    const data = all.slice(start, start + limit);
    return {
      body: { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: start + limit < all.length },
    };
  }

  /** One step of a batch's life per status check. */
  private async advance(b: FakeBatch): Promise<void> {
    const input = this.files.get(b.input_file_id)!;
    const lines = input.content.split('\n').filter((l) => l.trim());
    const t = now();
    if (b.status === 'validating') {
      const ending = this.control.endings.shift() ?? { outcome: 'completed' };
      this.endingOf.set(b.id, ending);
      if (ending.outcome === 'failed') {
        Object.assign(b, {
          status: 'failed',
          failed_at: t,
          errors: {
            object: 'list',
            data: [{ code: 'invalid_request', message: 'The batch input file could not be processed.', param: null, line: 1 }],
          },
        });
        return;
      }
      Object.assign(b, { status: 'in_progress', in_progress_at: t, request_counts: { total: lines.length, completed: 0, failed: 0 } });
      return;
    }
    if (b.status === 'in_progress' && !this.control.hold) {
      const { outcome, answered = 0 } = this.endingOf.get(b.id)!;
      const early = outcome === 'expired' || outcome === 'cancelled';
      await this.run(b, early ? lines.slice(0, answered) : lines, early ? lines.slice(answered) : [], outcome === 'expired');
      if (outcome === 'cancelled') Object.assign(b, { status: 'cancelled', cancelling_at: t, cancelled_at: t });
      else if (outcome === 'expired') Object.assign(b, { status: 'expired', expired_at: t });
      else Object.assign(b, { status: 'finalizing', finalizing_at: t });
      return;
    }
    if (b.status === 'cancelling') {
      await this.run(b, [], [], false);
      Object.assign(b, { status: 'cancelled', cancelled_at: t });
      return;
    }
    if (b.status === 'finalizing') Object.assign(b, { status: 'completed', completed_at: t });
  }

  /** Answers `done` lines into the output and error files; `expired` lines get the batch_expired error when the batch expires. */
  private async run(b: FakeBatch, done: string[], unanswered: string[], expired: boolean): Promise<void> {
    const out: string[] = [],
      errors: string[] = [];
    for (const raw of done) {
      const line = JSON.parse(raw) as { custom_id: string; body: unknown };
      const reply = await this.answer(line.body, b.id);
      const result = {
        id: newId('batch_req_'),
        custom_id: line.custom_id,
        response: { status_code: reply.status ?? 200, request_id: newId('req_'), body: reply.body },
        error: null,
      };
      (result.response.status_code === 200 ? out : errors).push(JSON.stringify(result));
    }
    if (expired) {
      for (const raw of unanswered) {
        const line = JSON.parse(raw) as { custom_id: string };
        errors.push(
          JSON.stringify({
            id: newId('batch_req_'),
            custom_id: line.custom_id,
            response: null,
            error: { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' },
          }),
        );
      }
    }
    if (out.length) b.output_file_id = this.addFile(`${out.join('\n')}\n`, 'batch_output.jsonl', 'batch_output').id;
    if (errors.length) b.error_file_id = this.addFile(`${errors.join('\n')}\n`, 'batch_errors.jsonl', 'batch_output').id;
    b.request_counts = { total: b.request_counts.total, completed: out.length, failed: errors.length };
  }
}

const fileObject = ({ content: _content, ...f }: FakeFile) => f;
