;; call_indirect with a signature mismatch, a null entry and an index past the table.
(module
  (type $v (func))
  (type $i (func (result i32)))
  (table 4 funcref)
  (elem (i32.const 0) $f)
  (func $f (result i32) (i32.const 1))
  (func (export "mismatch") (call_indirect (type $v) (i32.const 0)))
  (func (export "null") (result i32) (call_indirect (type $i) (i32.const 1)))
  (func (export "out-of-range") (result i32) (call_indirect (type $i) (i32.const 4)))
  (func (export "huge-index") (result i32) (call_indirect (type $i) (i32.const -1)))
  (func (export "ok") (result i32) (call_indirect (type $i) (i32.const 0))))
