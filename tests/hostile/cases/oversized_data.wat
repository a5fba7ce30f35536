;; An active data segment running past the end of memory: instantiation fails.
(module (memory 1) (data (i32.const 65530) "0123456789"))
