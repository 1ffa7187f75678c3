/**
 * The failscope CLI as a child process, for the soak: its exit, its output, and its peak resident memory
 * (VmHWM, read from /proc while it runs; Linux only, null elsewhere).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'failscope.js');

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  peakMB: number | null;
}

function highWaterMB(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Runs `failscope <args>`; `onSpawn` may watch or kill the child. */
export function failscope(
  args: string[],
  opts: { env?: Record<string, string>; onSpawn?: (child: ChildProcess) => void } = {},
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...opts.env } });
    let stdout = '',
      stderr = '',
      peak: number | null = null;
    const watch = setInterval(() => {
      peak = highWaterMB(child.pid!) ?? peak;
    }, 50);
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', (e) => {
      clearInterval(watch);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearInterval(watch);
      resolve({ code, signal, stdout, stderr, peakMB: peak });
    });
    opts.onSpawn?.(child);
  });
}
