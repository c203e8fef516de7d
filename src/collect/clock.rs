//! The peer's clock offset, measured over the SSH channel at collection time: several samples
//! of the peer's `date +%s.%N` (on one channel, see `Access::clock_samples`), each bracketed by
//! the local send and receive times; the sample with the smallest round trip is kept. Offset =
//! peer clock − midpoint of send and receive (positive: the peer is ahead); uncertainty = half
//! that round trip (the peer's reading lies somewhere inside it).

use super::access::Access;
use super::plan;

/// A measured offset, seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Offset {
    pub offset_s: f64,
    pub uncertainty_s: f64,
}

/// Measures the offset of the node behind `access`; None when no sample could be read.
pub fn measure(access: &mut dyn Access) -> Option<Offset> {
    let best = access
        .clock_samples(plan::CLOCK_SAMPLES)
        .into_iter()
        .map(|(sent, reading, received)| Offset {
            offset_s: reading - (sent + received) / 2.0,
            uncertainty_s: (received - sent) / 2.0,
        })
        .min_by(|a, b| a.uncertainty_s.total_cmp(&b.uncertainty_s))?;
    Some(Offset {
        offset_s: (best.offset_s * 1e6).round() / 1e6,
        uncertainty_s: (best.uncertainty_s * 1e6).round() / 1e6,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::local::Local;

    #[test]
    fn this_machine_is_in_step_with_itself() {
        let offset = measure(&mut Local::new()).unwrap();
        assert!(
            offset.offset_s.abs() <= offset.uncertainty_s + 0.01,
            "{offset:?}"
        );
    }
}
