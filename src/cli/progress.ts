/**
 * One status line on a terminal while scenarios run ("3/6 done · approve: running · …").
 * Silent when stderr is not a TTY, so logs and CI output stay clean.
 */
export class Progress {
  readonly #stream: NodeJS.WriteStream;
  readonly #total: number;
  readonly #states = new Map<string, string>();
  readonly #enabled: boolean;
  readonly #started = Date.now();

  constructor(stream: NodeJS.WriteStream, total: number) {
    this.#stream = stream;
    this.#total = total;
    this.#enabled = stream.isTTY === true && !process.env.CI;
  }

  update(name: string, state: string): void {
    this.#states.set(name, state);
    if (!this.#enabled) return;
    const done = [...this.#states.values()].filter((s) => s === 'done').length;
    const running = [...this.#states].filter(([, s]) => s !== 'done').map(([n, s]) => `${n}: ${s}`);
    const seconds = ((Date.now() - this.#started) / 1000).toFixed(0);
    const line = `${done}/${this.#total} scenarios done · ${seconds} s${running.length ? ` · ${running.join(' · ')}` : ''}`;
    const width = (this.#stream.columns ?? 80) - 1;
    this.#stream.write(`\r\x1b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
  }

  finish(): void {
    if (this.#enabled) this.#stream.write('\r\x1b[2K');
  }
}
