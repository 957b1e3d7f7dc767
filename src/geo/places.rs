//! The places a dispatcher names as the origin of a search: the municipality
//! table shipped with bedboard (code4fukui/localgovjp, CC0: 1,916
//! municipalities and wards with the point of their office), looked up by
//! name (width and kana do not matter), by 全国地方公共団体コード, by an
//! address that starts with a municipality, or given as `lat,lng`.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::point::LatLng;
use crate::model::{MunicipalityCode, PrefectureNumber};
use crate::text::normalize::normalize;

/// The table, byte for byte as published (UTF-8 with BOM).
const TABLE: &str = include_str!("../../assets/municipality-codes-localgovjp.csv");

/// One municipality (or ward of a designated city) of the table.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    pub code: MunicipalityCode,
    pub prefecture: PrefectureNumber,
    /// 「八王子市」, 「札幌市中央区」 (the table's space between city and ward dropped).
    pub name: String,
    /// 「はちおうじし」
    pub kana: String,
    /// The representative point: near the municipality's office.
    pub at: LatLng,
}

impl Place {
    /// 「東京都府中市」
    pub fn full_name(&self) -> String {
        format!("{}{}", self.prefecture.name(), self.name)
    }
}

/// Where a search starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Origin {
    pub at: LatLng,
    /// For the header: 「千代田区（役所付近）」, 「35.6939, 139.7536」.
    pub label: String,
    /// The municipality it was named by; none for `lat,lng`.
    pub place: Option<MunicipalityCode>,
}

/// Why a place could not be found.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlaceError {
    #[error("起点を入力してください（市区町村名・全国地方公共団体コード・住所・「緯度,経度」）")]
    Empty,
    #[error("場所「{0}」が見つかりません（市区町村名・全国地方公共団体コード 6 桁・市区町村で始まる住所・「緯度,経度」で指定してください）")]
    Unknown(String),
    #[error("「{typed}」は複数あります: {}（都道府県名を付けて指定してください）", .candidates.join("、"))]
    Ambiguous {
        typed: String,
        candidates: Vec<String>,
    },
    #[error("「{0}」は緯度・経度として使えません（緯度 -90〜90、経度 -180〜180）")]
    OutOfRange(String),
}

/// The municipality table, indexed for lookup.
#[derive(Debug)]
pub struct Places {
    places: Vec<Place>,
    by_code: HashMap<MunicipalityCode, usize>,
    /// Normalised names, kana and their stems (without 市・区・町・村), for each place.
    keys: Vec<Vec<String>>,
}

/// The table shipped with bedboard, read on first use.
pub fn places() -> &'static Places {
    static PLACES: OnceLock<Places> = OnceLock::new();
    PLACES.get_or_init(|| Places::parse(TABLE))
}

/// Suffixes of a municipality's type, in kanji and in kana.
const NAME_SUFFIXES: [&str; 4] = ["市", "区", "町", "村"];
const KANA_SUFFIXES: [&str; 6] = ["し", "く", "まち", "ちょう", "むら", "そん"];

impl Places {
    /// Reads the localgovjp columns `pid,pref,cid,city,citykana,lat,lng,url,phrase,lgcode`;
    /// a line that does not read is skipped.
    pub fn parse(table: &str) -> Self {
        let places: Vec<Place> = table
            .trim_start_matches('\u{feff}')
            .lines()
            .skip(1)
            .filter_map(parse_line)
            .collect();
        let by_code = places
            .iter()
            .enumerate()
            .map(|(i, p)| (p.code, i))
            .collect();
        let keys = places.iter().map(lookup_keys).collect();
        Self {
            places,
            by_code,
            keys,
        }
    }

    pub fn all(&self) -> &[Place] {
        &self.places
    }

    pub fn by_code(&self, code: &MunicipalityCode) -> Option<&Place> {
        self.by_code.get(code).map(|&i| &self.places[i])
    }

    /// Places whose name or kana starts with `typed`, the preferred
    /// prefectures first, then in table order; for completion.
    pub fn candidates(&self, typed: &str, preferred: &[PrefectureNumber]) -> Vec<&Place> {
        let (prefecture, rest) = split_prefecture(typed);
        let key = normalize(rest);
        if key.is_empty() && prefecture.is_none() {
            return Vec::new();
        }
        let mut found: Vec<&Place> = self
            .places
            .iter()
            .zip(&self.keys)
            .filter(|(p, _)| prefecture.is_none_or(|pref| p.prefecture == pref))
            .filter(|(_, keys)| keys.iter().any(|k| k.starts_with(&key)))
            .map(|(p, _)| p)
            .collect();
        found.sort_by_key(|p| !preferred.contains(&p.prefecture));
        found
    }

    /// The origin `text` names. Where a name is in more than one prefecture,
    /// the one in `preferred` wins; otherwise the error lists them.
    pub fn resolve(
        &self,
        text: &str,
        preferred: &[PrefectureNumber],
    ) -> Result<Origin, PlaceError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(PlaceError::Empty);
        }
        if let Some(origin) = parse_lat_lng(text)? {
            return Ok(origin);
        }
        let place = match self.by_code_text(text) {
            Some(place) => place,
            None => self.by_name(text, preferred)?,
        };
        Ok(Origin {
            at: place.at,
            label: format!("{}（役所付近）", place.name),
            place: Some(place.code),
        })
    }

    /// A 6-digit 全国地方公共団体コード, or the 5 digits before its check digit.
    fn by_code_text(&self, text: &str) -> Option<&Place> {
        let digits = normalize(text);
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        match digits.len() {
            6 => self.by_code(&MunicipalityCode::parse(&digits).ok()?),
            5 => self
                .places
                .iter()
                .find(|p| p.code.as_str().starts_with(&digits)),
            _ => None,
        }
    }

    /// A name or an address: the longest name the text starts with; a town
    /// written with its 郡 (「西多摩郡瑞穂町」) is tried without it.
    fn by_name(&self, text: &str, preferred: &[PrefectureNumber]) -> Result<&Place, PlaceError> {
        let (prefecture, rest) = split_prefecture(text);
        let mut found = self.matching(prefecture, &normalize(rest));
        if found.is_empty() {
            if let Some(town) = without_county(rest) {
                found = self.matching(prefecture, &normalize(town));
            }
        }
        pick(text, found, preferred)
    }

    /// Places named `key` exactly, else those whose name starts it (an address).
    fn matching(&self, prefecture: Option<PrefectureNumber>, key: &str) -> Vec<&Place> {
        let in_scope = |p: &&Place| prefecture.is_none_or(|pref| p.prefecture == pref);
        // Exact names first, so 「府中」 is not taken as the start of an address.
        let exact: Vec<&Place> = self
            .places
            .iter()
            .zip(&self.keys)
            .filter(|(_, keys)| keys.iter().any(|k| k == key))
            .map(|(p, _)| p)
            .filter(in_scope)
            .collect();
        if exact.is_empty() {
            self.longest_prefix(key)
                .into_iter()
                .filter(in_scope)
                .collect()
        } else {
            exact
        }
    }

    /// Places whose full normalised name starts the text, the longest only
    /// (「札幌市中央区…」 is the ward, not the city).
    fn longest_prefix(&self, key: &str) -> Vec<&Place> {
        let mut best: Vec<&Place> = Vec::new();
        let mut best_len = 0;
        for (place, keys) in self.places.iter().zip(&self.keys) {
            let name = &keys[0];
            if !key.starts_with(name.as_str()) || name.len() < best_len {
                continue;
            }
            if name.len() > best_len {
                best.clear();
                best_len = name.len();
            }
            best.push(place);
        }
        best
    }
}

/// One of several: alone, or the only one in the preferred prefectures.
fn pick<'p>(
    typed: &str,
    found: Vec<&'p Place>,
    preferred: &[PrefectureNumber],
) -> Result<&'p Place, PlaceError> {
    if found.len() == 1 {
        return Ok(found[0]);
    }
    let in_preferred: Vec<&Place> = found
        .iter()
        .copied()
        .filter(|p| preferred.contains(&p.prefecture))
        .collect();
    match (found.len(), in_preferred.as_slice()) {
        (0, _) => Err(PlaceError::Unknown(typed.to_string())),
        (_, [one]) => Ok(one),
        _ => Err(PlaceError::Ambiguous {
            typed: typed.to_string(),
            candidates: found.iter().take(8).map(|p| p.full_name()).collect(),
        }),
    }
}

/// 「東京都中央区…」 → (東京都, 「中央区…」); 「東京中央区」 is not split.
fn split_prefecture(text: &str) -> (Option<PrefectureNumber>, &str) {
    let text = text.trim();
    for number in 1..=47u8 {
        let Ok(pref) = PrefectureNumber::parse(&format!("{number:02}")) else {
            continue;
        };
        if let Some(rest) = text.strip_prefix(pref.name()) {
            return (Some(pref), rest.trim_start());
        }
    }
    (None, text)
}

/// 「西多摩郡瑞穂町…」 → 「瑞穂町…」: the table names towns without their 郡.
fn without_county(text: &str) -> Option<&str> {
    let at = text.find('郡').filter(|&at| at > 0)?;
    Some(&text[at + '郡'.len_utf8()..])
}

/// 「35.68,139.76」 (a full-width comma or spaces too); none if it is not two numbers.
fn parse_lat_lng(text: &str) -> Result<Option<Origin>, PlaceError> {
    let normal: String = text.nfkc_ascii();
    let Some((lat, lng)) = normal.split_once(',') else {
        return Ok(None);
    };
    let (Ok(lat), Ok(lng)) = (lat.trim().parse::<f64>(), lng.trim().parse::<f64>()) else {
        return Ok(None);
    };
    let at = LatLng::new(lat, lng).ok_or_else(|| PlaceError::OutOfRange(text.to_string()))?;
    Ok(Some(Origin {
        at,
        label: format!("{lat:.4}, {lng:.4}"),
        place: None,
    }))
}

/// Full-width digits, signs and commas as ASCII.
trait AsciiDigits {
    fn nfkc_ascii(&self) -> String;
}

impl AsciiDigits for str {
    fn nfkc_ascii(&self) -> String {
        self.chars()
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                '，' | '、' => ',',
                '．' => '.',
                '－' | 'ー' | '−' => '-',
                c => c,
            })
            .collect()
    }
}

fn parse_line(line: &str) -> Option<Place> {
    // The phrase column may be quoted with commas inside; the code is the last field.
    let mut fields = line.splitn(8, ',');
    let _pid = fields.next()?;
    let pref = fields.next()?;
    let _cid = fields.next()?;
    let city = fields.next()?;
    let kana = fields.next()?;
    let lat = fields.next()?.parse().ok()?;
    let lng = fields.next()?.parse().ok()?;
    let code = MunicipalityCode::parse(line.rsplit(',').next()?).ok()?;
    let prefecture = PrefectureNumber::find(pref)?;
    Some(Place {
        code,
        prefecture,
        name: city.replace(' ', ""),
        kana: kana.replace(' ', ""),
        at: LatLng::new(lat, lng)?,
    })
}

/// The full name first (for addresses), then the kana, then both without
/// their type suffix (「八王子」, 「ちよだ」), and for a ward its own name.
fn lookup_keys(place: &Place) -> Vec<String> {
    let name = normalize(&place.name);
    let kana = normalize(&place.kana);
    let mut keys = vec![name.clone(), kana.clone()];
    let stem = |text: &str, suffixes: &[&str]| {
        suffixes
            .iter()
            .find_map(|s| text.strip_suffix(&normalize(s)).map(str::to_string))
            .filter(|s| !s.is_empty())
    };
    keys.extend(stem(&name, &NAME_SUFFIXES));
    keys.extend(stem(&kana, &KANA_SUFFIXES));
    // 「中央区」 is also the name of 札幌市中央区 (the table writes 「札幌市 中央区」).
    if let Some((_, ward)) = place.name.split_once('市').filter(|(_, w)| !w.is_empty()) {
        keys.push(normalize(ward));
    }
    keys.dedup();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokyo() -> Vec<PrefectureNumber> {
        vec![PrefectureNumber::find("東京都").unwrap()]
    }

    fn resolved(text: &str) -> Origin {
        places().resolve(text, &tokyo()).unwrap()
    }

    #[test]
    fn the_whole_table_is_read() {
        assert_eq!(places().all().len(), 1916);
    }

    #[test]
    fn names_are_found_by_kanji_kana_and_stem() {
        let chiyoda = resolved("千代田区");
        assert_eq!(chiyoda.label, "千代田区（役所付近）");
        assert_eq!(chiyoda.place.unwrap().as_str(), "131016");
        assert_eq!(resolved("ちよだ").place, chiyoda.place);
        assert_eq!(resolved("チヨダク").place, chiyoda.place);
        assert_eq!(resolved("八王子").label, "八王子市（役所付近）");
        assert_eq!(resolved("ﾊﾁｵｳｼﾞ").label, "八王子市（役所付近）");
    }

    #[test]
    fn codes_and_addresses_are_found() {
        assert_eq!(resolved("131024").label, "中央区（役所付近）");
        assert_eq!(resolved("13102").label, "中央区（役所付近）");
        assert_eq!(
            resolved("千代田区神田駿河台2").label,
            "千代田区（役所付近）"
        );
        assert_eq!(resolved("東京都中央区築地1-1").label, "中央区（役所付近）");
        assert_eq!(
            resolved("西多摩郡瑞穂町箱根ケ崎2335").label,
            "瑞穂町（役所付近）"
        );
        let sapporo = places().resolve("札幌市中央区北1条西2丁目", &[]).unwrap();
        assert_eq!(sapporo.label, "札幌市中央区（役所付近）");
        assert_eq!(sapporo.place.unwrap().as_str(), "011011");
    }

    #[test]
    fn a_point_is_taken_as_it_is() {
        let origin = resolved("35.6812, 139.7671");
        assert_eq!(origin.at, LatLng::new(35.6812, 139.7671).unwrap());
        assert_eq!(origin.place, None);
        assert_eq!(resolved("３５．６８，１３９．７６").at.lat, 35.68);
        assert!(matches!(
            places().resolve("95,139", &[]),
            Err(PlaceError::OutOfRange(_))
        ));
    }

    #[test]
    fn ambiguous_names_prefer_the_scope_or_list_the_candidates() {
        assert_eq!(resolved("府中市").place.unwrap().as_str(), "132063");
        let hiroshima = [PrefectureNumber::find("広島県").unwrap()];
        assert_eq!(
            places()
                .resolve("府中市", &hiroshima)
                .unwrap()
                .place
                .unwrap()
                .as_str(),
            "342084"
        );
        let err = places().resolve("伊達市", &tokyo()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "「伊達市」は複数あります: 北海道伊達市、福島県伊達市（都道府県名を付けて指定してください）"
        );
        assert_eq!(
            places()
                .resolve("福島県伊達市", &[])
                .unwrap()
                .place
                .unwrap()
                .as_str(),
            "072133"
        );
    }

    #[test]
    fn an_unknown_place_is_named() {
        let err = places().resolve("どこでもない町", &tokyo()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("場所「どこでもない町」が見つかりません"),
            "{err}"
        );
        assert_eq!(places().resolve("  ", &[]), Err(PlaceError::Empty));
    }

    #[test]
    fn completion_lists_the_scope_first() {
        let found: Vec<String> = places()
            .candidates("ちよだ", &tokyo())
            .iter()
            .map(|p| p.full_name())
            .collect();
        assert_eq!(found, ["東京都千代田区", "群馬県千代田町"]);
        assert!(places().candidates("", &tokyo()).is_empty());
        let hachi = places().candidates("八王", &tokyo());
        assert_eq!(hachi[0].name, "八王子市");
    }
}
