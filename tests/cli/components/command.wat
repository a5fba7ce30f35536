;; A WASI 0.2 command written by hand: `run` prints its arguments (one per line, after a
;; greeting) to wasi:cli/stdout, then exits through wasi:cli/exit with status err when it was
;; given the argument "fail", else returns ok from wasi:cli/run. Imports are at 0.2.0: Hull's
;; 0.2.12 host satisfies them by semver.
(component
  (import "wasi:io/error@0.2.0" (instance $io-error (export "error" (type (sub resource)))))
  (alias export $io-error "error" (type $error))
  (import "wasi:io/streams@0.2.0" (instance $streams
    (alias outer 1 $error (type $e))
    (export "error" (type $err (eq $e)))
    (export "output-stream" (type $os (sub resource)))
    (type $stream-error (variant (case "last-operation-failed" (own $err)) (case "closed")))
    (export "stream-error" (type $se (eq $stream-error)))
    (export "[method]output-stream.blocking-write-and-flush"
      (func (param "self" (borrow $os)) (param "contents" (list u8)) (result (result (error $se)))))))
  (alias export $streams "output-stream" (type $output-stream))
  (import "wasi:cli/stdout@0.2.0" (instance $stdout
    (alias outer 1 $output-stream (type $o))
    (export "output-stream" (type $os (eq $o)))
    (export "get-stdout" (func (result (own $os))))))
  (import "wasi:cli/environment@0.2.0" (instance $env
    (export "get-arguments" (func (result (list string))))))
  (import "wasi:cli/exit@0.2.0" (instance $exit
    (export "exit" (func (param "status" (result))))))

  (core module $Mem
    (memory (export "memory") 1)
    ;; A bump allocator: the host lowers the argument list into memory through it.
    (global $next (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $at i32)
      (local.set $at (i32.and (i32.add (global.get $next) (i32.sub (local.get 2) (i32.const 1)))
                              (i32.sub (i32.const 0) (local.get 2))))
      (global.set $next (i32.add (local.get $at) (local.get 3)))
      (local.get $at)))
  (core instance $mem (instantiate $Mem))
  (alias core export $mem "memory" (core memory $memory))
  (alias core export $mem "realloc" (core func $realloc))

  (core func $get-stdout (canon lower (func $stdout "get-stdout")))
  (core func $write (canon lower (func $streams "[method]output-stream.blocking-write-and-flush")
    (memory $memory)))
  (core func $get-arguments (canon lower (func $env "get-arguments") (memory $memory) (realloc $realloc)))
  (core func $exit (canon lower (func $exit "exit")))

  (core module $Main
    (import "host" "memory" (memory 1))
    (import "host" "get-stdout" (func $get-stdout (result i32)))
    (import "host" "write" (func $write (param i32 i32 i32 i32)))
    (import "host" "get-arguments" (func $get-arguments (param i32)))
    (import "host" "exit" (func $exit (param i32)))
    (data (i32.const 16) "hello from a WASI 0.2 command\n")
    (data (i32.const 48) "\n")
    (data (i32.const 56) "fail")
    (func (export "run") (result i32)
      (local $out i32) (local $args i32) (local $n i32) (local $i i32) (local $s i32) (local $fail i32)
      (local.set $out (call $get-stdout))
      (call $write (local.get $out) (i32.const 16) (i32.const 30) (i32.const 0))
      (call $get-arguments (i32.const 64))
      (local.set $args (i32.load (i32.const 64)))
      (local.set $n (i32.load (i32.const 68)))
      (block $done
        (loop $next
          (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
          (local.set $s (i32.add (local.get $args) (i32.shl (local.get $i) (i32.const 3))))
          (call $write (local.get $out) (i32.load (local.get $s)) (i32.load offset=4 (local.get $s)) (i32.const 0))
          (call $write (local.get $out) (i32.const 48) (i32.const 1) (i32.const 0))
          ;; an argument "fail" (4 bytes equal to those at 56) asks for exit(err)
          (if (i32.and (i32.eq (i32.load offset=4 (local.get $s)) (i32.const 4))
                       (i32.eq (i32.load (i32.load (local.get $s))) (i32.load (i32.const 56))))
            (then (local.set $fail (i32.const 1))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))
      (if (local.get $fail) (then (call $exit (i32.const 1)) (unreachable)))
      (i32.const 0)))
  (core instance $main (instantiate $Main (with "host" (instance
    (export "memory" (memory $memory))
    (export "get-stdout" (func $get-stdout))
    (export "write" (func $write))
    (export "get-arguments" (func $get-arguments))
    (export "exit" (func $exit))))))
  (func $run (result (result)) (canon lift (core func $main "run")))
  (instance $cli (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $cli)))
