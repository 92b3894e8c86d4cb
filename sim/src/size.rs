//! Cache sizes: absolute entry counts or percentages of a trace's distinct keys.

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
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SizeSpec {
    /// A number of entries.
    Entries(usize),
    /// `numerator / denominator` percent of the distinct keys (`2.5%` is `25 / 10`).
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
}

impl fmt::Display for SizeSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            SizeSpec::Entries(n) => write!(f, "{n}"),
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
                "invalid size '{s}': expected a number of entries (1000) or a percentage of the distinct keys (10%, 0.5%)"
            )
        };
        let t = s.trim();
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
