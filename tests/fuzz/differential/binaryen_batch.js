#!/usr/bin/env node
// Runs many wasm-opt command lines in one node process, for the GC mode of run.sh.
//
// Why: npm's binaryen ships wasm-opt as one emscripten script with its 10 MB wasm binary
// inside; every start parses the script and compiles that binary, ~1.5 CPU s, against a few
// milliseconds of real work per generated module. Here the script is parsed once, the binary is
// compiled once (the first instantiation's WebAssembly.Module is kept), and each command line
// runs the script again in a fresh vm context (fresh C++ globals: emscripten's main runs once per
// instance) with the cached module.
//
// usage: binaryen_batch.js WASM_OPT_SCRIPT < requests
// Each request is one line of JSON: {"args": [...], "out": FILE, "rc": RCFILE}; the command's
// stdout and stderr go to FILE (in the order written), its exit status to RCFILE (optional),
// and one line "RC" is answered on stdout when it has finished.
'use strict';
const fs = require('fs');
const vm = require('vm');
const path = require('path');
const readline = require('readline');

const scriptPath = path.resolve(process.argv[2]);
const script = new vm.Script(fs.readFileSync(scriptPath, 'utf8'), {filename: scriptPath});
let compiled = null;
// What ends the command that runs now when its promise chain fails (an abort() of wasm-opt,
// e.g. on a generated module it cannot handle); a failure with no command running is a bug here.
let current = null;
const onFailure = (e) => { if (current) current(e); else { console.error(e); process.exit(2); } };
process.on('unhandledRejection', onFailure);
process.on('uncaughtException', onFailure);  // the WebAssembly.Module of wasm-opt, after the first run

// WebAssembly.instantiate as the script calls it (with bytes), answered from the cache.
const cachingWasm = Object.create(WebAssembly);
cachingWasm.instantiate = async (bytes, imports) => {
  if (!compiled) compiled = await WebAssembly.compile(bytes);
  return {module: compiled, instance: await WebAssembly.instantiate(compiled, imports)};
};

function runOne(args, outFile) {
  return new Promise((resolve) => {
    const chunks = [];
    // Output that arrives after the exit status (an exception thrown on through quit_, e.g.
    // V8's RangeError when binaryen's interpreter overflows the stack) is appended, so that
    // the transcript says why the command failed.
    const sink = (s) => {
      const text = typeof s === 'string' ? s : Buffer.from(s).toString('latin1');
      if (finished) fs.appendFileSync(outFile, text, 'latin1');
      else chunks.push(text);
    };
    // Writes to fds 1 and 2 (raw node FS) land in the transcript; files go to disk as usual.
    const wrappedFs = Object.assign({}, fs, {
      writeSync(fd, buf, off, len, pos) {
        if (fd === 1 || fd === 2) {
          if (typeof buf === 'string') { sink(buf); return Buffer.byteLength(buf); }
          const o = off || 0, n = len === undefined ? buf.length - o : len;
          sink(Buffer.from(buf.buffer, buf.byteOffset + o, n));
          return n;
        }
        return fs.writeSync(fd, buf, off, len, pos);
      },
    });
    const fakeConsole = {
      log: (...a) => sink(a.join(' ') + '\n'),
      error: (...a) => sink(a.join(' ') + '\n'),
      warn: (...a) => sink(a.join(' ') + '\n'),
    };
    let finished = false;
    const finish = (code) => {
      if (finished) return;
      finished = true;
      // A failure that surfaces after the exit status still belongs to this command.
      current = (e) => fs.appendFileSync(outFile, String(e && e.stack || e) + '\n', 'latin1');
      fs.writeFileSync(outFile, chunks.join(''), 'latin1');
      // The next command starts a macrotask later: a rejection this one leaves behind is
      // reported (unhandledRejection) before then, and still lands in this transcript.
      setImmediate(() => resolve(code));
    };
    const fakeProcess = new Proxy(process, {
      get(target, prop) {
        if (prop === 'argv') return [process.argv[0], scriptPath, ...args];
        if (prop === 'exit') return (c) => { finish(c | 0); throw new Error('exit'); };
        if (prop === 'on' || prop === 'once') return () => fakeProcess;
        const v = target[prop];
        return typeof v === 'function' ? v.bind(target) : v;
      },
      set(target, prop, value) {
        if (prop === 'exitCode') { finish(value | 0); return true; }
        return true;  // the script's other process settings must not leak into this process
      },
    });
    const req = (m) => (m === 'fs' || m === 'node:fs') ? wrappedFs : require(m);
    const sandbox = {
      process: fakeProcess, require: req, console: fakeConsole, WebAssembly: cachingWasm,
      __filename: scriptPath, __dirname: path.dirname(scriptPath), Buffer, URL, TextDecoder,
      TextEncoder, setTimeout, clearTimeout, setInterval, clearInterval, queueMicrotask,
      performance, crypto: globalThis.crypto,
    };
    // After the first run, emscripten's instantiateWasm hook skips decoding the embedded
    // binary (a 10 MB string) and instantiates the cached module directly.
    if (compiled) {
      sandbox.Module = {
        instantiateWasm(imports, receive) {
          receive(new WebAssembly.Instance(compiled, imports));
          return {};
        },
      };
    }
    sandbox.globalThis = sandbox;
    const ctx = vm.createContext(sandbox);
    current = (e) => { sink(String(e && e.stack || e) + '\n'); finish(1); };
    try {
      script.runInContext(ctx);
    } catch (e) {
      sink(String(e && e.stack || e) + '\n');
      finish(1);
      return;
    }
    // main() runs after the asynchronous instantiation and ends in quit_, which sets
    // process.exitCode (caught above); an abort ends as a rejected promise (below).
  });
}

async function main() {
  const rl = readline.createInterface({input: process.stdin});
  for await (const line of rl) {
    if (!line.trim()) continue;
    const {args, out, rc: rcFile} = JSON.parse(line);
    const rc = await runOne(args, out);
    if (rcFile) fs.writeFileSync(rcFile, `${rc}\n`);
    process.stdout.write(`${rc}\n`);
  }
}
main();
