//! Charts drawn on the server as SVG: they need no JavaScript and print.
//! Colours are presentation attributes, not `style`, so the strict CSP
//! holds.

use std::fmt::Write as _;

use crate::domain::plan_rules::TARGET_RATIO;

use super::lang::tr;
use super::views::DistrictView;

const ROW: f64 = 22.0;
const LABEL_W: f64 = 150.0;
const BAR_W: f64 = 380.0;
const PAD: f64 = 8.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A horizontal bar chart of each district's lawyer ratio (dark) and
/// service ratio (light) against the plan's 2.3 (a red line). The axis ends
/// at the larger of 6 and twice the target's distance to the median, so the
/// districts near the target stay readable; longer bars are cut and carry
/// their figure.
pub fn ratio_chart(districts: &[DistrictView]) -> String {
    let mut ratios: Vec<f64> = districts.iter().filter_map(|d| d.service_ratio).collect();
    ratios.sort_by(f64::total_cmp);
    let median = ratios
        .get(ratios.len() / 2)
        .copied()
        .unwrap_or(TARGET_RATIO);
    let axis_max = (median * 2.0).clamp(6.0, 20.0);
    let x = |v: f64| LABEL_W + (v.min(axis_max) / axis_max) * BAR_W;
    let height = PAD * 2.0 + ROW * districts.len() as f64 + 24.0;
    let width = LABEL_W + BAR_W + 70.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title chart-desc"><title id="chart-title">{}</title><desc id="chart-desc">{}</desc>"##,
        esc(&tr("chart-title")),
        esc(&tr("chart-desc"))
    );
    for (i, d) in districts.iter().enumerate() {
        let y = PAD + ROW * i as f64;
        let _ = write!(
            svg,
            r##"<text x="{}" y="{}" text-anchor="end" font-size="12" fill="#1d2329">{}</text>"##,
            LABEL_W - 6.0,
            y + 14.0,
            esc(&d.name)
        );
        if let Some(s) = d.service_ratio {
            let _ = write!(
                svg,
                r##"<rect x="{LABEL_W}" y="{}" width="{:.1}" height="16" fill="#9cc3e6"/>"##,
                y + 2.0,
                x(s) - LABEL_W
            );
        }
        if let Some(l) = d.lawyer_ratio {
            let fill = if l < TARGET_RATIO {
                "#a4262c"
            } else {
                "#0b5cad"
            };
            let _ = write!(
                svg,
                r##"<rect x="{LABEL_W}" y="{}" width="{:.1}" height="10" fill="{fill}"/><text x="{:.1}" y="{}" font-size="11" fill="#1d2329">{l:.2}</text>"##,
                y + 5.0,
                x(l) - LABEL_W,
                x(d.service_ratio.unwrap_or(l).max(l)) + 4.0,
                y + 14.0
            );
        }
    }
    let tx = x(TARGET_RATIO);
    let bottom = PAD + ROW * districts.len() as f64;
    let _ = write!(
        svg,
        r##"<line x1="{tx:.1}" y1="{PAD}" x2="{tx:.1}" y2="{bottom}" stroke="#d13438" stroke-width="2"/><text x="{tx:.1}" y="{}" font-size="12" text-anchor="middle" fill="#d13438">2.3</text><text x="{:.1}" y="{}" font-size="11" text-anchor="end" fill="#5b6670">{axis_max:.0}</text></svg>"##,
        bottom + 16.0,
        LABEL_W + BAR_W,
        bottom + 16.0
    );
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn district(name: &str, lawyer: f64, service: f64) -> DistrictView {
        DistrictView {
            code: "500000".into(),
            name: name.into(),
            kind: "county".into(),
            kind_label: "县".into(),
            population: 1,
            lawyers: 1,
            active_workers: 1,
            offices: 1,
            lawyer_ratio: Some(lawyer),
            service_ratio: Some(service),
            target: TARGET_RATIO,
            below_target: lawyer < TARGET_RATIO,
            borders_sichuan: false,
        }
    }

    #[test]
    fn the_chart_names_every_district_and_marks_the_target() {
        let svg = ratio_chart(&[
            district("渝中区", 31.2, 31.5),
            district("城<口>县", 1.8, 2.6),
        ]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(
            svg.contains("渝中区") && svg.contains("城&lt;口&gt;县"),
            "names are escaped"
        );
        assert!(
            svg.contains(">2.3</text>")
                && svg.contains(">31.20</text>")
                && svg.contains(">1.80</text>")
        );
        assert!(
            svg.contains("#a4262c"),
            "a district below the target is drawn in red"
        );
        assert!(!svg.contains("style="), "no inline style under the CSP");
    }
}
