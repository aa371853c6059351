import { spawn } from 'node:child_process';
import { redact } from '../normalize/secrets.js';

/** Long enough for a push over a slow uplink; a clone of a big wiki gets more. */
export const GIT_TIMEOUT_MS = 120_000;

/** A git command that failed: its words (redacted), for one line on stderr or in health.json. */
export class GitError extends Error {
  constructor(
    readonly command: string,
    readonly code: number | null,
    /** git's own lines, redacted. */
    readonly output: string,
    message: string,
  ) {
    super(message);
    this.name = 'GitError';
  }
}

export interface GitRun {
  cwd: string;
  timeoutMs?: number;
  /** Exit codes that are answers, not failures (`git diff --quiet` says 1 for "differs"). */
  okCodes?: number[];
}

/**
 * The real `git`, never waiting for a person: no terminal prompt (GIT_TERMINAL_PROMPT=0,
 * and a session of its own, so neither git nor ssh has a terminal to ask a password or a
 * host key on), messages in English (they are read below), and killed with everything it
 * started after `timeoutMs`. Credentials are git's own business: a credential helper,
 * ~/.git-credentials, an SSH agent or key.
 */
export function git(args: string[], run: GitRun): Promise<{ code: number; stdout: string }> {
  const timeoutMs = run.timeoutMs ?? GIT_TIMEOUT_MS;
  const command = `git ${args.find((a) => !a.startsWith('-') && !a.includes('=')) ?? args[0]}`;
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: run.cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        GIT_TERMINAL_PROMPT: '0',
        GCM_INTERACTIVE: 'never',
        GIT_EDITOR: 'true',
        GIT_MERGE_AUTOEDIT: 'no',
        SSH_ASKPASS_REQUIRE: process.env.SSH_ASKPASS_REQUIRE ?? 'never',
        LC_ALL: 'C',
        LANGUAGE: 'C',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      reject(new GitError(command, null, '', missing ? 'git is not installed (no git on PATH)' : `${command}: ${redact(err.message)}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const output = redact(stderr);
      if (timedOut) reject(new GitError(command, code, output, `${command} took longer than ${Math.round(timeoutMs / 1000)} s and was stopped`));
      else if (code === 0 || (code !== null && run.okCodes?.includes(code))) resolve({ code: code!, stdout });
      else reject(new GitError(command, code, output, `${command} failed: ${gist(output) || `exit code ${code}`}`));
    });
  });
}

/** git's lines that say what went wrong, on one line: not its hints, nor its progress. */
export function gist(output: string): string {
  const lines = output
    .split(/\r?\n|\r/)
    .map((l) => l.trim())
    .filter((l) => l && !/^hint:/i.test(l) && !/^(To|From) /.test(l));
  const text = lines.join(' / ');
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}
