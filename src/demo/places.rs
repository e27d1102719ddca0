//! Where the demo happens: the 38 districts of Chongqing with their
//! invented lawyer counts, the invented counties of the nation scale, and
//! their townships.

use std::collections::HashSet;

use chrono::NaiveDateTime;
use rand::RngExt;
use rand::seq::SliceRandom;

use crate::db::models::{District, NewTownship};
use crate::domain::plan_rules::{TARGET_RATIO, lawyer_ratio};
use crate::domain::vocab::{AreaKind, DistrictKind};

use super::{Generator, round6};

const DISTRICTS_CSV: &str = include_str!("../../data/chongqing_districts.csv");

/// Practising lawyers in Chongqing, the total the invented figures aim at.
const CHONGQING_LAWYERS: i64 = 17_540;

/// 渝中区, the old city centre.
pub(super) const YUZHONG: &str = "500103";
/// The main-city districts after 渝中.
const MAIN_CITY: &[&str] = &["500105", "500106", "500107", "500108", "500112"];
/// The rest of the central city.
const INNER_RING: &[&str] = &["500104", "500109", "500113"];

/// 渝中区's real subdistricts.
pub(super) const YUZHONG_SUBDISTRICTS: &[&str] = &[
    "解放碑",
    "朝天门",
    "七星岗",
    "两路口",
    "上清寺",
    "菜园坝",
    "南纪门",
    "大溪沟",
    "大坪",
    "化龙桥",
    "石油路",
];

/// 忠县 carries 龙沙镇, which the search tests look for by name.
pub(super) const LONGSHA_DISTRICT: &str = "500233";
pub(super) const LONGSHA: &str = "龙沙";

/// A province-level region: where an invented county sits, and how its
/// authorities are named.
pub(super) struct Region {
    pub(super) code: &'static str,
    pub(super) name: &'static str,
    pub(super) abbr: &'static str,
    pub(super) lat: f64,
    pub(super) lng: f64,
}

impl Region {
    pub(super) fn scope(&self) -> &'static str {
        if self.name.ends_with("自治区") {
            "全区"
        } else if self.name.ends_with('市') {
            "全市"
        } else {
            "全省"
        }
    }

    pub(super) fn justice_department(&self) -> String {
        if self.code == CHONGQING.code {
            "重庆市司法局".to_owned()
        } else {
            format!("{}司法厅", self.name)
        }
    }

    pub(super) fn association(&self) -> String {
        format!("{}基层法律服务协会", self.name)
    }
}

pub(super) const CHONGQING: Region = Region {
    code: "50",
    name: "重庆市",
    abbr: "渝",
    lat: 29.56,
    lng: 106.55,
};

const fn region(
    code: &'static str,
    name: &'static str,
    abbr: &'static str,
    lat: f64,
    lng: f64,
) -> Region {
    Region {
        code,
        name,
        abbr,
        lat,
        lng,
    }
}

const OTHER_REGIONS: &[Region] = &[
    region("13", "河北省", "冀", 38.0, 114.5),
    region("14", "山西省", "晋", 37.6, 112.3),
    region("21", "辽宁省", "辽", 41.3, 122.6),
    region("22", "吉林省", "吉", 43.5, 124.5),
    region("32", "江苏省", "苏", 32.9, 119.5),
    region("33", "浙江省", "浙", 29.2, 120.2),
    region("34", "安徽省", "皖", 31.8, 117.2),
    region("35", "福建省", "闽", 26.1, 118.3),
    region("36", "江西省", "赣", 27.6, 115.7),
    region("37", "山东省", "鲁", 36.4, 118.3),
    region("41", "河南省", "豫", 33.9, 113.6),
    region("42", "湖北省", "鄂", 30.9, 112.3),
    region("43", "湖南省", "湘", 27.6, 111.7),
    region("44", "广东省", "粤", 23.4, 113.4),
    region("45", "广西壮族自治区", "桂", 23.8, 108.8),
    region("51", "四川省", "川", 30.6, 103.9),
    region("52", "贵州省", "黔", 26.8, 106.9),
    region("53", "云南省", "滇", 24.9, 101.5),
    region("61", "陕西省", "陕", 35.2, 108.9),
    region("62", "甘肃省", "甘", 36.0, 104.0),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tier {
    /// 渝中: the old city centre.
    Core,
    /// The other main-city districts.
    Main,
    /// The rest of the central city.
    Inner,
    /// Everywhere else.
    Outer,
}

pub(super) fn tier_of(code: &str) -> Tier {
    if code == YUZHONG {
        Tier::Core
    } else if MAIN_CITY.contains(&code) {
        Tier::Main
    } else if INNER_RING.contains(&code) {
        Tier::Inner
    } else {
        Tier::Outer
    }
}

pub(super) struct Place {
    pub(super) row: District,
    pub(super) region: &'static Region,
    tier: Tier,
    pub(super) area_code: String,
    pub(super) townships: usize,
    pub(super) offices: usize,
}

impl Place {
    pub(super) fn at_target(&self) -> bool {
        lawyer_ratio(self.row.lawyers, self.row.population).is_some_and(|r| r >= TARGET_RATIO)
    }

    /// Share of townships that are urban subdistricts.
    pub(super) fn urban_share(&self) -> f64 {
        match self.tier {
            Tier::Core | Tier::Main | Tier::Inner => 0.85,
            Tier::Outer if self.row.kind == DistrictKind::District.key() => 0.3,
            Tier::Outer => 0.12,
        }
    }

    pub(super) fn address_prefix(&self) -> String {
        format!("{}{}", self.region.name, self.row.name)
    }
}

pub(super) struct TownshipPlan {
    pub(super) row: NewTownship,
    pub(super) area: AreaKind,
}

impl Generator {
    // --- districts ---------------------------------------------------------

    pub(super) fn chongqing(&mut self) -> Vec<Place> {
        let mut places: Vec<Place> = chongqing_facts()
            .into_iter()
            .map(|row| {
                let townships = if row.code == YUZHONG {
                    YUZHONG_SUBDISTRICTS.len()
                } else {
                    self.rng.random_range(6..=15)
                };
                Place {
                    tier: tier_of(&row.code),
                    region: &CHONGQING,
                    area_code: "023".to_owned(),
                    townships,
                    offices: (townships * 3).div_ceil(4),
                    row: District {
                        updated_at: self.stamp,
                        ..row
                    },
                }
            })
            .collect();
        self.assign_lawyers(&mut places);
        places
    }

    /// Invents lawyer counts: the central city far above the target, about
    /// a third of the rest below it, near Chongqing's real total.
    fn assign_lawyers(&mut self, places: &mut [Place]) {
        let mut others = Vec::new();
        let mut assigned = 0;
        for (i, p) in places.iter_mut().enumerate() {
            let ratio = match p.tier {
                Tier::Core => self.rng.random_range(30.0..36.0),
                Tier::Main => self.rng.random_range(8.0..15.0),
                Tier::Inner => self.rng.random_range(5.0..8.0),
                Tier::Outer => {
                    others.push(i);
                    continue;
                }
            };
            p.row.lawyers = lawyers_at(ratio, p.row.population);
            assigned += p.row.lawyers;
        }

        let (mut counties, mut districts): (Vec<usize>, Vec<usize>) = others
            .iter()
            .copied()
            .partition(|&i| places[i].row.kind != DistrictKind::District.key());
        counties.shuffle(&mut self.rng);
        districts.shuffle(&mut self.rng);
        let below_count = others.len().div_ceil(3);
        let from_counties = (below_count * 3 / 5).min(counties.len());
        let below: Vec<usize> = counties[..from_counties]
            .iter()
            .chain(districts.iter().take(below_count - from_counties))
            .copied()
            .collect();
        for &i in &below {
            let ratio = self.rng.random_range(1.2..2.2);
            places[i].row.lawyers = lawyers_at(ratio, places[i].row.population);
            assigned += places[i].row.lawyers;
        }

        let above: Vec<usize> = others.into_iter().filter(|i| !below.contains(i)).collect();
        let above_population: i64 = above.iter().map(|&i| places[i].row.population).sum();
        let needed =
            (CHONGQING_LAWYERS - assigned) as f64 * 10_000.0 / above_population.max(1) as f64;
        for i in above {
            let ratio = (needed * self.rng.random_range(0.85..1.15)).max(2.5);
            places[i].row.lawyers = lawyers_at(ratio, places[i].row.population);
        }
    }

    /// Counties of other provinces, invented until they hold
    /// `offices_needed` offices at about five each.
    pub(super) fn invented_counties(
        &mut self,
        existing: &[Place],
        mut offices_needed: usize,
    ) -> Vec<Place> {
        let mut names: HashSet<String> = existing.iter().map(|p| p.row.name.clone()).collect();
        let mut codes: HashSet<String> = existing.iter().map(|p| p.row.code.clone()).collect();
        let mut out = Vec::new();
        while offices_needed > 0 {
            let region = &OTHER_REGIONS[self.rng.random_range(0..OTHER_REGIONS.len())];
            let code = loop {
                let city: u32 = self.rng.random_range(1..=20);
                let county: u32 = self.rng.random_range(21..=85);
                let code = format!("{}{city:02}{county:02}", region.code);
                if codes.insert(code.clone()) {
                    break code;
                }
            };
            let name = loop {
                let name = format!("{}县", self.place_stem());
                if names.insert(name.clone()) {
                    break name;
                }
            };
            let population = self.rng.random_range(200_000..=1_200_000);
            let ratio = self.rng.random_range(0.8..5.0);
            let lat = round6((region.lat + self.rng.random_range(-1.5..1.5)).clamp(20.0, 45.0));
            let lng = round6((region.lng + self.rng.random_range(-1.5..1.5)).clamp(100.0, 125.0));
            let offices = self.rng.random_range(3..=7).min(offices_needed);
            let townships = self.rng.random_range(6..=15).max(offices);
            let area_code = format!("0{}", self.rng.random_range(310..=999));
            offices_needed -= offices;
            out.push(Place {
                row: District {
                    code,
                    name,
                    kind: DistrictKind::County.key().to_owned(),
                    population,
                    lawyers: lawyers_at(ratio, population),
                    borders_sichuan: false,
                    seat_lat: Some(lat),
                    seat_lng: Some(lng),
                    updated_at: self.stamp,
                },
                region,
                tier: Tier::Outer,
                area_code,
                townships,
                offices,
            });
        }
        out
    }

    // --- townships and offices ----------------------------------------------

    pub(super) fn townships(&mut self, places: &[Place]) -> Vec<Vec<TownshipPlan>> {
        let mut next_id = 1;
        let mut out = Vec::with_capacity(places.len());
        for place in places {
            let mut taken = HashSet::new();
            let mut list = Vec::with_capacity(place.townships);
            for i in 0..place.townships {
                let (name, area) = self.township_name(place, i, &mut taken);
                list.push(TownshipPlan {
                    row: NewTownship {
                        id: next_id,
                        district_code: place.row.code.clone(),
                        name,
                        area_kind: area.key().to_owned(),
                    },
                    area,
                });
                next_id += 1;
            }
            out.push(list);
        }
        out
    }
}

fn lawyers_at(ratio: f64, population: i64) -> i64 {
    (ratio * population as f64 / 10_000.0).round() as i64
}

fn chongqing_facts() -> Vec<District> {
    DISTRICTS_CSV
        .lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(parse_district_line)
        .collect()
}

/// `code,name,kind,population_2020,population_exact,seat_lat,seat_lng,borders_sichuan`
fn parse_district_line(line: &str) -> District {
    let f: Vec<&str> = line.trim().split(',').map(str::trim).collect();
    assert_eq!(f.len(), 8, "chongqing_districts.csv: bad line {line:?}");
    let kind = DistrictKind::parse(f[2]).expect("chongqing_districts.csv: unknown district kind");
    District {
        code: f[0].to_owned(),
        name: f[1].to_owned(),
        kind: kind.key().to_owned(),
        population: f[3]
            .parse()
            .expect("chongqing_districts.csv: bad population"),
        lawyers: 0,
        borders_sichuan: f[7] == "true",
        seat_lat: f[5].parse().ok(),
        seat_lng: f[6].parse().ok(),
        updated_at: NaiveDateTime::MIN,
    }
}
