//! Dates as the bureau writes them.

use chrono::{Datelike, Months, NaiveDate};

/// Parses `2024-03-01`, `2024/3/1`, `2024.3.1` or `2024年3月1日`
/// (full-width digits allowed), also followed by a time of day as Excel
/// saves a date-time column in a CSV (`2024/3/1 0:00`) or as JSON writes
/// one (`2024-03-01T00:00:00`): the day is what is kept. Returns `None`
/// for anything else, including impossible dates such as `2023-02-29`.
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let folded: String = raw.trim().chars().map(super::license::fold_width).collect();
    let s = without_time(folded.trim())?;
    let s = s.strip_suffix('日').unwrap_or(s);
    let parts: Vec<&str> = s.split(['-', '/', '.', '年', '月']).collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || p.len() > 4) {
        return None;
    }
    if parts[0].len() != 4 {
        return None;
    }
    let y: i32 = parts[0].parse().ok()?;
    let m: u32 = parts[1].parse().ok()?;
    let d: u32 = parts[2].parse().ok()?;
    NaiveDate::from_ymd_opt(y, m, d)
}

/// `s` without a time of day after its date (`H:MM`, `H:MM:SS`, with
/// fractions of a second, after a space or a `T`); `None` when what
/// follows the date is not a time.
fn without_time(s: &str) -> Option<&str> {
    let Some(at) = s.find([' ', 'T']) else {
        return Some(s);
    };
    let time = s[at + 1..].trim();
    let mut parts = time.split(':');
    let ok = |p: Option<&str>, max: u32| {
        p.is_some_and(|p| {
            let whole = p.split('.').next().unwrap_or("");
            !whole.is_empty()
                && whole.len() <= 2
                && whole.bytes().all(|b| b.is_ascii_digit())
                && whole.parse::<u32>().is_ok_and(|n| n <= max)
                && p[whole.len()..]
                    .strip_prefix('.')
                    .is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
        })
    };
    let (h, m, sec) = (parts.next(), parts.next(), parts.next());
    let valid = ok(h, 23)
        && !h.unwrap_or("").contains('.')
        && ok(m, 59)
        && !m.unwrap_or("").contains('.')
        && (sec.is_none() || ok(sec, 59))
        && parts.next().is_none();
    valid.then(|| s[..at].trim_end())
}

/// China's offset from UTC (UTC+8, no daylight saving): the bureau's day.
const CHINA_OFFSET: chrono::TimeDelta = chrono::TimeDelta::hours(8);

/// The date in China of a UTC time.
pub fn china_date(utc: chrono::NaiveDateTime) -> NaiveDate {
    (utc + CHINA_OFFSET).date()
}

/// The time of day in China of a UTC time.
pub fn china_time(utc: chrono::NaiveDateTime) -> chrono::NaiveTime {
    (utc + CHINA_OFFSET).time()
}

/// `time` of day in China on `date`, as a UTC time.
pub fn china_to_utc(date: NaiveDate, time: chrono::NaiveTime) -> chrono::NaiveDateTime {
    date.and_time(time) - CHINA_OFFSET
}

/// Midnight in China at the start of `date`, as a UTC time: when a day's
/// changes (a window closing, a deadline passing) take effect.
pub fn china_midnight_utc(date: NaiveDate) -> chrono::NaiveDateTime {
    china_to_utc(date, chrono::NaiveTime::MIN)
}

/// The start of `date` in China as an RFC 3339 time with its offset
/// (`2026-12-05T00:00:00+08:00`), as feeds date a day's entries.
pub fn china_day_rfc3339(date: NaiveDate) -> String {
    format!("{date}T00:00:00+08:00")
}

/// `date` plus `years` whole years; 29 February becomes 28 February.
pub fn add_years(date: NaiveDate, years: u32) -> NaiveDate {
    date.checked_add_months(Months::new(12 * years))
        .unwrap_or(NaiveDate::MAX)
}

/// The day `years` years after `date`, as a window counted from `date`
/// ends the day before it: 29 February's falls on 1 March in a common
/// year, so that a window from 29 February ends on 28 February, as one
/// from 28 February ends on 27 February, and each lasts its whole years.
pub fn anniversary(date: NaiveDate, years: u32) -> NaiveDate {
    let same_day = add_years(date, years);
    if same_day.day() < date.day() {
        same_day.succ_opt().unwrap_or(same_day)
    } else {
        same_day
    }
}

/// The day `years` years before `date` on the calendar (29 February
/// becomes 28 February).
pub fn years_before(date: NaiveDate, years: u32) -> NaiveDate {
    date.checked_sub_months(Months::new(12 * years))
        .unwrap_or(NaiveDate::MIN)
}

/// 1 January of `year`.
pub fn new_year(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MAX)
}

/// Whole years from `from` to `to` (0 when `to` is before `from`).
pub fn whole_years_between(from: NaiveDate, to: NaiveDate) -> u32 {
    if to < from {
        return 0;
    }
    let mut years = (to.year() - from.year()) as u32;
    if add_years(from, years) > to {
        years = years.saturating_sub(1);
    }
    years
}

/// Serialises a UTC time as RFC 3339 with its offset
/// (`2026-12-03T06:00:00.123Z`), as an API schema's `date-time` requires
/// (a time without an offset is not one).
pub fn utc_rfc3339<S: serde::Serializer>(
    t: &chrono::NaiveDateTime,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_str(
        &t.and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_day_in_china_turns_at_16_00_utc() {
        let t = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(china_date(t("2026-11-28 15:59:59")), d(2026, 11, 28));
        assert_eq!(china_date(t("2026-11-28 16:00:00")), d(2026, 11, 29));
        assert_eq!(
            china_midnight_utc(d(2026, 11, 29)),
            t("2026-11-28 16:00:00")
        );
        let noon = t("2026-11-28 04:00:00");
        assert_eq!(china_to_utc(china_date(noon), china_time(noon)), noon);
    }

    #[test]
    fn the_bureau_s_date_spellings_parse() {
        assert_eq!(parse_date("2024-03-01"), Some(d(2024, 3, 1)));
        assert_eq!(parse_date("2024/3/1"), Some(d(2024, 3, 1)));
        assert_eq!(parse_date("2024年3月1日"), Some(d(2024, 3, 1)));
        assert_eq!(parse_date("２０２４年３月１日"), Some(d(2024, 3, 1)));
        assert_eq!(parse_date(" 2024.12.31 "), Some(d(2024, 12, 31)));
    }

    #[test]
    fn a_date_with_a_time_of_day_keeps_the_day() {
        assert_eq!(parse_date("2024/3/1 0:00"), Some(d(2024, 3, 1)));
        assert_eq!(parse_date("2024-03-01 14:30:05"), Some(d(2024, 3, 1)));
        assert_eq!(parse_date("2024-03-01T00:00:00"), Some(d(2024, 3, 1)));
        assert_eq!(parse_date("2024-03-01T00:00:00.000"), Some(d(2024, 3, 1)));
        assert_eq!(parse_date("2024年3月1日 8:05"), Some(d(2024, 3, 1)));
        for bad in [
            "2024-03-01 noon",
            "2024-03-01 25:00",
            "2024-03-01 12",
            "2024-03-01 12:60",
            "2024-03-01 1:2:3:4",
            "2024-03-01T",
            "2024-03-01 12:00.5",
        ] {
            assert_eq!(parse_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn impossible_or_ambiguous_dates_are_refused() {
        for bad in [
            "2023-02-29",
            "3/1/2024",
            "2024-13-01",
            "",
            "2024-3",
            "yesterday",
            "24-3-1",
        ] {
            assert_eq!(parse_date(bad), None, "{bad:?} should not parse");
        }
    }

    #[test]
    fn years_are_added_on_the_calendar() {
        assert_eq!(add_years(d(2024, 2, 29), 1), d(2025, 2, 28));
        assert_eq!(anniversary(d(2024, 2, 29), 1), d(2025, 3, 1));
        assert_eq!(anniversary(d(2024, 2, 29), 4), d(2028, 2, 29));
        assert_eq!(anniversary(d(2024, 2, 28), 1), d(2025, 2, 28));
        assert_eq!(anniversary(d(2023, 2, 28), 1), d(2024, 2, 28));
        assert_eq!(anniversary(d(2025, 12, 31), 3), d(2028, 12, 31));
        assert_eq!(years_before(d(2026, 11, 28), 20), d(2006, 11, 28));
        assert_eq!(years_before(d(2024, 2, 29), 1), d(2023, 2, 28));
        assert_eq!(whole_years_between(d(2020, 5, 1), d(2021, 4, 30)), 0);
        assert_eq!(whole_years_between(d(2020, 5, 1), d(2021, 5, 1)), 1);
    }
}
