import { vi } from 'vitest';
import { type Command, CommanderError } from 'commander';
import { program } from '../pipeline/cli/program.ts';

export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `failscope <args>` in this process, as bin/failscope.js would (commander's own errors throw
 * instead of exiting), and captures what it writes. Far cheaper than a process per case.
 */
export async function failscope(...args: string[]): Promise<InProcessResult> {
  const out: string[] = [],
    err: string[] = [];
  const capture = (sink: string[]) => (chunk: string | Uint8Array) => {
    sink.push(String(chunk));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(capture(out)),
    vi.spyOn(process.stderr, 'write').mockImplementation(capture(err)),
  ];
  const cmd = program();
  const overrideExit = (c: Command) => {
    c.exitOverride();
    c.commands.forEach(overrideExit);
  };
  overrideExit(cmd);
  let code: number;
  try {
    await cmd.parseAsync(['node', 'failscope', ...args]);
    code = Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof CommanderError) code = e.exitCode;
    else {
      err.push(`failscope: ${(e as Error).message}\n`);
      code = 1;
    }
  } finally {
    for (const s of spies) s.mockRestore();
    process.exitCode = undefined;
  }
  return { code, stdout: out.join(''), stderr: err.join('') };
}
