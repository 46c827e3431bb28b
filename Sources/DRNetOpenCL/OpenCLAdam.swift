import DRNetCore

/// Host side of `Kernels/adam.cl` (CPU specification: `AdamOptimizer.swift`) and the parameter
/// store it updates: θ, its gradient g and Adam's moments m, v are device buffers of
/// `parameterCount` floats for the whole run; they cross to the host only on `loadParameters`,
/// `parameterValues`, `optimiserMoments` and `parameterGradient`.
extension OpenCLBackend {
    public func loadParameters(_ values: [Float], optimiser: AdamOptimizer) {
        precondition(optimiser.count == values.count, "optimiser size \(optimiser.count) ≠ parameter count \(values.count)")
        self.optimiser = optimiser
        parameterCount = values.count
        activations = [:]
        activationBatch = [:]
        guarded(()) { () throws(OpenCLError) in
            try theta.reserve(values.count)
            try grad.reserve(values.count)
            try moment1.reserve(values.count)
            try moment2.reserve(values.count)
            try theta.write(values)
            try grad.zero(values.count)
            try moment1.write(optimiser.firstMoment)
            try moment2.write(optimiser.secondMoment)
        }
    }

    public func parameterValues() -> [Float] {
        guarded([Float](repeating: 0, count: parameterCount)) { () throws(OpenCLError) in try theta.read(parameterCount) }
    }

    public func optimiserMoments() -> (first: [Float], second: [Float]) {
        guarded(([], [])) { () throws(OpenCLError) in (try moment1.read(parameterCount), try moment2.read(parameterCount)) }
    }

    public func parameterGradient() -> [Float] {
        guarded([Float](repeating: 0, count: parameterCount)) { () throws(OpenCLError) in try grad.read(parameterCount) }
    }

    public func zeroGradient() {
        guarded(()) { () throws(OpenCLError) in try grad.zero(parameterCount) }
    }

    /// One Adam step: the host advances the step count and passes the bias corrections
    /// r = lr/(1 − β₁ᵗ) and 1/(1 − β₂ᵗ); work-item i updates `lanes` consecutive parameters.
    public func adamStep(scaled: (range: Range<Int>, factor: Float)?) {
        guard let optimiser else { preconditionFailure("adamStep before loadParameters") }
        let (rate, invC2) = optimiser.advance()
        guarded(()) { () throws(OpenCLError) in
            let vectors = (parameterCount + configuration.lanes - 1) / configuration.lanes
            try adamKernel.launch(
                [
                    .buffer(theta), .buffer(grad), .buffer(moment1), .buffer(moment2),
                    .int(parameterCount), .float(optimiser.beta1), .float(optimiser.beta2),
                    .float(rate), .float(invC2), .float(optimiser.epsilon),
                    .int(scaled?.range.lowerBound ?? 0), .int(scaled?.range.upperBound ?? 0), .float(scaled?.factor ?? 1)
                ],
                groups: elementGroups(vectors), local: configuration.elementGroup, profile: profile)
        }
    }
}
