;; Minimum 2048 pages (128 MiB): above a 64 MiB --max-memory limit, instantiation fails.
(module (memory 2048) (func (export "run")))
