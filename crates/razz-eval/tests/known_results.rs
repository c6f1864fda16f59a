//! Reproduces published scores of known tracker outputs on real MOT15 sequences, so the
//! metrics are checked against the references MOTChallenge uses (motmetrics and TrackEval),
//! not against themselves. Data: `../shared/data` beside the checkout (see its README).

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

use razz_core::mot::{MotRow, read_rows};
use razz_eval::{Metrics, SequenceData};

fn shared() -> PathBuf {
    razz_core::testdata::shared_data()
}

fn rows(p: PathBuf) -> Vec<MotRow> {
    let f = File::open(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    read_rows(BufReader::new(f)).expect("valid MOT file")
}

fn score(seq: &str, tracker: PathBuf) -> Metrics {
    let gt = rows(shared().join(format!("mot15/{seq}/gt/gt.txt")));
    let data = SequenceData::new(&gt, &rows(tracker)).expect("valid sequence");
    Metrics::evaluate(seq, &data)
}

fn pct(x: f64) -> f64 {
    (x * 1000.0).round() / 10.0
}

/// motmetrics 1.4.0's TUD outputs, as scored by motmetrics and the MOTChallenge devkit.
#[test]
fn reproduces_motmetrics_tud_results() {
    // sequence, IDF1, IDP, IDR, Recall, Precision, FP, FN, IDs, MOTA
    let known = [
        ("TUD-Campus", 55.8, 73.0, 45.1, 58.2, 94.1, 13, 150, 7, 52.6),
        (
            "TUD-Stadtmitte",
            64.5,
            82.0,
            53.1,
            60.9,
            94.0,
            45,
            452,
            7,
            56.4,
        ),
    ];
    for (seq, idf1, idp, idr, rcll, prcn, fp, fn_, ids, mota) in known {
        let m = score(seq, shared().join(format!("motmetrics/{seq}/test.txt")));
        let got = (
            pct(m.identity.idf1),
            pct(m.identity.idp),
            pct(m.identity.idr),
            pct(m.clear.recall),
            pct(m.clear.precision),
        );
        assert_eq!(got, (idf1, idp, idr, rcll, prcn), "{seq}");
        assert_eq!(
            (m.clear.fp, m.clear.fn_, m.clear.id_switches),
            (fp, fn_, ids),
            "{seq}"
        );
        assert_eq!(pct(m.clear.mota), mota, "{seq}");
    }
}

/// Bewley's SORT output scored by TrackEval 1.3.0 in MOT15 mode, per sequence and combined.
#[test]
fn reproduces_trackeval_hota_for_sort() {
    // sequence, HOTA, DetA, AssA, MOTA, IDF1, IDs, FP, FN
    let known = [
        (
            "PETS09-S2L1",
            30.58,
            48.86,
            19.67,
            61.86,
            35.10,
            103,
            485,
            1119,
        ),
        ("TUD-Campus", 45.26, 48.83, 42.28, 62.67, 60.65, 6, 15, 113),
        (
            "TUD-Stadtmitte",
            53.03,
            54.90,
            51.28,
            71.71,
            73.47,
            10,
            22,
            295,
        ),
    ];
    let r2 = |x: f64| (x * 10000.0).round() / 100.0;
    let mut parts = Vec::new();
    for (seq, hota, deta, assa, mota, idf1, ids, fp, fn_) in known {
        let m = score(seq, shared().join(format!("known/sort-default/{seq}.txt")));
        assert_eq!(
            (r2(m.hota.hota), r2(m.hota.det_a), r2(m.hota.ass_a)),
            (hota, deta, assa),
            "{seq} HOTA"
        );
        assert_eq!(
            (r2(m.clear.mota), r2(m.identity.idf1)),
            (mota, idf1),
            "{seq} MOTA/IDF1"
        );
        assert_eq!(
            (m.clear.id_switches, m.clear.fp, m.clear.fn_),
            (ids, fp, fn_),
            "{seq} counts"
        );
        parts.push(m);
    }
    let c = Metrics::combine("combined", &parts);
    assert_eq!(
        (r2(c.hota.hota), r2(c.hota.det_a), r2(c.hota.ass_a)),
        (36.63, 49.81, 27.70)
    );
    assert_eq!((r2(c.clear.mota), r2(c.identity.idf1)), (63.81, 43.67));
    assert_eq!(
        (c.clear.id_switches, c.clear.fp, c.clear.fn_),
        (119, 522, 1527)
    );
}

#[test]
fn perfect_tracker_scores_one() {
    let gt = rows(shared().join("mot15/TUD-Campus/gt/gt.txt"));
    let data = SequenceData::new(&gt, &gt).expect("valid");
    let m = Metrics::evaluate("self", &data);
    assert_eq!(
        (m.clear.mota, m.identity.idf1, m.clear.id_switches),
        (1.0, 1.0, 0)
    );
    assert!((m.hota.hota - 1.0).abs() < 1e-9);
}

#[test]
fn duplicate_tracker_ids_are_an_error() {
    let gt = rows(shared().join("mot15/TUD-Campus/gt/gt.txt"));
    let mut tr = gt.clone();
    tr.push(gt[0]);
    let err = SequenceData::new(&gt, &tr).expect_err("duplicate id");
    assert!(err.to_string().contains("twice in frame 1"), "{err}");
}
