;; Hostile: 2 Mi list elements of tuple<u8 x 16>: about 36 Mi host values (~4 GB) if
;; lifted. Each element is charged a Val per inline node against the per-call lift limit
;; (256 MiB) before the list is built: a trap.
(component
  (core module $M
    (memory (export "mem") 513)
    (func (export "f") (result i32)
      (i32.store (i32.const 0) (i32.const 65536))
      (i32.store (i32.const 4) (i32.const 2097152))
      (i32.const 0)))
  (core instance $m (instantiate $M))
  (type $t (tuple u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8))
  (func (export "f") (result (list $t))
    (canon lift (core func $m "f") (memory (core memory $m "mem")))))
