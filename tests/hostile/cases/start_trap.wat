;; A start function that traps: instantiation reports the trap.
(module (func $s unreachable) (start $s))
