;; An import no host provides.
(module (import "nowhere" "nothing" (func)) (func (export "run")))
