//! Plots for board papers: PNG and SVG, drawn with plotters from results only
//! (summaries and the scenario), never from the engine. One small module per plot.
//!
//! Text is drawn with the bundled DejaVu Sans font through ab_glyph, so no
//! system font library is needed. Plotters draws nothing (silently) when a
//! font is missing, so [`ensure_font`] registers it and proves it measures
//! text before any plot is drawn: a font failure is an error, never a blank plot.

pub mod bank_holidays;
pub mod compare;
pub mod ed;
pub mod ed_crowding;
pub mod electives;
pub mod escalation;
pub mod fan;
pub mod nctr;
pub mod outliers;
pub mod winter;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::register_font;
use std::path::Path;
use std::sync::OnceLock;

/// The font family every plot uses.
pub const FONT: &str = "sans-serif";

/// A plot could not be drawn or written (exit 1); an empty plot is never written instead.
#[derive(Debug, thiserror::Error)]
#[error("cannot draw {plot}: {message}")]
pub struct PlotError {
    /// Plot (file stem) or step (`fonts`) that failed.
    pub plot: String,
    /// What went wrong (plotters' or the file system's error).
    pub message: String,
}

impl PlotError {
    /// An error for `plot` from any displayable message.
    pub fn new(plot: &str, message: impl std::fmt::Display) -> PlotError {
        PlotError { plot: plot.to_string(), message: message.to_string() }
    }
}

/// Registers the bundled font once and checks it really measures text.
pub fn ensure_font() -> Result<(), PlotError> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            register_font(FONT, FontStyle::Normal, dejavu::sans::regular())
                .map_err(|_| "the bundled DejaVu Sans font is invalid".to_string())?;
            register_font(FONT, FontStyle::Bold, dejavu::sans::bold())
                .map_err(|_| "the bundled DejaVu Sans Bold font is invalid".to_string())?;
            let (w, h) = (FONT, 20).into_font().box_size("Occupancy 92%").map_err(|e| format!("{e:?}"))?;
            if w == 0 || h == 0 { Err("text measures zero size: no usable font".to_string()) } else { Ok(()) }
        })
        .clone()
        .map_err(|m| PlotError::new("fonts", m))
}

/// A figure that can be drawn on any plotters backend.
pub trait Figure {
    /// File stem, e.g. `winter_occupancy`.
    fn name(&self) -> &'static str;
    /// Pixel size; at least 1000 x 600 so it prints well.
    fn size(&self) -> (u32, u32);
    /// Draws the figure into `root` (any plotters backend: PNG or SVG).
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError>;
}

/// Converts any plotters error into a [`PlotError`] for the named plot.
pub fn fail<E: std::fmt::Debug>(plot: &'static str) -> impl Fn(E) -> PlotError {
    move |e| PlotError::new(plot, format!("{e:?}"))
}

/// Writes `<name>.png` and `<name>.svg` into `dir`, returning the SVG text for
/// the report.
pub fn render<F: Figure>(fig: &F, dir: &Path) -> Result<String, PlotError> {
    ensure_font()?;
    let name = fig.name();
    let size = fig.size();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(fail(name))?;
        fig.draw(&root)?;
        root.present().map_err(fail(name))?;
    }
    std::fs::write(dir.join(format!("{name}.svg")), &svg).map_err(|e| PlotError::new(name, e))?;
    let png = dir.join(format!("{name}.png"));
    {
        let root = BitMapBackend::new(&png, size).into_drawing_area();
        root.fill(&WHITE).map_err(fail(name))?;
        fig.draw(&root)?;
        root.present().map_err(fail(name))?;
    }
    Ok(svg)
}

/// Colours chosen for print and for colour-blind readers (NHS identity blues
/// for the simulation, warm colours for thresholds).
pub mod colours {
    use plotters::style::RGBColor;
    /// NHS blue (not used directly by any plot).
    pub const NHS_BLUE: RGBColor = RGBColor(0, 94, 184);
    /// Medians and means: the main line of fan charts and sweep plots, and the P50 marker.
    pub const DARK_BLUE: RGBColor = RGBColor(0, 48, 135);
    /// P10-P90 band of a fan chart.
    pub const BAND_OUTER: RGBColor = RGBColor(196, 219, 242);
    /// P25-P75 band of a fan chart; also the escalation cost histogram.
    pub const BAND_INNER: RGBColor = RGBColor(130, 178, 226);
    /// Core beds, targets and P90 markers: limits not to cross.
    pub const RED: RGBColor = RGBColor(218, 41, 28);
    /// 92% occupancy and the 78% ED standard: thresholds to watch.
    pub const ORANGE: RGBColor = RGBColor(237, 139, 0);
    /// Bank holidays shaded on date axes.
    pub const GREY: RGBColor = RGBColor(225, 225, 225);
    /// Secondary text (shade labels, notes).
    pub const TEXT_GREY: RGBColor = RGBColor(80, 80, 80);
    /// The Christmas-New Year fortnight shaded on date axes.
    pub const FESTIVE: RGBColor = RGBColor(253, 236, 200);
    /// Standards to reach (95% ED, 92% RTT) and OPEL level 1.
    pub const GREEN: RGBColor = RGBColor(0, 150, 57);
    /// Patients waiting for a bed, stacked above the beds (NHS pink).
    pub const WAITING: RGBColor = RGBColor(174, 37, 115);
    /// Core plus open escalation beds (NHS purple).
    pub const CAPACITY: RGBColor = RGBColor(51, 0, 114);
    /// One colour per plan or series: the Okabe-Ito palette, distinct for
    /// colour-blind readers and in greyscale print (yellow, last, is rarely needed).
    pub const SERIES: [RGBColor; 8] = [
        RGBColor(0, 114, 178),
        RGBColor(213, 94, 0),
        RGBColor(0, 158, 115),
        RGBColor(204, 121, 167),
        RGBColor(230, 159, 0),
        RGBColor(86, 180, 233),
        RGBColor(0, 0, 0),
        RGBColor(240, 228, 66),
    ];
}
