;; Unbounded recursion inside the start function.
(module (func $r (call $r)) (start $r))
