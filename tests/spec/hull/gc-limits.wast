;; A GC array past 2 GiB is refused with a trap, whatever the store limit: array.new fills its
;; elements in one instruction that neither fuel nor a deadline can interrupt.
(module
  (type $a (array (mut i64)))
  (func (export "big") (result i32) (array.len (array.new $a (i64.const 1) (i32.const -1))))
  (func (export "ok") (result i32) (array.len (array.new_default $a (i32.const 1000000)))))
(assert_trap (invoke "big") "out of memory")
(assert_return (invoke "ok") (i32.const 1000000))
