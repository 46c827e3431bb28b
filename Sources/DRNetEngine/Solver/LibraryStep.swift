import Foundation

extension DRNetSolver {
    /// One whole-library step of the per-sample stages (`SolverOptions.perSampleBatch` =
    /// `library`): every sample's latents move at once.
    ///
    /// The batch is a fresh random path cover of the composition graph
    /// (`CompositionGraph.randomPathCover`, drawn from the solver's generator): every sample
    /// exactly once, consecutive samples on a path joined by an edge, so the pairwise terms see
    /// neighbours as in a walk. It is evaluated in chunks of at most `chunkLimit` samples (the
    /// inference chunk: the memory of a pass stays bounded for any N); chunk c's gradient (its loss is a mean over its B_c samples) is weighted by
    /// B_c / N and accumulated, so the step descends the library's mean loss
    ///
    ///     L = Σ_c (B_c / N)·L_c,
    ///
    /// and one Adam step follows. The report holds the same weighted means of the chunks' terms
    /// and every sample's latents (in batch order).
    @discardableResult
    public func libraryStep(freezeShifts: Bool = false, chunkLimit: Int = SolveLoop.inferenceChunk) -> LossReport {
        var laps = StepLaps()
        let paths = problem.graph.randomPathCover(rng: &rng)
        let chunks = LibraryBatchChunks(paths: paths, limit: chunkLimit).chunks
        let n = Double(max(problem.sampleCount, 1))
        backend.zeroGradient()
        var reports: [(LossReport, Double)] = []
        for chunk in chunks {
            var data = batch(chunk.samples)
            data.pairValid = chunk.pairValid
            let heads = model.forward(
                on: backend, samples: chunk.samples, patterns: data.patterns, compositions: data.compositions,
                patternRows: data.patternRows)
            laps.lap(&timings.encoderForward)
            var g = HeadOutputs.zeros(batch: chunk.samples.count, phases: problem.phaseCount)
            let report = loss.evaluate(heads: heads, batch: data, step: step, gradients: &g, freezeShifts: freezeShifts)
            laps.lap(&timings.lossAndDecoder)
            let share = Double(chunk.samples.count) / n
            model.backward(on: backend, gradients: g.scaled(by: Float(share)))
            laps.lap(&timings.encoderBackward)
            reports.append((report, share))
        }
        optimiserStep(freezeShifts: freezeShifts)
        laps.lap(&timings.optimiser)
        timings.steps += 1
        step += 1
        return LossReport.combining(reports)
    }
}

extension HeadOutputs {
    /// Every gradient block multiplied by `factor` (a chunk's share of a whole-library step).
    func scaled(by factor: Float) -> HeadOutputs {
        guard factor != 1 else { return self }
        var h = self
        for path: WritableKeyPath<HeadOutputs, [Float]> in [
            \.logits, \.shiftPre, \.widthPre, \.intensityPre, \.backgroundPre, \.mixingPre, \.offsetPre
        ] {
            h[keyPath: path] = h[keyPath: path].map { $0 * factor }
        }
        h.fattening *= factor
        return h
    }
}

extension LossReport {
    /// The report of a batch evaluated in parts: each scalar term is the weighted sum of the
    /// parts' (weights: each part's share of the samples), the per-sample values and latents are
    /// concatenated in part order, and the shared ones (γ, η) are the last part's.
    static func combining(_ parts: [(report: LossReport, weight: Double)]) -> LossReport {
        guard parts.count > 1 else { return parts.first?.report ?? LossReport() }
        var r = LossReport()
        for (part, weight) in parts {
            r.total += weight * part.total
            r.reconstruction += weight * part.reconstruction
            r.gibbs += weight * part.gibbs
            r.smoothness += weight * part.smoothness
            r.composition += weight * part.composition
            r.intensityRegulariser += weight * part.intensityRegulariser
            r.backgroundPenalty += weight * part.backgroundPenalty
            r.gibbsWeight = part.gibbsWeight
            r.reconstructionPerSample += part.reconstructionPerSample
            r.fractions += part.fractions
            r.shifts += part.shifts
            r.logVariances += part.logVariances
            r.background += part.background
            r.offsets += part.offsets
            r.mixing = part.mixing
            r.constraints.violation += part.constraints.violation
            r.constraints.alloy += part.constraints.alloy
            r.constraints.gibbs += weight * part.constraints.gibbs
            r.constraints.smooth += weight * part.constraints.smooth
            r.constraints.composition += weight * part.constraints.composition
        }
        return r
    }
}
