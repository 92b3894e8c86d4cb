//! Reference model of the arc policy (being written).
