;; Mutual recursion through call_indirect, never returning: must trap "call stack exhausted".
(module
  (type $t (func (param i32) (result i32)))
  (table funcref (elem $a $b))
  (func $a (type $t) (i32.add (call_indirect (type $t) (local.get 0) (i32.const 1)) (i32.const 1)))
  (func $b (type $t) (i32.add (call_indirect (type $t) (local.get 0) (i32.const 0)) (i32.const 2)))
  (func (export "run") (result i32) (call $a (i32.const 0))))
