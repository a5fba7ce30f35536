// A componentize-js wasi:http component for tests/serve/serve.sh and bench/serve/run.sh. The same
// routes as the C component (tests/serve/c/app.c):
//   /hello    200 "hello from js /hello", headers content-type: text/plain, x-hull-js: yes
//   /json     POST a JSON object of integers, e.g. {"a":1,"b":2} -> 200 {"sum":3};
//             400 {"error":"..."} on anything else, 405 for another method
//   /headers  200; the body lists the request headers as "name: value" lines; request headers
//             named x-* come back as response headers
//   /query    200 with the query's parameters as a JSON object, percent-decoded
//   /echo     200, the request body streamed back
//   else      404 "not found: PATH"
function json(status, value, headers = {}) {
  return new Response(JSON.stringify(value), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

async function sumObject(request) {
  let value;
  try {
    value = JSON.parse(await request.text());
  } catch (e) {
    return json(400, { error: 'bad JSON: ' + e.message });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return json(400, { error: 'expected an object' });
  }
  let sum = 0;
  for (const [name, member] of Object.entries(value)) {
    if (!Number.isSafeInteger(member)) {
      return json(400, { error: `member "${name}" is not an integer` });
    }
    sum += member;
  }
  return json(200, { sum });
}

async function handle(request) {
  const url = new URL(request.url);
  switch (url.pathname) {
    case '/hello':
      return new Response('hello from js ' + url.pathname, {
        headers: { 'content-type': 'text/plain', 'x-hull-js': 'yes' },
      });
    case '/json':
      if (request.method !== 'POST') return json(405, { error: 'use POST' }, { allow: 'POST' });
      return sumObject(request);
    case '/headers': {
      const echoed = new Headers({ 'content-type': 'text/plain' });
      let body = '';
      for (const [name, value] of request.headers) {
        body += `${name}: ${value}\n`;
        if (name.startsWith('x-')) echoed.append(name, value);
      }
      return new Response(body, { headers: echoed });
    }
    case '/query':
      return json(200, Object.fromEntries(url.searchParams));
    case '/echo':
      return new Response(request.body, {
        headers: { 'content-type': 'application/octet-stream' },
      });
    default:
      return new Response('not found: ' + url.pathname, {
        status: 404,
        headers: { 'content-type': 'text/plain' },
      });
  }
}

addEventListener('fetch', (event) => event.respondWith(handle(event.request)));
