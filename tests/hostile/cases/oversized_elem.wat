;; An active element segment past the end of its table: instantiation fails.
(module (table 2 funcref) (func $f) (elem (i32.const 1) $f $f $f))
