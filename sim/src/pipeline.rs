//! One decode, many consumers: a trace read as a stream ([`TraceStream`]) is decoded once,
//! on the calling thread, and every batch of keys goes to every consumer (the replay of one
//! (policy × size) cache, the distinct-key count, the stack-distance histogram of
//! [`mrc`](crate::mrc)). The consumers are spread over worker threads, each fed through a
//! bounded channel, so memory is the consumers' own plus at most [`IN_FLIGHT`] batches per
//! worker, whatever the length of the trace.
//!
//! Why one decoder and channels, rather than each worker decoding on its own: decoding
//! (decompression, parsing) costs as much as several cache replays (issue 20 measured a
//! 4-5 s command whose LRU replay took 1.1 s), so decoding once and sharing the batches
//! (`Arc`, never copied) leaves the cores to the caches. A worker that falls behind blocks
//! the decoder when its channel is full, which bounds memory.

use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use evict_core::Cache;

use crate::bound::{Bound, Pfool};
use crate::mrc::StackDistances;
use crate::opt::{StreamingBelady, Variant};
use crate::parser::stream::{KeyMode, SizeMode, TraceStream};
use crate::parser::{ErrorKind, Format, ReadOptions, STDIN, TraceError, default_max_requests};
use crate::registry;
use crate::replay::{BELADY_SIZE, ByteCounts, OPT, OPT_FILL, Outcome, PFOO_L, RunOptions};
use crate::shards::{Sampling, Shards};
use crate::size::SizeSpec;

/// Batches queued per worker before the decoder waits for it.
pub const IN_FLIGHT: usize = 4;

/// Batches a worker of several jobs holds to feed each job in turn ([`fan_out`]): 16 of
/// 65,536 keys, 8 MiB of keys (and as much again for sizes and next-access times where
/// they are read).
pub const RUN: usize = 16;

/// A batch of consecutive requests: `keys[0]` is request number `start` (from 0).
#[derive(Debug)]
pub struct Batch {
    /// The index of the first request of the batch in the trace.
    pub start: u64,
    /// The keys.
    pub keys: Vec<u64>,
    /// Each key's next-access time, where the stream carries them and they are tracked
    /// ([`TraceStream::track_next_access`]); else empty.
    pub next: Vec<u64>,
    /// Each key's object size in bytes, where the stream reads them
    /// ([`TraceStream::read_sizes`]); else empty.
    pub sizes: Vec<u64>,
}

/// What a worker computes from the stream.
#[derive(Clone, Debug, PartialEq)]
pub enum Job {
    /// Replays one cache of the registry: `get` each key, `put` it on a miss.
    Cache {
        /// Registry name.
        policy: String,
        /// Entries.
        size: usize,
    },
    /// Counts the distinct keys.
    Distinct,
    /// Replays one cache of the registry bounded by bytes ([`registry::build_sized`]):
    /// `get` each key, `put` it with its object size on a miss.
    SizedCache {
        /// Registry name.
        policy: String,
        /// Bytes.
        bytes: u64,
    },
    /// Counts the distinct keys and their bytes (each key's size at its first request).
    DistinctBytes,
    /// PFOO-L's bounds at each capacity ([`Pfool`]).
    Pfool {
        /// Bytes.
        capacities: Vec<u64>,
    },
    /// LRU stack distances of every request ([`StackDistances`]).
    StackDistances,
    /// LRU's curve in bytes ([`ByteStackDistances`](crate::bytecurve::ByteStackDistances)).
    ByteStackDistances,
    /// As `ByteStackDistances`, on a `lines` trace read with [`SizeMode::Probe`]: stops
    /// at the first request without a size (size 0), whose trace counts entries, so that
    /// a trace without sizes does not pay for a curve it will not use.
    ProbedByteStackDistances,
    /// The SHARDS estimate of LRU's curve ([`Shards`]).
    Shards {
        /// Rate or size.
        sampling: Sampling,
        /// The salt of the sampling hash.
        salt: u64,
        /// Hot keys tracked exactly at most ([`Shards::hot_keys`]).
        hot_keys: usize,
    },
    /// Requests per key and the working set's growth ([`Counts`](crate::analyze::Counts)).
    Counts,
    /// A miniature simulation: one cache of the registry, `size × rate` entries, fed the
    /// requests of the keys sampled by hash at `rate`; its hit ratio scaled back to the
    /// trace's requests.
    Mini {
        /// Registry name.
        policy: String,
        /// Entries of the full-size cache it stands for.
        size: usize,
        /// The share of keys sampled.
        rate: f64,
        /// The salt of the sampling hash ([`sample_hash`](crate::shards::sample_hash)).
        salt: u64,
    },
    /// Bélády from the batches' next-access times ([`StreamingBelady`]).
    Belady {
        /// `opt` or `opt-fill`.
        variant: Variant,
        /// Entries.
        size: usize,
    },
}

/// What a [`Job`] found.
#[derive(Clone, Debug, PartialEq)]
pub enum JobResult {
    /// Hits counted after the warm-up, the capacity the cache held, and the time spent.
    Hits {
        /// Hits after the warm-up.
        hits: u64,
        /// The cache's capacity (the size, or the policy's maximum if smaller).
        held: usize,
        /// Seconds spent replaying.
        seconds: f64,
    },
    /// Distinct keys.
    Distinct(usize),
    /// A cache replayed in bytes: hits and bytes after the warm-up, and the time spent.
    Bytes {
        /// Hits after the warm-up.
        hits: u64,
        /// Bytes of those hits.
        bytes_hit: u64,
        /// Bytes of the requests after the warm-up.
        bytes_requested: u64,
        /// Seconds spent replaying.
        seconds: f64,
    },
    /// Distinct keys and distinct bytes.
    DistinctBytes(usize, u64),
    /// PFOO-L's bound at each capacity, and the bytes of the counted requests.
    Bounds(Vec<Bound>, u64),
    /// The stack-distance histogram.
    Histogram(crate::mrc::Histogram),
    /// LRU's curve in bytes.
    ByteCurve(crate::bytecurve::ByteCurve),
    /// A SHARDS curve.
    Curve(crate::shards::Curve),
    /// Requests per key (largest first) and the working set's growth.
    Counts(Vec<u64>, Vec<(u64, u64)>),
}

/// A consumer of batches, living on one worker thread.
trait Consumer {
    fn feed(&mut self, batch: &Batch);
    fn finish(self: Box<Self>) -> JobResult;
}

struct Replay {
    cache: Box<dyn Cache<u64, ()>>,
    warmup: u64,
    hits: u64,
    busy: Duration,
}

impl Consumer for Replay {
    fn feed(&mut self, batch: &Batch) {
        let t = Instant::now();
        let warm = (self.warmup.saturating_sub(batch.start) as usize).min(batch.keys.len());
        let (warm, counted) = batch.keys.split_at(warm);
        for &k in warm {
            if self.cache.get(&k).is_none() {
                let _ = self.cache.put(k, ());
            }
        }
        for &k in counted {
            if self.cache.get(&k).is_some() {
                self.hits += 1;
            } else {
                let _ = self.cache.put(k, ());
            }
        }
        self.busy += t.elapsed();
    }

    fn finish(self: Box<Self>) -> JobResult {
        JobResult::Hits {
            hits: self.hits,
            held: self.cache.capacity().unwrap_or(usize::MAX),
            seconds: self.busy.as_secs_f64(),
        }
    }
}

struct SizedReplay {
    cache: Box<dyn Cache<u64, u64>>,
    warmup: u64,
    hits: u64,
    bytes_hit: u64,
    bytes_requested: u64,
    busy: Duration,
}

impl Consumer for SizedReplay {
    fn feed(&mut self, batch: &Batch) {
        let t = Instant::now();
        let warm = (self.warmup.saturating_sub(batch.start) as usize).min(batch.keys.len());
        for (i, (&k, &size)) in batch.keys.iter().zip(&batch.sizes).enumerate() {
            // A hit leaves the cached object as it is, even if this request gives its key
            // another size (libCacheSim's `cache_get_base` does not re-weigh either); the
            // bytes counted are this request's. A miss inserts the object; one larger than
            // the cache is refused and evicts nothing (libCacheSim: not admitted).
            let hit = self.cache.get(&k).is_some();
            if !hit {
                let _ = self.cache.put(k, size);
            }
            if i >= warm {
                self.bytes_requested += size;
                if hit {
                    self.hits += 1;
                    self.bytes_hit += size;
                }
            }
        }
        self.busy += t.elapsed();
    }

    fn finish(self: Box<Self>) -> JobResult {
        JobResult::Bytes {
            hits: self.hits,
            bytes_hit: self.bytes_hit,
            bytes_requested: self.bytes_requested,
            seconds: self.busy.as_secs_f64(),
        }
    }
}

struct Bounds {
    pfool: Pfool,
    capacities: Vec<u64>,
    warmup: u64,
    bytes_requested: u64,
}

impl Consumer for Bounds {
    fn feed(&mut self, batch: &Batch) {
        let warm = (self.warmup.saturating_sub(batch.start) as usize).min(batch.keys.len());
        for (&k, &size) in batch.keys.iter().zip(&batch.sizes) {
            self.pfool.access(k, size);
        }
        self.bytes_requested += batch.sizes[warm..].iter().sum::<u64>();
    }

    fn finish(self: Box<Self>) -> JobResult {
        JobResult::Bounds(self.pfool.bounds(&self.capacities), self.bytes_requested)
    }
}

struct Belady {
    heap: StreamingBelady,
    warmup: u64,
    hits: u64,
    busy: Duration,
}

impl Consumer for Belady {
    fn feed(&mut self, batch: &Batch) {
        let t = Instant::now();
        for (i, (&k, &n)) in batch.keys.iter().zip(&batch.next).enumerate() {
            if self.heap.access(k, n) && batch.start + i as u64 >= self.warmup {
                self.hits += 1;
            }
        }
        self.busy += t.elapsed();
    }

    fn finish(self: Box<Self>) -> JobResult {
        JobResult::Hits {
            hits: self.hits,
            held: usize::MAX,
            seconds: self.busy.as_secs_f64(),
        }
    }
}

impl Consumer for Shards {
    fn feed(&mut self, batch: &Batch) {
        Shards::feed(self, batch.start, &batch.keys);
    }

    fn finish(self: Box<Self>) -> JobResult {
        JobResult::Curve(Shards::finish(*self))
    }
}

impl Consumer for crate::analyze::Counts {
    fn feed(&mut self, batch: &Batch) {
        crate::analyze::Counts::feed(self, &batch.keys);
    }

    fn finish(self: Box<Self>) -> JobResult {
        let (freq, growth) = crate::analyze::Counts::finish(*self);
        JobResult::Counts(freq, growth)
    }
}

struct Mini {
    cache: Box<dyn Cache<u64, ()>>,
    threshold: u64,
    salt: u64,
    warmup: u64,
    requests: u64,
    sampled: u64,
    hits: u64,
    size: usize,
    /// The sampling rate exactly (threshold / P).
    rate: f64,
    busy: Duration,
}

impl Consumer for Mini {
    fn feed(&mut self, batch: &Batch) {
        let t = Instant::now();
        for (i, &k) in batch.keys.iter().enumerate() {
            let counted = batch.start + i as u64 >= self.warmup;
            self.requests += u64::from(counted);
            if crate::shards::sample_hash(self.salt, k) >= self.threshold {
                continue;
            }
            if self.cache.get(&k).is_some() {
                if counted {
                    self.hits += 1;
                }
            } else {
                let _ = self.cache.put(k, ());
            }
            self.sampled += u64::from(counted);
        }
        self.busy += t.elapsed();
    }

    fn finish(self: Box<Self>) -> JobResult {
        // The SHARDS-adj correction, as for SHARDS: the sampled requests beyond (or short
        // of) their expected number, `rate` of the requests, come from hot keys that fell in
        // (or out of) the sample, and count as hits (or missing hits). On a Zipf 0.9 trace
        // of 20,000 keys at 10% it took LRU's error from 5.5 points to a fraction of one.
        let expected = self.requests as f64 * self.rate;
        let ratio = if expected <= 0.0 {
            0.0
        } else {
            ((self.hits as f64 + expected - self.sampled as f64) / expected).clamp(0.0, 1.0)
        };
        JobResult::Hits {
            hits: ((ratio * self.requests as f64).round() as u64).min(self.requests),
            held: self.size,
            seconds: self.busy.as_secs_f64(),
        }
    }
}

/// Distinct keys, exactly: a bitmap for keys below [`SMALL_KEYS`] (many traces number their
/// keys densely from 0: block numbers, renumbered ids), a hash set for the others. Why: on a
/// one-cache replay this count was a fifth of the command's CPU (a hash-set insert per
/// request); a bit test-and-set is a fraction of it.
struct Distinct {
    small: Vec<u64>,
    small_count: usize,
    large: hashbrown::HashSet<u64, foldhash::fast::FixedState>,
    /// Keys at or above [`SMALL_KEYS`] met lately, one per slot of a multiplicative hash
    /// (0: empty; key 0 is below [`SMALL_KEYS`]): a key found here is in `large` already.
    /// Why: on orm-busy (keys spread over 64 bits, 76k of them) the set's insert took 17%
    /// of an ARC command; most requests repeat a recent key, and this 128 KiB check
    /// stays in the core's cache where the set's 1 MiB table does not.
    recent: Vec<u64>,
    /// With sizes: the sum of each new key's size at its first request.
    bytes: Option<u64>,
}

/// Keys below this are counted in a bitmap (at most 2 MiB, grown as keys need).
const SMALL_KEYS: u64 = 1 << 24;

/// Slots of [`Distinct`]'s recent keys: 2^14 (128 KiB).
const RECENT_BITS: u32 = 14;

impl Consumer for Distinct {
    fn feed(&mut self, batch: &Batch) {
        for (i, &k) in batch.keys.iter().enumerate() {
            let new = if k < SMALL_KEYS {
                let w = (k / 64) as usize;
                if w >= self.small.len() {
                    self.small.resize((w + 1).next_power_of_two(), 0);
                }
                let bit = 1u64 << (k % 64);
                let new = self.small[w] & bit == 0;
                self.small_count += usize::from(new);
                self.small[w] |= bit;
                new
            } else {
                let slot = (k.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - RECENT_BITS)) as usize;
                if self.recent[slot] == k {
                    false
                } else {
                    self.recent[slot] = k;
                    self.large.insert(k)
                }
            };
            // The working-set size as libCacheSim counts it: a key's first size.
            if new && let Some(b) = &mut self.bytes {
                *b += batch.sizes.get(i).copied().unwrap_or(0);
            }
        }
    }

    fn finish(self: Box<Self>) -> JobResult {
        let keys = self.small_count + self.large.len();
        match self.bytes {
            Some(b) => JobResult::DistinctBytes(keys, b),
            None => JobResult::Distinct(keys),
        }
    }
}

impl Consumer for crate::bytecurve::ByteStackDistances {
    fn feed(&mut self, batch: &Batch) {
        for (&k, &size) in batch.keys.iter().zip(&batch.sizes) {
            self.access(k, size);
        }
    }

    fn finish(self: Box<Self>) -> JobResult {
        JobResult::ByteCurve(crate::bytecurve::ByteStackDistances::finish(*self))
    }
}

/// [`Job::ProbedByteStackDistances`]: the byte curve until a request comes without a size.
struct Probed {
    curve: crate::bytecurve::ByteStackDistances,
    missing: bool,
}

impl Consumer for Probed {
    fn feed(&mut self, batch: &Batch) {
        if self.missing {
            return;
        }
        // Sizes are 1 or more when read; 0 is a `lines` request without one (Probe mode).
        if batch.sizes.len() != batch.keys.len() || batch.sizes.contains(&0) {
            self.missing = true;
            return;
        }
        for (&k, &size) in batch.keys.iter().zip(&batch.sizes) {
            self.curve.access(k, size);
        }
    }

    fn finish(self: Box<Self>) -> JobResult {
        // A curve cut short is never used: the trace's missing size makes it count.
        JobResult::ByteCurve(self.curve.finish())
    }
}

impl Consumer for StackDistances {
    fn feed(&mut self, batch: &Batch) {
        StackDistances::feed(self, batch.start, &batch.keys);
    }

    fn finish(self: Box<Self>) -> JobResult {
        JobResult::Histogram(StackDistances::finish(*self))
    }
}

fn consumer(job: &Job, warmup: u64) -> Box<dyn Consumer> {
    match job {
        Job::Cache { policy, size } => Box::new(Replay {
            cache: registry::build(policy, *size).expect("policies are checked before a run"),
            warmup,
            hits: 0,
            busy: Duration::ZERO,
        }),
        Job::Distinct | Job::DistinctBytes => Box::new(Distinct {
            small: Vec::new(),
            small_count: 0,
            large: hashbrown::HashSet::with_hasher(registry::hasher()),
            recent: vec![0; 1 << RECENT_BITS],
            bytes: (*job == Job::DistinctBytes).then_some(0),
        }),
        Job::SizedCache { policy, bytes } => Box::new(SizedReplay {
            cache: registry::build_sized(policy, *bytes)
                .expect("policies are checked before a run"),
            warmup,
            hits: 0,
            bytes_hit: 0,
            bytes_requested: 0,
            busy: Duration::ZERO,
        }),
        Job::Pfool { capacities } => Box::new(Bounds {
            pfool: Pfool::new(warmup),
            capacities: capacities.clone(),
            warmup,
            bytes_requested: 0,
        }),
        Job::StackDistances => Box::new(StackDistances::new(warmup)),
        Job::ByteStackDistances => Box::new(crate::bytecurve::ByteStackDistances::new(warmup)),
        Job::ProbedByteStackDistances => Box::new(Probed {
            curve: crate::bytecurve::ByteStackDistances::new(warmup),
            missing: false,
        }),
        Job::Shards {
            sampling,
            salt,
            hot_keys,
        } => Box::new(Shards::with_salt(*sampling, warmup, *salt).hot_keys(*hot_keys)),
        Job::Counts => Box::new(crate::analyze::Counts::default()),
        Job::Mini {
            policy,
            size,
            rate,
            salt,
        } => {
            let scaled = ((*size as f64 * rate).round() as usize).max(1);
            Box::new(Mini {
                cache: registry::build(policy, scaled).expect("policies are checked before a run"),
                threshold: crate::shards::threshold(*rate),
                salt: *salt,
                warmup,
                requests: 0,
                sampled: 0,
                hits: 0,
                size: *size,
                rate: crate::shards::threshold(*rate) as f64 / crate::shards::P as f64,
                busy: Duration::ZERO,
            })
        }
        Job::Belady { variant, size } => Box::new(Belady {
            heap: StreamingBelady::new(*size, *variant),
            warmup,
            hits: 0,
            busy: Duration::ZERO,
        }),
    }
}

/// A rough relative cost per request, to balance the workers (from the README's Mreq/s).
fn weight(job: &Job) -> u32 {
    match job {
        Job::Cache { policy, .. } => match policy.as_str() {
            "arc" => 30,
            "wtinylfu" => 25,
            "s3fifo" => 15,
            _ => 10,
        },
        Job::Distinct | Job::DistinctBytes => 5,
        Job::SizedCache { policy, .. } => match policy.as_str() {
            "arc" => 30,
            "wtinylfu" => 25,
            "s3fifo" => 15,
            _ => 10,
        },
        Job::Pfool { .. } => 20,
        Job::StackDistances | Job::ByteStackDistances | Job::ProbedByteStackDistances => 30,
        Job::Belady { .. } => 20,
        Job::Shards { .. } => 5,
        Job::Counts => 10,
        // A miniature costs its share of the requests (a raised rate is a larger share).
        Job::Mini { rate, .. } => ((rate * 40.0).round() as u32).max(1),
    }
}

/// Miniature caches of fewer entries than this have their rate raised
/// ([`mini_rate`]); `evict-sim mrc --min-entries` changes it.
pub const MINI_MIN_ENTRIES: usize = 1000;

/// The sampling rate of the miniature simulation of a `size`-entry cache asked at `rate`:
/// raised (up to 1, the full replay) so that the miniature holds at least `min_entries`.
///
/// Why: a miniature of a few dozen entries holds the sampled share of the hottest keys
/// give or take its square root, so its hit ratio at a small size swings by points with
/// the salt (orm-busy at 10%, the 1% size as a 76-entry miniature: -5.6 to +0.6 points for
/// LRU over five salts). With 1,000 entries every policy's mean error over the four
/// standard sizes was at most 0.29 points on two salts (sim/README.md).
///
/// ```
/// use evict_sim::pipeline::mini_rate;
///
/// assert_eq!(mini_rate(0.1, 100_000, 1000), 0.1);
/// assert_eq!(mini_rate(0.1, 4000, 1000), 0.25);
/// assert_eq!(mini_rate(0.1, 500, 1000), 1.0);
/// assert_eq!(mini_rate(0.1, 500, 0), 0.1);
/// ```
pub fn mini_rate(rate: f64, size: usize, min_entries: usize) -> f64 {
    (min_entries as f64 / size.max(1) as f64).max(rate).min(1.0)
}

/// What runs on the decoding thread for each batch: the stream (for its position) and the
/// batch's keys.
pub type OnBatch<'a> = dyn FnMut(&TraceStream, &[u64]) -> Result<(), TraceError> + 'a;

/// Decodes `stream` to its end once and feeds every batch to every job, the jobs spread
/// over `threads` workers (at most one per job; heaviest first onto the least loaded).
/// `on_batch` runs on the decoding thread for each batch (progress, keeping the keys).
/// Returns each job's result, in the order of `jobs`.
///
/// # Errors
///
/// The stream's first error; the workers are stopped and their work is dropped.
///
/// # Panics
///
/// If a job names a policy the registry does not know.
pub fn fan_out(
    stream: &mut TraceStream,
    jobs: &[Job],
    threads: usize,
    warmup: u64,
    on_batch: &mut OnBatch<'_>,
) -> Result<Vec<JobResult>, TraceError> {
    let workers = threads.clamp(1, jobs.len().max(1));
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&j| std::cmp::Reverse(weight(&jobs[j])));
    let mut groups: Vec<(u32, Vec<usize>)> = vec![(0, Vec::new()); workers];
    for j in order {
        let g = groups
            .iter_mut()
            .min_by_key(|(load, _)| *load)
            .expect("at least one worker");
        g.0 += weight(&jobs[j]);
        g.1.push(j);
    }
    let mut results: Vec<Option<JobResult>> = vec![None; jobs.len()];
    let outcome = std::thread::scope(|scope| {
        let mut senders = Vec::new();
        let mut handles = Vec::new();
        for (_, group) in groups.iter().filter(|(_, g)| !g.is_empty()) {
            let (tx, rx) = mpsc::sync_channel::<Arc<Batch>>(IN_FLIGHT);
            senders.push(tx);
            let group = group.clone();
            handles.push(scope.spawn(move || {
                let mut consumers: Vec<Box<dyn Consumer>> =
                    group.iter().map(|&j| consumer(&jobs[j], warmup)).collect();
                // A worker of several jobs feeds each of them a run of batches in turn,
                // not one batch: every switch to another cache reloads its hot entries
                // into the core's own caches. Eight LRUs of 100,000 entries on one worker
                // (10M Zipf requests) took 0.60 s each fed batch by batch against 0.33 s
                // for one alone; fed runs of 16 batches, about what one alone takes.
                let mut run: Vec<Arc<Batch>> = Vec::new();
                let feed = |consumers: &mut Vec<Box<dyn Consumer>>, run: &mut Vec<Arc<Batch>>| {
                    for c in consumers.iter_mut() {
                        for batch in run.iter() {
                            c.feed(batch);
                        }
                    }
                    run.clear();
                };
                for batch in rx {
                    run.push(batch);
                    if consumers.len() == 1 || run.len() >= RUN {
                        feed(&mut consumers, &mut run);
                    }
                }
                feed(&mut consumers, &mut run);
                group
                    .into_iter()
                    .zip(consumers)
                    .map(|(j, c)| (j, c.finish()))
                    .collect::<Vec<_>>()
            }));
        }
        let mut keys = Vec::new();
        let decoded = loop {
            match stream.next_batch(&mut keys) {
                Ok(true) => {}
                Ok(false) => break Ok(()),
                Err(e) => break Err(e),
            }
            if let Err(e) = on_batch(stream, &keys) {
                break Err(e);
            }
            let start = stream.requests() - keys.len() as u64;
            let batch = Arc::new(Batch {
                start,
                keys: std::mem::take(&mut keys),
                next: stream.next_access().to_vec(),
                sizes: stream.sizes().to_vec(),
            });
            // A worker that hung up has panicked; its join below reports it.
            for tx in &senders {
                let _ = tx.send(Arc::clone(&batch));
            }
        };
        drop(senders);
        for h in handles {
            match h.join() {
                Ok(done) => {
                    for (j, r) in done {
                        results[j] = Some(r);
                    }
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        decoded
    });
    outcome?;
    Ok(results
        .into_iter()
        .map(|r| r.expect("every job ran"))
        .collect())
}

/// What a streaming run reports: in the CLI's words, for the progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// A pass starts: `what` it does, and its length in bytes of input (the file's length)
    /// or in requests (Bélády's replays), where known.
    Pass {
        /// `"scanning"`, `"replaying"` or `"Bélády"`.
        what: &'static str,
        /// Bytes (streams) or requests (Bélády), if known.
        total: Option<u64>,
    },
    /// Bytes of the input read so far in this pass.
    Read(u64),
    /// Requests done since the last report (Bélády's replays).
    Requests(u64),
}

/// A trace replayed from a stream: the outcomes (policy by policy in the order given, sizes
/// in the order given), the request count and the distinct keys.
#[derive(Clone, Debug)]
pub struct StreamRun {
    /// One per (policy, size).
    pub outcomes: Vec<Outcome>,
    /// Requests in the trace, the warm-up included.
    pub requests: u64,
    /// Distinct keys.
    pub unique: usize,
    /// The format read.
    pub format: Format,
    /// Whether Bélády ran from the trace's own next-access times as it was read (an
    /// `oracleGeneral` trace whose times passed the check), not from the trace in memory.
    pub belady_streamed: bool,
    /// A replay in bytes: the trace's distinct bytes (each key's size at its first
    /// request); `None` for a replay by count.
    pub unique_bytes: Option<u64>,
}

/// Does a replay of the trace at `path` need a first pass to count the distinct keys:
/// sizes in percent, or keys that may be strings (the in-memory reader renames every key
/// once it meets a string, which a stream can learn only by reading to the end).
fn needs_scan(sizes: &[SizeSpec], format: Format) -> bool {
    sizes.iter().any(|s| matches!(s, SizeSpec::Percent { .. }))
        || matches!(format, Format::Lines | Format::Csv)
}

/// The request limit of a run: `--max-requests` if given; else none, unless Bélády needs
/// the trace in memory (then the default of [`default_max_requests`]).
pub fn request_limit(read: &ReadOptions, in_memory: bool) -> Option<usize> {
    read.max_requests
        .or_else(|| in_memory.then(default_max_requests))
}

/// Replays the trace at `path` (`-`: standard input) through every policy at every size,
/// as a stream: the counts are those of [`replay::run`](crate::replay::run) on the trace
/// read whole, but memory is the caches plus bounded buffers and the distinct-key table
/// (one entry per distinct key; strings are interned in it). Bélády (`opt`, `opt-fill`)
/// needs the future: it keeps the trace in memory, 16 bytes per request, within the
/// request limit (`--max-requests`, by default the memory available / 128 bytes), which
/// stops the run with an error naming `--max-requests` as soon as it is passed.
///
/// Sizes in percent, or a text or CSV trace, take two passes: one counts the distinct keys,
/// the second replays; standard input is then copied to a temporary file as it is read
/// (disk: the input's size, compressed as given). Otherwise one pass.
///
/// `opened` is called once the format is known (the CLI says what it guessed).
///
/// # Errors
///
/// As [`read_trace`](crate::parser::read_trace); and, as usage errors, a size that
/// rounds down to 0 and a warm-up that leaves no request.
#[allow(clippy::too_many_arguments)]
pub fn replay_stream(
    path: &std::path::Path,
    read: &ReadOptions,
    policies: &[String],
    sizes: &[SizeSpec],
    run: RunOptions,
    progress: &(dyn Fn(Progress) + Sync),
    opened: &mut dyn FnMut(&TraceStream),
) -> Result<StreamRun, TraceError> {
    replay_stream_with(path, read, policies, sizes, run, None, progress, opened)
}

/// [`replay_stream`] as miniature simulations (Waldspurger et al., "Cache Modeling and
/// Optimization using Miniature Simulations", USENIX ATC 2017): each (policy × size) cache
/// is a cache of `size × rate` entries (at least `run.mini_min_entries`, the rate raised by
/// [`mini_rate`]) fed only the requests of the keys whose hash falls in the sample (the
/// hash of [`shards`](crate::shards)), and its hit ratio, scaled back to every request, is
/// the estimate. `opt` and `opt-fill` among `policies` are replayed in full beside the
/// miniatures, as [`replay_stream`] does them (streamed from an oracleGeneral trace's
/// next-access times, else looked ahead in memory within `read.max_requests`): the
/// ceiling of a curve plot. The distinct keys are counted exactly when the sizes need them
/// (a first pass), as in the replay.
///
/// # Errors
///
/// As [`replay_stream`].
#[allow(clippy::too_many_arguments)]
pub fn mini_stream(
    path: &std::path::Path,
    read: &ReadOptions,
    policies: &[String],
    sizes: &[SizeSpec],
    rate: f64,
    run: RunOptions,
    progress: &(dyn Fn(Progress) + Sync),
    opened: &mut dyn FnMut(&TraceStream),
) -> Result<StreamRun, TraceError> {
    replay_stream_with(
        path,
        read,
        policies,
        sizes,
        run,
        Some(rate),
        progress,
        opened,
    )
}

#[allow(clippy::too_many_arguments)]
fn replay_stream_with(
    path: &std::path::Path,
    read: &ReadOptions,
    policies: &[String],
    sizes: &[SizeSpec],
    run: RunOptions,
    mini: Option<f64>,
    progress: &(dyn Fn(Progress) + Sync),
    opened: &mut dyn FnMut(&TraceStream),
) -> Result<StreamRun, TraceError> {
    let mut beladys: Vec<String> = policies
        .iter()
        .filter(|p| *p == OPT || *p == OPT_FILL)
        .cloned()
        .collect();
    let stdin = path == std::path::Path::new(STDIN);
    let maybe_scan = sizes.iter().any(|s| matches!(s, SizeSpec::Percent { .. }))
        || !matches!(read.format, Some(f) if !needs_scan(&[], f));
    // Bélády from oracleGeneral's own next-access times may have to fall back to the
    // look-ahead in memory (times that are not the trace's future): a second pass.
    let maybe_oracle =
        !beladys.is_empty() && matches!(read.format, None | Some(Format::OracleGeneral));
    let mut stream = TraceStream::open(
        path,
        read,
        read.max_requests,
        stdin && (maybe_scan || maybe_oracle),
    )?;
    opened(&stream);
    let name = stream.name().to_string();
    let format = stream.format();
    // A replay in bytes: asked for (not --ignore-obj-size, no miniatures) and the trace
    // can carry sizes; a `lines` trace is sized only if every line has a size, which its
    // first pass (every text trace has one) tells.
    let want_sizes = read.object_sizes && mini.is_none();
    let probe = want_sizes && format == Format::Lines;
    let mut sized = want_sizes && stream.may_carry_sizes() && !probe;
    if !sized && !probe {
        unsized_check(&name, sizes, read, format, None)?;
    }
    let given = policies;
    // A probed text trace learns in its first pass whether it replays in bytes, so its
    // policies are checked there, against that answer.
    let mut policies = if probe {
        given.to_vec()
    } else {
        effective_policies(&name, given, sized)?
    };
    if sized {
        beladys.clear();
    }
    let stream_belady = !beladys.is_empty() && stream.format() == Format::OracleGeneral;
    if !beladys.is_empty() && !stream_belady {
        stream.set_request_limit(request_limit(read, true));
    }
    if (sized || probe) && policies.iter().any(|p| p == PFOO_L || p == BELADY_SIZE) {
        // PFOO-L keeps a reuse per request, BeladySize the trace: the in-memory limit, as
        // for Bélády.
        stream.set_request_limit(request_limit(read, true));
    }
    let mut known: Option<(u64, usize, u64)> = None;
    if needs_scan(sizes, format) {
        progress(Progress::Pass {
            what: "scanning",
            total: stream.raw_len(),
        });
        let mut report = |s: &TraceStream, _: &[u64]| {
            progress(Progress::Read(s.raw_read()));
            Ok(())
        };
        if sized || probe {
            stream.read_sizes(if probe { SizeMode::Probe } else { SizeMode::On });
        }
        let job = if sized || probe {
            Job::DistinctBytes
        } else {
            Job::Distinct
        };
        let r = fan_out(&mut stream, &[job], run.threads, 0, &mut report)?;
        let (unique, unique_bytes) = match r[..] {
            [JobResult::Distinct(n)] => (n, 0),
            [JobResult::DistinctBytes(n, b)] => (n, b),
            _ => unreachable!("one distinct-key job"),
        };
        if probe {
            match stream.sizes_missing() {
                // A text trace without a size on every line replays by count.
                Some(missing) => {
                    let missing = missing.to_string();
                    unsized_check(&name, sizes, read, format, Some(&missing))?;
                    policies = effective_policies(&name, given, false)?;
                }
                None => {
                    sized = true;
                    policies = effective_policies(&name, given, true)?;
                    beladys.clear();
                }
            }
        }
        known = Some((stream.requests(), unique, unique_bytes));
        let mode = if stream.saw_string() {
            KeyMode::Intern
        } else {
            KeyMode::Decimal
        };
        stream = stream.reopen()?;
        stream.set_key_mode(mode);
    } else if !stream_belady {
        stream.stop_spooling();
    }
    if sized {
        stream.read_sizes(SizeMode::On);
    }
    let policies = policies;
    let resolve = |unique: usize, unique_bytes: u64| -> Result<Vec<u64>, TraceError> {
        sizes
            .iter()
            .map(|spec| {
                let (size, of) = if sized {
                    (spec.resolve_bytes(unique_bytes), "distinct bytes")
                } else {
                    (spec.resolve(unique) as u64, "distinct keys")
                };
                if size == 0 {
                    let base = if sized { unique_bytes } else { unique as u64 };
                    return Err(TraceError::new(
                        ErrorKind::Usage,
                        format!("{name}: size {spec} of {base} {of} rounds down to 0"),
                    ));
                }
                Ok(size)
            })
            .collect()
    };
    let warmup_check = |requests: u64| {
        if run.warmup as u64 >= requests {
            return Err(TraceError::new(
                ErrorKind::Usage,
                format!(
                    "{name}: --warmup {} leaves no request to count ({requests} requests)",
                    run.warmup
                ),
            ));
        }
        Ok(())
    };
    // With the distinct keys known, sizes and warm-up are checked before any replay;
    // otherwise every size is absolute, and the warm-up is checked at the end.
    let capacities: Vec<u64> = match known {
        Some((requests, unique, unique_bytes)) => {
            warmup_check(requests)?;
            resolve(unique, unique_bytes)?
        }
        None => resolve(0, 0)?,
    };
    let entries: Vec<usize> = capacities
        .iter()
        .map(|&c| usize::try_from(c).unwrap_or(usize::MAX))
        .collect();
    let mut jobs: Vec<Job> = Vec::new();
    let caches = policies
        .iter()
        .filter(|p| *p != OPT && *p != OPT_FILL && *p != PFOO_L && *p != BELADY_SIZE);
    for p in caches.clone() {
        if sized {
            registry::build_sized(p, 1)
                .map_err(|e| TraceError::new(ErrorKind::Usage, e.to_string()))?;
        } else {
            registry::build(p, 1).map_err(|e| TraceError::new(ErrorKind::Usage, e.to_string()))?;
        }
        for (&size, &bytes) in entries.iter().zip(&capacities) {
            jobs.push(match mini {
                None if sized => Job::SizedCache {
                    policy: p.clone(),
                    bytes,
                },
                None => Job::Cache {
                    policy: p.clone(),
                    size,
                },
                Some(rate) => Job::Mini {
                    policy: p.clone(),
                    size,
                    rate: mini_rate(rate, size, run.mini_min_entries),
                    salt: run.salt,
                },
            });
        }
    }
    // LRU as a control variate of the miniatures: an LRU miniature per size (of the same
    // sample as the others) and LRU's exact curve, in the same pass.
    let control = mini.filter(|_| run.mini_control);
    if let Some(rate) = control {
        for &size in &entries {
            jobs.push(Job::Mini {
                policy: "lru".to_string(),
                size,
                rate: mini_rate(rate, size, run.mini_min_entries),
                salt: run.salt,
            });
        }
        jobs.push(Job::StackDistances);
    }
    let bound = sized && policies.iter().any(|p| p == PFOO_L);
    if bound {
        jobs.push(Job::Pfool {
            capacities: capacities.clone(),
        });
    }
    if stream_belady {
        stream.track_next_access();
        for b in &beladys {
            let variant = if b == OPT {
                Variant::Bypass
            } else {
                Variant::DemandFill
            };
            for &size in &entries {
                jobs.push(Job::Belady { variant, size });
            }
        }
    }
    if known.is_none() {
        jobs.push(if sized {
            Job::DistinctBytes
        } else {
            Job::Distinct
        });
    }
    progress(Progress::Pass {
        what: "replaying",
        total: stream.raw_len(),
    });
    let mut kept: Vec<u64> = Vec::new();
    let mut kept_sizes: Vec<u64> = Vec::new();
    let heuristic = sized && policies.iter().any(|p| p == BELADY_SIZE);
    let keep = (!beladys.is_empty() && !stream_belady) || heuristic;
    let results = {
        let mut on_batch = |s: &TraceStream, keys: &[u64]| {
            progress(Progress::Read(s.raw_read()));
            if keep {
                keep_keys(&mut kept, keys, &name, s.requests())?;
            }
            if heuristic {
                keep_keys(&mut kept_sizes, s.sizes(), &name, s.requests())?;
            }
            Ok(())
        };
        if jobs.is_empty() {
            // Only Bélády in memory: read the keys, nothing to feed.
            let mut keys = Vec::new();
            while stream.next_batch(&mut keys)? {
                on_batch(&stream, &keys)?;
            }
            Vec::new()
        } else {
            fan_out(
                &mut stream,
                &jobs,
                run.threads,
                run.warmup as u64,
                &mut on_batch,
            )?
        }
    };
    let requests_total = stream.requests();
    let (unique, unique_bytes) = match known {
        Some((_, u, b)) => (u, b),
        None => match results.last() {
            Some(JobResult::Distinct(n)) => (*n, 0),
            Some(JobResult::DistinctBytes(n, b)) => (*n, *b),
            _ => (crate::parser::count_unique(&kept), 0),
        },
    };
    warmup_check(requests_total)?;
    let requests = requests_total - run.warmup as u64;
    let mut outcomes = Vec::new();
    let cache_jobs = caches.clone().count() * entries.len();
    // Per size: the LRU miniature's hits beyond LRU's exact hits (its sample's error),
    // taken off every policy's miniature at that size.
    let shift: Vec<i64> = if control.is_some() {
        let n = entries.len();
        let Some(JobResult::Histogram(exact)) = results.get(cache_jobs + n) else {
            unreachable!("the exact LRU curve of the control")
        };
        results[cache_jobs..cache_jobs + n]
            .iter()
            .zip(&entries)
            .map(|(r, &size)| match r {
                JobResult::Hits { hits, .. } => *hits as i64 - exact.hits(size) as i64,
                _ => unreachable!("an LRU miniature of the control"),
            })
            .collect()
    } else {
        vec![0; entries.len()]
    };
    let mut hits = results.iter();
    for p in caches {
        for (j, (&size, &bytes)) in entries.iter().zip(&capacities).enumerate() {
            match hits.next() {
                Some(JobResult::Hits {
                    hits,
                    held,
                    seconds,
                }) => {
                    let hits = (*hits as i64 - shift[j]).clamp(0, requests as i64) as u64;
                    outcomes.push(outcome(
                        &name, p, size, *held, requests, hits, *seconds, unique,
                    ))
                }
                Some(JobResult::Bytes {
                    hits,
                    bytes_hit,
                    bytes_requested,
                    seconds,
                }) => {
                    let mut o = outcome(
                        &name,
                        p,
                        size,
                        usize::MAX,
                        requests,
                        *hits,
                        *seconds,
                        unique,
                    );
                    o.bytes = Some(ByteCounts::new(*bytes_requested, *bytes_hit, unique_bytes));
                    debug_assert_eq!(o.size as u64, bytes);
                    outcomes.push(o);
                }
                _ => unreachable!("a result per cache job"),
            }
        }
    }
    if control.is_some() {
        // The control's LRU miniatures and exact curve, used above.
        hits.nth(entries.len());
    }
    if heuristic {
        progress(Progress::Pass {
            what: "Bélády",
            total: None,
        });
        let next = crate::bound::next_uses(&kept);
        let bytes_requested: u64 = kept_sizes[run.warmup.min(kept_sizes.len())..].iter().sum();
        for (&bytes, &size) in capacities.iter().zip(&entries) {
            let start = Instant::now();
            let (h, b) = crate::bound::belady_size(&kept, &kept_sizes, &next, bytes, run.warmup);
            let mut o = outcome(
                &name,
                BELADY_SIZE,
                size,
                usize::MAX,
                requests,
                h,
                start.elapsed().as_secs_f64(),
                unique,
            );
            o.bytes = Some(ByteCounts::new(bytes_requested, b, unique_bytes));
            outcomes.push(o);
        }
        kept = Vec::new();
    }
    if bound {
        let Some(JobResult::Bounds(bounds, bytes_requested)) = hits.next() else {
            unreachable!("the PFOO-L job's result")
        };
        for (b, &size) in bounds.iter().zip(&entries) {
            let mut o = outcome(
                &name,
                PFOO_L,
                size,
                usize::MAX,
                requests,
                b.hits,
                0.0,
                unique,
            );
            o.bytes = Some(ByteCounts::new(*bytes_requested, b.bytes_hit, unique_bytes));
            outcomes.push(o);
        }
    }
    let mut in_memory = !beladys.is_empty() && !stream_belady;
    if stream_belady && stream.next_access_broken().is_some() {
        // The trace's next-access times are not its future (or point at skipped records):
        // read it again and look ahead in memory, as for any other format.
        in_memory = true;
        stream = stream.reopen()?;
        stream.set_request_limit(request_limit(read, true));
        progress(Progress::Pass {
            what: "reading for Bélády",
            total: stream.raw_len(),
        });
        let mut keys = Vec::new();
        while stream.next_batch(&mut keys)? {
            progress(Progress::Read(stream.raw_read()));
            keep_keys(&mut kept, &keys, &name, stream.requests())?;
        }
    } else if stream_belady {
        for b in &beladys {
            for &size in &entries {
                let Some(JobResult::Hits { hits, seconds, .. }) = hits.next() else {
                    unreachable!("a result per Bélády job")
                };
                outcomes.push(outcome(
                    &name, b, size, size, requests, *hits, *seconds, unique,
                ));
            }
        }
    }
    if in_memory {
        progress(Progress::Pass {
            what: "Bélády",
            total: Some(kept.len() as u64 * (beladys.len() * entries.len()) as u64),
        });
        let inc = |n: u64| progress(Progress::Requests(n));
        let out = crate::replay::run(&name, &kept, &beladys, &entries, run, &inc)
            .map_err(|e| TraceError::new(ErrorKind::Usage, e.to_string()))?;
        outcomes.extend(out);
    }
    Ok(StreamRun {
        outcomes,
        requests: requests_total,
        unique,
        format,
        belady_streamed: stream_belady && !in_memory,
        unique_bytes: sized.then_some(unique_bytes),
    })
}

/// A size in bytes (`64MiB`) for a trace that replays by count is an error naming why
/// it does: `--ignore-obj-size`, a format without sizes, or (`missing`) a text line
/// without a size field.
fn unsized_check(
    name: &str,
    sizes: &[SizeSpec],
    read: &ReadOptions,
    format: Format,
    missing: Option<&str>,
) -> Result<(), TraceError> {
    let Some(spec) = sizes.iter().find(|s| s.is_bytes()) else {
        return Ok(());
    };
    let why = if !read.object_sizes {
        "object sizes are ignored here (--ignore-obj-size, or a miniature simulation, which counts entries)".to_string()
    } else if let Some(m) = missing {
        format!("the trace carries no object size on every line ({m})")
    } else {
        format!(
            "a {format} trace carries no object sizes (oracle-general does; CSV with --size-column; lines with a size as each line's second field)"
        )
    };
    Err(TraceError::new(
        ErrorKind::Usage,
        format!(
            "{name}: size {spec} is in bytes, but {why}; give entries (1000) or a percentage of the distinct keys (10%)"
        ),
    ))
}

/// The policies of a replay: in bytes, the default list (every policy, then `opt`)
/// becomes every policy with a weighted constructor, then [`PFOO_L`]; a name that cannot
/// replay in bytes (`opt`, `opt-fill`, the adaptive policies) is an error. By count,
/// [`PFOO_L`] is an error (Bélády's `opt` is the ceiling there).
fn effective_policies(
    name: &str,
    policies: &[String],
    sized: bool,
) -> Result<Vec<String>, TraceError> {
    let usage = |m: String| TraceError::new(ErrorKind::Usage, format!("{name}: {m}"));
    if !sized {
        if let Some(p) = policies.iter().find(|p| *p == PFOO_L || *p == BELADY_SIZE) {
            return Err(usage(format!(
                "{p} bounds a replay in bytes, and this one counts entries (its ceiling is Bélády's opt)"
            )));
        }
        return Ok(policies.to_vec());
    }
    if policies == crate::replay::default_policies() {
        return Ok(crate::replay::default_sized_policies());
    }
    for p in policies {
        if p == OPT || p == OPT_FILL {
            return Err(usage(format!(
                "{p} is Bélády's optimum for objects of one size; with object sizes the exact optimum is NP-hard, and the ceiling of a replay in bytes is {PFOO_L} (an upper bound); --ignore-obj-size replays by count"
            )));
        }
        if p != PFOO_L && p != BELADY_SIZE && !registry::SIZED_POLICIES.contains(&p.as_str()) {
            return Err(usage(format!(
                "{p} has no weighted constructor, so it cannot replay in bytes (known: {}, {PFOO_L}); --ignore-obj-size replays by count",
                registry::SIZED_POLICIES.join(", ")
            )));
        }
    }
    Ok(policies.to_vec())
}

/// Appends `keys` to the trace kept in memory for Bélády; a refused allocation is an error.
fn keep_keys(kept: &mut Vec<u64>, keys: &[u64], name: &str, at: u64) -> Result<(), TraceError> {
    kept.try_reserve(keys.len()).map_err(|_| {
        TraceError::new(
            ErrorKind::Data,
            format!(
                "{name}: request {at}: not enough memory for Bélády's look-ahead (lower --max-requests, or free memory)"
            ),
        )
    })?;
    kept.extend_from_slice(keys);
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn outcome(
    trace: &str,
    policy: &str,
    size: usize,
    held: usize,
    requests: u64,
    hits: u64,
    seconds: f64,
    unique: usize,
) -> Outcome {
    Outcome {
        trace: trace.to_string(),
        policy: policy.to_string(),
        size: held.min(size),
        requested: size,
        requests,
        hits,
        misses: requests - hits,
        hit_ratio: if requests == 0 {
            0.0
        } else {
            hits as f64 / requests as f64
        },
        seconds,
        unique_keys: unique,
        bytes: None,
    }
}

/// The LRU curve of the trace at `path` (`-`: standard input), in one pass over a stream:
/// exact with `sampling` `None` (the stack-distance histogram, [`StackDistances`]), else
/// the SHARDS estimate ([`Shards`]; its distinct keys are estimated too); then the hits at every size
/// of `sizes` (percentages of the distinct keys are resolved at the end, so no second
/// pass is needed), or at `points` log-spaced sizes from 1 to the distinct keys when
/// `sizes` is empty. Text keys are interned as they come: LRU's hits do not depend on the
/// keys' values. Memory: the histogram's table, one entry per distinct key.
///
/// # Errors
///
/// As [`replay_stream`].
#[allow(clippy::too_many_arguments)]
pub fn mrc_stream(
    path: &std::path::Path,
    read: &ReadOptions,
    sampling: Option<Sampling>,
    sizes: &[SizeSpec],
    points: usize,
    run: RunOptions,
    progress: &(dyn Fn(Progress) + Sync),
    opened: &mut dyn FnMut(&TraceStream),
) -> Result<(Vec<crate::mrc::Point>, u64, Format), TraceError> {
    let mut stream = TraceStream::open(path, read, read.max_requests, false)?;
    opened(&stream);
    let name = stream.name().to_string();
    stream.set_key_mode(KeyMode::Intern);
    // In bytes: the exact method on a trace whose every request has a size. A `lines`
    // trace has sizes only if every line has one, known at its end: it is probed, both
    // curves made in the one pass (the byte curve stops at the first line without a
    // size), and the entry curve kept if a line had none.
    let want = read.object_sizes && sampling.is_none() && stream.may_carry_sizes();
    let probe = want && stream.format() == Format::Lines;
    let sized = want && !probe;
    if !want {
        unsized_check(&name, sizes, read, stream.format(), None)?;
    }
    progress(Progress::Pass {
        what: "stack distances",
        total: stream.raw_len(),
    });
    let mut entry_curve = None;
    if sized || probe {
        stream.read_sizes(if probe { SizeMode::Probe } else { SizeMode::On });
        let jobs: &[Job] = if probe {
            &[Job::ProbedByteStackDistances, Job::StackDistances]
        } else {
            &[Job::ByteStackDistances]
        };
        let (mut r, seconds, requests) = curve_pass(&mut stream, &name, jobs, &run, progress)?;
        let missing = stream.sizes_missing().map(str::to_string);
        if let Some(missing) = missing {
            unsized_check(&name, sizes, read, stream.format(), Some(&missing))?;
            let Some(JobResult::Histogram(h)) = r.pop() else {
                unreachable!("the entry curve of a probed trace")
            };
            entry_curve = Some((crate::mrc::Estimate::Exact(h), seconds, requests));
        } else {
            let Some(JobResult::ByteCurve(curve)) = r.into_iter().next() else {
                unreachable!("one byte-curve job")
            };
            let capacities: Vec<u64> = if sizes.is_empty() {
                curve.log_sizes(points)
            } else {
                resolve_sizes(&name, sizes, curve.unique_bytes, "bytes", |spec| {
                    spec.resolve_bytes(curve.unique_bytes)
                })?
            };
            return Ok((
                crate::mrc::byte_points(&name, &curve, &capacities, seconds),
                requests,
                stream.format(),
            ));
        }
    }
    let (curve, seconds, requests) = match entry_curve {
        Some(done) => done,
        None => {
            let job = match sampling {
                None => Job::StackDistances,
                Some(sampling) => Job::Shards {
                    sampling,
                    salt: run.salt,
                    hot_keys: run.hot_keys,
                },
            };
            let (mut r, seconds, requests) =
                curve_pass(&mut stream, &name, &[job], &run, progress)?;
            let curve = match r.pop() {
                Some(JobResult::Histogram(h)) => crate::mrc::Estimate::Exact(h),
                Some(JobResult::Curve(c)) => crate::mrc::Estimate::Shards(c),
                _ => unreachable!("one curve job"),
            };
            (curve, seconds, requests)
        }
    };
    let hist = crate::mrc::Summary::of(&curve);
    let entries: Vec<usize> = if sizes.is_empty() {
        crate::mrc::log_sizes(hist.unique, points)
    } else {
        resolve_sizes(&name, sizes, hist.unique, "keys", |spec| {
            spec.resolve(hist.unique)
        })?
    };
    Ok((
        crate::mrc::points(&name, &curve, &entries, seconds),
        requests,
        stream.format(),
    ))
}

/// The one pass of `mrc`, for a curve in entries or in bytes: `jobs` fed the whole
/// stream, then the check that the warm-up left requests to count. Returns the jobs'
/// results (in order), the pass's seconds and the requests read.
fn curve_pass(
    stream: &mut TraceStream,
    name: &str,
    jobs: &[Job],
    run: &RunOptions,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<(Vec<JobResult>, f64, u64), TraceError> {
    let start = Instant::now();
    let mut report = |s: &TraceStream, _: &[u64]| {
        progress(Progress::Read(s.raw_read()));
        Ok(())
    };
    let r = fan_out(stream, jobs, run.threads, run.warmup as u64, &mut report)?;
    let seconds = start.elapsed().as_secs_f64();
    let requests = stream.requests();
    if run.warmup as u64 >= requests {
        return Err(TraceError::new(
            ErrorKind::Usage,
            format!(
                "{name}: --warmup {} leaves no request to count ({requests} requests)",
                run.warmup
            ),
        ));
    }
    Ok((r, seconds, requests))
}

/// `sizes` resolved by `resolve` against `total` distinct `what` (keys or bytes); a size
/// that rounds down to 0 is a usage error naming the trace.
fn resolve_sizes<T: Copy + Default + PartialEq>(
    name: &str,
    sizes: &[SizeSpec],
    total: impl std::fmt::Display,
    what: &str,
    resolve: impl Fn(&SizeSpec) -> T,
) -> Result<Vec<T>, TraceError> {
    sizes
        .iter()
        .map(|spec| match resolve(spec) {
            s if s == T::default() => Err(TraceError::new(
                ErrorKind::Usage,
                format!("{name}: size {spec} of {total} distinct {what} rounds down to 0"),
            )),
            s => Ok(s),
        })
        .collect()
}

/// `evict-sim analyze`: the [`Analysis`](crate::analyze::Analysis) of the trace at `path`,
/// in one streamed pass (stack distances and key counts on two workers). Text keys are
/// interned as they come: no statistic here depends on the keys' values.
///
/// # Errors
///
/// As [`replay_stream`].
pub fn analyze_stream(
    path: &std::path::Path,
    read: &ReadOptions,
    run: RunOptions,
    progress: &(dyn Fn(Progress) + Sync),
    opened: &mut dyn FnMut(&TraceStream),
) -> Result<crate::analyze::Analysis, TraceError> {
    let mut stream = TraceStream::open(path, read, read.max_requests, false)?;
    opened(&stream);
    stream.set_key_mode(KeyMode::Intern);
    progress(Progress::Pass {
        what: "analyzing",
        total: stream.raw_len(),
    });
    let mut report = |s: &TraceStream, _: &[u64]| {
        progress(Progress::Read(s.raw_read()));
        Ok(())
    };
    let r = fan_out(
        &mut stream,
        &[Job::StackDistances, Job::Counts],
        run.threads,
        0,
        &mut report,
    )?;
    let mut r = r.into_iter();
    let (Some(JobResult::Histogram(hist)), Some(JobResult::Counts(freq, growth))) =
        (r.next(), r.next())
    else {
        unreachable!("the two analysis jobs")
    };
    Ok(crate::analyze::analysis(
        stream.name(),
        stream.format().name(),
        &freq,
        growth,
        &hist,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_counts_small_and_large_keys_once() {
        let mut d: Box<dyn Consumer> = consumer(&Job::Distinct, 0);
        let keys = vec![
            0,
            5,
            5,
            63,
            64,
            SMALL_KEYS - 1,
            SMALL_KEYS,
            SMALL_KEYS,
            u64::MAX,
            0,
        ];
        d.feed(&Batch {
            start: 0,
            keys: keys.clone(),
            next: Vec::new(),
            sizes: Vec::new(),
        });
        d.feed(&Batch {
            start: 10,
            keys: vec![1_000_000, 5, u64::MAX],
            next: Vec::new(),
            sizes: Vec::new(),
        });
        let want = {
            let mut all = keys;
            all.extend([1_000_000, 5, u64::MAX]);
            all.sort_unstable();
            all.dedup();
            all.len()
        };
        assert_eq!(d.finish(), JobResult::Distinct(want));
    }
}
