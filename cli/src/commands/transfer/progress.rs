//! Progress of a long transfer on stderr: a bar with items/s and ETA (indicatif) when stderr
//! is a terminal, plain lines every few seconds when it is not (logs, CI), nothing with
//! `--quiet`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often plain-line progress is printed.
const PLAIN_INTERVAL: Duration = Duration::from_secs(5);

/// Counts items done (out of an optional total) and shows it.
pub struct Progress {
    label: &'static str,
    total: Option<u64>,
    done: AtomicU64,
    started: Instant,
    display: Display,
}

enum Display {
    Bar(ProgressBar),
    /// The time of the last line printed.
    Plain(Mutex<Instant>),
    Quiet,
}

impl Progress {
    /// Starts showing progress of `label` (e.g. `export`) towards `total` items, when known.
    pub fn new(label: &'static str, total: Option<u64>, quiet: bool) -> Progress {
        let display = if quiet {
            Display::Quiet
        } else if std::io::stderr().is_terminal() {
            let bar = match total {
                Some(n) => ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr()),
                None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
            };
            let template = if total.is_some() {
                "{prefix} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} items, {rate}, ETA {eta}"
            } else {
                "{prefix} [{elapsed_precise}] {spinner} {human_pos} items, {rate}"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.with_key(
                    "rate",
                    |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{:.0} items/s", state.per_sec());
                    },
                ));
            }
            bar.set_prefix(label);
            bar.enable_steady_tick(Duration::from_millis(200));
            Display::Bar(bar)
        } else {
            Display::Plain(Mutex::new(Instant::now()))
        };
        Progress {
            label,
            total,
            done: AtomicU64::new(0),
            started: Instant::now(),
            display,
        }
    }

    /// Counts `n` more items done.
    pub fn add(&self, n: u64) {
        let done = self.done.fetch_add(n, Ordering::Relaxed) + n;
        match &self.display {
            Display::Bar(bar) => bar.inc(n),
            Display::Plain(last) => {
                let Ok(mut last) = last.lock() else { return };
                if last.elapsed() >= PLAIN_INTERVAL {
                    *last = Instant::now();
                    eprintln!("{}", self.line(done));
                }
            }
            Display::Quiet => {}
        }
    }

    /// Items counted so far.
    pub fn done(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }

    /// Time since the start.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Items per second so far.
    pub fn rate(&self) -> f64 {
        rate(self.done(), self.elapsed())
    }

    /// Stops the display (the bar is cleared; the caller prints the outcome).
    pub fn finish(&self) {
        if let Display::Bar(bar) = &self.display {
            bar.finish_and_clear();
        }
    }

    /// One plain progress line, e.g.
    /// `export: 40000/100000 items (40%), 12000 items/s, ETA 5s`.
    fn line(&self, done: u64) -> String {
        let rate = rate(done, self.elapsed());
        match self.total {
            Some(total) if total > 0 => {
                let pct = done.saturating_mul(100) / total;
                let eta = if rate > 0.0 {
                    format!("{:.0}s", total.saturating_sub(done) as f64 / rate)
                } else {
                    "unknown".into()
                };
                format!(
                    "{}: {done}/{total} items ({pct}%), {rate:.0} items/s, ETA {eta}",
                    self.label
                )
            }
            _ => format!("{}: {done} items, {rate:.0} items/s", self.label),
        }
    }
}

/// `n` per second over `elapsed` (0 when no time has passed).
fn rate(n: u64, elapsed: Duration) -> f64 {
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 {
        n as f64 / secs
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_lines_show_counts_rate_and_eta() {
        let p = Progress::new("import", Some(100), true);
        let line = p.line(40);
        assert!(line.starts_with("import: 40/100 items (40%), "), "{line}");
        assert!(line.contains(" items/s, ETA "), "{line}");
        let p = Progress::new("export", None, true);
        assert!(p.line(7).starts_with("export: 7 items, "));
    }

    #[test]
    fn counting_works_when_quiet() {
        let p = Progress::new("export", Some(10), true);
        p.add(3);
        p.add(4);
        assert_eq!(p.done(), 7);
        p.finish();
    }
}
