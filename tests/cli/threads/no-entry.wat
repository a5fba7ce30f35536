;; Imports a shared memory and thread-spawn but exports no `wasi_thread_start`: a spawn fails
;; with -28 (inval) instead of starting a thread that could run nothing.
(module
  (import "env" "memory" (memory 1 1 shared))
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (func (export "spawn_one") (result i32) (call $spawn (i32.const 0))))
