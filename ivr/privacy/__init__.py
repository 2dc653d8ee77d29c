"""Privacy (RGPD, CNIL guidance): masking before storage, retention purge, per-number
export and erasure. `masking` is pure text processing; `purge` and `subject` use storage."""
