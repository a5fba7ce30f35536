;; The shape of a WASI 0.2 command: it exports wasi:cli/run, which `hull run` recognises and
;; refuses until Hull implements WASI 0.2.
(component
  (core module $M (func (export "run") (result i32) (i32.const 0)))
  (core instance $m (instantiate $M))
  (func $run (result (result)) (canon lift (core func $m "run")))
  (instance $cli (export "run" (func $run)))
  (export "wasi:cli/run@0.2.3" (instance $cli)))
