// Runs a benchmark module under node's V8 for bench/compare.sh.
//   node node-run.mjs FILE.wasm ARGS...              WASI command: _start (node:wasi)
//   node node-run.mjs --invoke NAME FILE.wasm ARGS   call export NAME with i32 ARGS, print result
import { readFile } from 'node:fs/promises';
import process from 'node:process';

const argv = process.argv.slice(2);
let invoke = null;
if (argv[0] === '--invoke') { invoke = argv[1]; argv.splice(0, 2); }
const [file, ...args] = argv;
const module = await WebAssembly.compile(await readFile(file));
if (invoke !== null) {
  const instance = await WebAssembly.instantiate(module, {});
  const result = instance.exports[invoke](...args.map((a) => Number.parseInt(a, 10)));
  if (result !== undefined) console.log(String(result));
} else {
  const { WASI } = await import('node:wasi');
  const wasi = new WASI({ version: 'preview1', args: [file, ...args], env: {}, returnOnExit: true });
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
  process.exitCode = wasi.start(instance);
}
