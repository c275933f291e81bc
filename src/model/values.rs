//! Values as written → checked values: durations, times, days, schedules,
//! numbers, time zones and enum words. Every failure is an `invalid-value`
//! diagnostic on the value itself; nothing here can overflow or panic.

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Span};
use crate::suggest::closest;
use crate::syntax::ast::{self, Raw};

/// The longest duration accepted anywhere: 365 days, in seconds.
pub const MAX_DURATION_S: u64 = 365 * 24 * 3600;

/// A value with the span it was written at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

/// Collects `invalid-value` diagnostics for one file.
pub struct Values<'d> {
    pub file: FileId,
    pub diags: &'d mut Vec<Diagnostic>,
}

impl Values<'_> {
    fn invalid(&mut self, span: Span, message: String, help: Option<String>) {
        let mut d = Diagnostic::new(Code::InvalidValue, self.file, span, message);
        if let Some(h) = help {
            d = d.with_help(h);
        }
        self.diags.push(d);
    }

    /// `30s`, `5m`, `1h30m`, `2d` → seconds, in (0, 365 days].
    pub fn duration(&mut self, raw: Raw<'_>) -> Option<Spanned<u64>> {
        match parse_duration(raw.raw) {
            Ok(value) => Some(Spanned {
                value,
                span: raw.span,
            }),
            Err((message, help)) => {
                self.invalid(raw.span, message, help);
                None
            }
        }
    }

    /// A positive whole number that fits in `u32` (`max N`, volumes).
    pub fn count(&mut self, raw: Raw<'_>, what: &str) -> Option<Spanned<u32>> {
        match raw.raw.parse::<u32>() {
            Ok(0) => {
                self.invalid(raw.span, format!("{what} must be at least 1"), None);
                None
            }
            Ok(value) => Some(Spanned {
                value,
                span: raw.span,
            }),
            Err(_) => {
                self.invalid(
                    raw.span,
                    format!("{what} `{}` is too large", raw.raw),
                    Some(format!("the largest value is {}", u32::MAX)),
                );
                None
            }
        }
    }

    /// One of `choices`, as written.
    pub fn word<T: Copy>(
        &mut self,
        raw: Raw<'_>,
        what: &str,
        choices: &[(&str, T)],
    ) -> Option<Spanned<T>> {
        if let Some(&(_, v)) = choices.iter().find(|(w, _)| *w == raw.raw) {
            return Some(Spanned {
                value: v,
                span: raw.span,
            });
        }
        let words: Vec<&str> = choices.iter().map(|(w, _)| *w).collect();
        let quoted: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
        let list = match quoted.split_last() {
            None => String::new(),
            Some((only, [])) => only.clone(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        };
        let help = match closest(raw.raw, &words) {
            Some(best) => format!("did you mean `{best}`? Expected {list}"),
            None => format!("expected {list}"),
        };
        self.invalid(
            raw.span,
            format!("`{}` is not a valid {what}", raw.raw),
            Some(help),
        );
        None
    }

    /// An IANA time zone name, checked against the bundled tz database.
    pub fn timezone(&mut self, s: &ast::Str<'_>) -> Option<Spanned<()>> {
        let name = s.value();
        if jiff::tz::TimeZone::get(&name).is_ok() {
            return Some(Spanned {
                value: (),
                span: s.span,
            });
        }
        let names: Vec<String> = jiff::tz::db().available().map(|n| n.to_string()).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let help = match closest(&name, &refs) {
            Some(best) => format!(
                "did you mean \"{best}\"? Time zones are IANA names such as \"Europe/Moscow\""
            ),
            None => "time zones are IANA names such as \"Europe/Moscow\" or \"Asia/Yekaterinburg\""
                .to_string(),
        };
        self.invalid(s.span, format!("unknown time zone \"{name}\""), Some(help));
        None
    }

    /// A schedule: `24/7` or windows of days and times.
    pub fn schedule(&mut self, s: &ast::Schedule<'_>) -> Option<Spanned<Schedule>> {
        let windows = match &s.kind {
            ast::ScheduleKind::Always => {
                return Some(Spanned {
                    value: Schedule::Always,
                    span: s.span,
                });
            }
            ast::ScheduleKind::Windows(w) => w,
        };
        let mut ok = true;
        let mut out = Vec::with_capacity(windows.len());
        for w in windows {
            match self.window(w) {
                Some(w) => out.push(w),
                None => ok = false,
            }
        }
        ok.then_some(Spanned {
            value: Schedule::Windows(out),
            span: s.span,
        })
    }

    fn window(&mut self, w: &ast::Window<'_>) -> Option<Window> {
        let days = match &w.days {
            None => Some(0b111_1111),
            Some(d) => self.days(d),
        };
        let from = self.time(w.from, false);
        let to = self.time(w.to, true);
        let (days, from, to) = (days?, from?, to?);
        if from >= to {
            self.invalid(
                Span::new(w.from.span.start as usize, w.to.span.end as usize),
                format!(
                    "the time range `{}-{}` ends before it starts",
                    w.from.raw, w.to.raw
                ),
                Some(
                    "a window ends later the same day; for a night shift write two windows, e.g. `mon-fri 22:00-24:00, tue-sat 00:00-06:00`"
                        .to_string(),
                ),
            );
            return None;
        }
        Some(Window { days, from, to })
    }

    /// `mon` or `mon-fri` → a bit per day, Monday first.
    fn days(&mut self, d: &ast::Days<'_>) -> Option<u8> {
        let first = self.day(d.first);
        let last = d.last.map(|l| self.day(l));
        let first = first?;
        let last = match last {
            None => first,
            Some(l) => l?,
        };
        if last < first {
            self.invalid(
                d.span,
                format!(
                    "the day range `{}-{}` runs backwards",
                    d.first.raw,
                    d.last.map_or("", |l| l.raw)
                ),
                Some("write days from Monday to Sunday, e.g. `mon-fri`; for a range across the weekend write two windows: `fri-sun 09:00-18:00, mon 09:00-18:00`".into()),
            );
            return None;
        }
        Some((first..=last).fold(0u8, |m, i| m | (1 << i)))
    }

    fn day(&mut self, raw: Raw<'_>) -> Option<u8> {
        let v = self.word(
            raw,
            "day",
            &[
                ("mon", 0),
                ("tue", 1),
                ("wed", 2),
                ("thu", 3),
                ("fri", 4),
                ("sat", 5),
                ("sun", 6),
                ("пн", 0),
                ("вт", 1),
                ("ср", 2),
                ("чт", 3),
                ("пт", 4),
                ("сб", 5),
                ("вс", 6),
            ],
        );
        v.map(|s| s.value)
    }

    /// `HH:MM` → minutes since midnight; `24:00` only as the end of a range.
    fn time(&mut self, raw: Raw<'_>, is_end: bool) -> Option<u16> {
        match parse_time(raw.raw, is_end) {
            Some(m) => Some(m),
            None => {
                let help = if raw.raw == "24:00" {
                    "`24:00` can only end a range".to_string()
                } else {
                    "write times as HH:MM from 00:00 to 23:59 (24:00 may end a range)".to_string()
                };
                self.invalid(
                    raw.span,
                    format!("`{}` is not a valid time", raw.raw),
                    Some(help),
                );
                None
            }
        }
    }
}

/// Parse `1h30m`-style durations. On failure: the message and a help line.
pub fn parse_duration(raw: &str) -> Result<u64, (String, Option<String>)> {
    const UNITS: [(char, u64, &str); 4] = [
        ('d', 86_400, "days"),
        ('h', 3_600, "hours"),
        ('m', 60, "minutes"),
        ('s', 1, "seconds"),
    ];
    let mut total: u64 = 0;
    let mut last_unit: Option<usize> = None;
    let mut rest = raw;
    let too_large = || {
        (
            format!("the duration `{raw}` is longer than 365 days"),
            Some("durations are at most 365 days (`365d`)".to_string()),
        )
    };
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit_len = rest[digits..]
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len() - digits);
        let (number, unit) = (&rest[..digits], &rest[digits..digits + unit_len]);
        rest = &rest[digits + unit_len..];
        let Some(idx) = UNITS
            .iter()
            .position(|(c, _, _)| unit.len() == 1 && unit.starts_with(*c))
        else {
            return Err((
                format!("unknown unit `{unit}` in the duration `{raw}`"),
                Some(unit_help(unit)),
            ));
        };
        if last_unit.is_some_and(|l| l >= idx) {
            return Err((
                format!("the units of `{raw}` are out of order or repeated"),
                Some(
                    "write units from the largest to the smallest, each once, e.g. `1h30m`".into(),
                ),
            ));
        }
        last_unit = Some(idx);
        // A number too large for u64 is certainly over 365 days.
        let n: u64 = number.parse().map_err(|_| too_large())?;
        total = n
            .checked_mul(UNITS[idx].1)
            .and_then(|v| v.checked_add(total))
            .ok_or_else(too_large)?;
    }
    if total == 0 {
        return Err((
            format!("the duration `{raw}` is zero"),
            Some("a duration must be longer than zero".into()),
        ));
    }
    if total > MAX_DURATION_S {
        return Err(too_large());
    }
    Ok(total)
}

fn unit_help(unit: &str) -> String {
    let suggestion = match unit {
        "sec" | "secs" | "second" | "seconds" | "с" | "сек" => Some("s"),
        "min" | "mins" | "minute" | "minutes" | "м" | "мин" => Some("m"),
        "hr" | "hrs" | "hour" | "hours" | "ч" | "час" => Some("h"),
        "day" | "days" | "д" | "дн" => Some("d"),
        _ => None,
    };
    match suggestion {
        Some(s) => format!("write `{s}`: the units are `s`, `m`, `h` and `d`"),
        None => "the units are `s` (seconds), `m` (minutes), `h` (hours) and `d` (days)".into(),
    }
}

/// `HH:MM` → minutes since midnight.
pub fn parse_time(raw: &str, allow_24: bool) -> Option<u16> {
    let (h, m) = raw.split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let h: u16 = h.parse().ok()?;
    let m: u16 = m.parse().ok()?;
    match (h, m) {
        (24, 0) if allow_24 => Some(24 * 60),
        (0..=23, 0..=59) => Some(h * 60 + m),
        _ => None,
    }
}

/// When calls are taken or a role is on duty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Schedule {
    Always,
    Windows(Vec<Window>),
}

/// Days (bit 0 = Monday) and a time range in minutes, `from < to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub days: u8,
    pub from: u16,
    pub to: u16,
}

/// Minutes in a week: the resolution at which schedules are compared.
pub const WEEK_MINUTES: usize = 7 * 24 * 60;

impl Schedule {
    /// The minutes of the week (Monday 00:00 = 0) the schedule covers.
    pub fn week(&self) -> WeekMask {
        let mut mask = WeekMask::empty();
        match self {
            Schedule::Always => mask.fill(0, WEEK_MINUTES),
            Schedule::Windows(ws) => {
                for w in ws {
                    for day in 0..7 {
                        if w.days & (1 << day) != 0 {
                            let base = day * 24 * 60;
                            mask.fill(base + w.from as usize, base + w.to as usize);
                        }
                    }
                }
            }
        }
        mask
    }
}

/// A set of minutes of the week.
#[derive(Clone, PartialEq, Eq)]
pub struct WeekMask {
    bits: Vec<u64>,
}

impl std::fmt::Debug for WeekMask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WeekMask({} minutes)", self.count())
    }
}

impl WeekMask {
    pub fn empty() -> WeekMask {
        WeekMask {
            bits: vec![0; WEEK_MINUTES.div_ceil(64)],
        }
    }

    fn fill(&mut self, from: usize, to: usize) {
        for m in from..to.min(WEEK_MINUTES) {
            self.bits[m / 64] |= 1 << (m % 64);
        }
    }

    pub fn contains(&self, minute: usize) -> bool {
        minute < WEEK_MINUTES && self.bits[minute / 64] & (1 << (minute % 64)) != 0
    }

    pub fn count(&self) -> usize {
        self.bits.iter().map(|b| b.count_ones() as usize).sum()
    }

    /// Minutes in `self` but not in `other`.
    pub fn minus(&self, other: &WeekMask) -> WeekMask {
        WeekMask {
            bits: self
                .bits
                .iter()
                .zip(&other.bits)
                .map(|(a, b)| a & !b)
                .collect(),
        }
    }

    /// Maximal runs of covered minutes, as `(from, to)` minute pairs.
    pub fn runs(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start = None;
        for m in 0..=WEEK_MINUTES {
            match (self.contains(m), start) {
                (true, None) => start = Some(m),
                (false, Some(s)) => {
                    out.push((s, m));
                    start = None;
                }
                _ => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Ok(30));
        assert_eq!(parse_duration("1h30m"), Ok(5400));
        assert_eq!(parse_duration("2d"), Ok(172_800));
        assert_eq!(parse_duration("365d"), Ok(MAX_DURATION_S));
        assert!(parse_duration("366d").is_err());
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("30m1h").is_err());
        assert!(parse_duration("1m1m").is_err());
        assert!(parse_duration("5min").is_err());
        assert!(parse_duration("99999999999999999999999999d").is_err());
        assert!(parse_duration("18446744073709551615s").is_err());
    }

    #[test]
    fn times() {
        assert_eq!(parse_time("09:00", false), Some(540));
        assert_eq!(parse_time("9:05", false), Some(545));
        assert_eq!(parse_time("24:00", true), Some(1440));
        assert_eq!(parse_time("24:00", false), None);
        assert_eq!(parse_time("25:00", true), None);
        assert_eq!(parse_time("12:60", true), None);
        assert_eq!(parse_time("123:00", true), None);
    }

    #[test]
    fn week_masks() {
        let s = Schedule::Windows(vec![Window {
            days: 0b1,
            from: 540,
            to: 600,
        }]);
        let m = s.week();
        assert_eq!(m.count(), 60);
        assert_eq!(m.runs(), vec![(540, 600)]);
        let all = Schedule::Always.week();
        assert_eq!(all.minus(&m).count(), WEEK_MINUTES - 60);
    }
}

/// Seconds as the language writes them: `1h30m`, `45s`, `2d`.
pub fn format_duration(seconds: u64) -> String {
    if seconds == 0 {
        return "0s".into();
    }
    let mut s = String::new();
    let mut rest = seconds;
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if rest >= size {
            s.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    s
}

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// `HH:MM` for minutes since midnight (1440 is `24:00`).
pub fn format_time(minutes: usize) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

impl WeekMask {
    /// The minutes as a schedule in the language's own notation, days with
    /// the same hours grouped: `mon-fri 18:00-21:00, sat 10:00-16:00`.
    pub fn describe(&self) -> String {
        if self.count() == WEEK_MINUTES {
            return "24/7".into();
        }
        // Each day's intervals.
        let per_day: Vec<Vec<(usize, usize)>> = (0..7)
            .map(|d| {
                let base = d * 1440;
                let mut v = Vec::new();
                let mut start = None;
                for m in 0..=1440 {
                    let on = m < 1440 && self.contains(base + m);
                    match (on, start) {
                        (true, None) => start = Some(m),
                        (false, Some(s)) => {
                            v.push((s, m));
                            start = None;
                        }
                        _ => {}
                    }
                }
                v
            })
            .collect();
        let mut parts = Vec::new();
        let mut d = 0;
        while d < 7 {
            let mut e = d;
            while e + 1 < 7 && per_day[e + 1] == per_day[d] {
                e += 1;
            }
            if !per_day[d].is_empty() {
                let days = if d == e {
                    DAY_NAMES[d].to_string()
                } else {
                    format!("{}-{}", DAY_NAMES[d], DAY_NAMES[e])
                };
                let times: Vec<String> = per_day[d]
                    .iter()
                    .map(|&(a, b)| format!("{}-{}", format_time(a), format_time(b)))
                    .collect();
                for t in times {
                    parts.push(format!("{days} {t}"));
                }
            }
            d = e + 1;
        }
        parts.join(", ")
    }
}

#[cfg(test)]
mod format_tests {
    use super::*;

    #[test]
    fn durations_format_like_the_language() {
        assert_eq!(format_duration(5400), "1h30m");
        assert_eq!(format_duration(45), "45s");
        assert_eq!(format_duration(90_061), "1d1h1m1s");
    }

    #[test]
    fn schedules_describe_grouped_days() {
        let s = Schedule::Windows(vec![
            Window {
                days: 0b1_1111,
                from: 18 * 60,
                to: 21 * 60,
            },
            Window {
                days: 0b10_0000,
                from: 600,
                to: 960,
            },
        ]);
        assert_eq!(s.week().describe(), "mon-fri 18:00-21:00, sat 10:00-16:00");
        assert_eq!(Schedule::Always.week().describe(), "24/7");
    }
}
