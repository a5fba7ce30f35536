;; A pthreads-style wasi-threads program (what wasi-libc's wasm32-wasip1-threads produces, by
;; hand): the shared memory and thread-spawn are imported, each spawned thread enters
;; `wasi_thread_start(tid, start_arg)` in its own instance. The entry points (`_start` and the
;; exports run with --invoke) pick what the threads do by the mode word at address 8.
;;
;; Memory: 0 counter, 4 threads done, 8 mode, 12 a cell nobody notifies, 16 iovec,
;; 24 nwritten, 32..63 digits, 64..125 the strings (a passive segment the main thread copies
;; in once, as wasm-ld's __wasm_init_memory does, so spawned instances do not rewrite them),
;; 128 and 176 poll_oneoff subscriptions, 224 and 256 their events, 288 and 292 the event
;; counts (a spawned thread's, the main thread's), 296 "the sleeper is about to sleep",
;; 300..315 the main thread's read buffer, 320 a spawned thread's iovec, 328 its nread,
;; 336..343 its read buffer.
(module
  (import "env" "memory" (memory 1 1 shared))
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (data $strings "worker done\n" "total " "spawn failed\n" "main ran while a thread blocked\n")

  (global $threads i32 (i32.const 8))
  (global $iterations i32 (i32.const 100000))

  (func $write (param $ptr i32) (param $len i32)
    (i32.store (i32.const 16) (local.get $ptr))
    (i32.store (i32.const 20) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24))))

  ;; Writes `n` in decimal and a newline.
  (func $write_u32 (param $n i32) (local $p i32)
    (local.set $p (i32.const 63))
    (i32.store8 (local.get $p) (i32.const 10))
    (loop $digits
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p)
        (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
      (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
      (br_if $digits (local.get $n)))
    (call $write (local.get $p) (i32.sub (i32.const 64) (local.get $p))))

  (func $init (param $mode i32)
    (memory.init $strings (i32.const 64) (i32.const 0) (i32.const 62))
    (i32.atomic.store (i32.const 8) (local.get $mode)))

  ;; Spawns `n` threads; a failure is reported and ends the program with 1.
  (func $spawn_n (param $n i32)
    (loop $more
      (if (i32.le_s (call $spawn (local.get $n)) (i32.const 0))
        (then (call $write (i32.const 82) (i32.const 13)) (call $proc_exit (i32.const 1))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $more (local.get $n))))

  ;; Parks on a cell nobody notifies: only the end of the program gets this thread out.
  (func $wait_forever
    (loop $again
      (drop (memory.atomic.wait32 (i32.const 12) (i32.const 0) (i64.const -1)))
      (br $again)))

  (func $spin (loop $again (br $again)))

  ;; Sleeps `ns` nanoseconds: poll_oneoff on one relative monotonic clock subscription at
  ;; `sub`, its event at `event`, the event count at `count`.
  (func $sleep (param $sub i32) (param $event i32) (param $count i32) (param $ns i64)
    (i64.store (local.get $sub) (i64.const 0))                       ;; userdata
    (i32.store8 (i32.add (local.get $sub) (i32.const 8)) (i32.const 0))  ;; clock
    (i32.store (i32.add (local.get $sub) (i32.const 16)) (i32.const 1))  ;; monotonic
    (i64.store (i32.add (local.get $sub) (i32.const 24)) (local.get $ns))
    (i64.store (i32.add (local.get $sub) (i32.const 32)) (i64.const 0))
    (i32.store16 (i32.add (local.get $sub) (i32.const 40)) (i32.const 0))  ;; relative
    (drop (call $poll_oneoff (local.get $sub) (local.get $event) (i32.const 1)
                             (local.get $count))))

  (func $wasi_thread_start (export "wasi_thread_start") (param $tid i32) (param $arg i32) (local $i i32)
    ;; start_arg -1: first spawn the other seven threads (so threads spawn threads), then count.
    (if (i32.eq (local.get $arg) (i32.const -1))
      (then (call $spawn_n (i32.sub (global.get $threads) (i32.const 1)))))
    (block $done
      (block $read
        (block $sleep
          (block $spin
            (block $exit
              (block $trap
                (br_table 0 1 2 3 4 5
                  (i32.sub (i32.atomic.load (i32.const 8)) (i32.const 1))))
              ;; mode 1: trap
              unreachable)
            ;; mode 2: proc_exit(7)
            (call $proc_exit (i32.const 7)))
          ;; mode 3: run until stopped
          (call $spin))
        ;; mode 4: say so, then sleep 30 s (in a host call when the program ends)
        (i32.atomic.store (i32.const 296) (i32.const 1))
        (drop (memory.atomic.notify (i32.const 296) (i32.const 1)))
        (call $sleep (i32.const 128) (i32.const 224) (i32.const 288) (i64.const 30000000000))
        (return))
      ;; mode 5: say so, then read stdin (which the test never feeds)
      (i32.atomic.store (i32.const 296) (i32.const 1))
      (drop (memory.atomic.notify (i32.const 296) (i32.const 1)))
      (i32.store (i32.const 320) (i32.const 336))
      (i32.store (i32.const 324) (i32.const 8))
      (drop (call $fd_read (i32.const 0) (i32.const 320) (i32.const 1) (i32.const 328)))
      (return))
    ;; mode 0: count
    (loop $count
      (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $count (i32.lt_u (local.get $i) (global.get $iterations))))
    (call $write (i32.const 64) (i32.const 12))
    (drop (i32.atomic.rmw.add (i32.const 4) (i32.const 1)))
    (drop (memory.atomic.notify (i32.const 4) (i32.const 1))))

  ;; N threads add K each; main waits for all, prints the total.
  (func (export "_start")
    (call $init (i32.const 0))
    (call $spawn_n (global.get $threads))
    (call $print_total))

  ;; The same, but main spawns one thread, which spawns the others.
  (func (export "nested")
    (call $init (i32.const 0))
    (if (i32.le_s (call $spawn (i32.const -1)) (i32.const 0))
      (then (call $write (i32.const 82) (i32.const 13)) (call $proc_exit (i32.const 1))))
    (call $print_total))

  ;; Waits until all threads are done counting, then prints the total.
  (func $print_total (local $done i32)
    (loop $wait
      (local.set $done (i32.atomic.load (i32.const 4)))
      (if (i32.lt_u (local.get $done) (global.get $threads))
        (then
          (drop (memory.atomic.wait32 (i32.const 4) (local.get $done) (i64.const -1)))
          (br $wait))))
    (call $write (i32.const 76) (i32.const 6))
    (call $write_u32 (i32.atomic.load (i32.const 0))))

  ;; A thread traps while main waits (a waiter is woken) or spins (stopped at a loop header).
  (func (export "trap_while_waiting") (call $init (i32.const 1)) (call $spawn_n (i32.const 1))
    (call $wait_forever))
  (func (export "trap_while_spinning") (call $init (i32.const 1)) (call $spawn_n (i32.const 1))
    (call $spin))
  ;; A thread traps while main is blocked in a read from stdin (which the test never feeds):
  ;; the program ends all the same.
  (func (export "trap_while_reading")
    (call $init (i32.const 1)) (call $spawn_n (i32.const 1))
    (i32.store (i32.const 16) (i32.const 300))
    (i32.store (i32.const 20) (i32.const 16))
    (drop (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24))))
  ;; A thread calls proc_exit(7) while main waits.
  (func (export "exit_while_waiting") (call $init (i32.const 2)) (call $spawn_n (i32.const 1))
    (call $wait_forever))
  ;; Main ends (proc_exit(3), or returning) while its threads still run.
  (func (export "main_exits") (call $init (i32.const 3)) (call $spawn_n (i32.const 2))
    (call $proc_exit (i32.const 3)))
  (func (export "main_returns") (call $init (i32.const 3)) (call $spawn_n (i32.const 2)))
  ;; Main waits for ever while its threads spin: only a --timeout ends this.
  (func (export "everyone_waits") (call $init (i32.const 3)) (call $spawn_n (i32.const 2))
    (call $wait_forever))
  ;; A thread sleeps in poll_oneoff, or reads a silent stdin: the main thread's WASI calls (a
  ;; short sleep of its own, a write) go on meanwhile, and its proc_exit ends the program
  ;; without waiting for the blocked call to return.
  (func (export "main_runs_while_a_thread_sleeps") (call $main_runs_while_blocked (i32.const 4)))
  (func (export "main_runs_while_a_thread_reads") (call $main_runs_while_blocked (i32.const 5)))
  (func $main_runs_while_blocked (param $mode i32)
    (call $init (local.get $mode)) (call $spawn_n (i32.const 1))
    (loop $wait
      (if (i32.eqz (i32.atomic.load (i32.const 296)))
        (then
          (drop (memory.atomic.wait32 (i32.const 296) (i32.const 0) (i64.const -1)))
          (br $wait))))
    (call $sleep (i32.const 176) (i32.const 256) (i32.const 292) (i64.const 50000000))
    (call $write (i32.const 95) (i32.const 31))
    (call $proc_exit (i32.const 0)))
  ;; thread-spawn's result, for the error cases.
  (func (export "spawn_one") (result i32) (call $init (i32.const 3)) (call $spawn (i32.const 0))))
