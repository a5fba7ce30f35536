;; A memory import from an unknown module.
(module (import "env" "memory" (memory 1)))
