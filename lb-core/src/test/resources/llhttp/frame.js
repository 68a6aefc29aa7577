// Reads HTTP/1.1 messages with llhttp, the parser inside Node.js, in its strict mode (no lenient
// flags): the second reader the proxy's framing is compared with. Input on stdin: a JSON array of
// {name, kind: "request" | "response", method, data: base64}; output on stdout: a JSON array of
// {name, messages: [{start, headers, body: base64, trailers}], error}.
'use strict';
const { HTTPParser, methods } = require('_http_common');

function frame(kind, data, askedMethod) {
  const parser = new HTTPParser();
  parser.initialize(kind === 'request' ? HTTPParser.REQUEST : HTTPParser.RESPONSE, {}, 0, 0);
  const messages = [];
  let current = null;
  let pendingHeaders = [];
  let pendingUrl = '';
  const pairs = (list) => {
    const out = [];
    for (let i = 0; i + 1 < list.length; i += 2) {
      out.push(list[i].toLowerCase() + ': ' + list[i + 1].replace(/^[ \t]+|[ \t]+$/g, ''));
    }
    return out;
  };
  parser[HTTPParser.kOnHeaders] = (headers, url) => {
    if (current && current.headersDone) {
      current.trailers.push(...pairs(headers));
    } else {
      pendingHeaders.push(...headers);
      pendingUrl += url || '';
    }
  };
  parser[HTTPParser.kOnHeadersComplete] = (major, minor, headers, method, url, statusCode) => {
    const all = pendingHeaders.concat(headers || []);
    const target = pendingUrl + (url || '');
    pendingHeaders = [];
    pendingUrl = '';
    const version = 'HTTP/' + major + '.' + minor;
    current = {
      start: kind === 'request' ? methods[method] + ' ' + target + ' ' + version
                                : statusCode + '  ' + version,
      headers: pairs(all),
      body: [],
      trailers: [],
      headersDone: true,
    };
    // A response to HEAD, or an interim one, has no body: the caller tells llhttp so, as Node's
    // client does.
    return kind === 'response' && (askedMethod === 'HEAD' || statusCode < 200) ? 1 : 0;
  };
  parser[HTTPParser.kOnBody] = (b, start, len) => {
    const chunk = start === undefined ? b : b.subarray(start, start + len);
    current.body.push(Buffer.from(chunk));
  };
  parser[HTTPParser.kOnMessageComplete] = () => {
    messages.push({
      start: current.start,
      headers: current.headers,
      body: Buffer.concat(current.body).toString('base64'),
      trailers: current.trailers,
    });
    current = null;
  };
  let error = null;
  const r = parser.execute(Buffer.from(data, 'base64'));
  if (r instanceof Error) {
    error = r.code + ' ' + r.reason;
  } else {
    const f = parser.finish();
    if (f instanceof Error && !error) {
      error = f.code + ' ' + f.reason;
    }
  }
  return { messages, error };
}

let input = '';
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', () => {
  const cases = JSON.parse(input);
  const out = cases.map((c) => {
    try {
      return { name: c.name, ...frame(c.kind, c.data, c.method) };
    } catch (e) {
      return { name: c.name, messages: [], error: 'threw ' + e.message };
    }
  });
  process.stdout.write(JSON.stringify(out));
});
