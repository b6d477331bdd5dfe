// The terminal's input line: editing keys and command history (up/down), independent of xterm. Pure.

export class LineEditor {
  constructor({ history = [], historyLimit = 500 } = {}) {
    this.buffer = "";
    this.cursor = 0;
    this.history = history.slice(-historyLimit);
    this.historyLimit = historyLimit;
    this.index = this.history.length; // == history.length while editing a new line
    this.draft = "";
  }

  set(text, cursor = text.length) {
    this.buffer = text;
    this.cursor = Math.max(0, Math.min(cursor, text.length));
  }

  insert(text) {
    const clean = text.replace(/[\r\n]+/g, " ");
    this.set(this.buffer.slice(0, this.cursor) + clean + this.buffer.slice(this.cursor), this.cursor + clean.length);
  }

  backspace() {
    if (this.cursor === 0) return;
    this.set(this.buffer.slice(0, this.cursor - 1) + this.buffer.slice(this.cursor), this.cursor - 1);
  }

  deleteForward() {
    this.set(this.buffer.slice(0, this.cursor) + this.buffer.slice(this.cursor + 1), this.cursor);
  }

  left() { this.cursor = Math.max(0, this.cursor - 1); }

  right() { this.cursor = Math.min(this.buffer.length, this.cursor + 1); }

  home() { this.cursor = 0; }

  end() { this.cursor = this.buffer.length; }

  /** Ctrl-U: delete from the start of the line to the cursor. */
  killToStart() { this.set(this.buffer.slice(this.cursor), 0); }

  /** Ctrl-K: delete from the cursor to the end of the line. */
  killToEnd() { this.set(this.buffer.slice(0, this.cursor), this.cursor); }

  /** Ctrl-W: delete the word before the cursor. */
  deleteWordBack() {
    const before = this.buffer.slice(0, this.cursor).replace(/\S+\s*$/, "");
    this.set(before + this.buffer.slice(this.cursor), before.length);
  }

  /** Up: the previous history entry (keeping what was typed as a draft). */
  up() {
    if (this.index === 0) return;
    if (this.index === this.history.length) this.draft = this.buffer;
    this.index -= 1;
    this.set(this.history[this.index]);
  }

  /** Down: the next history entry, or back to the draft. */
  down() {
    if (this.index >= this.history.length) return;
    this.index += 1;
    this.set(this.index === this.history.length ? this.draft : this.history[this.index]);
  }

  /** Enter: returns the line, records it in history (no blank lines, no immediate repeats) and clears. */
  submit() {
    const line = this.buffer;
    if (line.trim() && this.history[this.history.length - 1] !== line) {
      this.history.push(line);
      if (this.history.length > this.historyLimit) this.history.shift();
    }
    this.reset();
    return line;
  }

  /** Ctrl-C: drop the line without recording it. */
  reset() {
    this.set("");
    this.index = this.history.length;
    this.draft = "";
  }
}
