;; Legacy exception handling: the exception a catch block keeps for `rethrow` must survive
;; calls made inside the block. (Hull kept it in a slot above the frame's operand stack, which
;; a callee's frame overlapped: calling a function with a few locals before `rethrow`
;; corrupted it. clang's C++ cleanups do exactly that: catch_all, call a destructor, rethrow.)
;; Also: catch blocks' results, payloads and branches around the slot that keeps the exception.
(module
  (tag $e (param i32))
  (tag $e2 (param i64 f64))
  (global $g (mut i32) (i32.const 0))
  (func $thrower (param i32) (throw $e (local.get 0)))
  ;; A callee whose frame (params, locals, operands) reaches past its caller's operand stack.
  (func $cleanup (param i32) (result i32)
    (local i64 i64 i64 i64 v128 v128)
    (local.set 1 (i64.const -1))
    (local.set 2 (i64.const -1))
    (local.set 3 (i64.const -1))
    (local.set 4 (i64.const -1))
    (local.set 5 (v128.const i64x2 -1 -1))
    (local.set 6 (v128.const i64x2 -1 -1))
    (global.set $g (i32.add (global.get $g) (local.get 0)))
    (local.get 0))

  ;; clang's cleanup pad: catch_all, run a destructor, rethrow to the caller.
  (func $cleanup_pad (param i32)
    (try
      (do (call $thrower (local.get 0)))
      (catch_all
        (drop (call $cleanup (i32.const 15)))
        (rethrow 0))))
  (func (export "cleanup-pad") (param i32) (result i32)
    (global.set $g (i32.const 0))
    (try (result i32)
      (do (call $cleanup_pad (local.get 0)) (i32.const -1))
      (catch $e (i32.add (global.get $g)))))

  ;; clang's nested form: the rethrow sits in an inner try whose own catch takes it.
  (func (export "nested") (param i32) (result i32)
    (global.set $g (i32.const 0))
    (try (result i32)
      (do (call $thrower (local.get 0)) (i32.const -1))
      (catch_all
        (drop (call $cleanup (i32.const 1)))
        (try (result i32)
          (do (drop (call $cleanup (i32.const 2))) (rethrow 1))
          (catch $e
            (drop (call $cleanup (i32.const 4)))
            (i32.add (global.get $g)))))))

  ;; rethrow of an outer catch block's exception from an inner catch block, after calls in both.
  (func $outer_rethrow (param i32)
    (try
      (do (call $thrower (local.get 0)))
      (catch $e
        (drop)
        (drop (call $cleanup (i32.const 10)))
        (try
          (do (throw $e2 (i64.const 1) (f64.const 2)))
          (catch $e2
            (drop)
            (drop)
            (drop (call $cleanup (i32.const 20)))
            (rethrow 1))))))
  (func (export "outer-rethrow") (param i32) (result i32)
    (global.set $g (i32.const 0))
    (try (result i32)
      (do (call $outer_rethrow (local.get 0)) (i32.const -1))
      (catch $e (i32.add (global.get $g)))))

  ;; Catch blocks with results, with and without a rethrow: values reach the try's slots.
  (func (export "results") (param i32) (result i64 i32)
    (try (result i64 i32)
      (do
        (if (local.get 0) (then (throw $e2 (i64.const 7) (f64.const 8.5))))
        (i64.const 1) (i32.const 2))
      (catch $e2
        (local.set 0 (i32.trunc_f64_s))
        (if (i32.eq (local.get 0) (i32.const 99)) (then (rethrow 1)))
        (i64.add (i64.const 100))
        (i32.add (call $cleanup (i32.const 3)) (local.get 0)))
      (catch_all (i64.const -1) (i32.const -1))))
  (func (export "v128-result") (param i32) (result i32)
    (try (result v128)
      (do (call $thrower (local.get 0)) (v128.const i32x4 0 0 0 0))
      (catch $e
        (local.set 0)
        (drop (call $cleanup (i32.const 1)))
        (if (i32.eqz (local.get 0)) (then (rethrow 1)))
        (i32x4.splat (local.get 0)))
      (catch_all (v128.const i32x4 -1 -1 -1 -1)))
    (i32x4.extract_lane 3))
  ;; A branch out of a catch block with values, past the slot that keeps the exception.
  (func (export "branch-out") (param i32) (result i32 i32)
    (block $out (result i32 i32)
      (try (result i32 i32)
        (do (call $thrower (local.get 0)) (i32.const 0) (i32.const 0))
        (catch $e
          (local.set 0)
          (if (i32.eqz (local.get 0)) (then (rethrow 1)))
          (br $out (call $cleanup (local.get 0)) (i32.const 5))))))
  ;; Many rounds: each cleanup pad's exception stays intact and is released.
  (func (export "many") (param i32) (result i32)
    (local $sum i32)
    (loop $l
      (local.set $sum
        (i32.add (local.get $sum) (call $cleanup_many (local.get 0))))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get $sum))
  (func $cleanup_many (param i32) (result i32)
    (try (result i32)
      (do (call $cleanup_pad (local.get 0)) (i32.const -1))
      (catch $e)))
)
(assert_return (invoke "cleanup-pad" (i32.const 100)) (i32.const 115))
(assert_return (invoke "nested" (i32.const 100)) (i32.const 107))
(assert_return (invoke "outer-rethrow" (i32.const 100)) (i32.const 130))
(assert_return (invoke "results" (i32.const 0)) (i64.const 1) (i32.const 2))
(assert_return (invoke "results" (i32.const 1)) (i64.const 107) (i32.const 11))
(assert_return (invoke "v128-result" (i32.const 9)) (i32.const 9))
(assert_exception (invoke "v128-result" (i32.const 0)))
(assert_return (invoke "branch-out" (i32.const 6)) (i32.const 6) (i32.const 5))
(assert_exception (invoke "branch-out" (i32.const 0)))
(assert_return (invoke "many" (i32.const 3000)) (i32.const 4501500))
