// Cold-start probe without WASI: a module whose only export `run` returns 0 (built with
// --target=wasm32 -nostdlib, so it has no imports and a few hundred bytes).
__attribute__((export_name("run"))) int run(void) { return 0; }
