;; A TCP echo server as a WASI 0.2 command (wasi:cli/run), written by hand because no toolchain
;; here targets wasi:sockets. Usage: hull run -S inherit-network tcp-server.wat PORT
;;
;;   1. takes PORT from its first argument (wasi:cli/environment get-arguments; argv[0] is the
;;      file),
;;   2. creates an IPv4 TCP socket (tcp-create-socket) and binds it to 127.0.0.1:PORT on the
;;      instance network (start-bind / finish-bind),
;;   3. listens (start-listen / finish-listen) and prints "listening" to stdout,
;;   4. waits for a client with the socket's pollable and wasi:io/poll, accepts it,
;;   5. reads one line from the connection's input-stream (blocking-read), prints
;;      "received: LINE", writes the line back uppercased (blocking-write-and-flush) and
;;      returns ok from run (exit status 0).
;;
;; Any wasi:sockets error-code makes it print "error: <the enum case's name>" (e.g. "error:
;; access-denied" when the network is not granted) and exit through wasi:cli/exit with err
;; (status 1). Each finish-* and accept that says would-block is retried after waiting on the
;; socket's pollable, as the WIT asks of a guest (Hull's host happens to finish at once).
;;
;; Imports are at 0.2.0, as toolchains emit them; Hull's 0.2.12 host satisfies them by semver.
;; Canonical ABI notes: results that do not fit one core value come back through a return
;; area whose address is the last core parameter; error-code is an enum of 21 cases (one byte);
;; an ip-socket-address flattens to 12 i32s (the case, then the ipv6 case's 11 slots, of which
;; ipv4 uses the first 5: port and the four bytes).
(component
  ;; ---- wasi:io: errors, pollables, streams -------------------------------------------------
  (import "wasi:io/error@0.2.0" (instance $io-error
    (export "error" (type $e (sub resource)))
    (export "[method]error.to-debug-string" (func (param "self" (borrow $e)) (result string)))))
  (alias export $io-error "error" (type $error))
  (import "wasi:io/poll@0.2.0" (instance $poll
    (export "pollable" (type $p (sub resource)))
    (export "poll" (func (param "in" (list (borrow $p))) (result (list u32))))))
  (alias export $poll "pollable" (type $pollable))
  (import "wasi:io/streams@0.2.0" (instance $streams
    (alias outer 1 $error (type $e))
    (export "error" (type $err (eq $e)))
    (export "input-stream" (type $is (sub resource)))
    (export "output-stream" (type $os (sub resource)))
    (type $stream-error (variant (case "last-operation-failed" (own $err)) (case "closed")))
    (export "stream-error" (type $se (eq $stream-error)))
    (export "[method]input-stream.blocking-read"
      (func (param "self" (borrow $is)) (param "len" u64) (result (result (list u8) (error $se)))))
    (export "[method]output-stream.blocking-write-and-flush"
      (func (param "self" (borrow $os)) (param "contents" (list u8)) (result (result (error $se)))))))
  (alias export $streams "input-stream" (type $input-stream))
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

  ;; ---- wasi:sockets: network types, the instance network, tcp -----------------------------
  (import "wasi:sockets/network@0.2.0" (instance $network
    (export "network" (type (sub resource)))
    (type $ec (enum "unknown" "access-denied" "not-supported" "invalid-argument" "out-of-memory"
      "timeout" "concurrency-conflict" "not-in-progress" "would-block" "invalid-state"
      "new-socket-limit" "address-not-bindable" "address-in-use" "remote-unreachable"
      "connection-refused" "connection-reset" "connection-aborted" "datagram-too-large"
      "name-unresolvable" "temporary-resolver-failure" "permanent-resolver-failure"))
    (export "error-code" (type (eq $ec)))
    (type $fam (enum "ipv4" "ipv6"))
    (export "ip-address-family" (type (eq $fam)))
    (type $v4 (tuple u8 u8 u8 u8))
    (export "ipv4-address" (type $v4e (eq $v4)))
    (type $v6 (tuple u16 u16 u16 u16 u16 u16 u16 u16))
    (export "ipv6-address" (type $v6e (eq $v6)))
    (type $v4sa (record (field "port" u16) (field "address" $v4e)))
    (export "ipv4-socket-address" (type $v4sae (eq $v4sa)))
    (type $v6sa (record (field "port" u16) (field "flow-info" u32) (field "address" $v6e)
      (field "scope-id" u32)))
    (export "ipv6-socket-address" (type $v6sae (eq $v6sa)))
    (type $sa (variant (case "ipv4" $v4sae) (case "ipv6" $v6sae)))
    (export "ip-socket-address" (type (eq $sa)))))
  (alias export $network "network" (type $network-t))
  (alias export $network "error-code" (type $error-code))
  (alias export $network "ip-address-family" (type $family))
  (alias export $network "ip-socket-address" (type $sockaddr))
  (import "wasi:sockets/instance-network@0.2.0" (instance $inet
    (alias outer 1 $network-t (type $n))
    (export "network" (type $nn (eq $n)))
    (export "instance-network" (func (result (own $nn))))))
  (import "wasi:sockets/tcp@0.2.0" (instance $tcp
    (alias outer 1 $input-stream (type $i))
    (export "input-stream" (type $is (eq $i)))
    (alias outer 1 $output-stream (type $o))
    (export "output-stream" (type $os (eq $o)))
    (alias outer 1 $pollable (type $p))
    (export "pollable" (type $pp (eq $p)))
    (alias outer 1 $network-t (type $n))
    (export "network" (type $nn (eq $n)))
    (alias outer 1 $error-code (type $e))
    (export "error-code" (type $ee (eq $e)))
    (alias outer 1 $sockaddr (type $a))
    (export "ip-socket-address" (type $aa (eq $a)))
    (export "tcp-socket" (type $sock (sub resource)))
    (export "[method]tcp-socket.start-bind" (func (param "self" (borrow $sock))
      (param "network" (borrow $nn)) (param "local-address" $aa) (result (result (error $ee)))))
    (export "[method]tcp-socket.finish-bind" (func (param "self" (borrow $sock))
      (result (result (error $ee)))))
    (export "[method]tcp-socket.start-listen" (func (param "self" (borrow $sock))
      (result (result (error $ee)))))
    (export "[method]tcp-socket.finish-listen" (func (param "self" (borrow $sock))
      (result (result (error $ee)))))
    (export "[method]tcp-socket.accept" (func (param "self" (borrow $sock))
      (result (result (tuple (own $sock) (own $is) (own $os)) (error $ee)))))
    (export "[method]tcp-socket.subscribe" (func (param "self" (borrow $sock))
      (result (own $pp))))))
  (alias export $tcp "tcp-socket" (type $tcp-socket))
  (import "wasi:sockets/tcp-create-socket@0.2.0" (instance $create
    (alias outer 1 $error-code (type $e))
    (export "error-code" (type $ee (eq $e)))
    (alias outer 1 $family (type $f))
    (export "ip-address-family" (type $ff (eq $f)))
    (alias outer 1 $tcp-socket (type $s))
    (export "tcp-socket" (type $ss (eq $s)))
    (export "create-tcp-socket" (func (param "address-family" $ff)
      (result (result (own $ss) (error $ee)))))))

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
  (core func $debug-string (canon lower (func $io-error "[method]error.to-debug-string")
    (memory $memory) (realloc $realloc)))
  (core func $poll (canon lower (func $poll "poll") (memory $memory) (realloc $realloc)))
  (core func $drop-pollable (canon resource.drop $pollable))
  (core func $read (canon lower (func $streams "[method]input-stream.blocking-read")
    (memory $memory) (realloc $realloc)))
  (core func $write (canon lower (func $streams "[method]output-stream.blocking-write-and-flush")
    (memory $memory)))
  (core func $get-stdout (canon lower (func $stdout "get-stdout")))
  (core func $get-arguments (canon lower (func $env "get-arguments") (memory $memory) (realloc $realloc)))
  (core func $exit (canon lower (func $exit "exit")))
  (core func $instance-network (canon lower (func $inet "instance-network")))
  (core func $create-tcp-socket (canon lower (func $create "create-tcp-socket") (memory $memory)))
  (core func $start-bind (canon lower (func $tcp "[method]tcp-socket.start-bind") (memory $memory)))
  (core func $finish-bind (canon lower (func $tcp "[method]tcp-socket.finish-bind") (memory $memory)))
  (core func $start-listen (canon lower (func $tcp "[method]tcp-socket.start-listen") (memory $memory)))
  (core func $finish-listen (canon lower (func $tcp "[method]tcp-socket.finish-listen") (memory $memory)))
  (core func $accept (canon lower (func $tcp "[method]tcp-socket.accept") (memory $memory)))
  (core func $subscribe (canon lower (func $tcp "[method]tcp-socket.subscribe")))

  ;; ---- the program --------------------------------------------------------------------------
  ;; Memory map: 0..63 the return area of every call ($R), 128 a one-element list for poll,
  ;; 256.. NUL-terminated messages, 2048.. the error-code names, 4096..5119 the line buffer,
  ;; 8192.. the allocator's heap.
  (core module $Main
    (import "host" "memory" (memory 1))
    (import "host" "debug-string" (func $debug-string (param i32 i32)))
    (import "host" "poll" (func $poll (param i32 i32 i32)))
    (import "host" "drop-pollable" (func $drop-pollable (param i32)))
    (import "host" "read" (func $read (param i32 i64 i32)))
    (import "host" "write" (func $write (param i32 i32 i32 i32)))
    (import "host" "get-stdout" (func $get-stdout (result i32)))
    (import "host" "get-arguments" (func $get-arguments (param i32)))
    (import "host" "exit" (func $exit (param i32)))
    (import "host" "instance-network" (func $instance-network (result i32)))
    (import "host" "create-tcp-socket" (func $create-tcp-socket (param i32 i32)))
    (import "host" "start-bind" (func $start-bind
      (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))
    (import "host" "finish-bind" (func $finish-bind (param i32 i32)))
    (import "host" "start-listen" (func $start-listen (param i32 i32)))
    (import "host" "finish-listen" (func $finish-listen (param i32 i32)))
    (import "host" "accept" (func $accept (param i32 i32)))
    (import "host" "subscribe" (func $subscribe (param i32) (result i32)))

    (global $R i32 (i32.const 0))
    (global $LINE i32 (i32.const 4096))
    (global $LINE-MAX i32 (i32.const 1024))
    (global $stdout (mut i32) (i32.const 0))

    (data (i32.const 256) "listening\0a\00")
    (data (i32.const 272) "received: \00")
    (data (i32.const 288) "error: \00")
    (data (i32.const 304) "\0a\00")
    (data (i32.const 320) "usage: tcp-server PORT (a number from 1 to 65535)\0a\00")
    (data (i32.const 384) "read failed: \00")
    (data (i32.const 400) "write failed: \00")
    (data (i32.const 416) "connection closed\00")
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
    ;; Writes LEN bytes at PTR to stdout and flushes them (so that the test sees "listening"
    ;; while the server waits).
    (func $print (param $ptr i32) (param $len i32)
      (call $write (global.get $stdout) (local.get $ptr) (local.get $len) (global.get $R)))
    (func $puts (param $s i32) (call $print (local.get $s) (call $strlen (local.get $s))))

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
    ;; Prints "error: WHAT" and the stream-error in the return area at ERR (its case byte;
    ;; last-operation-failed's error handle 4 bytes on), then exits with err.
    (func $stream-fail (param $what i32) (param $err i32)
      (call $puts (i32.const 288))
      (call $puts (local.get $what))
      (if (i32.load8_u (local.get $err))
        (then (call $puts (i32.const 416)))
        (else
          (call $debug-string (i32.load offset=4 (local.get $err)) (i32.const 32))
          (call $print (i32.load (i32.const 32)) (i32.load (i32.const 36)))))
      (call $puts (i32.const 304))
      (call $exit (i32.const 1))
      (unreachable))

    ;; Checks the result<_, error-code> (or result<T, error-code>) at RET whose error sits
    ;; OFF bytes in: ok gives 0; would-block waits until SOCK's pollable is ready and gives 1
    ;; (try again); any other error-code fails.
    (func $pending (param $sock i32) (param $ret i32) (param $off i32) (result i32)
      (local $code i32)
      (if (i32.eqz (i32.load8_u (local.get $ret))) (then (return (i32.const 0))))
      (local.set $code (i32.load8_u (i32.add (local.get $ret) (local.get $off))))
      (if (i32.ne (local.get $code) (i32.const 8 (; would-block ;)))
        (then (call $fail (local.get $code))))
      (call $wait-socket (local.get $sock))
      (i32.const 1))
    ;; Blocks in wasi:io/poll until SOCK is ready (a connection to accept, a bind or listen
    ;; finished), on a pollable from the socket's subscribe that it drops after.
    (func $wait-socket (param $sock i32)
      (local $p i32)
      (local.set $p (call $subscribe (local.get $sock)))
      (i32.store (i32.const 128) (local.get $p))
      ;; poll(list of one pollable) -> list<u32> of the ready ones' indexes (ignored: one)
      (call $poll (i32.const 128) (i32.const 1) (i32.const 48))
      (call $drop-pollable (local.get $p)))

    ;; The port in argv[1], or the usage message and exit with err.
    (func $port-argument (result i32)
      (local $args i32) (local $s i32) (local $len i32) (local $i i32) (local $c i32)
      (local $port i32)
      (call $get-arguments (global.get $R))
      (local.set $args (i32.load (global.get $R)))
      (block $usage
        (br_if $usage (i32.lt_u (i32.load offset=4 (global.get $R)) (i32.const 2)))
        (local.set $s (i32.load offset=8 (local.get $args)))    ;; argv[1]: (ptr, len)
        (local.set $len (i32.load offset=12 (local.get $args)))
        (br_if $usage (i32.eqz (local.get $len)))
        (br_if $usage (i32.gt_u (local.get $len) (i32.const 5)))
        (loop $digit
          (local.set $c (i32.sub (i32.load8_u (i32.add (local.get $s) (local.get $i))) (i32.const 48)))
          (br_if $usage (i32.gt_u (local.get $c) (i32.const 9)))
          (local.set $port (i32.add (i32.mul (local.get $port) (i32.const 10)) (local.get $c)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $digit (i32.lt_u (local.get $i) (local.get $len))))
        (br_if $usage (i32.eqz (local.get $port)))
        (br_if $usage (i32.gt_u (local.get $port) (i32.const 65535)))
        (return (local.get $port)))
      (call $puts (i32.const 320))
      (call $exit (i32.const 1))
      (unreachable))

    ;; Reads from IN into the line buffer until a newline, the end of the stream or LINE-MAX
    ;; bytes; gives the number of bytes read.
    (func $read-line (param $in i32) (result i32)
      (local $n i32) (local $ptr i32) (local $len i32) (local $i i32)
      (block $done (loop $more
        (br_if $done (i32.ge_u (local.get $n) (global.get $LINE-MAX)))
        ;; blocking-read(in, room left) -> result<list<u8>, stream-error> at R: the case byte,
        ;; then the list's (ptr, len) or the stream-error 4 bytes on
        (call $read (local.get $in) (i64.extend_i32_u (i32.sub (global.get $LINE-MAX) (local.get $n)))
          (global.get $R))
        (if (i32.load8_u (global.get $R))
          (then
            ;; closed: the line ends here; last-operation-failed: fail
            (br_if $done (i32.load8_u offset=4 (global.get $R)))
            (call $stream-fail (i32.const 384) (i32.add (global.get $R) (i32.const 4)))))
        (local.set $ptr (i32.load offset=4 (global.get $R)))
        (local.set $len (i32.load offset=8 (global.get $R)))
        (memory.copy (i32.add (global.get $LINE) (local.get $n)) (local.get $ptr) (local.get $len))
        ;; stop at the first newline among the new bytes
        (local.set $i (local.get $n))
        (local.set $n (i32.add (local.get $n) (local.get $len)))
        (block $no-newline (loop $scan
          (br_if $no-newline (i32.ge_u (local.get $i) (local.get $n)))
          (br_if $done (i32.eq (i32.load8_u (i32.add (global.get $LINE) (local.get $i))) (i32.const 10)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $scan)))
        (br $more)))
      (local.get $n))

    (func (export "run") (result i32)
      (local $port i32) (local $net i32) (local $sock i32) (local $conn i32) (local $in i32)
      (local $out i32) (local $n i32) (local $i i32) (local $c i32)
      (global.set $stdout (call $get-stdout))
      (local.set $port (call $port-argument))
      (local.set $net (call $instance-network))

      ;; create-tcp-socket(ipv4) -> result<own<tcp-socket>, error-code>: payload 4 bytes on
      (call $create-tcp-socket (i32.const 0 (; ipv4 ;)) (global.get $R))
      (if (i32.load8_u (global.get $R)) (then (call $fail (i32.load8_u offset=4 (global.get $R)))))
      (local.set $sock (i32.load offset=4 (global.get $R)))

      ;; start-bind(sock, net, ipv4 {port, (127, 0, 0, 1)}): case 0, port, the four bytes,
      ;; then 6 unused slots of the ipv6 case; result<_, error-code>: the code 1 byte on
      (call $start-bind (local.get $sock) (local.get $net)
        (i32.const 0) (local.get $port) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1)
        (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
        (global.get $R))
      (if (i32.load8_u (global.get $R)) (then (call $fail (i32.load8_u offset=1 (global.get $R)))))
      (loop $again
        (call $finish-bind (local.get $sock) (global.get $R))
        (br_if $again (call $pending (local.get $sock) (global.get $R) (i32.const 1))))

      (call $start-listen (local.get $sock) (global.get $R))
      (if (i32.load8_u (global.get $R)) (then (call $fail (i32.load8_u offset=1 (global.get $R)))))
      (loop $again
        (call $finish-listen (local.get $sock) (global.get $R))
        (br_if $again (call $pending (local.get $sock) (global.get $R) (i32.const 1))))
      (call $puts (i32.const 256))  ;; "listening"

      ;; accept -> result<tuple<own<tcp-socket>, own<input-stream>, own<output-stream>>,
      ;; error-code>: the three handles (or the code) 4 bytes on. would-block until a client
      ;; connects: $pending polls the listener's pollable and we try again.
      (loop $again
        (call $accept (local.get $sock) (global.get $R))
        (br_if $again (call $pending (local.get $sock) (global.get $R) (i32.const 4))))
      (local.set $conn (i32.load offset=4 (global.get $R)))
      (local.set $in (i32.load offset=8 (global.get $R)))
      (local.set $out (i32.load offset=12 (global.get $R)))

      (local.set $n (call $read-line (local.get $in)))
      (call $puts (i32.const 272))  ;; "received: LINE"
      (call $print (global.get $LINE) (local.get $n))
      (if (i32.or (i32.eqz (local.get $n))
                  (i32.ne (i32.load8_u (i32.add (global.get $LINE) (i32.sub (local.get $n) (i32.const 1))))
                          (i32.const 10)))
        (then (call $puts (i32.const 304))))

      ;; uppercase ASCII letters in place, then send the line back
      (block $upper-done (loop $upper
        (br_if $upper-done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $c (i32.load8_u (i32.add (global.get $LINE) (local.get $i))))
        (if (i32.lt_u (i32.sub (local.get $c) (i32.const 97)) (i32.const 26))
          (then (i32.store8 (i32.add (global.get $LINE) (local.get $i))
                            (i32.sub (local.get $c) (i32.const 32)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $upper)))
      ;; blocking-write-and-flush takes at most 4096 bytes: the line has at most 1024
      (call $write (local.get $out) (global.get $LINE) (local.get $n) (global.get $R))
      (if (i32.load8_u (global.get $R))
        (then (call $stream-fail (i32.const 400) (i32.add (global.get $R) (i32.const 4)))))
      ;; returning ok ends the instance; the host closes the connection and the listener
      (i32.const 0)))

  (core instance $main (instantiate $Main (with "host" (instance
    (export "memory" (memory $memory))
    (export "debug-string" (func $debug-string))
    (export "poll" (func $poll))
    (export "drop-pollable" (func $drop-pollable))
    (export "read" (func $read))
    (export "write" (func $write))
    (export "get-stdout" (func $get-stdout))
    (export "get-arguments" (func $get-arguments))
    (export "exit" (func $exit))
    (export "instance-network" (func $instance-network))
    (export "create-tcp-socket" (func $create-tcp-socket))
    (export "start-bind" (func $start-bind))
    (export "finish-bind" (func $finish-bind))
    (export "start-listen" (func $start-listen))
    (export "finish-listen" (func $finish-listen))
    (export "accept" (func $accept))
    (export "subscribe" (func $subscribe))))))
  (func $run (result (result)) (canon lift (core func $main "run")))
  (instance $cli (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $cli)))
