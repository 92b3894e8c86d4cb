//! Reference model of the wtinylfu policy (being written).
