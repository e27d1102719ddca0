//! Invented names: people, place stems, townships and streets.

use std::collections::HashSet;

use crate::domain::vocab::AreaKind;

use super::places::{LONGSHA, LONGSHA_DISTRICT, Place, YUZHONG, YUZHONG_SUBDISTRICTS};
use super::{Generator, pick};

pub(super) const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤单解";

pub(super) const GIVEN_NAME_CHARS: &str = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力斌宇浩凯健俊帆鹏琳燕梅兰婷雪颖倩晨阳峰波川渝蓉亮志国民海春秋冬云飞荣德福成新利琴莉欣怡婧瑶兴永庆红梅";

pub(super) const PLACE_CHARS: &str = "龙沙石桥河坝山水溪江口家湾平安新华兴隆太和清凤凰白马黄金青云高峰天星东南西北中大双三长永福宝林松柏桂花园田庙观寺铺场渡滩塘岩洞岭坪乐丰盛合同德仁义顺通茶竹梨桃柳杨槐蔡胡鹤鸣";

pub(super) const STREETS: &[&str] = &[
    "人民路",
    "解放路",
    "新华路",
    "正街",
    "中山路",
    "建设路",
    "滨江路",
    "和平路",
    "文化街",
    "胜利路",
    "新街",
    "老街",
];

impl Generator {
    pub(super) fn person_name(&mut self) -> String {
        let mut name = String::from(pick(&mut self.rng, &self.surnames));
        let given = if self.chance(0.3) { 1 } else { 2 };
        for _ in 0..given {
            name.push(pick(&mut self.rng, &self.given_chars));
        }
        name
    }

    pub(super) fn place_stem(&mut self) -> String {
        let a = pick(&mut self.rng, &self.place_chars);
        let b = pick(&mut self.rng, &self.place_chars);
        [a, b].iter().collect()
    }

    pub(super) fn township_name(
        &mut self,
        place: &Place,
        i: usize,
        taken: &mut HashSet<String>,
    ) -> (String, AreaKind) {
        if place.row.code == YUZHONG {
            return (format!("{}街道", YUZHONG_SUBDISTRICTS[i]), AreaKind::Urban);
        }
        if place.row.code == LONGSHA_DISTRICT && i == 0 {
            taken.insert(LONGSHA.to_owned());
            return (format!("{LONGSHA}镇"), AreaKind::Rural);
        }
        loop {
            let stem = self.place_stem();
            // 龙沙 stays unique so that a search for it finds one office.
            if stem == LONGSHA || !taken.insert(stem.clone()) {
                continue;
            }
            let area = if self.chance(place.urban_share()) {
                AreaKind::Urban
            } else {
                AreaKind::Rural
            };
            let suffix = match area {
                AreaKind::Urban => "街道",
                AreaKind::Rural if self.chance(0.3) => "乡",
                AreaKind::Rural => "镇",
            };
            return (format!("{stem}{suffix}"), area);
        }
    }
}
