;; Defines its shared memory instead of importing it: a spawned instance would get a memory of
;; its own, so a spawn fails with -28 (inval).
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (memory 1 1 shared)
  (func (export "wasi_thread_start") (param i32 i32))
  (func (export "spawn_one") (result i32) (call $spawn (i32.const 0))))
