"""Background work: job functions, worker, scheduler, write-back, retry policy, dead-letter
queue and checkpoints. Arrives with the write-back issue; until then the package holds nothing."""
