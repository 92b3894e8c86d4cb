//! Reference model of the clock policy (being written).
