// A componentize-js wasi:http component for tests/serve/serve.sh and bench/serve/run.sh:
// answers every request with 200 "hello from js PATH" and the header x-hull-js: yes.
addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  event.respondWith(new Response('hello from js ' + url.pathname, {
    headers: { 'content-type': 'text/plain', 'x-hull-js': 'yes' },
  }));
});
