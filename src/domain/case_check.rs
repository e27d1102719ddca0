//! "Can this worker take my case?" (rule 8 of the plan; docs/api.md, "Can
//! this worker take my case?"): an answer from the case type, whether the
//! worker may practise, whether the worker's office is in a district
//! bordering Sichuan, and where the parties live.
//!
//! - Criminal defence: never (grassroots legal service workers do not act as
//!   defenders in criminal cases).
//! - A worker who cannot practise (revoked, deregistered, office closed,
//!   suspended) takes no case.
//! - Civil and administrative litigation: at least one party lives in the
//!   municipality; a party in a Sichuan county adjacent to the border counts
//!   for a worker whose office is in a border district, which is the plan's
//!   pilot scope (探索), not settled law.
//! - Everything else: wherever the parties live.

use serde::Serialize;

/// The kind of work a resident wants done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseType {
    /// 民事诉讼代理.
    CivilLitigation,
    /// 行政诉讼代理.
    AdministrativeLitigation,
    /// 非诉讼法律事务.
    NonLitigation,
    /// 参与调解.
    Mediation,
    /// 仲裁代理.
    Arbitration,
    /// 法律咨询.
    LegalAdvice,
    /// 代写法律事务文书.
    DocumentDrafting,
    /// 刑事辩护.
    CriminalDefence,
}

impl CaseType {
    /// Every case type, in the order the form lists them.
    pub const ALL: &'static [CaseType] = &[
        CaseType::CivilLitigation,
        CaseType::AdministrativeLitigation,
        CaseType::NonLitigation,
        CaseType::Mediation,
        CaseType::Arbitration,
        CaseType::LegalAdvice,
        CaseType::DocumentDrafting,
        CaseType::CriminalDefence,
    ];

    /// The stable key used in the API and the form.
    pub fn key(self) -> &'static str {
        match self {
            CaseType::CivilLitigation => "civil_litigation",
            CaseType::AdministrativeLitigation => "administrative_litigation",
            CaseType::NonLitigation => "non_litigation",
            CaseType::Mediation => "mediation",
            CaseType::Arbitration => "arbitration",
            CaseType::LegalAdvice => "legal_advice",
            CaseType::DocumentDrafting => "document_drafting",
            CaseType::CriminalDefence => "criminal_defence",
        }
    }

    /// Parses a key (surrounding spaces ignored).
    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.key() == key.trim())
    }

    /// Civil or administrative litigation, where the parties' places count.
    pub fn is_litigation(self) -> bool {
        matches!(
            self,
            CaseType::CivilLitigation | CaseType::AdministrativeLitigation
        )
    }
}

/// Where a party to a case lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartyPlace {
    /// In Chongqing municipality.
    Municipality,
    /// In a Sichuan county (or district) adjacent to a Chongqing border
    /// district.
    SichuanBorder,
    /// Anywhere else.
    Elsewhere,
}

impl PartyPlace {
    /// Every place, in the order the form lists them.
    pub const ALL: &'static [PartyPlace] = &[
        PartyPlace::Municipality,
        PartyPlace::SichuanBorder,
        PartyPlace::Elsewhere,
    ];

    /// The stable key used in the API and the form.
    pub fn key(self) -> &'static str {
        match self {
            PartyPlace::Municipality => "municipality",
            PartyPlace::SichuanBorder => "sichuan_border",
            PartyPlace::Elsewhere => "elsewhere",
        }
    }

    /// Parses a key (surrounding spaces ignored).
    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|p| p.key() == key.trim())
    }
}

/// What the check is asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseQuestion {
    /// The kind of work.
    pub case_type: CaseType,
    /// Where one party lives.
    pub party_a: PartyPlace,
    /// Where the other party lives, if given.
    pub party_b: Option<PartyPlace>,
}

impl CaseQuestion {
    fn parties(&self) -> impl Iterator<Item = PartyPlace> {
        std::iter::once(self.party_a).chain(self.party_b)
    }

    fn any_party(&self, place: PartyPlace) -> bool {
        self.parties().any(|p| p == place)
    }
}

/// The worker as the check needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseWorker {
    /// Whether the worker's standing allows practice
    /// ([`crate::domain::Standing::can_practise`]).
    pub can_practise: bool,
    /// Whether the worker's office is in a district bordering Sichuan.
    pub office_borders_sichuan: bool,
}

/// Yes or no.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
// Named apart from the search answer's `Answer` in the OpenAPI document.
#[schema(as = CaseAnswer)]
pub enum Answer {
    /// The worker may take the case.
    Yes,
    /// The worker may not.
    No,
}

/// Why the answer is what it is; each ground has one sentence and one
/// basis (the rule it rests on) in each language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseGround {
    /// No: criminal defence is outside every grassroots worker's scope.
    CriminalDefence,
    /// No: the worker may not practise now.
    NotPractising,
    /// Yes: litigation with a party living in the municipality.
    LitigationInMunicipality,
    /// Yes: litigation with a party in an adjacent Sichuan county, for a
    /// worker of a border district: the plan's pilot scope.
    LitigationBorderPilot,
    /// No: litigation with a party in an adjacent Sichuan county, but the
    /// worker's office is not in a border district.
    LitigationBorderNotPilot,
    /// No: litigation and no party lives in the municipality (nor, for a
    /// worker of a border district, in an adjacent Sichuan county).
    LitigationOutside {
        /// Whether the worker's office is in a border district, so the
        /// sentence names the pilot too.
        border_district: bool,
    },
    /// Yes: work not limited by where the parties live.
    AnyPlace,
}

impl CaseGround {
    /// The answer this ground gives.
    pub fn answer(self) -> Answer {
        match self {
            CaseGround::LitigationInMunicipality
            | CaseGround::LitigationBorderPilot
            | CaseGround::AnyPlace => Answer::Yes,
            CaseGround::CriminalDefence
            | CaseGround::NotPractising
            | CaseGround::LitigationBorderNotPilot
            | CaseGround::LitigationOutside { .. } => Answer::No,
        }
    }
}

/// Rule 8: whether `worker` may take the case described by `question`, and
/// on what ground. Criminal defence is answered first (it is never open to
/// a grassroots worker, whatever the standing), then whether the worker
/// may practise at all, then the parties' places.
pub fn check(worker: CaseWorker, question: CaseQuestion) -> CaseGround {
    if question.case_type == CaseType::CriminalDefence {
        return CaseGround::CriminalDefence;
    }
    if !worker.can_practise {
        return CaseGround::NotPractising;
    }
    if !question.case_type.is_litigation() {
        return CaseGround::AnyPlace;
    }
    if question.any_party(PartyPlace::Municipality) {
        CaseGround::LitigationInMunicipality
    } else if question.any_party(PartyPlace::SichuanBorder) {
        if worker.office_borders_sichuan {
            CaseGround::LitigationBorderPilot
        } else {
            CaseGround::LitigationBorderNotPilot
        }
    } else {
        CaseGround::LitigationOutside {
            border_district: worker.office_borders_sichuan,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Standing;

    fn worker(can_practise: bool, office_borders_sichuan: bool) -> CaseWorker {
        CaseWorker {
            can_practise,
            office_borders_sichuan,
        }
    }

    fn q(case_type: CaseType, party_a: PartyPlace, party_b: Option<PartyPlace>) -> CaseQuestion {
        CaseQuestion {
            case_type,
            party_a,
            party_b,
        }
    }

    /// Every `party_b`, the missing one included.
    fn party_bs() -> Vec<Option<PartyPlace>> {
        std::iter::once(None)
            .chain(PartyPlace::ALL.iter().copied().map(Some))
            .collect()
    }

    #[test]
    fn keys_round_trip_and_unknown_keys_are_refused() {
        for c in CaseType::ALL {
            assert_eq!(CaseType::parse(c.key()), Some(*c));
            assert_eq!(serde_json::to_value(c).unwrap(), c.key());
        }
        for p in PartyPlace::ALL {
            assert_eq!(PartyPlace::parse(p.key()), Some(*p));
            assert_eq!(serde_json::to_value(p).unwrap(), p.key());
        }
        assert_eq!(CaseType::parse(" mediation "), Some(CaseType::Mediation));
        for bad in ["", "criminal", "Civil_Litigation", "刑事辩护"] {
            assert_eq!(CaseType::parse(bad), None, "{bad}");
        }
        for bad in ["", "sichuan", "Municipality", "重庆"] {
            assert_eq!(PartyPlace::parse(bad), None, "{bad}");
        }
        assert_eq!(CaseType::ALL.len(), 8);
        assert_eq!(PartyPlace::ALL.len(), 3);
    }

    #[test]
    fn only_revoked_deregistered_office_closed_and_suspended_workers_cannot_practise() {
        for s in Standing::ALL {
            let expected = !matches!(
                s,
                Standing::Revoked
                    | Standing::Deregistered
                    | Standing::OfficeClosed
                    | Standing::Suspended
            );
            assert_eq!(s.can_practise(), expected, "{}", s.key());
        }
    }

    #[test]
    fn criminal_defence_is_always_no_whoever_and_wherever() {
        for s in Standing::ALL {
            for borders in [false, true] {
                for a in PartyPlace::ALL {
                    for b in party_bs() {
                        let g = check(
                            worker(s.can_practise(), borders),
                            q(CaseType::CriminalDefence, *a, b),
                        );
                        assert_eq!(g, CaseGround::CriminalDefence);
                        assert_eq!(g.answer(), Answer::No);
                    }
                }
            }
        }
    }

    #[test]
    fn a_worker_who_cannot_practise_takes_no_case() {
        for s in [
            Standing::Revoked,
            Standing::Deregistered,
            Standing::OfficeClosed,
            Standing::Suspended,
        ] {
            for c in CaseType::ALL
                .iter()
                .filter(|c| **c != CaseType::CriminalDefence)
            {
                for borders in [false, true] {
                    for a in PartyPlace::ALL {
                        for b in party_bs() {
                            let g = check(worker(s.can_practise(), borders), q(*c, *a, b));
                            assert_eq!(g, CaseGround::NotPractising, "{} {}", s.key(), c.key());
                            assert_eq!(g.answer(), Answer::No);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn litigation_needs_a_party_in_the_municipality_or_the_border_pilot() {
        use PartyPlace::*;
        for c in [
            CaseType::CivilLitigation,
            CaseType::AdministrativeLitigation,
        ] {
            let not_border = worker(true, false);
            let border = worker(true, true);
            let cases = [
                // (a, b, not a border district, a border district)
                (
                    Municipality,
                    None,
                    CaseGround::LitigationInMunicipality,
                    CaseGround::LitigationInMunicipality,
                ),
                (
                    Elsewhere,
                    Some(Municipality),
                    CaseGround::LitigationInMunicipality,
                    CaseGround::LitigationInMunicipality,
                ),
                (
                    SichuanBorder,
                    Some(Municipality),
                    CaseGround::LitigationInMunicipality,
                    CaseGround::LitigationInMunicipality,
                ),
                (
                    SichuanBorder,
                    None,
                    CaseGround::LitigationBorderNotPilot,
                    CaseGround::LitigationBorderPilot,
                ),
                (
                    Elsewhere,
                    Some(SichuanBorder),
                    CaseGround::LitigationBorderNotPilot,
                    CaseGround::LitigationBorderPilot,
                ),
                (
                    SichuanBorder,
                    Some(SichuanBorder),
                    CaseGround::LitigationBorderNotPilot,
                    CaseGround::LitigationBorderPilot,
                ),
                (
                    Elsewhere,
                    None,
                    CaseGround::LitigationOutside {
                        border_district: false,
                    },
                    CaseGround::LitigationOutside {
                        border_district: true,
                    },
                ),
                (
                    Elsewhere,
                    Some(Elsewhere),
                    CaseGround::LitigationOutside {
                        border_district: false,
                    },
                    CaseGround::LitigationOutside {
                        border_district: true,
                    },
                ),
            ];
            for (a, b, plain, pilot) in cases {
                assert_eq!(check(not_border, q(c, a, b)), plain, "{a:?} {b:?}");
                assert_eq!(check(border, q(c, a, b)), pilot, "{a:?} {b:?}");
            }
            assert_eq!(
                CaseGround::LitigationBorderPilot.answer(),
                Answer::Yes,
                "the pilot says yes"
            );
            assert_eq!(CaseGround::LitigationBorderNotPilot.answer(), Answer::No);
        }
    }

    #[test]
    fn other_work_is_yes_wherever_the_parties_live() {
        for c in [
            CaseType::NonLitigation,
            CaseType::Mediation,
            CaseType::Arbitration,
            CaseType::LegalAdvice,
            CaseType::DocumentDrafting,
        ] {
            for borders in [false, true] {
                for a in PartyPlace::ALL {
                    for b in party_bs() {
                        let g = check(worker(true, borders), q(c, *a, b));
                        assert_eq!(g, CaseGround::AnyPlace, "{} {a:?} {b:?}", c.key());
                        assert_eq!(g.answer(), Answer::Yes);
                    }
                }
            }
        }
    }

    /// The whole table: every case type × party_a × party_b (or none) ×
    /// border district or not × every standing, against the rule as
    /// written in the issue.
    #[test]
    fn every_combination_follows_the_rule() {
        let mut seen = 0;
        for s in Standing::ALL {
            for c in CaseType::ALL {
                for borders in [false, true] {
                    for a in PartyPlace::ALL {
                        for b in party_bs() {
                            let places: Vec<PartyPlace> = std::iter::once(*a).chain(b).collect();
                            let in_scope = places.iter().any(|p| match p {
                                PartyPlace::Municipality => true,
                                PartyPlace::SichuanBorder => borders,
                                PartyPlace::Elsewhere => false,
                            });
                            let cannot_practise = matches!(
                                s,
                                Standing::Revoked
                                    | Standing::Deregistered
                                    | Standing::OfficeClosed
                                    | Standing::Suspended
                            );
                            let expected = if *c == CaseType::CriminalDefence
                                || cannot_practise
                                || (c.is_litigation() && !in_scope)
                            {
                                Answer::No
                            } else {
                                Answer::Yes
                            };
                            let g = check(worker(s.can_practise(), borders), q(*c, *a, b));
                            assert_eq!(
                                g.answer(),
                                expected,
                                "{} {} borders={borders} {a:?} {b:?}: {g:?}",
                                s.key(),
                                c.key()
                            );
                            seen += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(seen, Standing::ALL.len() * 8 * 2 * 3 * 4);
    }
}
