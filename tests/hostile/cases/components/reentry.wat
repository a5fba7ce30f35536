;; Leaving and entering component instances where the canonical ABI forbids it, and guests that
;; never return: a post-return function that calls an import (may_leave is cleared), a component
;; that calls back into itself through a lowered export (may_enter; PENDING in
;; manifest-components.txt: Hull lets it through), and infinite loops in a lifted function, in a
;; post-return function and in realloc (run under --fuel and --timeout).
(component
  (component $C
    (core module $CM (func (export "import")))
    (core instance $cm (instantiate $CM))
    (func (export "import") (canon lift (core func $cm "import"))))
  (instance $c (instantiate $C))

  (component $D
    (import "import" (func $import))
    (core func $imp (canon lower (func $import)))
    (core module $DM
      (import "" "import" (func $import))
      (memory (export "mem") 1)
      (func (export "f") (result i32) (i32.const 0))
      (func (export "post-call-import") (param i32) (call $import))
      (func (export "post-spin") (param i32) (loop $l (br $l)))
      (func (export "spin") (loop $l (br $l)))
      (func (export "realloc-spin") (param i32 i32 i32 i32) (result i32) (loop $l (br $l)) (i32.const 0))
      (func (export "take") (param i32 i32)))
    (core instance $dm (instantiate $DM (with "" (instance (export "import" (func $imp))))))
    (alias core export $dm "mem" (core memory $mem))
    (func (export "post-return-calls-import") (result u32)
      (canon lift (core func $dm "f") (post-return (core func $dm "post-call-import"))))
    (func (export "post-return-spins") (result u32)
      (canon lift (core func $dm "f") (post-return (core func $dm "post-spin"))))
    (func (export "spin") (canon lift (core func $dm "spin")))
    (func (export "realloc-spins") (param "s" string)
      (canon lift (core func $dm "take") (memory $mem) (realloc (core func $dm "realloc-spin")))))
  (instance $d (instantiate $D (with "import" (func $c "import"))))
  (export "post-return-calls-import" (func $d "post-return-calls-import"))
  (export "post-return-spins" (func $d "post-return-spins"))
  (export "spin" (func $d "spin"))
  (export "realloc-spins" (func $d "realloc-spins"))

  ;; A component that lowers its own lifted export and calls it: re-entering the instance.
  (component $E
    (core module $Inner (func (export "g")))
    (core instance $inner (instantiate $Inner))
    (func $g (canon lift (core func $inner "g")))
    (core func $g-lowered (canon lower (func $g)))
    (core module $EM
      (import "" "g" (func $g))
      (func (export "reenter") (call $g)))
    (core instance $em (instantiate $EM (with "" (instance (export "g" (func $g-lowered))))))
    (func (export "reenter") (canon lift (core func $em "reenter"))))
  (instance $e (instantiate $E))
  (export "reenter" (func $e "reenter"))
)
