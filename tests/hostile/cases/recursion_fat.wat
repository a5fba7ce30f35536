;; Unbounded recursion with fat frames (many locals of every type): must trap cleanly.
(module
  (func $r (export "run") (param i64 i64 i64 i64) (result i64)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (local v128 v128 v128 v128 v128 v128 v128 v128 v128 v128 v128 v128 v128 v128 v128 v128)
    (local f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64)
    (i64.add (call $r (local.get 0) (local.get 1) (local.get 2) (local.get 3)) (i64.const 1))))
