//! Cache sizes: absolute entry counts, byte amounts (`64MiB`) or percentages of a trace's
//! distinct keys (or, replaying in bytes, of its distinct bytes).

use std::fmt;

/// A cache size as given on the command line: `1000` entries, or `10%` (also `0.5%`) of the
/// trace's distinct keys, rounded down as other simulators do.
///
/// # Examples
///
/// ```
/// use evict_sim::size::SizeSpec;
///
/// let s: SizeSpec = "10%".parse().unwrap();
/// assert_eq!(s.resolve(76_349), 7_634);
/// assert_eq!("2.5%".parse::<SizeSpec>().unwrap().resolve(1000), 25);
/// assert_eq!("500".parse::<SizeSpec>().unwrap().resolve(10), 500);
/// assert!("0".parse::<SizeSpec>().is_err());
/// assert!("ten".parse::<SizeSpec>().is_err());
/// assert_eq!("64MiB".parse::<SizeSpec>().unwrap(), SizeSpec::Bytes(64 << 20));
/// assert_eq!("1.5kb".parse::<SizeSpec>().unwrap(), SizeSpec::Bytes(1500));
/// assert!("0MiB".parse::<SizeSpec>().is_err());
/// assert!("-1GiB".parse::<SizeSpec>().is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SizeSpec {
    /// A number of entries.
    Entries(usize),
    /// A number of bytes, given with a unit (`64MiB`, `1GB`, `512B`): only for a trace
    /// replayed in bytes. (A bare number is entries, or bytes in a byte replay.)
    Bytes(u64),
    /// `numerator / denominator` percent of the distinct keys (`2.5%` is `25 / 10`), or of
    /// the distinct bytes in a byte replay.
    Percent {
        /// Digits of the percentage without the decimal point.
        numerator: u64,
        /// A power of ten: 10 to the number of decimals.
        denominator: u64,
    },
}

impl SizeSpec {
    /// The size in entries for a trace of `unique` distinct keys (may be 0 for a percentage
    /// of a small trace; callers reject that).
    pub fn resolve(&self, unique: usize) -> usize {
        match *self {
            SizeSpec::Entries(n) => n,
            SizeSpec::Bytes(n) => usize::try_from(n).unwrap_or(usize::MAX),
            SizeSpec::Percent {
                numerator,
                denominator,
            } => {
                let exact =
                    u128::from(numerator) * unique as u128 / (100 * u128::from(denominator));
                usize::try_from(exact).unwrap_or(usize::MAX)
            }
        }
    }

    /// The size in bytes of a cache replayed in bytes, for a trace of `unique_bytes`
    /// distinct bytes: a bare number or a byte amount as it is, a percentage of the
    /// distinct bytes rounded down (may be 0; callers reject that).
    ///
    /// ```
    /// use evict_sim::size::SizeSpec;
    ///
    /// assert_eq!("10%".parse::<SizeSpec>().unwrap().resolve_bytes(2_029_769_728), 202_976_972);
    /// assert_eq!("64MiB".parse::<SizeSpec>().unwrap().resolve_bytes(5), 64 << 20);
    /// assert_eq!("4096".parse::<SizeSpec>().unwrap().resolve_bytes(5), 4096);
    /// ```
    pub fn resolve_bytes(&self, unique_bytes: u64) -> u64 {
        match *self {
            SizeSpec::Entries(n) => n as u64,
            SizeSpec::Bytes(n) => n,
            SizeSpec::Percent {
                numerator,
                denominator,
            } => {
                let exact = u128::from(numerator) * u128::from(unique_bytes)
                    / (100 * u128::from(denominator));
                u64::try_from(exact).unwrap_or(u64::MAX)
            }
        }
    }

    /// Whether the size has a byte unit (`64MiB`): it needs a trace with object sizes.
    pub fn is_bytes(&self) -> bool {
        matches!(self, SizeSpec::Bytes(_))
    }
}

/// Byte units of `--sizes`, matched without regard to case: decimal (`KB` = 1000) and
/// binary (`KiB` = 1024), as libCacheSim's `cachesim` reads them.
const UNITS: [(&str, u64); 9] = [
    ("tib", 1 << 40),
    ("gib", 1 << 30),
    ("mib", 1 << 20),
    ("kib", 1 << 10),
    ("tb", 1_000_000_000_000),
    ("gb", 1_000_000_000),
    ("mb", 1_000_000),
    ("kb", 1_000),
    ("b", 1),
];

/// `n` bytes with the largest unit that divides it (`64MiB`, `1GB`, `4097B`).
fn show_bytes(n: u64) -> String {
    const SHOWN: [(&str, u64); 8] = [
        ("TiB", 1 << 40),
        ("GiB", 1 << 30),
        ("MiB", 1 << 20),
        ("KiB", 1 << 10),
        ("TB", 1_000_000_000_000),
        ("GB", 1_000_000_000),
        ("MB", 1_000_000),
        ("KB", 1_000),
    ];
    for (name, unit) in SHOWN {
        if n >= unit && n.is_multiple_of(unit) {
            return format!("{}{name}", n / unit);
        }
    }
    format!("{n}B")
}

/// `n` bytes for people: at most four significant figures in the largest binary unit
/// below it (`19.36 MiB`), whole bytes below 1 KiB.
///
/// ```
/// assert_eq!(evict_sim::size::human_bytes(20_297_697), "19.36 MiB");
/// assert_eq!(evict_sim::size::human_bytes(512), "512 B");
/// ```
pub fn human_bytes(n: u64) -> String {
    const NAMES: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < NAMES.len() {
        value /= 1024.0;
        unit += 1;
    }
    let decimals = if value >= 100.0 {
        1
    } else if value >= 10.0 {
        2
    } else {
        3
    };
    format!("{value:.decimals$} {}", NAMES[unit])
}

impl fmt::Display for SizeSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            SizeSpec::Entries(n) => write!(f, "{n}"),
            SizeSpec::Bytes(n) => f.write_str(&show_bytes(n)),
            SizeSpec::Percent {
                numerator,
                denominator,
            } => {
                let decimals = denominator.ilog10() as usize;
                if decimals == 0 {
                    write!(f, "{numerator}%")
                } else {
                    let int = numerator / denominator;
                    let frac = numerator % denominator;
                    write!(f, "{int}.{frac:0decimals$}%")
                }
            }
        }
    }
}

impl std::str::FromStr for SizeSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "invalid size '{s}': expected a number of entries (1000), a byte amount (64MiB, 1GB, 4096B) or a percentage of the distinct keys or bytes (10%, 0.5%)"
            )
        };
        let t = s.trim();
        let lower = t.to_ascii_lowercase();
        if let Some((unit_name, unit)) = UNITS.iter().find(|(u, _)| lower.ends_with(u)) {
            let number = t[..t.len() - unit_name.len()].trim_end();
            let (int, frac) = number.split_once('.').unwrap_or((number, ""));
            let digits_ok = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
            if int.is_empty() || !digits_ok(int) || !digits_ok(frac) || frac.len() > 6 {
                return Err(bad());
            }
            let scale = 10u128.pow(frac.len() as u32);
            let digits = format!("{int}{frac}").parse::<u128>().map_err(|_| bad())?;
            let bytes = digits
                .checked_mul(u128::from(*unit))
                .map(|b| b / scale)
                .and_then(|b| u64::try_from(b).ok())
                .ok_or_else(|| format!("invalid size '{s}': more than {} bytes", u64::MAX))?;
            if bytes == 0 {
                return Err(format!(
                    "invalid size '{s}': a cache of size 0 holds nothing"
                ));
            }
            return Ok(SizeSpec::Bytes(bytes));
        }
        if let Some(p) = t.strip_suffix('%') {
            let (int, frac) = p.split_once('.').unwrap_or((p, ""));
            let digits_ok = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
            if int.is_empty() || !digits_ok(int) || !digits_ok(frac) || frac.len() > 6 {
                return Err(bad());
            }
            let denominator = 10u64.pow(frac.len() as u32);
            let numerator = format!("{int}{frac}").parse::<u64>().map_err(|_| bad())?;
            if numerator == 0 {
                return Err(format!(
                    "invalid size '{s}': a cache of size 0 holds nothing"
                ));
            }
            if numerator > 100_000 * denominator {
                return Err(format!("invalid size '{s}': more than 100000%"));
            }
            return Ok(SizeSpec::Percent {
                numerator,
                denominator,
            });
        }
        match t.parse::<usize>() {
            Ok(0) => Err(format!(
                "invalid size '{s}': a cache of size 0 holds nothing"
            )),
            Ok(n) if n <= crate::parser::MAX_REQUESTS => Ok(SizeSpec::Entries(n)),
            _ => Err(bad()),
        }
    }
}

/// Parses a comma-separated list of sizes, e.g. `1%,5%,1000`.
///
/// # Errors
///
/// The first invalid size, with the reason (including a size of 0).
///
/// # Examples
///
/// ```
/// let sizes = evict_sim::size::parse_sizes("1%, 5%,1000").unwrap();
/// assert_eq!(sizes.len(), 3);
/// assert!(evict_sim::size::parse_sizes("1%,0").is_err());
/// assert!(evict_sim::size::parse_sizes("").is_err());
/// ```
pub fn parse_sizes(list: &str) -> Result<Vec<SizeSpec>, String> {
    let sizes = list
        .split(',')
        .map(str::parse)
        .collect::<Result<Vec<SizeSpec>, String>>()?;
    Ok(sizes)
}

/// The default sizes: `1%,5%,10%,20%` of the distinct keys.
///
/// ```
/// assert_eq!(evict_sim::size::default_sizes()[3].to_string(), "20%");
/// ```
pub fn default_sizes() -> Vec<SizeSpec> {
    [1, 5, 10, 20]
        .map(|p| SizeSpec::Percent {
            numerator: p,
            denominator: 1,
        })
        .to_vec()
}
