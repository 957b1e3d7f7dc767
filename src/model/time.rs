//! Dates and times as G-MIS writes them, in Japan Standard Time.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// Japan Standard Time (UTC+9, no daylight saving).
pub fn jst() -> FixedOffset {
    FixedOffset::east_opt(JST_HOURS as i32 * 3600).expect("+09:00 is a valid offset")
}

pub type JstDateTime = DateTime<FixedOffset>;

pub fn now_jst() -> JstDateTime {
    Utc::now().with_timezone(&jst())
}

/// Splits "2022/01/05", "2022-1-5" or "2022年1月5日" into numbers.
fn parse_ymd(text: &str) -> Option<NaiveDate> {
    let mut parts = text
        .split(['/', '-', '年', '月', '日'])
        .filter(|p| !p.is_empty());
    let y: i32 = small_number(parts.next()?, 4)?.try_into().ok()?;
    let m = small_number(parts.next()?, 2)?;
    let d = small_number(parts.next()?, 2)?;
    if parts.next().is_some() || y < 1900 {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

fn small_number(text: &str, max_len: usize) -> Option<u32> {
    if text.is_empty() || text.len() > max_len || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// 実績日: "2022/01/05" (also "-" separators and unpadded numbers).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    canonical_date(text.as_bytes()).or_else(|| parse_ymd(text))
}

/// Dates and times read from a file's bytes (the common form needs no
/// decoding), remembering the last day read in G-MIS's form, for one column:
/// the rows of a report mostly share their 実績日 and the day of their 報告日時,
/// so a million rows work out a few days rather than a million.
#[derive(Default)]
pub struct DayMemo {
    last: Option<([u8; 10], NaiveDate)>,
}

impl DayMemo {
    /// [`parse_date`] on a file's bytes.
    pub fn date(&mut self, bytes: &[u8]) -> Option<NaiveDate> {
        self.canonical(bytes.trim_ascii())
            .or_else(|| parse_date(std::str::from_utf8(bytes).ok()?))
    }

    /// [`parse_datetime`] on a file's bytes.
    pub fn datetime(&mut self, bytes: &[u8]) -> Option<JstDateTime> {
        canonical_datetime_by(bytes.trim_ascii(), |day| self.canonical(day))
            .or_else(|| parse_datetime(std::str::from_utf8(bytes).ok()?))
    }

    fn canonical(&mut self, b: &[u8]) -> Option<NaiveDate> {
        if let Some((bytes, day)) = &self.last {
            if bytes.as_slice() == b {
                return Some(*day);
            }
        }
        let day = canonical_date(b)?;
        self.last = Some((b.try_into().ok()?, day));
        Some(day)
    }
}

/// Two ASCII digits as a number.
fn two_digits(b: &[u8]) -> Option<u32> {
    match b {
        [a @ b'0'..=b'9', b @ b'0'..=b'9'] => Some(u32::from(a - b'0') * 10 + u32::from(b - b'0')),
        _ => None,
    }
}

/// The form G-MIS writes, "2022/01/05", read without splitting: imports of a
/// million rows spend much of their time here.
fn canonical_date(b: &[u8]) -> Option<NaiveDate> {
    if b.len() != 10 || b[4] != b'/' || b[7] != b'/' {
        return None;
    }
    let year = two_digits(&b[0..2])? * 100 + two_digits(&b[2..4])?;
    NaiveDate::from_ymd_opt(year as i32, two_digits(&b[5..7])?, two_digits(&b[8..10])?)
        .filter(|_| year >= 1900)
}

/// "2022/02/01 11:32", the form G-MIS writes.
fn canonical_datetime(b: &[u8]) -> Option<JstDateTime> {
    canonical_datetime_by(b, canonical_date)
}

/// [`canonical_datetime`] with its day read by `read_day`.
fn canonical_datetime_by(
    b: &[u8],
    read_day: impl FnOnce(&[u8]) -> Option<NaiveDate>,
) -> Option<JstDateTime> {
    if b.len() != 16 || b[10] != b' ' || b[13] != b':' {
        return None;
    }
    let day = read_day(&b[..10])?;
    let time = NaiveTime::from_hms_opt(two_digits(&b[11..13])?, two_digits(&b[14..16])?, 0)?;
    // A fixed offset has one reading of every local time: nine hours earlier,
    // on the day before for the morning's first nine.
    let (utc_time, wrapped) = time.overflowing_sub_signed(Duration::hours(JST_HOURS));
    let utc_day = if wrapped == 0 { day } else { day.pred_opt()? };
    let utc = NaiveDateTime::new(utc_day, utc_time);
    Some(DateTime::from_naive_utc_and_offset(utc, jst()))
}

/// Hours JST is ahead of UTC.
const JST_HOURS: i64 = 9;

/// 報告日時: "2022/02/01 11:32" in JST; seconds, a "T" separator and an explicit
/// offset ("+09:00", "Z") are accepted too.
pub fn parse_datetime(text: &str) -> Option<JstDateTime> {
    let text = text.trim();
    if let Some(dt) = canonical_datetime(text.as_bytes()) {
        return Some(dt);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Some(dt.with_timezone(&jst()));
    }
    let (date, time) = text.split_once([' ', 'T'])?;
    let date = parse_ymd(date)?;
    let mut hms = time.trim().split(':');
    let h = small_number(hms.next()?, 2)?;
    let m = small_number(hms.next()?, 2)?;
    let s = match hms.next() {
        Some(s) => small_number(s, 2)?,
        None => 0,
    };
    if hms.next().is_some() {
        return None;
    }
    let naive = NaiveDateTime::new(date, NaiveTime::from_hms_opt(h, m, s)?);
    jst().from_local_datetime(&naive).single()
}

pub fn format_date(date: NaiveDate) -> String {
    date.format("%Y/%m/%d").to_string()
}

/// As G-MIS shows it: "2022/02/01 11:32".
pub fn format_datetime(dt: &JstDateTime) -> String {
    dt.with_timezone(&jst())
        .format("%Y/%m/%d %H:%M")
        .to_string()
}

/// An age in plain Japanese, by one rule wherever a user reads one: 「たった今」
/// under a minute, 「N分前」 under an hour, 「N時間前」 under two days, then
/// 「N日前」 (whole units, rounded down). A time in the future reads 「未来」
/// rather than a negative age.
pub fn format_age(age: Duration) -> String {
    let minutes = age.num_minutes();
    if age < Duration::zero() {
        if age > -Duration::minutes(1) {
            return "たった今".to_string();
        }
        return "未来".to_string();
    }
    match minutes {
        0 => "たった今".to_string(),
        1..=59 => format!("{minutes}分前"),
        60..=2879 => format!("{}時間前", minutes / 60),
        _ => format!("{}日前", minutes / 1440),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_minute_of_a_day_is_nine_hours_ahead_of_utc() {
        let days = [
            "2024/01/01",
            "2024/03/01",
            "2023/03/01",
            "2022/12/31",
            "1900/01/01",
        ];
        for day in days {
            let date = parse_date(day).unwrap();
            for minute_of_day in 0..24 * 60 {
                let (hour, minute) = (minute_of_day / 60, minute_of_day % 60);
                let text = format!("{day} {hour:02}:{minute:02}");
                let local =
                    NaiveDateTime::new(date, NaiveTime::from_hms_opt(hour, minute, 0).unwrap());
                let expected = jst().from_local_datetime(&local).single().unwrap();
                assert_eq!(
                    canonical_datetime(text.as_bytes()),
                    Some(expected),
                    "{text}"
                );
            }
        }
        assert_eq!(canonical_datetime(b"2024/01/01 24:00"), None);
        assert_eq!(canonical_datetime(b"2024/01/01 12:60"), None);
    }

    #[test]
    fn remembered_days_read_as_the_plain_parsers_do() {
        let texts = [
            "2022/01/05",
            "2022/01/05",
            " 2022/01/05 ",
            "2022/1/5",
            "2022/02/30",
            "2022/02/28",
            "2022/01/05 11:32",
            "2022/01/05 08:59",
            "2022/01/05 24:00",
            "2022/01/06 00:00",
            "2022/01/05 11:32",
            "2022-01-05T11:32:10+09:00",
            "2022/01/05 9:5",
            "1899/12/31",
            "1899/12/31 10:00",
            "2022/01/0x",
            "",
            "2022/12/31 23:59",
            "2023/01/01 00:01",
        ];
        let (mut dates, mut datetimes) = (DayMemo::default(), DayMemo::default());
        for _ in 0..2 {
            for text in texts {
                let bytes = text.as_bytes();
                assert_eq!(dates.date(bytes), parse_date(text), "{text}");
                assert_eq!(datetimes.datetime(bytes), parse_datetime(text), "{text}");
            }
        }
        let morning = DayMemo::default().datetime(b"2022/01/05 08:59").unwrap();
        assert_eq!(morning.to_rfc3339(), "2022-01-05T08:59:00+09:00");
        assert_eq!(morning.naive_utc().to_string(), "2022-01-04 23:59:00");
    }

    #[test]
    fn parses_the_gmis_formats() {
        assert_eq!(
            parse_date("2022/01/05"),
            NaiveDate::from_ymd_opt(2022, 1, 5)
        );
        assert_eq!(parse_date("2022-1-5"), NaiveDate::from_ymd_opt(2022, 1, 5));
        assert_eq!(
            parse_date("2022年1月5日"),
            NaiveDate::from_ymd_opt(2022, 1, 5)
        );
        assert_eq!(parse_date("2022/02/30"), None);
        assert_eq!(parse_date("0022/02/03"), None);
        assert_eq!(parse_date("2022/0a/03"), None);
        assert_eq!(parse_date("05/01/2022"), None);
        assert_eq!(parse_date(""), None);
        let dt = parse_datetime("2022/02/01 11:32").unwrap();
        assert_eq!(format_datetime(&dt), "2022/02/01 11:32");
        assert_eq!(dt.offset().local_minus_utc(), 9 * 3600);
        let utc = parse_datetime("2022-02-01T02:32:00Z").unwrap();
        assert_eq!(utc, dt);
        assert!(parse_datetime("2022/02/01 25:00").is_none());
        assert!(parse_datetime("2022/02/01").is_none());
    }

    #[test]
    fn ages_read_as_words() {
        assert_eq!(format_age(Duration::seconds(20)), "たった今");
        assert_eq!(format_age(Duration::minutes(19)), "19分前");
        assert_eq!(format_age(Duration::hours(3)), "3時間前");
        assert_eq!(format_age(Duration::hours(47)), "47時間前");
        assert_eq!(format_age(Duration::days(3)), "3日前");
        assert_eq!(format_age(-Duration::hours(2)), "未来");
    }

    #[test]
    fn age_units_change_at_an_hour_and_at_two_days() {
        let minutes = |m: i64| format_age(Duration::minutes(m));
        assert_eq!(format_age(Duration::seconds(59)), "たった今");
        assert_eq!(minutes(1), "1分前");
        assert_eq!(minutes(59), "59分前");
        assert_eq!(format_age(Duration::seconds(59 * 60 + 59)), "59分前");
        assert_eq!(minutes(60), "1時間前");
        assert_eq!(minutes(47 * 60 + 59), "47時間前");
        assert_eq!(minutes(48 * 60), "2日前");
        assert_eq!(minutes(72 * 60 - 1), "2日前");
        assert_eq!(minutes(72 * 60), "3日前");
        assert_eq!(format_age(-Duration::seconds(30)), "たった今");
    }
}
