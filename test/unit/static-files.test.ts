import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentSecurityPolicy, contentTypeFor, decodeRequestPath } from '../../app/core/static-files.js';

test('contentTypeFor: known and unknown extensions', () => {
  const cases: Array<[string, string]> = [
    ['.html', 'text/html; charset=utf-8'],
    ['.js', 'text/javascript; charset=utf-8'],
    ['.woff2', 'font/woff2'],
    ['.exe', 'application/octet-stream'],
    ['', 'application/octet-stream'],
  ];
  for (const [extension, expected] of cases) {
    assert.equal(contentTypeFor(extension), expected, extension);
  }
});

test('contentSecurityPolicy: connect-src per host', () => {
  const browser = contentSecurityPolicy("'self'");
  const electron = contentSecurityPolicy("'none'");
  assert.match(browser, /(^|; )connect-src 'self'(;|$)/);
  assert.match(electron, /(^|; )connect-src 'none'(;|$)/);
  assert.equal(browser.replace("connect-src 'self'", "connect-src 'none'"), electron);
  assert.match(browser, /(^|; )default-src 'none'(;|$)/);
  assert.match(browser, /(^|; )frame-ancestors 'none'(;|$)/);
});

test('decodeRequestPath: decoded and malformed paths', () => {
  assert.equal(decodeRequestPath('/assets/index.js'), 'assets/index.js');
  assert.equal(decodeRequestPath('//a%20b.css'), 'a b.css');
  assert.equal(decodeRequestPath('/%E0%A4%A'), undefined);
});
