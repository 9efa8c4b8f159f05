"""Shared core of the simulators: ground truth, clock, stats, limiter, faults."""
