// A wasi:cli/run command in JavaScript (built with componentize-js by jco_compare.sh): prints
// deterministic lines that exercise the engine, stdout (console.log, console.error), the clock
// and randomness through WASI 0.2.
export const run = {
  run() {
    console.log('hello from wasi:cli/run in JS');
    const primes = [];
    for (let n = 2; primes.length < 10; n++) if (primes.every((p) => n % p)) primes.push(n);
    console.log('primes: ' + primes.join(','));
    console.log(JSON.stringify({ sum: primes.reduce((a, b) => a + b, 0), text: 'ünïcödé ✓' }));
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    console.log('random bytes: ' + bytes.length);
    console.log('clock after 2020: ' + (Date.now() > Date.UTC(2020, 0, 1)));
    console.log('x'.repeat(5000).length);
  },
};
