import Foundation

/// Settings derived from the library itself (issue 12: one default that works on every
/// library), applied once when a solver is made (`DRNetSolver.init`), so that the solver, its
/// checkpoints and its solution record the values it used:
///
/// - **Peak shape** (`peakShape: auto`): a library that records the instrument its scans came
///   from (the 2θ axis's wavelength, from `drnet import`'s `import.json`) gets the measured-scan
///   model, pseudo-Voigt peaks (η ≤ `peakMixingMax`) with the Q-dependent width law
///   (`peakFattening`); any other library (instance files, benchmark and synthetic libraries)
///   keeps the reference's Gaussian peaks. `gaussian` or `pseudoVoigt` choose explicitly.
/// - **Peak widths** (`peakWidthsFromData`): the log-variance centre becomes 2·ln σ̂, σ̂ the
///   median peak width measured in the patterns (`PeakWidthEstimate`), rounded to 0.01; the range
///   stays `logVarianceRange` (default 2: σ from σ̂/e to σ̂·e). A settings file that sets
///   `logVarianceCentre` keeps it (the option is then off). Where the widths are not taken from
///   the data and the measured σ̂ falls outside the allowed range, a warning says so.
/// - **Background** (`backgroundFromData`): patterns whose baseline share (`BaselineEstimate`:
///   the intensity under a morphological opening wider than any peak) is below 1 % came with
///   their background subtracted, and `backgroundCoefficients` becomes 0: on Bi-Cu-V (0.2 %) a
///   fitted background cost the solution two of the reference's phases (134 against 203 of 307 samples
///   matching the reference solution, seed 2). A settings file that sets
///   `backgroundCoefficients` keeps it.
/// - A step cap (`maxSteps`) at or before the constraint terms' full strength gets a warning.
public enum DataDefaults {
    /// The options with every data-derived setting resolved, and one note per decision.
    public static func resolve(_ given: SolverOptions, for problem: PreparedProblem) -> (options: SolverOptions, notes: [String]) {
        var o = given
        var notes: [String] = []
        if o.peakShape == .auto {
            if let lambda = problem.library.axisWavelength {
                o.peakShape = .pseudoVoigt
                o.peakFattening = true
                notes.append(
                    "peak shape: pseudo-Voigt (η ≤ \(format(o.peakMixingMax))) with Q-dependent widths, the model of measured scans "
                        + "(the library records its instrument: λ \(format(lambda)) Å); peakShape \"gaussian\" renders the reference's "
                        + "Gaussian peaks")
            } else {
                o.peakShape = .gaussian
            }
        }
        if o.peakWidthsFromData {
            o.peakWidthsFromData = false
            if let w = problem.peakWidth {
                let centre = (2 * Foundation.log(w.sigma) * 100).rounded() / 100
                o.logVarianceCentre = Swift.min(centre, 4 - o.logVarianceRange)
                let range = PeakWidthEstimate.range(o)
                notes.append(
                    "peak widths from the data: median σ ≈ \(format(w.sigma)) nm⁻¹ (\(w.peaks) peaks measured) → logVarianceCentre "
                        + "\(format(o.logVarianceCentre)), σ \(format(range.lowerBound))…\(format(range.upperBound)) nm⁻¹")
            }
        } else if let w = problem.peakWidth?.warning(for: o) {
            notes.append("warning: " + w)
        }
        if o.backgroundFromData {
            o.backgroundFromData = false
            if o.backgroundCoefficients > 0, let b = problem.baseline {
                let measured =
                    "background: \(String(format: "%.1f %%", 100 * b.share)) of the patterns' intensity lies under a smooth "
                    + "baseline (median of \(b.patterns), window ±\(format(b.halfWindow)) nm⁻¹): "
                if b.share < BaselineEstimate.noBackgroundShare {
                    o.backgroundCoefficients = 0
                    notes.append(
                        measured + "already subtracted, so no background is fitted "
                            + "(backgroundCoefficients 0; a settings file that sets backgroundCoefficients fits one)")
                } else {
                    notes.append(measured + "fitted per sample (\(o.backgroundCoefficients) coefficients)")
                }
            }
        }
        let fullStrength = o.pretrainSteps + SolveLoop.rampUnits * o.rampUnit
        if o.maxSteps <= fullStrength && o.gibbsWeight > 0 {
            notes.append(
                "warning: training stops at maxSteps \(o.maxSteps), "
                    + (o.maxSteps <= o.pretrainSteps
                        ? "before the constraint terms switch on (pretrainSteps \(o.pretrainSteps))"
                        : "before the constraint terms reach full strength (step \(fullStrength))")
                    + ": the encoder learns the reconstruction only; raise maxSteps (or lower pretrainSteps)")
        }
        return (o, notes)
    }

    static func format(_ v: Double) -> String { String(format: "%.3g", v) }
}
