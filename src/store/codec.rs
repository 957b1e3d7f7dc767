//! How a report row and its times are written to and read from SQLite columns.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use super::StoreError;
use crate::model::{AreaCode, HospitalCode, MunicipalityCode, PrefectureNumber, ReportRow};

/// The sha256 of a fetched body, in lower-case hex, for [`super::FetchRecord::content_hash`].
pub fn content_hash(body: &[u8]) -> String {
    crate::text::hex(&Sha256::digest(body))
}

/// A digest of every field of a row: equal digests mean nothing to store.
pub(super) fn row_hash(row: &ReportRow) -> [u8; 32] {
    let mut hasher = Sha256::new();
    // Each field is length-prefixed so that no two different rows hash the same bytes.
    let mut put = |bytes: &[u8]| {
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    put(row.prefecture.as_bytes());
    put(&[row.prefecture_no.get()]);
    put(row.municipality_code.as_str().as_bytes());
    put(row.municipality.as_bytes());
    put(row.area_code.as_str().as_bytes());
    put(row.area_name.as_bytes());
    put(row.hospital_code.as_str().as_bytes());
    put(row.hospital_name.as_bytes());
    put(row.record_date.to_string().as_bytes());
    put(&row.reported_at.timestamp().to_le_bytes());
    put(&row.reported_at.timestamp_subsec_nanos().to_le_bytes());
    for count in [row.secured, row.ready, row.inpatients] {
        // A blank is the empty field; a number never is.
        match count {
            Some(n) => put(&n.to_le_bytes()),
            None => put(&[]),
        }
    }
    put(&(row.extra.len() as u64).to_le_bytes());
    row.extra.iter().for_each(|value| put(value.as_bytes()));
    hasher.finalize().into()
}

/// The text of a row shared between its versions (table `hospital_info`).
#[derive(Debug)]
pub(super) struct InfoColumns<'r> {
    pub prefecture: &'r str,
    /// Two digits: '01' stays '01'.
    pub prefecture_no: String,
    pub municipality_code: &'r str,
    pub municipality: &'r str,
    pub area_code: &'r str,
    pub area_name: &'r str,
    pub hospital_name: &'r str,
}

impl<'r> InfoColumns<'r> {
    pub fn of(row: &'r ReportRow) -> Self {
        Self {
            prefecture: &row.prefecture,
            prefecture_no: row.prefecture_no.to_string(),
            municipality_code: row.municipality_code.as_str(),
            municipality: &row.municipality,
            area_code: row.area_code.as_str(),
            area_name: &row.area_name,
            hospital_name: &row.hospital_name,
        }
    }
}

/// Extra values as stored: a JSON array, or NULL when there are none.
pub(super) fn extra_to_json(extra: &[String]) -> Option<String> {
    (!extra.is_empty()).then(|| serde_json::to_string(extra).expect("strings always serialise"))
}

pub(super) fn extra_from_json(json: Option<String>) -> Result<Vec<String>, StoreError> {
    match json {
        Some(text) => Ok(serde_json::from_str(&text)?),
        None => Ok(Vec::new()),
    }
}

pub(super) fn date_to_text(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// The columns every row query selects, in the order [`RowReader::read`] expects them
/// from its `first` column on. Tables: `hospital h`, `version v`, `hospital_info i`.
pub(super) const ROW_COLUMNS: &str = "h.code, v.record_date, v.reported_at, \
     v.secured, v.ready, v.inpatients, v.extra, i.prefecture, i.prefecture_no, \
     i.municipality_code, i.municipality, i.area_code, i.area_name, i.hospital_name";

/// Rebuilds rows, sharing repeated names (都道府県, 市区町村, 二次医療圏名) as the importer does.
#[derive(Default)]
pub(super) struct RowReader {
    names: HashMap<String, Arc<str>>,
}

impl RowReader {
    fn shared(&mut self, text: String) -> Arc<str> {
        if let Some(name) = self.names.get(&text) {
            return name.clone();
        }
        let name: Arc<str> = text.as_str().into();
        self.names.insert(text, name.clone());
        name
    }

    /// Reads [`ROW_COLUMNS`] starting at column `first`.
    pub fn read(&mut self, row: &rusqlite::Row, first: usize) -> Result<ReportRow, StoreError> {
        let col = |i: usize| first + i;
        let text = |i: usize| row.get::<_, String>(col(i));
        Ok(ReportRow {
            hospital_code: parse_code(HospitalCode::parse(&text(0)?))?,
            record_date: parse_date(&text(1)?)?,
            reported_at: super::times::from_text(&text(2)?)?,
            secured: row.get(col(3))?,
            ready: row.get(col(4))?,
            inpatients: row.get(col(5))?,
            extra: extra_from_json(row.get(col(6))?)?.into(),
            prefecture: self.shared(text(7)?),
            prefecture_no: parse_code(PrefectureNumber::parse(&text(8)?))?,
            municipality_code: parse_code(MunicipalityCode::parse(&text(9)?))?,
            municipality: self.shared(text(10)?),
            area_code: parse_code(AreaCode::parse(&text(11)?))?,
            area_name: self.shared(text(12)?),
            hospital_name: text(13)?.into(),
        })
    }
}

fn parse_code<T>(parsed: Result<T, crate::model::CodeError>) -> Result<T, StoreError> {
    parsed.map_err(|err| StoreError::bad_data(err.to_string()))
}

fn parse_date(text: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| StoreError::bad_data("実績日"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_rows::seed_row;

    #[test]
    fn the_row_hash_sees_every_field() {
        let base = row_hash(&seed_row());
        assert_eq!(base, row_hash(&seed_row()));
        type Change = fn(&mut ReportRow);
        let changes: [Change; 7] = [
            |r| r.secured = None,
            |r| r.secured = Some(0),
            |r| r.hospital_name = format!("{} ", r.hospital_name).into(),
            |r| r.reported_at += chrono::Duration::seconds(1),
            |r| r.extra = vec![String::new()].into(),
            |r| r.extra = vec!["a".into(), "b".into()].into(),
            |r| r.area_name = "区南部".into(),
        ];
        for change in changes {
            let mut row = seed_row();
            change(&mut row);
            assert_ne!(row_hash(&row), base, "{row:?}");
        }
        let mut split = seed_row();
        split.extra = vec!["ab".into()].into();
        let mut joined = seed_row();
        joined.extra = vec!["a".into(), "b".into()].into();
        assert_ne!(row_hash(&split), row_hash(&joined));
    }

    #[test]
    fn content_hash_is_hex_sha256() {
        assert_eq!(
            content_hash(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn extra_values_blank_and_absent_differ() {
        assert_eq!(extra_to_json(&[]), None);
        let one_blank = extra_to_json(&[String::new()]);
        assert_eq!(extra_from_json(one_blank).unwrap(), vec![String::new()]);
    }
}
