;; Name lookup (wasi:sockets/ip-name-lookup) as a WASI 0.2 command (wasi:cli/run), written by
;; hand because no toolchain here targets wasi:sockets.
;; Usage: hull run -S allow-ip-name-lookup lookup.wat [NAME]   (NAME defaults to localhost)
;;
;; resolve-addresses(instance-network, NAME) gives a resolve-address-stream; the command
;; drains it with resolve-next-address (waiting on the stream's pollable with wasi:io/poll
;; while it says would-block) and prints each address on its own line: IPv4 dotted decimal,
;; IPv6 in RFC 5952's short form ("::1"). Then run returns ok (exit status 0).
;;
;; Any wasi:sockets error-code makes it print "error: <the enum case's name>" and exit through
;; wasi:cli/exit with err (status 1): without -S allow-ip-name-lookup, Hull (like Wasmtime)
;; answers resolve-addresses with permanent-resolver-failure; a NAME that is not a host name
;; or an IP address gives invalid-argument.
;;
;; Imports are at 0.2.0. Canonical ABI: resolve-next-address's result<option<ip-address>,
;; error-code> has its case byte at 0 and its payload at 2 (the error code, or the option's
;; case byte); the ip-address's case byte is at 4 and its payload at 6 (four u8 or eight u16).
(component
  ;; ---- wasi:io: pollables, the output stream -----------------------------------------------
  (import "wasi:io/poll@0.2.0" (instance $poll
    (export "pollable" (type $p (sub resource)))
    (export "poll" (func (param "in" (list (borrow $p))) (result (list u32))))))
  (alias export $poll "pollable" (type $pollable))
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

  ;; ---- wasi:cli: stdout, arguments, exit --------------------------------------------------
  (import "wasi:cli/stdout@0.2.0" (instance $stdout
    (alias outer 1 $output-stream (type $o))
    (export "output-stream" (type $os (eq $o)))
    (export "get-stdout" (func (result (own $os))))))
  (import "wasi:cli/environment@0.2.0" (instance $env
    (export "get-arguments" (func (result (list string))))))
  (import "wasi:cli/exit@0.2.0" (instance $exit
    (export "exit" (func (param "status" (result))))))

  ;; ---- wasi:sockets: network types, the instance network, ip-name-lookup ------------------
  (import "wasi:sockets/network@0.2.0" (instance $network
    (export "network" (type (sub resource)))
    (type $ec (enum "unknown" "access-denied" "not-supported" "invalid-argument" "out-of-memory"
      "timeout" "concurrency-conflict" "not-in-progress" "would-block" "invalid-state"
      "new-socket-limit" "address-not-bindable" "address-in-use" "remote-unreachable"
      "connection-refused" "connection-reset" "connection-aborted" "datagram-too-large"
      "name-unresolvable" "temporary-resolver-failure" "permanent-resolver-failure"))
    (export "error-code" (type (eq $ec)))
    (type $v4 (tuple u8 u8 u8 u8))
    (export "ipv4-address" (type $v4e (eq $v4)))
    (type $v6 (tuple u16 u16 u16 u16 u16 u16 u16 u16))
    (export "ipv6-address" (type $v6e (eq $v6)))
    (type $ip (variant (case "ipv4" $v4e) (case "ipv6" $v6e)))
    (export "ip-address" (type (eq $ip)))))
  (alias export $network "network" (type $network-t))
  (alias export $network "error-code" (type $error-code))
  (alias export $network "ip-address" (type $ip-address))
  (import "wasi:sockets/instance-network@0.2.0" (instance $inet
    (alias outer 1 $network-t (type $n))
    (export "network" (type $nn (eq $n)))
    (export "instance-network" (func (result (own $nn))))))
  (import "wasi:sockets/ip-name-lookup@0.2.0" (instance $lookup
    (alias outer 1 $pollable (type $p))
    (export "pollable" (type $pp (eq $p)))
    (alias outer 1 $network-t (type $n))
    (export "network" (type $nn (eq $n)))
    (alias outer 1 $error-code (type $e))
    (export "error-code" (type $ee (eq $e)))
    (alias outer 1 $ip-address (type $a))
    (export "ip-address" (type $aa (eq $a)))
    (export "resolve-address-stream" (type $ras (sub resource)))
    (export "resolve-addresses" (func (param "network" (borrow $nn)) (param "name" string)
      (result (result (own $ras) (error $ee)))))
    (export "[method]resolve-address-stream.resolve-next-address"
      (func (param "self" (borrow $ras)) (result (result (option $aa) (error $ee)))))
    (export "[method]resolve-address-stream.subscribe"
      (func (param "self" (borrow $ras)) (result (own $pp))))))

  ;; ---- memory: one page that grows, and a bump allocator for the host's lists and strings --
  (core module $Mem
    (memory (export "memory") 1)
    (global $next (mut i32) (i32.const 8192))
    (func (export "realloc") (param $old i32) (param $old-size i32) (param $align i32)
                             (param $size i32) (result i32)
      (local $at i32) (local $end i32)
      (local.set $at (i32.and (i32.add (global.get $next) (i32.sub (local.get $align) (i32.const 1)))
                              (i32.sub (i32.const 0) (local.get $align))))
      (local.set $end (i32.add (local.get $at) (local.get $size)))
      ;; grow the memory when the allocation runs past its end
      (if (i32.gt_u (local.get $end) (i32.shl (memory.size) (i32.const 16)))
        (then (if (i32.lt_s (memory.grow (i32.shr_u (i32.add (i32.sub (local.get $end)
                                (i32.shl (memory.size) (i32.const 16))) (i32.const 0xffff))
                              (i32.const 16)))
                            (i32.const 0))
                (then (unreachable)))))
      (global.set $next (local.get $end))
      (local.get $at)))
  (core instance $mem (instantiate $Mem))
  (alias core export $mem "memory" (core memory $memory))
  (alias core export $mem "realloc" (core func $realloc))

  ;; ---- the imports lowered to core functions ----------------------------------------------
  (core func $poll (canon lower (func $poll "poll") (memory $memory) (realloc $realloc)))
  (core func $drop-pollable (canon resource.drop $pollable))
  (core func $write (canon lower (func $streams "[method]output-stream.blocking-write-and-flush")
    (memory $memory)))
  (core func $get-stdout (canon lower (func $stdout "get-stdout")))
  (core func $get-arguments (canon lower (func $env "get-arguments") (memory $memory) (realloc $realloc)))
  (core func $exit (canon lower (func $exit "exit")))
  (core func $instance-network (canon lower (func $inet "instance-network")))
  (core func $resolve-addresses (canon lower (func $lookup "resolve-addresses") (memory $memory)))
  (core func $resolve-next-address
    (canon lower (func $lookup "[method]resolve-address-stream.resolve-next-address") (memory $memory)))
  (core func $subscribe (canon lower (func $lookup "[method]resolve-address-stream.subscribe")))

  ;; ---- the program --------------------------------------------------------------------------
  ;; Memory map: 0..63 the return area of every call ($R), 128 a one-element list for poll,
  ;; 256.. NUL-terminated messages, 2048.. the error-code names, 4096..4099 an IPv4-mapped
  ;; address's IPv4 part, 4100..4111 the digits of a number, 8192.. the allocator's heap.
  (core module $Main
    (import "host" "memory" (memory 1))
    (import "host" "poll" (func $poll (param i32 i32 i32)))
    (import "host" "drop-pollable" (func $drop-pollable (param i32)))
    (import "host" "write" (func $write (param i32 i32 i32 i32)))
    (import "host" "get-stdout" (func $get-stdout (result i32)))
    (import "host" "get-arguments" (func $get-arguments (param i32)))
    (import "host" "exit" (func $exit (param i32)))
    (import "host" "instance-network" (func $instance-network (result i32)))
    (import "host" "resolve-addresses" (func $resolve-addresses (param i32 i32 i32 i32)))
    (import "host" "resolve-next-address" (func $resolve-next-address (param i32 i32)))
    (import "host" "subscribe" (func $subscribe (param i32) (result i32)))

    (global $R i32 (i32.const 0))
    (global $stdout (mut i32) (i32.const 0))

    (data (i32.const 256) "localhost\00")
    (data (i32.const 288) "error: \00")
    (data (i32.const 304) "\0a\00")
    (data (i32.const 312) ".\00")
    (data (i32.const 316) ":\00")
    (data (i32.const 320) "::\00")
    (data (i32.const 336) "0123456789abcdef")
    ;; wasi:sockets/network error-code's cases in the WIT's order, each ended by a NUL: the
    ;; name of code N follows the Nth NUL.
    (data (i32.const 2048)
      "unknown\00access-denied\00not-supported\00invalid-argument\00out-of-memory\00"
      "timeout\00concurrency-conflict\00not-in-progress\00would-block\00invalid-state\00"
      "new-socket-limit\00address-not-bindable\00address-in-use\00remote-unreachable\00"
      "connection-refused\00connection-reset\00connection-aborted\00datagram-too-large\00"
      "name-unresolvable\00temporary-resolver-failure\00permanent-resolver-failure\00")

    ;; ---- output ----
    (func $strlen (param $s i32) (result i32)
      (local $n i32)
      (block $end (loop $next
        (br_if $end (i32.eqz (i32.load8_u (i32.add (local.get $s) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next)))
      (local.get $n))
    (func $print (param $ptr i32) (param $len i32)
      (call $write (global.get $stdout) (local.get $ptr) (local.get $len) (global.get $R)))
    (func $puts (param $s i32) (call $print (local.get $s) (call $strlen (local.get $s))))
    ;; Prints N in base BASE (10 or 16), without leading zeros.
    (func $print-num (param $n i32) (param $base i32)
      (local $p i32)
      (local.set $p (i32.const 4112))
      (loop $digit
        (local.set $p (i32.sub (local.get $p) (i32.const 1)))
        (i32.store8 (local.get $p)
          (i32.load8_u offset=336 (i32.rem_u (local.get $n) (local.get $base))))
        (local.set $n (i32.div_u (local.get $n) (local.get $base)))
        (br_if $digit (local.get $n)))
      (call $print (local.get $p) (i32.sub (i32.const 4112) (local.get $p))))

    ;; Prints the four bytes at P as dotted decimal.
    (func $print-ipv4 (param $p i32)
      (local $i i32)
      (loop $byte
        (if (local.get $i) (then (call $puts (i32.const 312))))
        (call $print-num (i32.load8_u (i32.add (local.get $p) (local.get $i))) (i32.const 10))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $byte (i32.lt_u (local.get $i) (i32.const 4)))))
    ;; Prints the eight u16 groups at P as RFC 5952 says: lowercase hex without leading
    ;; zeros, the first longest run of two or more zero groups as "::", and an IPv4-mapped
    ;; address (::ffff:a.b.c.d) with its IPv4 part in dotted decimal.
    (func $print-ipv6 (param $p i32)
      (local $i i32) (local $j i32) (local $best i32) (local $best-len i32)
      ;; IPv4-mapped: five zero groups, then ffff; the last two groups hold a.b and c.d
      (if (i32.and (i64.eqz (i64.load (local.get $p)))
                   (i32.eq (i32.load offset=8 (local.get $p)) (i32.const 0xffff0000)))
        (then
          (call $puts (i32.const 320))
          (call $print-num (i32.const 0xffff) (i32.const 16))
          (call $puts (i32.const 316))
          ;; the groups are little-endian u16s: swap each one's bytes into 4096.. first
          (i32.store8 (i32.const 4096) (i32.load8_u offset=13 (local.get $p)))
          (i32.store8 (i32.const 4097) (i32.load8_u offset=12 (local.get $p)))
          (i32.store8 (i32.const 4098) (i32.load8_u offset=15 (local.get $p)))
          (i32.store8 (i32.const 4099) (i32.load8_u offset=14 (local.get $p)))
          (call $print-ipv4 (i32.const 4096))
          (return)))
      ;; find the run
      (local.set $best (i32.const -1))
      (block $found (loop $scan
        (br_if $found (i32.ge_u (local.get $i) (i32.const 8)))
        (if (i32.load16_u (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 1))))
          (then (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $scan)))
        (local.set $j (local.get $i))
        (block $end-run (loop $run
          (br_if $end-run (i32.ge_u (local.get $j) (i32.const 8)))
          (br_if $end-run (i32.load16_u (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 1)))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $run)))
        (if (i32.gt_u (i32.sub (local.get $j) (local.get $i)) (local.get $best-len))
          (then (local.set $best (local.get $i))
                (local.set $best-len (i32.sub (local.get $j) (local.get $i)))))
        (local.set $i (local.get $j))
        (br $scan)))
      (if (i32.lt_u (local.get $best-len) (i32.const 2)) (then (local.set $best (i32.const -1))))
      ;; print the groups
      (local.set $i (i32.const 0))
      (block $done (loop $group
        (br_if $done (i32.ge_u (local.get $i) (i32.const 8)))
        (if (i32.eq (local.get $i) (local.get $best))
          (then (call $puts (i32.const 320))
                (local.set $i (i32.add (local.get $i) (local.get $best-len)))
                (br $group)))
        ;; a ":" between groups, but not right after the "::"
        (if (i32.and (i32.ne (local.get $i) (i32.const 0))
                     (i32.ne (local.get $i) (i32.add (local.get $best) (local.get $best-len))))
          (then (call $puts (i32.const 316))))
        (call $print-num (i32.load16_u (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 1))))
          (i32.const 16))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $group))))

    ;; Prints "error: " and the name of error-code CODE, then exits with err.
    (func $fail (param $code i32)
      (local $s i32)
      (local.set $s (i32.const 2048))
      (block $found (loop $skip
        (br_if $found (i32.eqz (local.get $code)))
        (local.set $s (i32.add (i32.add (local.get $s) (call $strlen (local.get $s))) (i32.const 1)))
        (local.set $code (i32.sub (local.get $code) (i32.const 1)))
        (br $skip)))
      (call $puts (i32.const 288))
      (call $puts (local.get $s))
      (call $puts (i32.const 304))
      (call $exit (i32.const 1))
      (unreachable))

    (func (export "run") (result i32)
      (local $name i32) (local $name-len i32) (local $stream i32) (local $p i32)
      (global.set $stdout (call $get-stdout))
      ;; NAME: argv[1] if given, else "localhost"
      (local.set $name (i32.const 256))
      (local.set $name-len (call $strlen (i32.const 256)))
      (call $get-arguments (global.get $R))
      (if (i32.ge_u (i32.load offset=4 (global.get $R)) (i32.const 2))
        (then (local.set $name (i32.load offset=8 (i32.load (global.get $R))))
              (local.set $name-len (i32.load offset=12 (i32.load (global.get $R))))))

      ;; resolve-addresses(network, name) -> result<own<resolve-address-stream>, error-code>:
      ;; the handle (or the code) 4 bytes on
      (call $resolve-addresses (call $instance-network) (local.get $name) (local.get $name-len)
        (global.get $R))
      (if (i32.load8_u (global.get $R)) (then (call $fail (i32.load8_u offset=4 (global.get $R)))))
      (local.set $stream (i32.load offset=4 (global.get $R)))

      (block $end (loop $next
        (call $resolve-next-address (local.get $stream) (global.get $R))
        (if (i32.load8_u (global.get $R))
          (then
            ;; would-block: the lookup is still running; wait for it, then ask again
            (if (i32.ne (i32.load8_u offset=2 (global.get $R)) (i32.const 8 (; would-block ;)))
              (then (call $fail (i32.load8_u offset=2 (global.get $R)))))
            (local.set $p (call $subscribe (local.get $stream)))
            (i32.store (i32.const 128) (local.get $p))
            (call $poll (i32.const 128) (i32.const 1) (i32.const 48))
            (call $drop-pollable (local.get $p))
            (br $next)))
        ;; none: no more addresses
        (br_if $end (i32.eqz (i32.load8_u offset=2 (global.get $R))))
        (if (i32.load8_u offset=4 (global.get $R))
          (then (call $print-ipv6 (i32.const 6)))
          (else (call $print-ipv4 (i32.const 6))))
        (call $puts (i32.const 304))
        (br $next)))
      (i32.const 0)))

  (core instance $main (instantiate $Main (with "host" (instance
    (export "memory" (memory $memory))
    (export "poll" (func $poll))
    (export "drop-pollable" (func $drop-pollable))
    (export "write" (func $write))
    (export "get-stdout" (func $get-stdout))
    (export "get-arguments" (func $get-arguments))
    (export "exit" (func $exit))
    (export "instance-network" (func $instance-network))
    (export "resolve-addresses" (func $resolve-addresses))
    (export "resolve-next-address" (func $resolve-next-address))
    (export "subscribe" (func $subscribe))))))
  (func $run (result (result)) (canon lift (core func $main "run")))
  (instance $cli (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $cli)))
