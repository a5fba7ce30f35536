;; References that only the interpreter's frames hold survive collections: in reference
;; locals and parameters, on the operand stack while a call allocates, in callers suspended in
;; call, call_indirect and call_ref, in globals and in exception payloads. Run also with
;; HULL_GC_STRESS=1 (every allocation collects first; spec.gc-stress.* ctests), where a root
;; the stack maps miss frees a live object at once.
(module
  (type $node (struct (field $v i32) (field $next (ref null $node))))
  (type $pair (struct (field $a (ref null $node)) (field $b (ref null $node))))
  (type $junk (array i64))
  (type $mk (func (param i32) (result (ref null $node))))
  (table $t 2 funcref)
  (elem (table $t) (i32.const 0) func $list $list_ref)
  (global $g (mut (ref null $node)) (ref.null $node))
  (tag $e (param (ref null $node)))

  ;; n small arrays that die at once.
  (func $churn (param $n i32)
    (loop $l
      (drop (array.new_default $junk (i32.const 8)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))

  ;; The list n, n-1, ..., 1: each node's tail comes from a call that allocates again.
  (func $list (export "list") (param $n i32) (result (ref null $node))
    (if (result (ref null $node)) (i32.eqz (local.get $n))
      (then (ref.null $node))
      (else
        (call $churn (i32.const 3))
        (struct.new $node (local.get $n) (call $list (i32.sub (local.get $n) (i32.const 1)))))))

  (func $sum (export "sum") (param $l (ref null $node)) (result i32)
    (local $s i32)
    (block $done
      (loop $next
        (br_if $done (ref.is_null (local.get $l)))
        (local.set $s (i32.add (local.get $s) (struct.get $node $v (local.get $l))))
        (local.set $l (struct.get $node $next (local.get $l)))
        (br $next)))
    (local.get $s))

  ;; The first list waits on the operand stack while the second one is built.
  (func (export "pair_sum") (param $n i32) (result i32)
    (local $p (ref $pair))
    (local.set $p (struct.new $pair (call $list (local.get $n)) (call $list (local.get $n))))
    (call $churn (i32.const 10))
    (i32.add (call $sum (struct.get $pair $a (local.get $p)))
             (call $sum (struct.get $pair $b (local.get $p)))))

  (func $list_ref (param $n i32) (result (ref null $node))
    (call_ref $mk (local.get $n) (ref.func $list)))

  ;; The same through call_indirect and call_ref.
  (func (export "indirect_sum") (param $n i32) (result i32)
    (local $p (ref $pair))
    (local.set $p
      (struct.new $pair (call_indirect $t (type $mk) (local.get $n) (i32.const 1))
                        (call_indirect $t (type $mk) (local.get $n) (i32.const 0))))
    (i32.sub (call $sum (struct.get $pair $a (local.get $p)))
             (call $sum (struct.get $pair $b (local.get $p)))))

  (func (export "global_sum") (param $n i32) (result i32)
    (global.set $g (call $list (local.get $n)))
    (call $churn (i32.const 100))
    (call $sum (global.get $g)))

  (func $thrower (param $n i32) (throw $e (call $list (local.get $n))))

  ;; A list thrown in an exception, caught, held in a local while more is allocated.
  (func (export "catch_sum") (param $n i32) (result i32)
    (local $l (ref null $node))
    (local.set $l
      (block $h (result (ref null $node))
        (try_table (catch $e $h) (call $thrower (local.get $n)))
        (unreachable)))
    (call $churn (i32.const 10))
    (call $sum (local.get $l)))

  ;; An array of lists, filled while it sits in a parameter of the caller.
  (type $lists (array (mut (ref null $node))))
  (func $fill (param $a (ref $lists)) (param $i i32)
    (if (i32.lt_u (local.get $i) (array.len (local.get $a)))
      (then
        (array.set $lists (local.get $a) (local.get $i) (call $list (local.get $i)))
        (call $fill (local.get $a) (i32.add (local.get $i) (i32.const 1))))))
  (func (export "lists_sum") (param $n i32) (result i32)
    (local $a (ref $lists)) (local $i i32) (local $s i32)
    (local.set $a (array.new_default $lists (local.get $n)))
    (call $fill (local.get $a) (i32.const 0))
    (call $churn (i32.const 10))
    (loop $l
      (local.set $s (i32.add (local.get $s)
        (call $sum (array.get $lists (local.get $a) (local.get $i)))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $s))
)
(assert_return (invoke "pair_sum" (i32.const 50)) (i32.const 2550))
(assert_return (invoke "indirect_sum" (i32.const 30)) (i32.const 0))
(assert_return (invoke "global_sum" (i32.const 40)) (i32.const 820))
(assert_return (invoke "catch_sum" (i32.const 20)) (i32.const 210))
;; sum over i < 12 of i(i+1)/2 = 286
(assert_return (invoke "lists_sum" (i32.const 12)) (i32.const 286))
