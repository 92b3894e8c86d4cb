//! Reference model of the sieve policy (being written).
