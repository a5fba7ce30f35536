;; Recursion to a depth given as the argument: fine at 1000 with the default stack, traps under
;; a small --max-wasm-stack.
(module
  (func $depth (export "run") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $depth (i32.sub (local.get 0) (i32.const 1))))))))
