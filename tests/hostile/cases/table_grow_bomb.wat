;; table.grow bomb: one grow by 2^32-1 must fail with -1; then grow by 1M in a loop 16 times.
(module
  (table 0 funcref)
  (func (export "huge") (result i32) (table.grow (ref.null func) (i32.const 0xFFFFFFFF)))
  (func (export "run") (result i32) (local i32)
    (block $d (loop $l
      (br_if $d (i32.eq (table.grow (ref.null func) (i32.const 0x100000)) (i32.const -1)))
      (local.set 0 (i32.add (local.get 0) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get 0) (i32.const 16)))))
    (table.size)))
