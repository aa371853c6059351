import { appendFileSync } from 'node:fs';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** cloudplow's asctime: local time, `YYYY-MM-DD HH:MM:SS,mmm`. */
export function asctime(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())},${pad(d.getMilliseconds(), 3)}`;
}

/** rclone's own stamp at the start of its log lines: local time, `YYYY/MM/DD HH:MM:SS`. */
export function rcloneStamp(d: Date): string {
  return `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export type Level = 'INFO' | 'WARNING' | 'ERROR';

/**
 * cloudplow.log as cloudplow writes it: its logging format
 * `%(asctime)s - %(levelname)-10s - %(name)-20s - %(funcName)-30s - %(message)s`, one
 * append per line, and every line rclone prints passed through as the message of the
 * `process` logger's `execute` (cloudplow pipes rclone's output into its log).
 */
export class LogWriter {
  constructor(readonly file: string) {}

  line(logger: string, func: string, message: string, level: Level = 'INFO', at = new Date()): void {
    appendFileSync(this.file, `${asctime(at)} - ${level.padEnd(10)} - ${logger.padEnd(20)} - ${func.padEnd(30)} - ${message}\n`);
  }

  cloudplow(message: string, level: Level = 'INFO'): void {
    this.line('cloudplow', 'do_upload', message, level);
  }

  uploader(func: string, message: string): void {
    this.line('uploader', func, message);
  }

  /** One line of rclone's output, as cloudplow's process.execute logs it (always at INFO). */
  rclone(rcloneLine: string): void {
    this.line('process', 'execute', rcloneLine);
  }
}
