/**
 * A strict JSON parser that reports errors by line and column and rejects
 * duplicate keys. `JSON.parse` gives neither: V8 reports some errors without
 * a position, and a repeated key silently replaces the earlier value, which
 * would lose data from a topology file.
 */

export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';

  constructor(
    readonly reason: string,
    /** 1-based line and column of the offending character. */
    readonly line: number,
    readonly column: number,
  ) {
    super(`Invalid JSON at line ${line}, column ${column}: ${reason}`);
  }
}

/** Parses JSON text; throws JsonSyntaxError with the position of the first error. */
export function parseJsonText(text: string): unknown {
  const parser = new Parser(text);
  parser.skipWhitespace();
  const value = parser.parseValue();
  parser.skipWhitespace();
  if (parser.position < text.length) parser.fail('unexpected text after the end of the JSON value. Remove it.');
  return value;
}

class Parser {
  position = 0;

  constructor(private readonly text: string) {}

  fail(reason: string, at = this.position): never {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at && i < this.text.length; i++) {
      if (this.text[i] === '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    throw new JsonSyntaxError(reason, line, at - lineStart + 1);
  }

  skipWhitespace(): void {
    while (this.position < this.text.length && ' \t\n\r'.includes(this.text[this.position] as string)) this.position++;
  }

  private describeHere(): string {
    if (this.position >= this.text.length) return 'the end of the file';
    return `"${this.text[this.position]}"`;
  }

  parseValue(): unknown {
    const char = this.text[this.position];
    if (char === undefined) this.fail('the file ends where a value was expected. The text looks truncated, so complete it or restore it from a copy.');
    if (char === '{') return this.parseObject();
    if (char === '[') return this.parseArray();
    if (char === '"') return this.parseString();
    if (char === '-' || (char >= '0' && char <= '9')) return this.parseNumber();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.position)) {
        this.position += word.length;
        return value;
      }
    }
    return this.fail(`expected a value but found ${this.describeHere()}. Put strings in double quotes.`);
  }

  private parseObject(): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    this.position++;
    this.skipWhitespace();
    if (this.text[this.position] === '}') {
      this.position++;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.position] !== '"') {
        this.fail(
          this.position >= this.text.length
            ? 'the file ends inside an object. The text looks truncated, so complete it or restore it from a copy.'
            : `expected a double-quoted property name but found ${this.describeHere()}. Remove a trailing comma or quote the name.`,
        );
      }
      const keyStart = this.position;
      const key = this.parseString();
      if (Object.prototype.hasOwnProperty.call(result, key)) {
        this.fail(`the property "${key}" appears twice in one object. Keep only one of them.`, keyStart);
      }
      this.skipWhitespace();
      if (this.text[this.position] !== ':') this.fail(`expected ":" after the property name "${key}" but found ${this.describeHere()}. Add ":" after the name.`);
      this.position++;
      this.skipWhitespace();
      // defineProperty keeps a "__proto__" key as data instead of changing the prototype.
      Object.defineProperty(result, key, { value: this.parseValue(), enumerable: true, writable: true, configurable: true });
      this.skipWhitespace();
      const next = this.text[this.position];
      if (next === ',') {
        this.position++;
        continue;
      }
      if (next === '}') {
        this.position++;
        return result;
      }
      this.fail(
        next === undefined
          ? 'the file ends inside an object. The text looks truncated, so complete it or restore it from a copy.'
          : `expected "," or "}" after the value of "${key}" but found ${this.describeHere()}. Add a comma between properties, or close the object with "}".`,
      );
    }
  }

  private parseArray(): unknown[] {
    const result: unknown[] = [];
    this.position++;
    this.skipWhitespace();
    if (this.text[this.position] === ']') {
      this.position++;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.position] === ']') this.fail('a list ends with a trailing comma. Remove the comma.');
      result.push(this.parseValue());
      this.skipWhitespace();
      const next = this.text[this.position];
      if (next === ',') {
        this.position++;
        continue;
      }
      if (next === ']') {
        this.position++;
        return result;
      }
      this.fail(
        next === undefined
          ? 'the file ends inside a list. The text looks truncated, so complete it or restore it from a copy.'
          : `expected "," or "]" after a list item but found ${this.describeHere()}. Add a comma between items, or close the list with "]".`,
      );
    }
  }

  private parseString(): string {
    const start = this.position;
    this.position++;
    while (this.position < this.text.length) {
      const char = this.text[this.position] as string;
      if (char === '"') {
        this.position++;
        const literal = this.text.slice(start, this.position);
        try {
          return JSON.parse(literal) as string;
        } catch {
          return this.fail('the string contains an invalid escape sequence or control character. Write a backslash as \\\\ and a line break as \\n.', start);
        }
      }
      if (char === '\\') this.position++;
      else if (char === '\n') this.fail('a string runs to the end of the line. Close it with a double quote.', start);
      this.position++;
    }
    return this.fail('the file ends inside a string. The text looks truncated, so complete it or restore it from a copy.', start);
  }

  private parseNumber(): number {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.text.slice(this.position, this.position + 400));
    if (!match) return this.fail(`invalid number starting at ${this.describeHere()}. Write numbers as JSON does, such as 5, -1.5 or 1e3.`);
    this.position += match[0].length;
    return Number(match[0]);
  }
}
