//! Property tests of everything that reads what a user or a bureau typed:
//! import bodies in every format, license numbers, dates, certificate codes,
//! tracking numbers and search parameters. None may panic; what they accept
//! must be well-formed. Nightly `cargo fuzz` is not at hand, so these run
//! on stable with proptest: 256 cases per property by default, more with
//! `PROPTEST_CASES=20000 cargo test --test it properties`.

use legal_portal::domain::LicenseNo;
use legal_portal::domain::certificate::normalize_code;
use legal_portal::domain::complaint::TrackingNo;
use legal_portal::domain::dates::parse_date;
use legal_portal::import::Dataset;
use legal_portal::import::parse::{self, Format};
use legal_portal::import::validate;
use legal_portal::search::ParsedText;
use legal_portal::web::search_params::SearchParams;
use proptest::prelude::*;

/// Text made of what trips parsers: separators, quotes, full-width and CJK
/// characters, digits, control characters and line ends.
fn tricky() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just(','),
            Just('"'),
            Just('\n'),
            Just('\r'),
            Just('\t'),
            Just(' '),
            Just('\u{3000}'),
            Just('\u{feff}'),
            Just('{'),
            Just('}'),
            Just('['),
            Just(':'),
            Just('-'),
            Just('%'),
            proptest::char::range('0', '9'),
            proptest::char::range('０', '９'),
            proptest::char::range('a', 'z'),
            proptest::char::range('A', 'Z'),
            proptest::char::range('\u{4e00}', '\u{4e80}'),
            any::<char>(),
        ],
        0..80,
    )
    .prop_map(|v| v.into_iter().collect())
}

/// A CSV body with a known header for `dataset` and rows of tricky cells.
fn csv_body() -> impl Strategy<Value = (Dataset, String)> {
    (
        prop::sample::select(Dataset::ALL.to_vec()),
        proptest::collection::vec(proptest::collection::vec(tricky(), 0..6), 0..8),
    )
        .prop_map(|(dataset, rows)| {
            let header: Vec<&str> = validate_headers(dataset);
            let mut body = header.join(",");
            for row in rows {
                body.push('\n');
                body.push_str(&row.join(","));
            }
            (dataset, body)
        })
}

fn validate_headers(dataset: Dataset) -> Vec<&'static str> {
    legal_portal::import::columns::columns(dataset)
        .iter()
        .filter_map(|c| c.headers.first().copied())
        .collect()
}

fn read_everything(dataset: Dataset, format: &Format, bytes: &[u8]) {
    if let Ok(sheet) = parse::parse(format, bytes) {
        // Row numbers are the user's: lines in CSV (blank ones count),
        // elements or lines in JSON; none can lie past the body's end.
        let breaks = bytes
            .iter()
            .filter(|b| **b == b'\n' || **b == b'\r')
            .count();
        let rows = breaks + sheet.rows.len() + sheet.problems.len() + 2;
        let (_, problems) = validate::read(dataset, &sheet);
        for p in problems {
            assert!(!p.message.is_empty(), "a problem says what is wrong");
            assert!(p.row <= rows + 1, "row {} of at most {rows}", p.row);
        }
    }
}

proptest! {
    #[test]
    fn import_parsers_never_panic_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        for format in [
            Format::Json,
            Format::Ndjson,
            Format::Csv { charset: None },
            Format::Csv { charset: Some("gbk".into()) },
            Format::Xlsx,
        ] {
            read_everything(Dataset::Workers, &format, &bytes);
        }
        let mut zip = b"PK\x03\x04".to_vec();
        zip.extend_from_slice(&bytes);
        read_everything(Dataset::Offices, &Format::Xlsx, &zip);
    }

    #[test]
    fn csv_rows_of_tricky_cells_are_read_or_refused_by_row((dataset, body) in csv_body()) {
        read_everything(dataset, &Format::Csv { charset: None }, body.as_bytes());
        let (gbk, _, _) = encoding_rs::GBK.encode(&body);
        read_everything(dataset, &Format::Csv { charset: Some("GBK".into()) }, &gbk);
    }

    #[test]
    fn json_and_ndjson_of_tricky_values_never_panic(
        dataset in prop::sample::select(Dataset::ALL.to_vec()),
        values in proptest::collection::vec(tricky(), 0..6),
        numbers in proptest::collection::vec(any::<f64>(), 0..3),
    ) {
        let headers = validate_headers(dataset);
        let mut object = serde_json::Map::new();
        for (h, v) in headers.iter().zip(values.iter()) {
            object.insert((*h).to_owned(), serde_json::Value::String(v.clone()));
        }
        for (h, n) in headers.iter().rev().zip(numbers) {
            object.insert((*h).to_owned(), serde_json::json!(n));
        }
        let one = serde_json::Value::Object(object);
        let array = serde_json::to_vec(&serde_json::json!([one.clone(), {}, one.clone()])).unwrap();
        read_everything(dataset, &Format::Json, &array);
        let lines = format!("{one}\n\n{one}\nnot json\n");
        read_everything(dataset, &Format::Ndjson, lines.as_bytes());
    }

    #[test]
    fn license_numbers_normalise_once(raw in tricky()) {
        if let Ok(no) = LicenseNo::parse(&raw) {
            let again = LicenseNo::parse(no.as_str()).expect("a normalised number parses");
            prop_assert_eq!(again.as_str(), no.as_str());
            prop_assert!(!no.as_str().is_empty());
            prop_assert!(no.as_str().chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
                "{:?}", no.as_str());
        }
    }

    #[test]
    fn full_width_digits_and_spaces_read_as_their_ascii_number(digits in "[0-9]{6,18}") {
        let wide: String = digits
            .chars()
            .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap())
            .flat_map(|c| [c, '\u{3000}'])
            .collect();
        let no = LicenseNo::parse(&wide).expect("full-width digits are a number");
        prop_assert_eq!(no.as_str(), digits.as_str());
    }

    #[test]
    fn dates_parse_or_are_refused(raw in tricky()) {
        if let Some(date) = parse_date(&raw) {
            let printed = date.format("%Y-%m-%d").to_string();
            prop_assert_eq!(parse_date(&printed), Some(date));
        }
    }

    #[test]
    fn printed_dates_read_back(days in 0i64..80_000) {
        let date = chrono::NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Days::new(days as u64);
        for printed in [date.format("%Y-%m-%d").to_string(), date.format("%Y/%m/%d").to_string()] {
            prop_assert_eq!(parse_date(&printed), Some(date), "{}", printed);
        }
    }

    #[test]
    fn codes_and_tracking_numbers_never_panic(raw in tricky()) {
        let _ = normalize_code(&raw);
        if let Ok(t) = TrackingNo::parse(&raw) {
            prop_assert_eq!(TrackingNo::parse(&t.to_string()).map(|x| x.to_string()).ok(), Some(t.to_string()));
        }
    }

    #[test]
    fn search_text_and_parameters_never_panic(
        q in tricky(),
        lat in tricky(),
        lng in tricky(),
        radius in tricky(),
        page in tricky(),
        per_page in tricky(),
        sort in tricky(),
    ) {
        let _ = ParsedText::parse(&q);
        let params = SearchParams {
            q: Some(q),
            lat: Some(lat),
            lng: Some(lng),
            radius_km: Some(radius),
            page: Some(page),
            per_page: Some(per_page),
            sort: Some(sort),
            ..SearchParams::default()
        };
        if let Ok((query, page, per_page)) = params.to_query() {
            prop_assert!((1..=legal_portal::web::search_params::MAX_PAGE).contains(&page));
            prop_assert!((1..=legal_portal::web::search_params::MAX_PER_PAGE).contains(&per_page));
            prop_assert!(query.limit <= legal_portal::web::search_params::MAX_PER_PAGE);
        }
    }
}

/// A workbook with the workers' headers in row 1 and text cells anywhere
/// Excel allows (up to XFD1048576).
fn workbook_with(cells: &[(u32, u16, String)]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["执业证号", "姓名", "状态"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).expect("header");
    }
    for (r, c, t) in cells {
        sheet.write_string(*r, *c, t).expect("cell");
    }
    book.save_to_buffer().expect("workbook")
}

proptest! {
    /// The XLSX path with random dimensions: cells anywhere in Excel's grid,
    /// near the edges or not, are read cell by cell or refused with a limit;
    /// never a panic, never an allocation of the sheet's whole range (a
    /// cell at XFD1048576 made calamine ask for 549 GB), and every row read
    /// stays within the limits.
    #[test]
    fn xlsx_of_random_dimensions_is_read_or_refused_within_the_limits(
        cells in proptest::collection::vec(
            (
                prop_oneof![1u32..40, 1_048_000u32..1_048_576, 1u32..1_048_576],
                prop_oneof![0u16..8, 16_300u16..16_384, 0u16..16_384],
                tricky(),
            ),
            0..12,
        ),
        columns in 3usize..80,
        rows in 1usize..20,
    ) {
        let book = workbook_with(&cells);
        let limits = parse::Limits { columns, rows, ..parse::Limits::default() };
        let mut sheet = parse::Sheet::default();
        let started = std::time::Instant::now();
        match parse::parse_into(&Format::Xlsx, &book, &limits, &mut sheet) {
            Ok(()) => {
                prop_assert!(sheet.rows.len() <= rows);
                prop_assert!(sheet.headers.len() <= columns);
                for row in &sheet.rows {
                    prop_assert!(row.cells.len() <= columns);
                    prop_assert!(row.number >= 2 && row.number <= 1_048_576);
                }
                let (_, problems) = validate::read(Dataset::Workers, &sheet);
                for p in problems {
                    prop_assert!(!p.message.is_empty());
                }
            }
            Err(parse::ParseError::TooLarge { limit, .. }) => {
                let far = cells.iter().any(|(_, c, t)| *c as usize >= columns && !t.trim().is_empty());
                prop_assert!(
                    limit == parse::Limit::Rows || (limit == parse::Limit::Columns && far),
                    "{limit:?}"
                );
            }
            Err(e) => prop_assert!(false, "a workbook written by a library: {e}"),
        }
        prop_assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}
