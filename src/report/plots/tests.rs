//! Tests of `report::plots`.

use super::*;

#[test]
fn clipped_values_are_marked_and_every_point_has_a_title() {
    let chart =
        Chart {
            title: "t".into(),
            x_label: "epoch".into(),
            y_label: "f".into(),
            series: vec![
                Series::line("w^2", vec![(1.0, 0.5), (2.0, 4.5), (3.0, 1.0)], BLUE)
                    .with_band(vec![(1.0, 0.4, 0.6), (2.0, 4.0, 5.0), (3.0, 0.9, 1.1)]),
            ],
            references: vec![Reference::horizontal(0.1, "threshold 0.1")],
            y_range: Some((-0.5, 2.0)),
            ..Chart::default()
        };
    let svg = render(&chart);
    assert!(svg.starts_with("<svg"));
    assert_eq!(svg.matches("<title>").count(), 3);
    assert!(svg.contains(
        "<title>w^2: epoch 2, f 4.500 (seeds: 4 to 5) (outside the plotted range)</title>"
    ));
    assert!(svg.contains("outside the y range"));
    assert!(svg.contains("threshold 0.1"));
    // The legend is below the plot area.
    assert!(svg.contains(&format!("height=\"{}\"", PLOT_HEIGHT + 2 * LEGEND_ROW + 12)));
}

#[test]
fn a_reference_far_below_the_data_is_named_not_drawn() {
    let weights = vec![(0.0, 1.0), (30.0, 0.3), (60.0, 0.2)];
    let chart = Chart {
        log_y: true,
        series: vec![Series::line("w^1", weights, BLUE)],
        references: vec![
            Reference::horizontal(0.036, "1/sqrt(n_in) = 0.036"),
            Reference::horizontal(4.2e-5, "1/n_w = 4.2e-5"),
        ],
        ..Chart::default()
    };
    let svg = render(&chart);
    // Within a decade of the data: drawn, on the axis.
    let placed: Vec<Placed> = chart.series.iter().map(|s| place(&chart, s)).collect();
    let references = [
        vec![(0.0, 0.036f64.log10())],
        vec![(0.0, 4.2e-5f64.log10())],
    ];
    let frame = Frame::of(&chart, &placed, &references);
    assert!(
        frame.y.0 < 0.036f64.log10() && frame.y.0 > 0.01f64.log10(),
        "{:?}",
        frame.y
    );
    // Four decades below: named under the legend, its row added.
    assert!(svg.contains("1/n_w = 4.2e-5 (below the y range)"));
    assert!(svg.contains(&format!("height=\"{}\"", PLOT_HEIGHT + 2 * LEGEND_ROW + 12)));
    // Labels stand on a white halo.
    assert!(svg.contains("<text stroke=\"#fff\""));
}

#[test]
fn text_is_large_enough_for_a_phone() {
    let chart = Chart {
        series: vec![Series::line("a", vec![(0.0, 1.0), (1.0, 2.0)], BLUE)],
        ..Chart::default()
    };
    let svg = render(&chart);
    let sizes: Vec<u32> = svg
        .split("font-size=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next()?.parse::<f64>().ok())
        .map(|s| s as u32)
        .collect();
    assert!(!sizes.is_empty());
    // 342 px of a 390 px phone for WIDTH px of SVG.
    let smallest = *sizes.iter().min().unwrap() as f64 * 342.0 / WIDTH as f64;
    assert!(smallest >= 10.0, "smallest text {smallest} px on a phone");
}
