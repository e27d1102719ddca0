//! Coordinates: positions are stored in WGS-84; Chinese map apps expect
//! GCJ-02, the obfuscated datum required for maps published in China.

use std::f64::consts::PI;

const A: f64 = 6_378_245.0;
const EE: f64 = 0.006_693_421_622_965_943;

/// Whether a WGS-84 point lies outside mainland China's rough bounding box,
/// where GCJ-02 equals WGS-84.
pub fn outside_china(lat: f64, lng: f64) -> bool {
    !(72.004..=137.8347).contains(&lng) || !(0.8293..=55.8271).contains(&lat)
}

/// Converts a WGS-84 point to GCJ-02 (the published transformation).
pub fn wgs84_to_gcj02(lat: f64, lng: f64) -> (f64, f64) {
    if outside_china(lat, lng) {
        return (lat, lng);
    }
    let mut d_lat = transform_lat(lng - 105.0, lat - 35.0);
    let mut d_lng = transform_lng(lng - 105.0, lat - 35.0);
    let rad_lat = lat / 180.0 * PI;
    let magic = 1.0 - EE * rad_lat.sin() * rad_lat.sin();
    let sqrt_magic = magic.sqrt();
    d_lat = (d_lat * 180.0) / ((A * (1.0 - EE)) / (magic * sqrt_magic) * PI);
    d_lng = (d_lng * 180.0) / (A / sqrt_magic * rad_lat.cos() * PI);
    (lat + d_lat, lng + d_lng)
}

fn transform_lat(x: f64, y: f64) -> f64 {
    let mut ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    ret += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    ret += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    ret += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    ret
}

fn transform_lng(x: f64, y: f64) -> f64 {
    let mut ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    ret += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    ret += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    ret += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    ret
}

/// Great-circle distance in metres between two WGS-84 points.
pub fn distance_m(lat1: f64, lng1: f64, lat2: f64, lng2: f64) -> f64 {
    let r = 6_371_008.8;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lng2 - lng1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * r * h.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcj02_shifts_points_in_china_by_a_few_hundred_metres() {
        // 解放碑, Chongqing.
        let (lat, lng) = (29.5573, 106.5770);
        let (glat, glng) = wgs84_to_gcj02(lat, lng);
        let shift = distance_m(lat, lng, glat, glng);
        assert!((100.0..800.0).contains(&shift), "shift {shift} m");
        // The published offset near Chongqing moves points north-east-ish:
        // latitude down, longitude up by a few thousandths of a degree.
        assert!(glng > lng && (glng - lng) < 0.01, "{glng}");
        assert!((glat - lat).abs() < 0.01, "{glat}");
    }

    #[test]
    fn points_outside_china_are_unchanged() {
        assert_eq!(wgs84_to_gcj02(48.8566, 2.3522), (48.8566, 2.3522));
    }

    #[test]
    fn distances_are_in_metres() {
        // One degree of latitude is about 111 km.
        let d = distance_m(29.0, 106.0, 30.0, 106.0);
        assert!((110_000.0..112_500.0).contains(&d), "{d}");
        assert_eq!(distance_m(29.5, 106.5, 29.5, 106.5), 0.0);
    }
}
