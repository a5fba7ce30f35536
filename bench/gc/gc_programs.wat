;; Wasm GC workloads for bench/gc/throughput.sh: the interpreter against the native tier.
;;   binary_trees DEPTH: the benchmarks game's program -- allocate and walk complete binary trees
;;     (short-lived trees of depth 4..DEPTH, one long-lived tree of DEPTH): allocation,
;;     struct.get and the collector; returns the sum of the checks.
;;   array_sort N: fills an (array (mut i32)) of N pseudo-random numbers, heapsorts it, and
;;     returns a checksum: array.get/array.set with bounds checks in hot loops.
;;   particles N: N steps of 64 particles, structs of f64 fields updated in place (struct.get,
;;     struct.set) and found through an array of references; returns the energy's bits.
(module
  (type $tree (struct (field $l (ref null $tree)) (field $r (ref null $tree))))
  (type $ints (array (mut i32)))
  (type $p (struct (field $x (mut f64)) (field $y (mut f64)) (field $vx (mut f64)) (field $vy (mut f64))))
  (type $ps (array (mut (ref null $p))))

  (func $make (param $d i32) (result (ref $tree))
    (if (result (ref $tree)) (i32.eqz (local.get $d))
      (then (struct.new $tree (ref.null $tree) (ref.null $tree)))
      (else
        (struct.new $tree
          (call $make (i32.sub (local.get $d) (i32.const 1)))
          (call $make (i32.sub (local.get $d) (i32.const 1)))))))

  (func $check (param $t (ref $tree)) (result i32)
    (local $l (ref null $tree))
    (local.set $l (struct.get $tree $l (local.get $t)))
    (if (result i32) (ref.is_null (local.get $l))
      (then (i32.const 1))
      (else
        (i32.add (i32.const 1)
          (i32.add (call $check (ref.as_non_null (local.get $l)))
                   (call $check (ref.as_non_null (struct.get $tree $r (local.get $t)))))))))

  (func (export "binary_trees") (param $max i32) (result i32)
    (local $sum i32) (local $long (ref null $tree)) (local $d i32) (local $n i32) (local $i i32)
    (local.set $sum (call $check (call $make (i32.add (local.get $max) (i32.const 1)))))
    (local.set $long (call $make (local.get $max)))
    (local.set $d (i32.const 4))
    (block $done
      (loop $depths
        (br_if $done (i32.gt_s (local.get $d) (local.get $max)))
        ;; 2^(max - d + 4) trees of depth d
        (local.set $n (i32.shl (i32.const 1)
          (i32.add (i32.sub (local.get $max) (local.get $d)) (i32.const 4))))
        (local.set $i (i32.const 0))
        (loop $trees
          (local.set $sum (i32.add (local.get $sum) (call $check (call $make (local.get $d)))))
          (br_if $trees (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                                  (local.get $n))))
        (local.set $d (i32.add (local.get $d) (i32.const 2)))
        (br $depths)))
    (i32.add (local.get $sum) (call $check (ref.as_non_null (local.get $long)))))

  ;; Sift element $i down the max-heap a[0..$n).
  (func $sift (param $a (ref $ints)) (param $i i32) (param $n i32)
    (local $c i32) (local $t i32)
    (block $done
      (loop $down
        (local.set $c (i32.add (i32.shl (local.get $i) (i32.const 1)) (i32.const 1)))
        (br_if $done (i32.ge_s (local.get $c) (local.get $n)))
        (if (i32.lt_s (i32.add (local.get $c) (i32.const 1)) (local.get $n))
          (then
            (if (i32.lt_s (array.get $ints (local.get $a) (local.get $c))
                          (array.get $ints (local.get $a) (i32.add (local.get $c) (i32.const 1))))
              (then (local.set $c (i32.add (local.get $c) (i32.const 1)))))))
        (br_if $done (i32.ge_s (array.get $ints (local.get $a) (local.get $i))
                               (array.get $ints (local.get $a) (local.get $c))))
        (local.set $t (array.get $ints (local.get $a) (local.get $i)))
        (array.set $ints (local.get $a) (local.get $i) (array.get $ints (local.get $a) (local.get $c)))
        (array.set $ints (local.get $a) (local.get $c) (local.get $t))
        (local.set $i (local.get $c))
        (br $down))))

  (func (export "array_sort") (param $n i32) (result i32)
    (local $a (ref $ints)) (local $i i32) (local $x i32) (local $t i32) (local $sum i32)
    (local.set $a (array.new_default $ints (local.get $n)))
    (local.set $x (i32.const 12345))
    (loop $fill
      (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 1103515245)) (i32.const 12345)))
      (array.set $ints (local.get $a) (local.get $i) (i32.shr_u (local.get $x) (i32.const 1)))
      (br_if $fill (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.set $i (i32.div_s (local.get $n) (i32.const 2)))
    (loop $heapify
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (call $sift (local.get $a) (local.get $i) (local.get $n))
      (br_if $heapify (i32.gt_s (local.get $i) (i32.const 0))))
    (local.set $i (local.get $n))
    (loop $extract
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (local.set $t (array.get $ints (local.get $a) (i32.const 0)))
      (array.set $ints (local.get $a) (i32.const 0) (array.get $ints (local.get $a) (local.get $i)))
      (array.set $ints (local.get $a) (local.get $i) (local.get $t))
      (call $sift (local.get $a) (i32.const 0) (local.get $i))
      (br_if $extract (i32.gt_s (local.get $i) (i32.const 1))))
    ;; sorted ascending: a checksum that also depends on the order
    (local.set $i (i32.const 0))
    (loop $sum
      (local.set $sum (i32.add (i32.mul (local.get $sum) (i32.const 31))
                               (array.get $ints (local.get $a) (local.get $i))))
      (br_if $sum (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $sum))

  (func (export "particles") (param $steps i32) (result i64)
    (local $ps (ref $ps)) (local $i i32) (local $j i32) (local $p (ref $p)) (local $q (ref $p))
    (local $dx f64) (local $dy f64) (local $d2 f64) (local $f f64) (local $e f64)
    (local.set $ps (array.new_default $ps (i32.const 64)))
    (loop $init
      (array.set $ps (local.get $ps) (local.get $i)
        (struct.new $p (f64.convert_i32_s (local.get $i))
                       (f64.convert_i32_s (i32.rem_s (i32.mul (local.get $i) (i32.const 7)) (i32.const 13)))
                       (f64.const 0) (f64.const 0)))
      (br_if $init (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 64))))
    (loop $step
      (local.set $i (i32.const 0))
      (loop $outer
        (local.set $p (ref.as_non_null (array.get $ps (local.get $ps) (local.get $i))))
        (local.set $j (i32.const 0))
        (loop $inner
          (if (i32.ne (local.get $i) (local.get $j))
            (then
              (local.set $q (ref.as_non_null (array.get $ps (local.get $ps) (local.get $j))))
              (local.set $dx (f64.sub (struct.get $p $x (local.get $q)) (struct.get $p $x (local.get $p))))
              (local.set $dy (f64.sub (struct.get $p $y (local.get $q)) (struct.get $p $y (local.get $p))))
              (local.set $d2 (f64.add (f64.add (f64.mul (local.get $dx) (local.get $dx))
                                               (f64.mul (local.get $dy) (local.get $dy)))
                                      (f64.const 0.01)))
              (local.set $f (f64.div (f64.const 0.0001) (f64.mul (local.get $d2) (f64.sqrt (local.get $d2)))))
              (struct.set $p $vx (local.get $p)
                (f64.add (struct.get $p $vx (local.get $p)) (f64.mul (local.get $dx) (local.get $f))))
              (struct.set $p $vy (local.get $p)
                (f64.add (struct.get $p $vy (local.get $p)) (f64.mul (local.get $dy) (local.get $f))))))
          (br_if $inner (i32.lt_s (local.tee $j (i32.add (local.get $j) (i32.const 1))) (i32.const 64))))
        (br_if $outer (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 64))))
      (local.set $i (i32.const 0))
      (loop $move
        (local.set $p (ref.as_non_null (array.get $ps (local.get $ps) (local.get $i))))
        (struct.set $p $x (local.get $p) (f64.add (struct.get $p $x (local.get $p)) (struct.get $p $vx (local.get $p))))
        (struct.set $p $y (local.get $p) (f64.add (struct.get $p $y (local.get $p)) (struct.get $p $vy (local.get $p))))
        (br_if $move (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 64))))
      (br_if $step (local.tee $steps (i32.sub (local.get $steps) (i32.const 1)))))
    (local.set $i (i32.const 0))
    (loop $energy
      (local.set $p (ref.as_non_null (array.get $ps (local.get $ps) (local.get $i))))
      (local.set $e (f64.add (local.get $e)
        (f64.add (f64.mul (struct.get $p $vx (local.get $p)) (struct.get $p $vx (local.get $p)))
                 (f64.mul (struct.get $p $vy (local.get $p)) (struct.get $p $vy (local.get $p))))))
      (br_if $energy (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 64))))
    (i64.reinterpret_f64 (local.get $e)))
)
