import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MonitorBatch, MonitorMessage } from '../../app/core/contract.js';
import {
  MonitorBuffer,
  compileFilter,
  decodeFrame,
  encodeFrame,
  filterRows,
  formatBytes,
  MAX_FORMATTED_FRAME_BYTES,
  formatFrame,
  formatFrameText,
  formatTime,
  fromJsonLines,
  mergeBatches,
  rowText,
  toJsonLines,
} from '../../app/core/monitor-buffer.js';

function frame(text: string): string {
  return encodeFrame(new TextEncoder().encode(text));
}

function message(at: number, device: string, prefix: string, ...texts: string[]): MonitorMessage {
  const frames = texts.map(frame);
  const bytes = texts.reduce((sum, text) => sum + new TextEncoder().encode(text).length, 0);
  return { at, device, prefix, frames, bytes };
}

function batch(device: string, messages: MonitorMessage[], dropped = 0): MonitorBatch {
  return { device, messages, dropped };
}

describe('MonitorBuffer', () => {
  test('keeps messages in order', () => {
    const buffer = new MonitorBuffer({ maxMessages: 10, maxBytes: 1000 });
    buffer.append([message(1, 'a', 'in', 'x'), message(2, 'a', 'out', 'y')]);
    const rows = buffer.rows();
    assert.equal(rows.length, 2);
    assert.deepEqual(
      rows.map((row) => row.prefix),
      ['in', 'out'],
    );
    assert.ok(rows[0]!.seq < rows[1]!.seq);
    assert.equal(buffer.bytes, 2);
  });

  test('caps by message count', () => {
    const buffer = new MonitorBuffer({ maxMessages: 3, maxBytes: 1_000_000 });
    for (let i = 0; i < 10; i++) buffer.append([message(i, 'a', 'in', String(i))]);
    assert.equal(buffer.size, 3);
    assert.equal(buffer.evicted, 7);
    assert.equal(buffer.dropped, 7);
    assert.deepEqual(
      buffer.rows().map((row) => rowText(row)),
      ['7', '8', '9'],
    );
  });

  test('caps by bytes', () => {
    const buffer = new MonitorBuffer({ maxMessages: 100, maxBytes: 10 });
    buffer.append([message(1, 'a', 'in', '1234'), message(2, 'a', 'in', '5678'), message(3, 'a', 'in', 'abcd')]);
    assert.equal(buffer.size, 2);
    assert.equal(buffer.bytes, 8);
    assert.equal(buffer.evicted, 1);
  });

  test('keeps one oversized message', () => {
    const buffer = new MonitorBuffer({ maxMessages: 100, maxBytes: 4 });
    buffer.append([message(1, 'a', 'in', 'a very long frame')]);
    assert.equal(buffer.size, 1);
    buffer.append([message(2, 'a', 'in', 'ok')]);
    assert.equal(buffer.size, 1);
    assert.equal(rowText(buffer.rows()[0]!), 'ok');
  });

  test('counts tap drops from batches', () => {
    const buffer = new MonitorBuffer({ maxMessages: 100, maxBytes: 1000 });
    buffer.appendBatches([batch('a', [message(1, 'a', 'in', 'x')], 5), batch('b', [], 2)]);
    assert.equal(buffer.tapDropped, 7);
    assert.equal(buffer.dropped, 7);
    assert.equal(buffer.size, 1);
  });

  test('clear resets rows and counts', () => {
    const buffer = new MonitorBuffer({ maxMessages: 1, maxBytes: 1000 });
    buffer.appendBatches([batch('a', [message(1, 'a', 'in', 'x'), message(2, 'a', 'in', 'y')], 3)]);
    const before = buffer.version;
    buffer.clear();
    assert.equal(buffer.size, 0);
    assert.equal(buffer.bytes, 0);
    assert.equal(buffer.dropped, 0);
    assert.ok(buffer.version > before);
  });

  test('stays bounded under a long stream', () => {
    const buffer = new MonitorBuffer({ maxMessages: 5000, maxBytes: 1_000_000 });
    for (let round = 0; round < 50; round++) {
      const messages: MonitorMessage[] = [];
      for (let i = 0; i < 2000; i++) messages.push(message(round * 2000 + i, 'a', 'in', 'payload'));
      buffer.append(messages);
    }
    assert.equal(buffer.size, 5000);
    assert.equal(buffer.evicted, 95_000);
    assert.equal(buffer.rows()[0]!.at, 95_000);
  });

  test('append returns the new rows', () => {
    const buffer = new MonitorBuffer({ maxMessages: 2, maxBytes: 1000 });
    const appended = buffer.append([message(1, 'a', 'in', 'x'), message(2, 'a', 'in', 'y'), message(3, 'a', 'in', 'z')]);
    assert.equal(appended.length, 3);
    assert.equal(buffer.oldestSeq, appended[1]!.seq);
    assert.ok(appended[0]!.seq < buffer.oldestSeq);
  });

  test('oldestSeq of an empty buffer', () => {
    const buffer = new MonitorBuffer({ maxMessages: 2, maxBytes: 1000 });
    assert.equal(buffer.oldestSeq, 1);
  });

  test('rejects zero limits', () => {
    assert.throws(() => new MonitorBuffer({ maxMessages: 0, maxBytes: 10 }), /maxMessages and maxBytes/);
  });
});

describe('mergeBatches', () => {
  test('orders messages by time', () => {
    const merged = mergeBatches([
      batch('a', [message(1, 'a', 'in', 'a1'), message(5, 'a', 'in', 'a5')]),
      batch('b', [message(3, 'b', 'in', 'b3')], 4),
    ]);
    assert.deepEqual(
      merged.messages.map((m) => m.at),
      [1, 3, 5],
    );
    assert.equal(merged.dropped, 4);
  });

  test('keeps order of equal times', () => {
    const merged = mergeBatches([
      batch('a', [message(1, 'a', 'in', 'first'), message(1, 'a', 'out', 'second')]),
      batch('b', [message(1, 'b', 'in', 'third')]),
    ]);
    assert.deepEqual(
      merged.messages.map((m) => rowText(m)),
      ['first', 'second', 'third'],
    );
  });
});

describe('compileFilter', () => {
  const rows = [
    message(1, 'broker', 'in', 'client-1', '', 'hello'),
    message(2, 'broker', 'out', 'client-1', '', 'world'),
    message(3, 'fanout', 'in', 'topic.a', 'price 42'),
  ];

  test('filters by device', () => {
    const result = filterRows(rows, { device: 'fanout' });
    assert.ok(result.ok);
    assert.equal(result.rows.length, 1);
  });

  test('filters by prefix', () => {
    const result = filterRows(rows, { prefix: 'out' });
    assert.ok(result.ok);
    assert.deepEqual(
      result.rows.map((row) => row.at),
      [2],
    );
  });

  test('filters by regex', () => {
    const result = filterRows(rows, { pattern: 'hel+o|price \\d+' });
    assert.ok(result.ok);
    assert.deepEqual(
      result.rows.map((row) => row.at),
      [1, 3],
    );
  });

  test('ignores case on request', () => {
    const result = filterRows(rows, { pattern: 'WORLD', ignoreCase: true });
    assert.ok(result.ok);
    assert.equal(result.rows.length, 1);
  });

  test('combines device and regex', () => {
    const result = filterRows(rows, { device: 'broker', pattern: 'price' });
    assert.ok(result.ok);
    assert.equal(result.rows.length, 0);
  });

  test('invalid regex returns a message', () => {
    const compiled = compileFilter({ pattern: 'a(b' });
    assert.equal(compiled.ok, false);
    assert.ok(!compiled.ok);
    assert.match(compiled.message, /Invalid regular expression "a\(b"/);
    assert.match(compiled.message, /Fix the pattern/);
  });

  test('empty filter keeps everything', () => {
    const result = filterRows(rows, {});
    assert.ok(result.ok);
    assert.equal(result.rows.length, 3);
  });
});

describe('formatFrame', () => {
  const binary = encodeFrame(new Uint8Array([0x00, 0x6b, 0x8b, 0x45, 0x67]));

  const cases: Array<[string, string, 'text' | 'hex' | 'json', string]> = [
    ['utf-8 text', frame('héllo'), 'text', 'héllo'],
    ['empty text', frame(''), 'text', '""'],
    ['binary text', binary, 'text', '0x006b8b4567'],
    ['control character text', frame('a\x01b'), 'text', '0x610162'],
    ['newline text', frame('a\nb'), 'text', '0x610a62'],
    ['tab text', frame('a\tb'), 'text', 'a\tb'],
    ['hex', frame('AB'), 'hex', '41 42'],
    ['binary hex', binary, 'hex', '00 6b 8b 45 67'],
    ['json object', frame('{"a":1}'), 'json', '{\n  "a": 1\n}'],
    ['json fallback', frame('hello'), 'json', '"hello"'],
    ['json binary', binary, 'json', '"0x006b8b4567"'],
    ['json multi-line text', frame('a\nb'), 'json', '"a\\nb"'],
    ['json empty', frame(''), 'json', '""'],
  ];
  for (const [name, input, format, expected] of cases) {
    test(name, () => {
      assert.equal(formatFrame(input, format), expected);
    });
  }

  test('truncates huge frames', () => {
    const big = encodeFrame(new Uint8Array(10_000).fill(0x61));
    const text = formatFrame(big, 'text');
    assert.ok(text.startsWith('aaaa'));
    assert.ok(text.endsWith('… (5904 more bytes)'));
  });

  test('cut inside a UTF-8 character', () => {
    // 4095 ASCII bytes and a two-byte "é": the cut at 4096 bytes splits the "é".
    const bytes = new TextEncoder().encode(`${'a'.repeat(MAX_FORMATTED_FRAME_BYTES - 1)}é`);
    const text = formatFrame(encodeFrame(bytes), 'text');
    assert.equal(text, `${'a'.repeat(MAX_FORMATTED_FRAME_BYTES - 1)} … (1 more bytes)`);
  });

  test('formatFrameText binary', () => {
    assert.equal(formatFrameText(new Uint8Array([0x00, 0x80, 0x00, 0x00, 0x01])), '0x0080000001');
  });

  test('formatFrameText empty', () => {
    assert.equal(formatFrameText(new Uint8Array()), '""');
  });

  test('base64 round trip', () => {
    const bytes = new Uint8Array(70_000).map((_, i) => i % 256);
    assert.deepEqual(decodeFrame(encodeFrame(bytes)), bytes);
  });
});

describe('formatting helpers', () => {
  test('formatTime pads fields', () => {
    const at = new Date(2026, 0, 2, 3, 4, 5, 6).getTime();
    assert.equal(formatTime(at), '03:04:05.006');
  });

  test('formatBytes picks a unit', () => {
    assert.equal(formatBytes(41), '41 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(2 * 1024 * 1024), '2.0 MiB');
  });
});

describe('JSON lines capture', () => {
  test('round trip', () => {
    const messages = [message(1000, 'broker', 'in', 'c1', '', 'hello'), message(2000, 'broker', 'out', 'x')];
    const text = toJsonLines(messages);
    assert.equal(text.split('\n').length, 3);
    assert.match(text.split('\n')[0]!, /"time":"1970-01-01T00:00:01.000Z"/);
    assert.deepEqual(fromJsonLines(text), messages);
  });

  test('names the bad line', () => {
    const text = toJsonLines([message(1, 'a', 'in', 'x')]) + '{"at": "soon"}\n';
    assert.throws(() => fromJsonLines(text), /Invalid capture line 2/);
  });

  test('rejects broken JSON', () => {
    assert.throws(() => fromJsonLines('{not json'), /Invalid capture line 1: .*one JSON object/);
  });
});
