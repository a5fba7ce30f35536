;; A component script. `hull wast` runs it on the component runner; `hull wast --core` runs
;; it on the core runner, where every component command fails (never 0 passed, 0 failed).
(component $C
  (core module $m (func (export "one") (result i32) (i32.const 1)))
  (core instance $i (instantiate $m))
  (func (export "one") (result u32) (canon lift (core func $i "one")))
)
(assert_return (invoke "one") (u32.const 1))

;; run:
;; expect: component.wast: 1 passed, 0 failed, 0 skipped
;; run: --core
;; status: 1
;; expect: component.wast:3: a component-model command: the core runner runs core modules only
;; expect: component.wast:8: a component-model command: the core runner runs core modules only
;; expect: component.wast: 0 passed, 2 failed, 0 skipped
