//! Writes a seeded Zipf stream of little-endian `u32` keys to standard output, for the
//! bounded-memory benchmark of the streaming replay (sim/README.md, "Memory"):
//!
//! ```sh
//! cargo run --release -p evict-sim --example zipf_u32le -- 200000000 \
//!   | /usr/bin/time -v target/release/evict-sim - --format u32le -p lru,s3fifo -s 100000
//! ```
//!
//! Arguments: requests, then optionally keys (default 1,000,000), α (0.9) and seed (42).
//! With `ORACLE=1` in the environment it writes libCacheSim `oracleGeneral` records
//! instead (next-access times from a backward pass, so the keys are held while writing):
//! the input of the streaming-Bélády memory figure.

use std::io::Write;

use evict_sim::workload::{SplitMix64, Zipf};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: &str| args.get(i).cloned().unwrap_or_else(|| default.into());
    let requests: u64 = arg(0, "20000000").parse().expect("requests: a number");
    let keys: usize = arg(1, "1000000").parse().expect("keys: a number");
    let alpha: f64 = arg(2, "0.9").parse().expect("alpha: a number");
    let seed: u64 = arg(3, "42").parse().expect("seed: a number");
    let zipf = Zipf::new(keys, alpha);
    let mut rng = SplitMix64::new(seed);
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    if std::env::var_os("ORACLE").is_some() {
        let keys: Vec<u64> = (0..requests).map(|_| zipf.sample(&mut rng)).collect();
        let mut seen = std::collections::HashMap::new();
        let mut next = vec![-1i64; keys.len()];
        for (t, &k) in keys.iter().enumerate().rev() {
            if let Some(n) = seen.insert(k, t as i64) {
                next[t] = n;
            }
        }
        for (t, &k) in keys.iter().enumerate() {
            let mut r = Vec::with_capacity(24);
            r.extend((t as u32).to_le_bytes());
            r.extend(k.to_le_bytes());
            r.extend(1u32.to_le_bytes());
            r.extend(next[t].to_le_bytes());
            match out.write_all(&r) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
                r => r?,
            }
        }
        return out.flush();
    }
    let mut buf = Vec::with_capacity(4 << 16);
    let mut left = requests;
    while left > 0 {
        let n = left.min(1 << 16);
        buf.clear();
        for _ in 0..n {
            buf.extend_from_slice(&(zipf.sample(&mut rng) as u32).to_le_bytes());
        }
        match out.write_all(&buf) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
            r => r?,
        }
        left -= n;
    }
    out.flush()
}
