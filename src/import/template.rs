//! A template spreadsheet per dataset, for the console's upload page: the
//! Chinese headers of `columns` and one example row a clerk overwrites
//! (the file imports as it is, against a database that knows the example's
//! references).

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::Dataset;
use super::columns::columns;

/// The example value of a column, by dataset and key.
fn example(dataset: Dataset, key: &str) -> &'static str {
    match (dataset, key) {
        (Dataset::Districts, "code") => "500230",
        (Dataset::Districts, "name") => "丰都县",
        (Dataset::Districts, "kind") => "县",
        (Dataset::Districts, "population") => "550000",
        (Dataset::Districts, "lawyers") => "80",
        (Dataset::Districts, "borders_sichuan") => "否",
        (Dataset::Offices, "license_no") => "35002300001",
        (Dataset::Offices, "name") => "名山镇法律服务所",
        (Dataset::Offices, "district_code") => "500230",
        (Dataset::Offices, "township") => "名山镇",
        (Dataset::Offices, "area_kind") => "农村乡镇",
        (Dataset::Offices, "address") => "名山镇滨江路 1 号",
        (Dataset::Offices, "phone") => "023-70000000",
        (Dataset::Offices, "hours") => "周一至周五 9:00-17:00",
        (Dataset::Offices, "director") => "张三",
        (Dataset::Offices, "party_org") => "联合党支部",
        (Dataset::Offices, "practice_areas") => "民事代理;法律咨询",
        (Dataset::Offices, "status") => "执业",
        (Dataset::Offices, "established_on") => "2001-01-01",
        (Dataset::Workers, "license_no") => "4550230100001",
        (Dataset::Workers, "name") => "李四",
        (Dataset::Workers, "gender") => "男",
        (Dataset::Workers, "office_license_no") => "35002300001",
        (Dataset::Workers, "status") => "执业",
        (Dataset::Workers, "first_licensed_on") => "2015-03-01",
        (Dataset::Workers, "internship_months") => "12",
        (Dataset::Workers, "practice_areas") => "民事代理",
        (Dataset::Transfers, "worker_license_no") => "4550230100001",
        (Dataset::Transfers, "from_office_license_no") => "35002300001",
        (Dataset::Transfers, "to_office_license_no") => "35002300002",
        (Dataset::Transfers, "effective_on") => "2026-06-01",
        (Dataset::Reviews, "subject_kind") => "人员",
        (Dataset::Reviews, "subject_license_no") => "4550230100001",
        (Dataset::Reviews, "year") => "2025",
        (Dataset::Reviews, "outcome") => "称职",
        (Dataset::DisciplinaryActions, "decision_no") => "渝司罚决〔2026〕1号",
        (Dataset::DisciplinaryActions, "subject_kind") => "人员",
        (Dataset::DisciplinaryActions, "subject_license_no") => "4550230100001",
        (Dataset::DisciplinaryActions, "kind") => "警告",
        (Dataset::DisciplinaryActions, "authority") => "丰都县司法局",
        (Dataset::DisciplinaryActions, "decided_on") => "2026-05-01",
        (Dataset::DisciplinaryActions, "facts") => "违规收费",
        (Dataset::DisciplinaryActions, "basis") => "《基层法律服务工作者管理办法》",
        (Dataset::Commendations, "subject_kind") => "人员",
        (Dataset::Commendations, "subject_license_no") => "4550230100001",
        (Dataset::Commendations, "title") => "优秀基层法律服务工作者",
        (Dataset::Commendations, "awarded_by") => "重庆市司法局",
        (Dataset::Commendations, "awarded_on") => "2026-01-15",
        (Dataset::Announcements, "kind") => "注销公告",
        (Dataset::Announcements, "title") => "关于注销基层法律服务工作者执业证的公告",
        (Dataset::Announcements, "body") => "依法注销下列人员的执业证。",
        (Dataset::Announcements, "published_on") => "2026-06-01",
        (Dataset::Announcements, "license_nos") => "4550230100001",
        _ => "",
    }
}

/// The template of `dataset` as XLSX bytes: one sheet, the Chinese headers
/// in bold, and one example row.
pub fn xlsx(dataset: Dataset) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(dataset.key())?;
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    for (i, column) in columns(dataset).iter().enumerate() {
        let col = u16::try_from(i).unwrap_or(u16::MAX);
        let header = column.headers.first().copied().unwrap_or(column.key);
        sheet.write_string_with_format(0, col, header, &bold)?;
        // Written as text, so that a license number keeps its digits and a
        // date its form when the clerk types over it.
        sheet.write_string_with_format(1, col, example(dataset, column.key), &text)?;
        sheet.set_column_width(col, 16)?;
    }
    book.save_to_buffer()
}
