//! Reference model of the s3fifo policy (being written).
