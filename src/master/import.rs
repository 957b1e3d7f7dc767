//! Reading the masters: the same CSV reader, header layout, encoding detection,
//! row numbering and problem reports as the report importer
//! ([`crate::formats::gmis_csv`]), with the masters' own columns (see the table in
//! [`crate::master`]).

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use csv::ByteRecord;

use super::phone::normalize_phone;
use super::{HospitalMaster, HospitalRecord, MasterImport, MunicipalityMaster, MunicipalityRecord};
use crate::formats::csv_records::{decode_lossy, record_text, CsvRecords};
use crate::formats::encoding::{self, DetectedEncoding};
use crate::formats::gmis_csv::{parse_count, show};
use crate::formats::header::{HeaderLayout, HeaderSpec};
use crate::formats::import::{
    keep_problems, ImportError, ImportErrorKind, ImportOptions, Numbering, RowProblem,
};
use crate::formats::read_source_file;
use crate::model::{AreaCode, CodeError, Column, HospitalCode, MunicipalityCode};
use crate::text::normalize::normalize;

/// A column of a master, as bedboard knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MasterField {
    HospitalCode,
    HospitalName,
    FacilityType,
    Prefecture,
    Municipality,
    MunicipalityCode,
    AreaCode,
    AreaName,
    Address,
    PhoneMain,
    PhoneNight,
    Contact,
    Departments,
    LicensedBeds,
    Latitude,
    Longitude,
}

impl MasterField {
    pub const ALL: [MasterField; 16] = [
        MasterField::HospitalCode,
        MasterField::HospitalName,
        MasterField::FacilityType,
        MasterField::Prefecture,
        MasterField::Municipality,
        MasterField::MunicipalityCode,
        MasterField::AreaCode,
        MasterField::AreaName,
        MasterField::Address,
        MasterField::PhoneMain,
        MasterField::PhoneNight,
        MasterField::Contact,
        MasterField::Departments,
        MasterField::LicensedBeds,
        MasterField::Latitude,
        MasterField::Longitude,
    ];

    /// The name G-MIS gives the column.
    pub fn name(self) -> &'static str {
        self.spellings()[0]
    }

    /// Every accepted header, the usual name first. Headers are compared after
    /// [`normalize`] (width, case and spaces do not matter).
    pub fn spellings(self) -> &'static [&'static str] {
        match self {
            MasterField::HospitalCode => &[
                "医療機関コード",
                "医療機関ID",
                "医療機関番号",
                "hospital_code",
                "code",
            ],
            MasterField::HospitalName => &[
                "医療機関名",
                "医療機関名称",
                "名称",
                "病院名",
                "hospital_name",
                "name",
            ],
            MasterField::FacilityType => {
                &["施設類型", "施設種別", "施設区分", "種別", "facility_type"]
            }
            MasterField::Prefecture => &["都道府県", "都道府県名", "pref", "prefecture"],
            MasterField::Municipality => &[
                "市区町村",
                "市町村",
                "市区町村名",
                "自治体名",
                "city",
                "municipality",
            ],
            MasterField::MunicipalityCode => &[
                "全国地方公共団体コード",
                "地方公共団体コード",
                "団体コード",
                "自治体コード",
                "市区町村コード",
                "lgcode",
                "municipality_code",
            ],
            MasterField::AreaCode => &[
                "二次医療圏番号",
                "二次医療圏コード",
                "医療圏番号",
                "医療圏コード",
                "area_code",
            ],
            MasterField::AreaName => &["二次医療圏名", "二次医療圏", "医療圏名", "area_name"],
            MasterField::Address => &["住所", "所在地", "address"],
            MasterField::PhoneMain => &[
                "電話番号（代表）",
                "電話番号",
                "代表電話番号",
                "代表電話",
                "電話",
                "TEL",
                "phone",
            ],
            MasterField::PhoneNight => &[
                "電話番号（夜間・救急）",
                "夜間・救急電話番号",
                "電話番号（夜間）",
                "電話番号（救急）",
                "夜間電話番号",
                "救急電話番号",
                "phone_night",
            ],
            MasterField::Contact => &["担当者", "担当者名", "担当者氏名", "contact"],
            MasterField::Departments => &["診療科", "診療科目", "標榜診療科", "departments"],
            MasterField::LicensedBeds => {
                &["許可病床数", "許可病床", "病床数", "licensed_beds", "beds"]
            }
            MasterField::Latitude => &["緯度", "lat", "latitude"],
            MasterField::Longitude => &["経度", "lng", "lon", "long", "longitude"],
        }
    }

    fn slot(self) -> usize {
        self as usize
    }
}

/// What one master is made of.
struct Spec {
    /// 医療機関マスタ / 自治体マスタ
    master: &'static str,
    fields: &'static [MasterField],
    required: &'static [MasterField],
    /// The code that identifies a record: never repeated, and what tells data from a footer.
    key: MasterField,
    key_len: usize,
}

const HOSPITAL: Spec = Spec {
    master: "医療機関マスタ",
    fields: &MasterField::ALL,
    required: &[MasterField::HospitalCode, MasterField::HospitalName],
    key: MasterField::HospitalCode,
    key_len: HospitalCode::LEN,
};

const MUNICIPALITY: Spec = Spec {
    master: "自治体マスタ",
    fields: &[
        MasterField::MunicipalityCode,
        MasterField::Prefecture,
        MasterField::Municipality,
        MasterField::AreaCode,
        MasterField::AreaName,
        MasterField::Latitude,
        MasterField::Longitude,
    ],
    required: &[MasterField::MunicipalityCode, MasterField::Municipality],
    key: MasterField::MunicipalityCode,
    key_len: MunicipalityCode::LEN,
};

/// What a header row says the file is, when it is not the master asked for.
fn foreign_document(names: &[String], spec: &Spec) -> Option<&'static str> {
    let report_only = [
        Column::Secured,
        Column::Ready,
        Column::Inpatients,
        Column::ReportedAt,
    ];
    if names
        .iter()
        .any(|n| Column::from_header(n).is_some_and(|c| report_only.contains(&c)))
    {
        return Some(
            "病床数のレポートです。レポートは --master ではなく入力ファイルとして指定してください",
        );
    }
    let hospital_code = normalize(MasterField::HospitalCode.name());
    if spec.key != MasterField::HospitalCode && names.iter().any(|n| header_key(n) == hospital_code)
    {
        return Some("医療機関マスタです。自治体マスタのファイルを指定してください");
    }
    None
}

fn header_key(header: &str) -> String {
    normalize(header.trim_matches('\u{feff}'))
}

impl HeaderSpec for Spec {
    fn slots(&self) -> usize {
        MasterField::ALL.len()
    }

    fn recognise(&self, name: &str) -> Option<(usize, usize)> {
        let key = header_key(name);
        if key.is_empty() {
            return None;
        }
        self.fields.iter().find_map(|field| {
            let rank = field.spellings().iter().position(|s| normalize(s) == key)?;
            Some((field.slot(), rank))
        })
    }

    fn slot_name(&self, slot: usize) -> &'static str {
        MasterField::ALL[slot].name()
    }

    fn required(&self) -> Vec<usize> {
        self.required.iter().map(|f| f.slot()).collect()
    }

    fn foreign(&self, names: &[String], line: u64) -> Option<ImportErrorKind> {
        let reason = foreign_document(names, self)?;
        Some(ImportErrorKind::NotAMaster {
            line,
            expected: self.master,
            reason: reason.to_string(),
        })
    }

    fn unrecognised(&self, line: u64) -> ImportErrorKind {
        ImportErrorKind::NotAMaster {
            line,
            expected: self.master,
            reason: format!("見出し行に{}の列名がありません", self.master),
        }
    }
}

/// Where each known column is in the file.
struct Layout(HeaderLayout);

impl Layout {
    fn column(&self, field: MasterField) -> Option<usize> {
        self.0.column(field.slot())
    }

    /// The header text of a column, for messages.
    fn header_name(&self, field: MasterField) -> Option<&String> {
        self.column(field).and_then(|i| self.0.names.get(i))
    }

    fn width(&self) -> usize {
        self.0.width
    }

    /// After a blank line, a record is still data if it has a code where one belongs.
    fn looks_like_data(&self, record: &ByteRecord, spec: &Spec) -> bool {
        let code = self.0.field(record, spec.key.slot()).trim_ascii();
        record.len() >= self.width()
            && code.len() == spec.key_len
            && code.iter().all(u8::is_ascii_digit)
    }
}

/// Reads the fields of one record and collects what is wrong with them.
struct Row<'a> {
    layout: &'a Layout,
    record: &'a ByteRecord,
    encoding: DetectedEncoding,
    line: u64,
    problems: Vec<RowProblem>,
    /// A problem that keeps the row out.
    rejected: bool,
}

impl<'a> Row<'a> {
    fn fail(&mut self, field: MasterField, reason: String, fatal: bool) {
        let column = self
            .layout
            .header_name(field)
            .cloned()
            .unwrap_or_else(|| field.name().to_string());
        let reason = if fatal {
            reason
        } else {
            format!("{reason}（空欄として取り込みました）")
        };
        self.problems.push(RowProblem {
            line: self.line,
            column: Some(column),
            reason,
        });
        self.rejected |= fatal;
    }

    fn bytes(&self, field: MasterField) -> &'a [u8] {
        self.layout.0.field(self.record, field.slot())
    }

    /// The field's text, trimmed and with control characters neutralised; empty when
    /// the column is absent, none when its bytes are not in the file's encoding.
    fn text(&mut self, field: MasterField, fatal: bool) -> Option<String> {
        let bytes = self.bytes(field);
        match encoding::decode(bytes, self.encoding) {
            Some(text) => Some(crate::text::sanitize(text.trim()).into_owned()),
            None => {
                let reason = format!(
                    "文字コードが正しくありません（{} として読めません）",
                    self.encoding.label()
                );
                self.fail(field, reason, fatal);
                None
            }
        }
    }

    /// Text of an optional column: empty when absent or unreadable.
    fn plain(&mut self, field: MasterField) -> String {
        self.text(field, false).unwrap_or_default()
    }

    fn required_text(&mut self, field: MasterField) -> Option<String> {
        let text = self.text(field, true)?;
        if text.is_empty() {
            self.fail(field, "空欄です".to_string(), true);
            return None;
        }
        Some(text)
    }

    /// A code column: blank is none; digits written full-width are accepted.
    fn code<C>(
        &mut self,
        field: MasterField,
        len: usize,
        fatal: bool,
        parse: fn(&[u8]) -> Result<C, CodeError>,
    ) -> Option<C> {
        let text = self.text(field, fatal)?;
        let text = halfwidth_digits(&text);
        if text.is_empty() || text == "-" {
            if fatal {
                self.fail(field, "空欄です".to_string(), true);
            }
            return None;
        }
        match parse(text.as_bytes()) {
            Ok(code) => Some(code),
            Err(err) => {
                let lost_zero = text.len() + 1 == len && text.bytes().all(|b| b.is_ascii_digit());
                let hint = if lost_zero {
                    "（先頭の 0 が消えていませんか）"
                } else {
                    ""
                };
                let err = crate::text::sanitize(&err.to_string()).into_owned();
                self.fail(field, format!("{err}{hint}"), fatal);
                None
            }
        }
    }

    fn count(&mut self, field: MasterField) -> Option<u32> {
        let text = self.text(field, false)?;
        match parse_count(halfwidth_digits(&text).as_bytes()) {
            Ok(n) => n,
            Err(reason) => {
                self.fail(field, reason, false);
                None
            }
        }
    }

    fn degrees(&mut self, field: MasterField, limit: f64) -> Option<f64> {
        let text = self.text(field, false)?;
        let text = halfwidth_digits(&text);
        if text.is_empty() || text == "-" {
            return None;
        }
        let what = field.name();
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() && v.abs() <= limit => Some(v),
            Ok(_) => {
                self.fail(
                    field,
                    format!(
                        "{what}は -{limit}〜{limit} の範囲です（{}）",
                        show(text.as_bytes())
                    ),
                    false,
                );
                None
            }
            Err(_) => {
                self.fail(
                    field,
                    format!("{what}として読めません（{}）", show(text.as_bytes())),
                    false,
                );
                None
            }
        }
    }

    fn phone(&mut self, field: MasterField) -> Option<String> {
        normalize_phone(&self.plain(field))
    }

    fn extra(&self) -> Vec<String> {
        self.layout
            .0
            .extra_index
            .iter()
            .map(|&i| {
                let text = decode_lossy(self.record.get(i).unwrap_or(b""), self.encoding);
                crate::text::sanitize(text.trim()).into_owned()
            })
            .collect()
    }
}

/// Full-width digits (and the full-width sign, comma and point) as ASCII; blanks trimmed.
fn halfwidth_digits(text: &str) -> Cow<'_, str> {
    let text = text.trim();
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                '０'..='９' | '－' | '，' | '．' | '＋' => {
                    char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
                }
                '−' => '-',
                c => c,
            })
            .collect::<String>()
            .trim()
            .to_string(),
    )
}

/// 診療科 as written in one cell: 「内科;外科」「内科、外科」「内科・外科・小児科」.
///
/// A 「・」 separates only after a name ending in 科, so that 「内分泌・代謝内科」
/// stays one department.
fn split_departments(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in text.split([';', '；', '、', ',', '，', '/', '／', '\n']) {
        let mut current = String::new();
        for piece in part.split(['・', '･']) {
            if !current.is_empty() && !current.trim_end().ends_with('科') {
                current.push('・');
            } else if !current.is_empty() {
                out.push(std::mem::take(&mut current).trim().to_string());
            }
            current.push_str(piece);
        }
        out.push(current.trim().to_string());
    }
    out.retain(|d| !d.is_empty());
    out
}

/// A record type of a master.
trait FromMasterRow: Sized {
    const SPEC: &'static Spec;
    /// Reads a row; none when a problem keeps it out.
    fn read(row: &mut Row) -> Option<Self>;
    fn key(&self) -> String;
}

impl FromMasterRow for HospitalRecord {
    const SPEC: &'static Spec = &HOSPITAL;

    fn read(row: &mut Row) -> Option<Self> {
        use MasterField as F;
        let code = row.code(
            F::HospitalCode,
            HospitalCode::LEN,
            true,
            HospitalCode::parse_bytes,
        );
        let name = row.required_text(F::HospitalName);
        let municipality_code = row.code(
            F::MunicipalityCode,
            MunicipalityCode::LEN,
            false,
            MunicipalityCode::parse_bytes,
        );
        let area_code = row.code(F::AreaCode, AreaCode::LEN, false, AreaCode::parse_bytes);
        let departments = split_departments(&row.plain(F::Departments));
        Some(HospitalRecord {
            code: code?,
            name: name?,
            facility_type: row.plain(F::FacilityType),
            prefecture: row.plain(F::Prefecture),
            municipality: row.plain(F::Municipality),
            municipality_code,
            area_code,
            area_name: row.plain(F::AreaName),
            address: row.plain(F::Address),
            phone_main: row.phone(F::PhoneMain),
            phone_night: row.phone(F::PhoneNight),
            contact: row.plain(F::Contact),
            departments,
            licensed_beds: row.count(F::LicensedBeds),
            latitude: row.degrees(F::Latitude, 90.0),
            longitude: row.degrees(F::Longitude, 180.0),
            extra: row.extra(),
        })
    }

    fn key(&self) -> String {
        self.code.to_string()
    }
}

impl FromMasterRow for MunicipalityRecord {
    const SPEC: &'static Spec = &MUNICIPALITY;

    fn read(row: &mut Row) -> Option<Self> {
        use MasterField as F;
        let code = row.code(
            F::MunicipalityCode,
            MunicipalityCode::LEN,
            true,
            MunicipalityCode::parse_bytes,
        );
        let name = row.required_text(F::Municipality);
        let area_code = row.code(F::AreaCode, AreaCode::LEN, false, AreaCode::parse_bytes);
        Some(MunicipalityRecord {
            code: code?,
            prefecture: row.plain(F::Prefecture),
            name: name?,
            area_code,
            area_name: row.plain(F::AreaName),
            latitude: row.degrees(F::Latitude, 90.0),
            longitude: row.degrees(F::Longitude, 180.0),
            extra: row.extra(),
        })
    }

    fn key(&self) -> String {
        self.code.to_string()
    }
}

/// Takes rows one by one into records, problems and counts.
struct Collector<'a, R> {
    layout: &'a Layout,
    encoding: DetectedEncoding,
    numbering: Numbering,
    records: Vec<R>,
    /// Each code read so far, with the number of its row.
    seen: HashMap<String, u64>,
    problems: Vec<RowProblem>,
    rejected_rows: usize,
    partial_rows: usize,
}

impl<'a, R: FromMasterRow> Collector<'a, R> {
    fn new(layout: &'a Layout, encoding: DetectedEncoding, numbering: Numbering) -> Self {
        Self {
            layout,
            encoding,
            numbering,
            records: Vec::new(),
            seen: HashMap::new(),
            problems: Vec::new(),
            rejected_rows: 0,
            partial_rows: 0,
        }
    }

    fn take(&mut self, line: u64, record: &ByteRecord) {
        let mut row = Row {
            layout: self.layout,
            record,
            encoding: self.encoding,
            line,
            problems: Vec::new(),
            rejected: false,
        };
        let result = if record.len() < self.layout.width() {
            let width = self.layout.width();
            row.problems
                .push(RowProblem::too_few_fields(line, width, record.len()));
            None
        } else {
            R::read(&mut row).filter(|_| !row.rejected)
        };
        let result = result.filter(|record| {
            let key = record.key();
            match self.seen.get(&key) {
                Some(&first) => {
                    let spec = R::SPEC;
                    let column = self.layout.header_name(spec.key).cloned();
                    let first = match self.numbering {
                        Numbering::Line => format!("{first} 行目"),
                        Numbering::Record => format!("{first} 件目"),
                    };
                    row.problems.push(RowProblem {
                        line,
                        column,
                        reason: format!(
                            "{} {key} は {first}にもあります（先の行を使い、この行は取り込みません）",
                            spec.key.name()
                        ),
                    });
                    false
                }
                None => {
                    self.seen.insert(key, line);
                    true
                }
            }
        });
        match result {
            Some(record) => {
                self.partial_rows += usize::from(!row.problems.is_empty());
                self.records.push(record);
            }
            None => self.rejected_rows += 1,
        }
        keep_problems(&mut self.problems, &mut row.problems);
    }

    fn finish(self, source_name: String, footer: Vec<String>) -> MasterImport<Vec<R>> {
        MasterImport {
            source_name: crate::text::sanitize(&source_name).into_owned(),
            master: self.records,
            encoding: self.encoding,
            problems: self.problems,
            rejected_rows: self.rejected_rows,
            partial_rows: self.partial_rows,
            footer,
            numbering: self.numbering,
        }
    }
}

fn import_csv<R: FromMasterRow>(
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<(Vec<String>, MasterImport<Vec<R>>), ImportError> {
    let spec = R::SPEC;
    let source_name = options.source_name.clone();
    let mut csv = CsvRecords::open(bytes, options)?;
    let encoding = csv.encoding();
    let header_line = csv.header()?;
    let header = HeaderLayout::read(csv.record(), encoding, header_line, &source_name, spec)?;
    let layout = Layout(header);
    let mut rows = Collector::<R>::new(&layout, encoding, Numbering::Line);
    let mut footer = Vec::new();
    let mut in_footer = false;
    while let Some(place) = csv.next_record()? {
        let record = csv.record();
        in_footer |= place.after_blank_line;
        if in_footer && !layout.looks_like_data(record, spec) {
            footer.push(record_text(record, encoding));
            continue;
        }
        csv.check_not_cut(place, layout.width())?;
        rows.take(place.line, csv.record());
    }
    let import = rows.finish(source_name, footer);
    Ok((layout.0.extra_names.clone(), import))
}

fn import_split<R: FromMasterRow>(
    header: &[String],
    records: impl IntoIterator<Item = (u64, Vec<String>)>,
    options: &ImportOptions,
) -> Result<(Vec<String>, MasterImport<Vec<R>>), ImportError> {
    let header_record: ByteRecord = header.iter().map(String::as_bytes).collect();
    let encoding = DetectedEncoding::Utf8;
    let source_name = &options.source_name;
    let layout = Layout(HeaderLayout::read(
        &header_record,
        encoding,
        0,
        source_name,
        R::SPEC,
    )?);
    let mut rows = Collector::<R>::new(&layout, encoding, Numbering::Record);
    let mut record = ByteRecord::new();
    for (number, fields) in records {
        record.clear();
        fields.iter().for_each(|f| record.push_field(f.as_bytes()));
        rows.take(number, &record);
    }
    let import = rows.finish(options.source_name.clone(), Vec::new());
    Ok((layout.0.extra_names.clone(), import))
}

fn into_master<R, M>(
    (extra, import): (Vec<String>, MasterImport<Vec<R>>),
    build: fn(Vec<String>, Vec<R>) -> M,
) -> MasterImport<M> {
    MasterImport {
        source_name: import.source_name,
        master: build(extra, import.master),
        encoding: import.encoding,
        problems: import.problems,
        rejected_rows: import.rejected_rows,
        partial_rows: import.partial_rows,
        footer: import.footer,
        numbering: import.numbering,
    }
}

/// Reads a 医療機関マスタ CSV from memory (columns: see [`crate::master`]).
pub fn import_hospital_master(
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<MasterImport<HospitalMaster>, ImportError> {
    import_csv::<HospitalRecord>(bytes, options).map(|i| into_master(i, HospitalMaster::new))
}

/// Reads a 自治体マスタ CSV from memory (columns: see [`crate::master`]), including
/// the localgovjp municipality list.
pub fn import_municipality_master(
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<MasterImport<MunicipalityMaster>, ImportError> {
    import_csv::<MunicipalityRecord>(bytes, options)
        .map(|i| into_master(i, MunicipalityMaster::new))
}

/// Reads hospital master rows another format has already split into fields
/// (`header`: column names; each record: its number for messages and its fields).
pub fn import_hospital_records(
    header: &[String],
    records: impl IntoIterator<Item = (u64, Vec<String>)>,
    options: &ImportOptions,
) -> Result<MasterImport<HospitalMaster>, ImportError> {
    import_split::<HospitalRecord>(header, records, options)
        .map(|i| into_master(i, HospitalMaster::new))
}

/// [`import_hospital_records`] for the 自治体マスタ.
pub fn import_municipality_records(
    header: &[String],
    records: impl IntoIterator<Item = (u64, Vec<String>)>,
    options: &ImportOptions,
) -> Result<MasterImport<MunicipalityMaster>, ImportError> {
    import_split::<MunicipalityRecord>(header, records, options)
        .map(|i| into_master(i, MunicipalityMaster::new))
}

/// Reads a 医療機関マスタ file; messages name it by its path.
pub fn import_hospital_master_file(
    path: &Path,
    options: &ImportOptions,
) -> Result<MasterImport<HospitalMaster>, ImportError> {
    let (bytes, options) = read_source_file(path, options)?;
    import_hospital_master(&bytes, &options)
}

/// Reads a 自治体マスタ file; messages name it by its path.
pub fn import_municipality_master_file(
    path: &Path,
    options: &ImportOptions,
) -> Result<MasterImport<MunicipalityMaster>, ImportError> {
    let (bytes, options) = read_source_file(path, options)?;
    import_municipality_master(&bytes, &options)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> ImportOptions {
        ImportOptions {
            source_name: "m.csv".to_string(),
            ..Default::default()
        }
    }

    #[test]
    fn departments_split_on_the_usual_separators() {
        assert_eq!(split_departments("内科;外科"), ["内科", "外科"]);
        assert_eq!(
            split_departments("内科、 外科 ,小児科；眼科"),
            ["内科", "外科", "小児科", "眼科"]
        );
        assert_eq!(
            split_departments("内科・外科・小児科"),
            ["内科", "外科", "小児科"]
        );
        assert_eq!(
            split_departments("内科・内分泌・代謝内科"),
            ["内科", "内分泌・代謝内科"]
        );
        assert_eq!(split_departments(""), Vec::<String>::new());
        assert_eq!(split_departments(" ; ;"), Vec::<String>::new());
    }

    #[test]
    fn headers_match_in_any_width_and_case() {
        let csv = "医療機関ＩＤ,医療機関名,電話番号(夜間・救急),TEL,LAT,Lng\r\n\
                   1310170043,東京病院,０３－１２３４－５６７８,03-1111-2222,35.5,139.5\r\n";
        let import = import_hospital_master(csv.as_bytes(), &options()).unwrap();
        assert!(import.is_clean(), "{:?}", import.messages());
        let record = &import.master.records()[0];
        assert_eq!(record.phone_night.as_deref(), Some("03-1234-5678"));
        assert_eq!(record.phone_main.as_deref(), Some("03-1111-2222"));
        assert_eq!(record.latitude, Some(35.5));
        assert_eq!(record.longitude, Some(139.5));
        assert!(import.master.extra_columns().is_empty());
    }

    #[test]
    fn the_usual_name_wins_over_an_alias_and_the_other_is_kept() {
        let csv = "電話番号,医療機関コード,医療機関名,電話番号（代表）\r\n\
                   03-0000-0000,1310170043,東京病院,03-1111-2222\r\n";
        let import = import_hospital_master(csv.as_bytes(), &options()).unwrap();
        let record = &import.master.records()[0];
        assert_eq!(record.phone_main.as_deref(), Some("03-1111-2222"));
        assert_eq!(import.master.extra_columns(), ["電話番号"]);
        assert_eq!(record.extra, ["03-0000-0000"]);
    }

    #[test]
    fn a_column_twice_is_an_error() {
        let csv = "医療機関コード,医療機関名,住所,住所\r\n";
        let err = import_hospital_master(csv.as_bytes(), &options()).unwrap_err();
        assert_eq!(err.to_string(), "m.csv:1: 列「住所」が二つあります");
    }

    #[test]
    fn the_wrong_document_is_named() {
        let report = "都道府県,医療機関コード,医療機関名,即応病床\r\n";
        let err = import_hospital_master(report.as_bytes(), &options()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("m.csv:1: 医療機関マスタではありません（病床数のレポートです"),
            "{err}"
        );
        let hospitals = "医療機関コード,医療機関名,全国地方公共団体コード,市区町村\r\n";
        let err = import_municipality_master(hospitals.as_bytes(), &options()).unwrap_err();
        assert!(err.to_string().contains("医療機関マスタです"), "{err}");
        let other = "a,b,c\r\n1,2,3\r\n";
        let err = import_municipality_master(other.as_bytes(), &options()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "m.csv:1: 自治体マスタではありません（見出し行に自治体マスタの列名がありません）"
        );
        let missing = "医療機関名,住所\r\n";
        let err = import_hospital_master(missing.as_bytes(), &options()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "m.csv:1: 必須の列がありません: 医療機関コード"
        );
    }

    #[test]
    fn a_lost_leading_zero_is_pointed_out() {
        let csv = "団体コード,市区町村\r\n11002,札幌市\r\n";
        let import = import_municipality_master(csv.as_bytes(), &options()).unwrap();
        assert_eq!(import.rejected_rows, 1);
        assert_eq!(
            import.messages()[0],
            "m.csv:2: 列「団体コード」: 6桁の数字ではありません（11002）（先頭の 0 が消えていませんか）"
        );
    }

    #[test]
    fn split_records_are_numbered_as_records() {
        let header = vec!["lgcode".to_string(), "city".to_string()];
        let records = vec![
            (1, vec!["131016".to_string(), "千代田区".to_string()]),
            (2, vec!["131016".to_string(), "千代田区".to_string()]),
        ];
        let import = import_municipality_records(&header, records, &options()).unwrap();
        assert_eq!(import.master.len(), 1);
        assert_eq!(import.rejected_rows, 1);
        assert_eq!(
            import.messages()[0],
            "m.csv: 2 件目: 列「lgcode」: 全国地方公共団体コード 131016 は 1 件目にもあります（先の行を使い、この行は取り込みません）"
        );
    }
}
