import DRNetEngine
import DRNetIO
import Foundation

extension CommunitySolution {
    /// Our solution in the community format, over the phases it uses (K = |usedPhases|, in
    /// candidate order; `BName<k>` = the candidate's name).
    ///
    /// - `C<i>` = fractions w_ik, `S<i>` = shifts s_ik (0 where w_ik = 0);
    /// - `B<k>` = the candidate's sticks rendered unshifted with its median log-variance over the
    ///   samples holding it (the solution's peak shape: Gaussian or its pseudo-Voigt η; no
    ///   intensity factors or fattening), max-normalised;
    /// - `R<i>_<k>` = `contributions` (N×K×T, w_ik·B_ik/max_t m_i in max-normalised units, as
    ///   `DRNetSolver.phaseContributions` gives) × max_t I_i, i.e. in the instance's units;
    /// - `BG<i>` = `background` (N×T, b_i/max_t m_i in max-normalised units, as
    ///   `DRNetSolver.backgroundContributions` gives) × max_t I_i, when the run fitted one;
    /// - `L`, `L_proportion` from those R (and BG; see `CommunitySolution`).
    ///
    /// Values from Float latents are converted through their shortest decimal form so the file
    /// shows 0.25, not 0.25000000372529.
    public init(solution s: PhaseMapSolution, library lib: CompositionLibrary, contributions: [Float]?, background: [Float]? = nil) {
        let used = s.usedPhases, k = used.count, n = s.sampleCount, p = s.phaseCount, t = lib.gridCount
        func clean(_ x: Float) -> Double { Double(x.description) ?? Double(x) }
        var c = [Double](repeating: 0, count: n * k), sh = c
        for i in 0..<n {
            for (j, kk) in used.enumerated() {
                let w = s.fractions[i * p + kk]
                c[i * k + j] = clean(w)
                sh[i * k + j] = w > 0 ? clean(s.shifts[i * p + kk]) : 0
            }
        }
        // Bases: unshifted, median log-variance where present.
        let decoder = PeakDecoder(phases: lib.phases, q: lib.q)
        let render = SampleRender(decoder: decoder)
        var bases = [Float](repeating: 0, count: k * t)
        for (j, kk) in used.enumerated() {
            var v = (0..<n).filter { s.fractions[$0 * p + kk] > 0 }.map { s.logVariances[$0 * p + kk] }.sorted()
            if v.isEmpty { v = [Float(s.settings.logVarianceCentre)] }
            let ones = [Float](repeating: 1, count: p)
            var lv = [Float](repeating: 0, count: p)
            lv[kk] = v[v.count / 2]
            var w = [Float](repeating: 0, count: p)
            w[kk] = 1
            let eta = s.peakMixing.flatMap { $0.count == p ? $0 : nil } ?? [Float](repeating: 0, count: p)
            eta.withUnsafeBufferPointer { e in
                decoder.render(phases: [Int32(kk)], shifts: ones, logVariances: lv, fractions: w, mixing: e.baseAddress, into: render)
            }
            for q in 0..<t { bases[j * t + q] = render.reconstruction[q] }
        }
        var r: [Float]?
        var loss: [Double]?, share: [Double]?
        if let contributions, contributions.count == n * k * t {
            var out = contributions
            for i in 0..<n {
                var mx: Float = 0
                for q in 0..<t { mx = max(mx, lib.patterns[i * t + q]) }
                for q in (i * k * t)..<((i + 1) * k * t) { out[q] *= mx }
            }
            r = out
        }
        var bg: [Float]?
        if let background, background.count == n * t {
            var out = background
            for i in 0..<n {
                var mx: Float = 0
                for q in 0..<t { mx = max(mx, lib.patterns[i * t + q]) }
                for q in (i * t)..<((i + 1) * t) { out[q] *= mx }
            }
            bg = out
        }
        self.init(
            description: "drnet (Deep Reasoning Networks) solution for \(lib.name) (\(s.libraryPath ?? "?")), seed \(s.seed), "
                + "\(s.trainingSteps) training + \(s.fineTuneSteps) fine-tune steps, stopped by \(s.stoppedBy.rawValue)",
            sampleCount: n, phaseCount: k, phaseNames: used.map { s.phaseNames[$0] }, q: lib.q, bases: bases,
            concentrations: c, shifts: sh, contributions: r, background: bg)
        if r != nil {
            let e = ReconstructionError.compute(solution: self, patterns: lib.patterns, gridCount: t)
            loss = e?.map(\.l1)
            share = e?.map(\.share)
        }
        self.loss = loss
        self.lossProportion = share
    }
}
