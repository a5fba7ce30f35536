;; Hostile: a list<string> whose 4096 strings all alias one 1 MiB range of
;; guest memory: 4 GiB of host strings out of 1 MiB of guest memory if lifted. The string bytes
;; are charged against the per-call lift limit (256 MiB) before any string is built: a trap.
(component
  (core module $M
    (memory (export "mem") 17)
    (func (export "f") (result i32)
      (local $i i32)
      (loop $l
        (i32.store (i32.add (i32.const 16) (i32.shl (local.get $i) (i32.const 3))) (i32.const 65536))
        (i32.store (i32.add (i32.const 20) (i32.shl (local.get $i) (i32.const 3))) (i32.const 1048576))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (i32.const 4096))))
      (i32.store (i32.const 0) (i32.const 16))
      (i32.store (i32.const 4) (i32.const 4096))
      (i32.const 0)))
  (core instance $m (instantiate $M))
  (func (export "f") (result (list string))
    (canon lift (core func $m "f") (memory (core memory $m "mem")))))
