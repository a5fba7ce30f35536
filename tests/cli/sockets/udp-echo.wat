;; A UDP round trip on loopback within one WASI 0.2 command (wasi:cli/run), written by hand
;; because no toolchain here targets wasi:sockets.
;; Usage: hull run -S inherit-network udp-echo.wat
;;
;;   1. creates two IPv4 UDP sockets, "a" (the echo server) and "b" (the client), and binds
;;      both to 127.0.0.1 on an ephemeral port (start-bind / finish-bind with port 0); a's
;;      local-address tells b where to send,
;;   2. opens each socket's datagram streams with %stream(none): unconnected, so every
;;      outgoing datagram names its destination,
;;   3. b sends "hello over udp" to a (check-send for a permit, then send),
;;   4. a receives it (receive, after waiting on the incoming stream's pollable with
;;      wasi:io/poll), prints "a received: hello over udp from 127.0.0.1" and sends the data
;;      back uppercased to the datagram's remote-address,
;;   5. b receives that, prints "b received: HELLO OVER UDP from 127.0.0.1" and run returns ok.
;;
;; Any wasi:sockets error-code makes it print "error: <the enum case's name>" and exit through
;; wasi:cli/exit with err (status 1): "error: access-denied" from start-bind without the
;; network grant, or from create-udp-socket with -S udp=n.
;;
;; Imports are at 0.2.0; see tcp-server.wat for the canonical ABI notes. In memory an
;; ip-socket-address is 32 bytes: the case byte, then 4 bytes on the port (u16) and, for ipv4,
;; the four address bytes after it. An outgoing-datagram is 44 bytes: data (ptr, len), then
;; the option<ip-socket-address> (case byte at 8, the address at 12); an incoming-datagram is
;; 40 bytes: data (ptr, len), then the ip-socket-address at 8.
(component
  ;; ---- wasi:io: pollables ------------------------------------------------------------------
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

  ;; ---- wasi:cli: stdout, exit --------------------------------------------------------------
  (import "wasi:cli/stdout@0.2.0" (instance $stdout
    (alias outer 1 $output-stream (type $o))
    (export "output-stream" (type $os (eq $o)))
    (export "get-stdout" (func (result (own $os))))))
  (import "wasi:cli/exit@0.2.0" (instance $exit
    (export "exit" (func (param "status" (result))))))

  ;; ---- wasi:sockets: network types, the instance network, udp -----------------------------
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
  (import "wasi:sockets/udp@0.2.0" (instance $udp
    (alias outer 1 $pollable (type $p))
    (export "pollable" (type $pp (eq $p)))
    (alias outer 1 $network-t (type $n))
    (export "network" (type $nn (eq $n)))
    (alias outer 1 $error-code (type $e))
    (export "error-code" (type $ee (eq $e)))
    (alias outer 1 $sockaddr (type $a))
    (export "ip-socket-address" (type $aa (eq $a)))
    (type $in-dg (record (field "data" (list u8)) (field "remote-address" $aa)))
    (export "incoming-datagram" (type $indg (eq $in-dg)))
    (type $out-dg (record (field "data" (list u8)) (field "remote-address" (option $aa))))
    (export "outgoing-datagram" (type $outdg (eq $out-dg)))
    (export "udp-socket" (type $sock (sub resource)))
    (export "incoming-datagram-stream" (type $ids (sub resource)))
    (export "outgoing-datagram-stream" (type $ods (sub resource)))
    (export "[method]udp-socket.start-bind" (func (param "self" (borrow $sock))
      (param "network" (borrow $nn)) (param "local-address" $aa) (result (result (error $ee)))))
    (export "[method]udp-socket.finish-bind" (func (param "self" (borrow $sock))
      (result (result (error $ee)))))
    (export "[method]udp-socket.stream" (func (param "self" (borrow $sock))
      (param "remote-address" (option $aa))
      (result (result (tuple (own $ids) (own $ods)) (error $ee)))))
    (export "[method]udp-socket.local-address" (func (param "self" (borrow $sock))
      (result (result $aa (error $ee)))))
    (export "[method]udp-socket.subscribe" (func (param "self" (borrow $sock))
      (result (own $pp))))
    (export "[method]incoming-datagram-stream.receive" (func (param "self" (borrow $ids))
      (param "max-results" u64) (result (result (list $indg) (error $ee)))))
    (export "[method]incoming-datagram-stream.subscribe" (func (param "self" (borrow $ids))
      (result (own $pp))))
    (export "[method]outgoing-datagram-stream.check-send" (func (param "self" (borrow $ods))
      (result (result u64 (error $ee)))))
    (export "[method]outgoing-datagram-stream.send" (func (param "self" (borrow $ods))
      (param "datagrams" (list $outdg)) (result (result u64 (error $ee)))))
    (export "[method]outgoing-datagram-stream.subscribe" (func (param "self" (borrow $ods))
      (result (own $pp))))))
  (alias export $udp "udp-socket" (type $udp-socket))
  (import "wasi:sockets/udp-create-socket@0.2.0" (instance $create
    (alias outer 1 $error-code (type $e))
    (export "error-code" (type $ee (eq $e)))
    (alias outer 1 $family (type $f))
    (export "ip-address-family" (type $ff (eq $f)))
    (alias outer 1 $udp-socket (type $s))
    (export "udp-socket" (type $ss (eq $s)))
    (export "create-udp-socket" (func (param "address-family" $ff)
      (result (result (own $ss) (error $ee)))))))

  ;; ---- memory: one page that grows, and a bump allocator for the host's lists --------------
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
  (core func $exit (canon lower (func $exit "exit")))
  (core func $instance-network (canon lower (func $inet "instance-network")))
  (core func $create-udp-socket (canon lower (func $create "create-udp-socket") (memory $memory)))
  (core func $start-bind (canon lower (func $udp "[method]udp-socket.start-bind") (memory $memory)))
  (core func $finish-bind (canon lower (func $udp "[method]udp-socket.finish-bind") (memory $memory)))
  (core func $stream (canon lower (func $udp "[method]udp-socket.stream") (memory $memory)))
  (core func $local-address (canon lower (func $udp "[method]udp-socket.local-address")
    (memory $memory)))
  (core func $subscribe-socket (canon lower (func $udp "[method]udp-socket.subscribe")))
  (core func $receive (canon lower (func $udp "[method]incoming-datagram-stream.receive")
    (memory $memory) (realloc $realloc)))
  (core func $subscribe-incoming (canon lower (func $udp "[method]incoming-datagram-stream.subscribe")))
  (core func $check-send (canon lower (func $udp "[method]outgoing-datagram-stream.check-send")
    (memory $memory)))
  (core func $send (canon lower (func $udp "[method]outgoing-datagram-stream.send") (memory $memory)))
  (core func $subscribe-outgoing (canon lower (func $udp "[method]outgoing-datagram-stream.subscribe")))

  ;; ---- the program --------------------------------------------------------------------------
  ;; Memory map: 0..63 the return area of every call ($R), 64..95 a's ip-socket-address,
  ;; 128 a one-element list for poll, 160..203 the outgoing-datagram being sent, 256.. NUL-
  ;; terminated messages, 2048.. the error-code names, 4096..4159 the echo buffer, 4160.. the
  ;; decimal digits of a number, 8192.. the allocator's heap.
  (core module $Main
    (import "host" "memory" (memory 1))
    (import "host" "poll" (func $poll (param i32 i32 i32)))
    (import "host" "drop-pollable" (func $drop-pollable (param i32)))
    (import "host" "write" (func $write (param i32 i32 i32 i32)))
    (import "host" "get-stdout" (func $get-stdout (result i32)))
    (import "host" "exit" (func $exit (param i32)))
    (import "host" "instance-network" (func $instance-network (result i32)))
    (import "host" "create-udp-socket" (func $create-udp-socket (param i32 i32)))
    (import "host" "start-bind" (func $start-bind
      (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))
    (import "host" "finish-bind" (func $finish-bind (param i32 i32)))
    (import "host" "stream" (func $stream
      (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))
    (import "host" "local-address" (func $local-address (param i32 i32)))
    (import "host" "subscribe-socket" (func $subscribe-socket (param i32) (result i32)))
    (import "host" "receive" (func $receive (param i32 i64 i32)))
    (import "host" "subscribe-incoming" (func $subscribe-incoming (param i32) (result i32)))
    (import "host" "check-send" (func $check-send (param i32 i32)))
    (import "host" "send" (func $send (param i32 i32 i32 i32)))
    (import "host" "subscribe-outgoing" (func $subscribe-outgoing (param i32) (result i32)))

    (global $R i32 (i32.const 0))
    (global $A-ADDR i32 (i32.const 64))
    (global $DGRAM i32 (i32.const 160))
    (global $ECHO i32 (i32.const 4096))
    (global $stdout (mut i32) (i32.const 0))

    (data (i32.const 256) "hello over udp\00")
    (data (i32.const 288) "error: \00")
    (data (i32.const 304) "\0a\00")
    (data (i32.const 320) "a received: \00")
    (data (i32.const 336) "b received: \00")
    (data (i32.const 352) " from \00")
    (data (i32.const 368) ".\00")
    (data (i32.const 384) "error: the datagram was not sent\0a\00")
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
    ;; Prints N in decimal.
    (func $print-u32 (param $n i32)
      (local $p i32)
      (local.set $p (i32.const 4176))
      (loop $digit
        (local.set $p (i32.sub (local.get $p) (i32.const 1)))
        (i32.store8 (local.get $p) (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
        (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
        (br_if $digit (local.get $n)))
      (call $print (local.get $p) (i32.sub (i32.const 4176) (local.get $p))))
    ;; Prints the IP of the ip-socket-address at A: dotted decimal for ipv4 (all we bind).
    (func $print-ip (param $a i32)
      (local $i i32)
      (loop $byte
        (if (local.get $i) (then (call $puts (i32.const 368))))
        (call $print-u32 (i32.load8_u offset=6 (i32.add (local.get $a) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $byte (i32.lt_u (local.get $i) (i32.const 4)))))

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
    ;; Fails with the error-code OFF bytes into the result at R if it is an error.
    (func $check (param $off i32)
      (if (i32.load8_u (global.get $R))
        (then (call $fail (i32.load8_u (i32.add (global.get $R) (local.get $off)))))))
    ;; Blocks in wasi:io/poll until pollable P is ready, then drops it.
    (func $wait (param $p i32)
      (i32.store (i32.const 128) (local.get $p))
      (call $poll (i32.const 128) (i32.const 1) (i32.const 48))
      (call $drop-pollable (local.get $p)))

    ;; A new IPv4 UDP socket bound to 127.0.0.1 on an ephemeral port.
    (func $bound-socket (param $net i32) (result i32)
      (local $sock i32)
      ;; create-udp-socket(ipv4) -> result<own<udp-socket>, error-code>: payload 4 bytes on
      (call $create-udp-socket (i32.const 0 (; ipv4 ;)) (global.get $R))
      (call $check (i32.const 4))
      (local.set $sock (i32.load offset=4 (global.get $R)))
      ;; start-bind(sock, net, ipv4 {0, (127, 0, 0, 1)}): the flat ip-socket-address is the
      ;; case, the port, the four bytes and 6 unused slots; the error code 1 byte on
      (call $start-bind (local.get $sock) (local.get $net)
        (i32.const 0) (i32.const 0) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1)
        (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
        (global.get $R))
      (call $check (i32.const 1))
      ;; finish-bind; would-block (not from Hull, but the WIT allows it) waits on the socket
      (block $bound (loop $again
        (call $finish-bind (local.get $sock) (global.get $R))
        (br_if $bound (i32.eqz (i32.load8_u (global.get $R))))
        (if (i32.ne (i32.load8_u offset=1 (global.get $R)) (i32.const 8 (; would-block ;)))
          (then (call $check (i32.const 1))))
        (call $wait (call $subscribe-socket (local.get $sock)))
        (br $again)))
      (local.get $sock))

    ;; Opens SOCK's datagram streams unconnected: %stream(none) -> result<tuple<own<incoming-
    ;; datagram-stream>, own<outgoing-datagram-stream>>, error-code>; the handles at R+4, R+8.
    (func $open-streams (param $sock i32)
      (call $stream (local.get $sock)
        (i32.const 0 (; none ;)) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
        (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
        (i32.const 0) (i32.const 0)
        (global.get $R))
      (call $check (i32.const 4)))

    ;; Sends LEN bytes at DATA to the ip-socket-address at TO on OUT, waiting for a permit.
    (func $send-to (param $out i32) (param $data i32) (param $len i32) (param $to i32)
      ;; check-send -> result<u64, error-code>: the permit (or the code) 8 bytes on
      (loop $permit
        (call $check-send (local.get $out) (global.get $R))
        (call $check (i32.const 8))
        (if (i64.eqz (i64.load offset=8 (global.get $R)))
          (then (call $wait (call $subscribe-outgoing (local.get $out))) (br $permit))))
      ;; one outgoing-datagram { data, remote-address: some(TO) }
      (i32.store (global.get $DGRAM) (local.get $data))
      (i32.store offset=4 (global.get $DGRAM) (local.get $len))
      (i32.store8 offset=8 (global.get $DGRAM) (i32.const 1 (; some ;)))
      (memory.copy (i32.add (global.get $DGRAM) (i32.const 12)) (local.get $to) (i32.const 32))
      ;; send(list of one) -> result<u64, error-code>: how many went, 8 bytes on
      (call $send (local.get $out) (global.get $DGRAM) (i32.const 1) (global.get $R))
      (call $check (i32.const 8))
      (if (i64.ne (i64.load offset=8 (global.get $R)) (i64.const 1))
        (then (call $puts (i32.const 384)) (call $exit (i32.const 1)) (unreachable))))

    ;; Receives one datagram on IN, waiting on its pollable while none is there; gives the
    ;; address of its incoming-datagram record (data ptr, len; remote-address at 8).
    (func $receive-one (param $in i32) (result i32)
      (loop $again
        ;; receive(1) -> result<list<incoming-datagram>, error-code>: (ptr, len) 4 bytes on;
        ;; an empty list when nothing is waiting
        (call $receive (local.get $in) (i64.const 1) (global.get $R))
        (call $check (i32.const 4))
        (if (i32.eqz (i32.load offset=8 (global.get $R)))
          (then (call $wait (call $subscribe-incoming (local.get $in))) (br $again))))
      (i32.load offset=4 (global.get $R)))

    ;; Prints "WHO received: DATA from IP" for the incoming-datagram at D.
    (func $report (param $who i32) (param $d i32)
      (call $puts (local.get $who))
      (call $print (i32.load (local.get $d)) (i32.load offset=4 (local.get $d)))
      (call $puts (i32.const 352))
      (call $print-ip (i32.add (local.get $d) (i32.const 8)))
      (call $puts (i32.const 304)))

    (func (export "run") (result i32)
      (local $net i32) (local $a i32) (local $b i32) (local $a-in i32) (local $a-out i32)
      (local $b-in i32) (local $b-out i32) (local $d i32) (local $n i32) (local $i i32)
      (local $c i32)
      (global.set $stdout (call $get-stdout))
      (local.set $net (call $instance-network))
      (local.set $a (call $bound-socket (local.get $net)))
      (local.set $b (call $bound-socket (local.get $net)))
      ;; local-address -> result<ip-socket-address, error-code>: the address 4 bytes on; keep
      ;; a's (127.0.0.1 and the port the host chose) as b's destination
      (call $local-address (local.get $a) (global.get $R))
      (call $check (i32.const 4))
      (memory.copy (global.get $A-ADDR) (i32.add (global.get $R) (i32.const 4)) (i32.const 32))

      (call $open-streams (local.get $a))
      (local.set $a-in (i32.load offset=4 (global.get $R)))
      (local.set $a-out (i32.load offset=8 (global.get $R)))
      (call $open-streams (local.get $b))
      (local.set $b-in (i32.load offset=4 (global.get $R)))
      (local.set $b-out (i32.load offset=8 (global.get $R)))

      ;; b -> a
      (call $send-to (local.get $b-out) (i32.const 256) (call $strlen (i32.const 256))
        (global.get $A-ADDR))
      (local.set $d (call $receive-one (local.get $a-in)))
      (call $report (i32.const 320) (local.get $d))

      ;; a -> b: the data uppercased, to the address it came from
      (local.set $n (i32.load offset=4 (local.get $d)))
      (if (i32.gt_u (local.get $n) (i32.const 64)) (then (local.set $n (i32.const 64))))
      (memory.copy (global.get $ECHO) (i32.load (local.get $d)) (local.get $n))
      (block $upper-done (loop $upper
        (br_if $upper-done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $c (i32.load8_u (i32.add (global.get $ECHO) (local.get $i))))
        (if (i32.lt_u (i32.sub (local.get $c) (i32.const 97)) (i32.const 26))
          (then (i32.store8 (i32.add (global.get $ECHO) (local.get $i))
                            (i32.sub (local.get $c) (i32.const 32)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $upper)))
      (call $send-to (local.get $a-out) (global.get $ECHO) (local.get $n)
        (i32.add (local.get $d) (i32.const 8)))
      (call $report (i32.const 336) (call $receive-one (local.get $b-in)))
      (i32.const 0)))

  (core instance $main (instantiate $Main (with "host" (instance
    (export "memory" (memory $memory))
    (export "poll" (func $poll))
    (export "drop-pollable" (func $drop-pollable))
    (export "write" (func $write))
    (export "get-stdout" (func $get-stdout))
    (export "exit" (func $exit))
    (export "instance-network" (func $instance-network))
    (export "create-udp-socket" (func $create-udp-socket))
    (export "start-bind" (func $start-bind))
    (export "finish-bind" (func $finish-bind))
    (export "stream" (func $stream))
    (export "local-address" (func $local-address))
    (export "subscribe-socket" (func $subscribe-socket))
    (export "receive" (func $receive))
    (export "subscribe-incoming" (func $subscribe-incoming))
    (export "check-send" (func $check-send))
    (export "send" (func $send))
    (export "subscribe-outgoing" (func $subscribe-outgoing))))))
  (func $run (result (result)) (canon lift (core func $main "run")))
  (instance $cli (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $cli)))
