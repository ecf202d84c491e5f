/** A stream that records writes; `screen()` plays them like a terminal (`\r\x1b[2K` clears the line). */
export class FakeStream {
  readonly writes: string[] = [];
  constructor(
    readonly isTTY: boolean,
    readonly columns?: number,
  ) {}
  write(text: string): boolean {
    this.writes.push(text);
    return true;
  }
  get text(): string {
    return this.writes.join("");
  }
  /** Finished lines, and the line still being drawn. */
  screen(): { lines: string[]; current: string } {
    const lines: string[] = [];
    let current = "";
    // eslint-disable-next-line no-control-regex -- splits at the erase-line sequence (carriage return, ESC [2K) the reporter draws with
    for (const part of this.text.split(/(\r\x1b\[2K|\n)/)) {
      if (part === "\r\x1b[2K") current = "";
      else if (part === "\n") {
        lines.push(current);
        current = "";
      } else current += part;
    }
    return { lines, current };
  }
}
