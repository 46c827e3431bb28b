import Foundation

/// Every setting of a DRNet solve in one validated value (method.md §3–5). Loadable from a JSON
/// config in which every key is optional (missing keys keep the default) and unknown keys are
/// errors. Names follow method.md; the reference's name is given where it differs.
public struct SolverOptions: Codable, Equatable, Sendable {
    // MARK: Model
    /// `amortised`: the reference's encoder MLPs map each pattern to its latents.
    /// `perSample`: free per-sample latents (no network), optimised directly.
    public var model: ModelKind = .amortised
    /// Hidden widths of each encoder MLP (reference: 1024, 1024, 512).
    public var hiddenLayers: [Int] = [1024, 1024, 512]
    /// Concatenate the composition c_i to the encoder input ([BCV, LSA]).
    public var compositionInput: Bool = false
    /// δ: shifts s = 1 + ρ(t)·δ·tanh(u) ∈ [1 − δ, 1 + δ] (reference `max_shift`).
    public var maxShift: Double = 0.10
    /// Steps of the linear shift warm-up ramp ρ(t) = min(1, t / shiftWarmupSteps); 0 = ρ ≡ 1.
    public var shiftWarmupSteps: Int = 0
    /// v₀ and r: log-variance v = v₀ + r·tanh(·), in log(nm⁻²) (`init_logvar`, `logvar_range`).
    public var logVarianceCentre: Double = -2
    public var logVarianceRange: Double = 2
    /// I_max: per-stick intensity factors IS ∈ [1/I_max, I_max]; 1 disables them.
    public var intensityFactorMax: Double = 1
    /// [BCV, LSA] high-Q peak widening v_kj = v_k + (q⁰_kj/Q_max)·tanh(|g|), g trainable from 0.1.
    public var peakFattening: Bool = false
    /// `gaussian`: the reference's Gaussian peaks. `pseudoVoigt`: pseudo-Voigts with a mixing
    /// η_k = η_max·σ(e_k) ∈ (0, η_max) per phase (σ the logistic function; e_k trainable, shared by
    /// every sample, from e = −2, i.e. η ≈ 0.12·η_max). `auto`: pseudo-Voigt with the Q-dependent
    /// width law (`peakFattening`) on a library that records its instrument (from `drnet import`),
    /// Gaussian on any other (`DataDefaults`).
    public var peakShape: PeakShape = .auto
    /// η_max of the pseudo-Voigt peaks, in (0, 1].
    public var peakMixingMax: Double = 1
    /// Centre the peak-width range on the median width measured in the patterns
    /// (`logVarianceCentre` = 2 ln σ̂, `DataDefaults`); a settings file that sets
    /// `logVarianceCentre` turns it off.
    public var peakWidthsFromData: Bool = true
    /// Fit each sample's instrument offsets (`InstrumentOffset`: a 2θ zero offset and a sample
    /// displacement) when the library records the wavelength of the 2θ axis its Q grid came from
    /// (`CompositionLibrary.axisWavelength`, from `drnet import`); bounded by these (degrees of 2θ).
    public var instrumentOffsets: Bool = true
    public var zeroOffsetMax: Double = 0.3
    public var displacementMax: Double = 0.3
    /// Renderer half-window in standard deviations (±6σ is exact to float precision).
    public var windowSigmas: Double = 6
    /// C: cubic B-spline coefficients of each sample's fitted background (`BackgroundBasis`),
    /// produced by the fraction network (C more outputs) and free per sample in the polish and
    /// fine-tune; 0 fits no background (the reference's model).
    public var backgroundCoefficients: Int = 8
    /// Fit the background only where the patterns carry one (`DataDefaults`): a library whose
    /// baseline share (`BaselineEstimate`) is below 1 % came with its background subtracted and
    /// gets `backgroundCoefficients` 0. A settings file that sets `backgroundCoefficients` turns
    /// it off.
    public var backgroundFromData: Bool = true
    /// λ_b: weight of the background's second-difference smoothness penalty (per sample, averaged
    /// over the batch like the reconstruction loss).
    public var backgroundSmoothness: Double = 10

    // MARK: Reconstruction loss
    public var reconstructionMetric: ReconstructionMetric = .symmetricKL
    /// Weight of the divergence term (`KL_weight`).
    public var divergenceWeight: Double = 0.2
    public var l2Weight: Double = 0.1
    public var l1Weight: Double = 0
    /// Scale of every distance (`mean_loss`).
    public var lossScale: Double = 100
    /// ε inside the KL logarithm (`KL_eps`).
    public var klEpsilon: Double = 1e-9
    /// ε of the normalisations (`eps`).
    public var epsilon: Double = 1e-9

    // MARK: Constraint terms
    /// β of the Gibbs entropy relaxation.
    public var entropyBeta: Double = 1
    /// γ_max: the Gibbs loss weight at full strength (`gibbs_decay`).
    public var gibbsWeight: Double = 1
    /// Steps before the constraint terms switch on (`pretrain`), and the ramp unit r: γ(t) =
    /// min(R, 10)/10·γ_max with R = max(0, (t − pretrain)/r).
    public var pretrainSteps: Int = 3000
    public var rampUnit: Int = 100
    public var alloyEnabled: Bool = true
    /// Weight of the alloy term inside the Gibbs loss (`alloy_loss_decay`).
    public var alloyWeight: Double = 1
    /// u: the shift difference counted as alloying (`shift_unit`), a: the tanh width (`shift_amplify`).
    public var shiftUnit: Double = 0.001
    public var shiftAmplify: Double = 0.0005
    /// c in log d − log(d − 1 + c).
    public var alloyDofOffset: Double = 0.1
    /// A phase is active above this fraction (`min_activation`).
    public var minActivation: Double = 0.01
    /// g_p: weight ratio of non-violating samples (`gibbs_penalty`).
    public var gibbsPenalty: Double = 0.5
    public var smoothness: SmoothnessKind = .l2OverDistance
    public var smoothnessWeight: Double = 0.01
    /// Weight of the mass-balance (composition) loss; needs phase compositions.
    public var compositionWeight: Double = 0
    /// Weight of the intensity-factor regulariser.
    public var intensityRegWeight: Double = 0.001

    /// Render the second line of the wavelength doublet (Kα2) when the library records it
    /// (`CompositionLibrary.secondLine`, from `drnet import`'s wavelength metadata).
    public var kAlpha2: Bool = true

    // MARK: Masks
    /// Apply the element rule (a phase is allowed only where all its cations are present).
    public var elementRule: Bool = true

    // MARK: Optimisation
    /// Samples per random walk (the minibatch, in walk order) and walks per step.
    public var walkLength: Int = 10
    public var walksPerStep: Int = 1
    public var walkPoolSize: Int = 5000
    public var learningRate: Double = 1e-4
    public var adamBeta1: Double = 0.9
    public var adamBeta2: Double = 0.999
    public var adamEpsilon: Double = 1e-8
    /// Hard cap on training steps before the polish and refine steps (the reference ran its
    /// 20–165 k steps by hand; with whole-library polish steps 10 000 reach the Al-Li-Fe targets
    /// — 230/231 exact phase sets, where 6 000 gave 217 and 15 000 no better — and keep a 2-core
    /// solve of a few hundred samples within about 6 minutes; raise it for larger or harder
    /// libraries).
    public var maxSteps: Int = 10000
    /// Convergence: every `convergenceWindow` steps after the constraint terms reach full
    /// strength, the whole library is evaluated (deterministically); training stops when the mean
    /// reconstruction loss improved by less than `convergenceTolerance` (relative) since the last
    /// check and the per-sample phase sets changed on at most 0.5 % of the samples.
    public var convergenceWindow: Int = 1000
    public var convergenceTolerance: Double = 0.01
    /// Fine-tune steps under the refined mask with shifts frozen (whole-library steps with
    /// `perSampleBatch` = `library`: each moves every sample once; cheap, as only the refined
    /// phases are rendered: 400 settle the small fractions near the presence threshold that 150
    /// left, measured on the demo libraries).
    public var fineTuneSteps: Int = 400
    /// Fine-tune free per-sample latents initialised from the encoder (a per-sample polish of the
    /// fractions and widths, beyond the reference), with this Adam learning rate.
    public var fineTunePerSample: Bool = true
    /// Steps of a per-sample polish (all allowed candidates, every loss term) between training
    /// and the refine step, so that its discrete choices see converged latents (0 = refine the
    /// trained encoder's outputs directly, as the reference does). Needs `fineTunePerSample`
    /// or the per-sample model. Whole-library steps with `perSampleBatch` = `library` (200 of
    /// them update each sample as often as the 4 000 walk steps of before did on Al-Li-Fe, and
    /// reach a lower loss: each Adam step sees every sample's gradient).
    public var polishSteps: Int = 200
    public var fineTuneLearningRate: Double = 0.01
    /// The batch of a per-sample polish and fine-tune step (free per-sample latents):
    /// `library`: every sample at once (`DRNetSolver.libraryStep`: a random path cover of the
    /// graph in chunks, one Adam step), so `polishSteps` and `fineTuneSteps` count passes over
    /// the library; `walks`: the training's random-walk minibatch (the behaviour before
    /// whole-library steps, whose step counts were about N/walkLength times larger).
    public var perSampleBatch: PerSampleBatch = .library
    /// Learning-rate factor of the shift parameters of free per-sample latents.
    public var perSampleShiftRate: Double = 0.02
    /// Initialise fraction logits from a non-negative least-squares fit of the candidates.
    public var nnlsInitialisation: Bool = true
    /// Drop candidates whose NNLS usage Σ_i w_ik is below this before training (0 = keep all).
    public var pruneUsage: Double = 0.05

    // MARK: Refine
    /// Fractions below this are dropped by the refine step; phases whose usage U_k is below
    /// `refineUsage` are dropped everywhere.
    public var refinePresence: Double = 0.001
    public var refineUsage: Double = 0.1
    /// Enforce connected phase regions in the refine step (`ConnectivityRule`, beyond the
    /// reference): a phase is dropped from the samples outside its main region on the
    /// composition graph, except where it is a sample's largest fraction.
    public var connectivityRule: Bool = true

    public init() {}

    /// The defaults before whole-library per-sample steps (drnet 0.1.0 as of issue 12): walk
    /// minibatches in the polish and fine-tune, 4 000 polish and 3 000 fine-tune steps, at most
    /// 15 000 training steps. What `drnet bench --solve --compare-defaults` runs beside today's.
    public static var previousDefaults: SolverOptions {
        var o = SolverOptions()
        o.maxSteps = 15000
        o.perSampleBatch = .walks
        o.polishSteps = 4000
        o.fineTuneSteps = 3000
        return o
    }

    /// These settings with every default that changed since `previousDefaults` set back to its
    /// previous value, except the keys in `explicitKeys` (those a settings file gave).
    public func withPreviousDefaults(except explicitKeys: Set<String>) -> SolverOptions {
        let before = Self.previousDefaults
        var o = self
        if !explicitKeys.contains("maxSteps") { o.maxSteps = before.maxSteps }
        if !explicitKeys.contains("perSampleBatch") { o.perSampleBatch = before.perSampleBatch }
        if !explicitKeys.contains("polishSteps") { o.polishSteps = before.polishSteps }
        if !explicitKeys.contains("fineTuneSteps") { o.fineTuneSteps = before.fineTuneSteps }
        return o
    }

    public enum ModelKind: String, Codable, Sendable { case amortised, perSample }
    public enum PeakShape: String, Codable, Sendable { case auto, gaussian, pseudoVoigt }
    public enum PerSampleBatch: String, Codable, Sendable { case library, walks }

    /// Whether the peaks are pseudo-Voigts (after `DataDefaults` resolved `auto`).
    public var pseudoVoigt: Bool { peakShape == .pseudoVoigt && peakMixingMax > 0 }
    public enum ReconstructionMetric: String, Codable, Sendable { case symmetricKL, jensenShannon }
    public enum SmoothnessKind: String, Codable, Sendable { case l2OverDistance, l1 }

    /// γ(t) for a training step (method.md §4).
    public func gibbsSchedule(step: Int) -> Double {
        let round = max(0, Double(step - pretrainSteps) / Double(max(rampUnit, 1)))
        return min(round, 10) / 10 * gibbsWeight
    }

    /// ρ(t), the shift warm-up ramp.
    public func shiftRamp(step: Int) -> Double {
        shiftWarmupSteps <= 0 ? 1 : min(1, Double(step) / Double(shiftWarmupSteps))
    }

    /// Throws a `ConfigurationError` naming the first invalid setting.
    /// The largest loss weight (and `lossScale`) validation accepts.
    public static let maxWeight = 1e6

    public func validate() throws {
        func need(_ ok: Bool, _ what: String) throws { if !ok { throw ConfigurationError("invalid option: \(what)") } }
        try need(hiddenLayers.allSatisfy { $0 > 0 }, "hiddenLayers must be positive widths, got \(hiddenLayers)")
        try need(maxShift >= 0 && maxShift < 0.5, "maxShift must be in [0, 0.5), got \(maxShift)")
        try need(logVarianceRange >= 0, "logVarianceRange must be ≥ 0, got \(logVarianceRange)")
        try need(logVarianceCentre + logVarianceRange <= 4, "logVarianceCentre + logVarianceRange must be ≤ 4 (σ ≤ 7.4 nm⁻¹)")
        try need(intensityFactorMax >= 1, "intensityFactorMax must be ≥ 1, got \(intensityFactorMax)")
        try need(intensityFactorMax == 1 || model == .amortised, "intensity factors (intensityFactorMax > 1) need the amortised model")
        try need(windowSigmas >= 3, "windowSigmas must be ≥ 3, got \(windowSigmas)")
        try need(
            zeroOffsetMax >= 0 && zeroOffsetMax <= 5 && displacementMax >= 0 && displacementMax <= 5,
            "zeroOffsetMax and displacementMax must be in [0, 5] degrees of 2θ, got \(zeroOffsetMax) and \(displacementMax)")
        try need(peakMixingMax > 0 && peakMixingMax <= 1, "peakMixingMax must be in (0, 1] (the Lorentzian share), got \(peakMixingMax)")
        try need(
            backgroundCoefficients == 0
                || (backgroundCoefficients >= BackgroundBasis.minimumCount && backgroundCoefficients <= 64),
            "backgroundCoefficients must be 0 (no fitted background) or in \(BackgroundBasis.minimumCount)…64, got \(backgroundCoefficients)"
        )
        for (name, v) in [
            ("divergenceWeight", divergenceWeight), ("l2Weight", l2Weight), ("l1Weight", l1Weight),
            ("gibbsWeight", gibbsWeight), ("alloyWeight", alloyWeight), ("smoothnessWeight", smoothnessWeight),
            ("compositionWeight", compositionWeight), ("intensityRegWeight", intensityRegWeight),
            ("backgroundSmoothness", backgroundSmoothness)
        ] {
            // Weights beyond 10⁶ only overflow the loss in Float (a gibbsWeight of 1e308 makes it
            // infinite at the first step): no setting a run could use.
            try need(v >= 0 && v <= Self.maxWeight, "\(name) must be a weight in [0, \(Self.maxWeight)], got \(v)")
        }
        try need(divergenceWeight + l2Weight + l1Weight > 0, "at least one reconstruction weight must be positive")
        try need(lossScale > 0 && lossScale <= Self.maxWeight, "lossScale must be in (0, \(Self.maxWeight)], got \(lossScale)")
        // Below ~1e-30 the KL's log(x + ε) of an empty grid point is -69 and more in Float32, and
        // its gradient 1/ε overflows: the loss is NaN within steps.
        try need(
            klEpsilon >= 1e-20 && klEpsilon <= 0.1 && epsilon >= 1e-20 && epsilon <= 0.1,
            "klEpsilon and epsilon must be in [1e-20, 0.1], got \(klEpsilon) and \(epsilon)")
        try need(entropyBeta > 0 && entropyBeta <= 1000, "entropyBeta must be in (0, 1000], got \(entropyBeta)")
        try need(
            hiddenLayers.count <= 16 && hiddenLayers.allSatisfy { $0 <= 65536 },
            "hiddenLayers must be at most 16 layers of at most 65536 units, got \(hiddenLayers)")
        try need(maxSteps <= 100_000_000, "maxSteps must be ≤ 10⁸, got \(maxSteps)")
        try need(pretrainSteps >= 0 && rampUnit > 0, "pretrainSteps must be ≥ 0 and rampUnit > 0")
        try need(
            shiftUnit > 0 && shiftUnit <= 0.5 && shiftAmplify >= 1e-8 && shiftAmplify <= 1,
            "shiftUnit must be in (0, 0.5] and shiftAmplify in [1e-8, 1] (the alloy term divides by it), got \(shiftUnit) and \(shiftAmplify)"
        )
        try need(alloyDofOffset > 0 && alloyDofOffset <= 1, "alloyDofOffset must be in (0, 1]")
        try need(minActivation > 0 && minActivation < 1, "minActivation must be in (0, 1)")
        try need(gibbsPenalty >= 0 && gibbsPenalty <= 1, "gibbsPenalty must be in [0, 1]")
        try need(walkLength >= 2, "walkLength must be ≥ 2, got \(walkLength)")
        try need(walksPerStep >= 1 && walkPoolSize >= 1, "walksPerStep and walkPoolSize must be ≥ 1")
        try need(learningRate > 0 && learningRate < 1, "learningRate must be in (0, 1), got \(learningRate)")
        try need(
            adamBeta1 >= 0 && adamBeta1 < 1 && adamBeta2 >= 0 && adamBeta2 < 1 && adamEpsilon >= 1e-30 && adamEpsilon <= 1,
            "Adam β must be in [0, 1) and ε in [1e-30, 1]")
        try need(maxSteps >= 1, "maxSteps must be ≥ 1")
        try need(convergenceWindow >= 10, "convergenceWindow must be ≥ 10")
        try need(convergenceTolerance >= 0, "convergenceTolerance must be ≥ 0")
        try need(fineTuneSteps >= 0 && polishSteps >= 0, "fineTuneSteps and polishSteps must be ≥ 0")
        try need(fineTuneLearningRate > 0 && fineTuneLearningRate < 1, "fineTuneLearningRate must be in (0, 1)")
        try need(perSampleShiftRate > 0 && perSampleShiftRate <= 1, "perSampleShiftRate must be in (0, 1]")
        try need(pruneUsage >= 0, "pruneUsage must be ≥ 0")
        try need(refinePresence >= 0 && refinePresence < 1 && refineUsage >= 0, "refinePresence must be in [0, 1), refineUsage ≥ 0")
    }
}

extension SolverOptions {
    private enum CodingKeys: String, CodingKey, CaseIterable {
        case model, hiddenLayers, compositionInput, maxShift, shiftWarmupSteps, logVarianceCentre, logVarianceRange,
            intensityFactorMax, peakFattening, windowSigmas, reconstructionMetric, divergenceWeight, l2Weight,
            l1Weight, lossScale, klEpsilon, epsilon, entropyBeta, gibbsWeight, pretrainSteps, rampUnit,
            alloyEnabled, alloyWeight, shiftUnit, shiftAmplify, alloyDofOffset, minActivation, gibbsPenalty,
            smoothness, smoothnessWeight, compositionWeight, intensityRegWeight, elementRule, walkLength,
            walksPerStep, walkPoolSize, learningRate, adamBeta1, adamBeta2, adamEpsilon, maxSteps,
            convergenceWindow, convergenceTolerance, fineTuneSteps, fineTunePerSample, polishSteps, fineTuneLearningRate,
            perSampleShiftRate, nnlsInitialisation, pruneUsage,
            refinePresence, refineUsage, connectivityRule, kAlpha2, backgroundCoefficients, backgroundSmoothness, peakShape, peakMixingMax,
            peakWidthsFromData, backgroundFromData,
            instrumentOffsets, zeroOffsetMax, displacementMax, perSampleBatch
    }

    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func get<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let v = try c.decodeIfPresent(T.self, forKey: key) { value = v }
        }
        try get(.model, &model); try get(.hiddenLayers, &hiddenLayers); try get(.compositionInput, &compositionInput)
        try get(.maxShift, &maxShift); try get(.shiftWarmupSteps, &shiftWarmupSteps)
        try get(.logVarianceCentre, &logVarianceCentre); try get(.logVarianceRange, &logVarianceRange)
        try get(.intensityFactorMax, &intensityFactorMax); try get(.peakFattening, &peakFattening)
        try get(.windowSigmas, &windowSigmas); try get(.reconstructionMetric, &reconstructionMetric)
        try get(.divergenceWeight, &divergenceWeight); try get(.l2Weight, &l2Weight); try get(.l1Weight, &l1Weight)
        try get(.lossScale, &lossScale); try get(.klEpsilon, &klEpsilon); try get(.epsilon, &epsilon)
        try get(.entropyBeta, &entropyBeta); try get(.gibbsWeight, &gibbsWeight)
        try get(.pretrainSteps, &pretrainSteps); try get(.rampUnit, &rampUnit)
        try get(.alloyEnabled, &alloyEnabled); try get(.alloyWeight, &alloyWeight)
        try get(.shiftUnit, &shiftUnit); try get(.shiftAmplify, &shiftAmplify); try get(.alloyDofOffset, &alloyDofOffset)
        try get(.minActivation, &minActivation); try get(.gibbsPenalty, &gibbsPenalty)
        try get(.smoothness, &smoothness); try get(.smoothnessWeight, &smoothnessWeight)
        try get(.compositionWeight, &compositionWeight); try get(.intensityRegWeight, &intensityRegWeight)
        try get(.elementRule, &elementRule); try get(.walkLength, &walkLength); try get(.walksPerStep, &walksPerStep)
        try get(.walkPoolSize, &walkPoolSize); try get(.learningRate, &learningRate)
        try get(.adamBeta1, &adamBeta1); try get(.adamBeta2, &adamBeta2); try get(.adamEpsilon, &adamEpsilon)
        try get(.maxSteps, &maxSteps); try get(.convergenceWindow, &convergenceWindow)
        try get(.convergenceTolerance, &convergenceTolerance); try get(.fineTuneSteps, &fineTuneSteps)
        try get(.fineTunePerSample, &fineTunePerSample); try get(.polishSteps, &polishSteps);
        try get(.fineTuneLearningRate, &fineTuneLearningRate)
        try get(.perSampleShiftRate, &perSampleShiftRate)
        try get(.nnlsInitialisation, &nnlsInitialisation); try get(.pruneUsage, &pruneUsage)
        try get(.refinePresence, &refinePresence); try get(.refineUsage, &refineUsage)
        try get(.connectivityRule, &connectivityRule)
        try get(.kAlpha2, &kAlpha2)
        try get(.backgroundCoefficients, &backgroundCoefficients); try get(.backgroundSmoothness, &backgroundSmoothness)
        try get(.peakShape, &peakShape); try get(.peakMixingMax, &peakMixingMax)
        try get(.peakWidthsFromData, &peakWidthsFromData)
        try get(.backgroundFromData, &backgroundFromData)
        // A settings file that gives the background's size keeps it (unless it also asks for the data's).
        if c.contains(.backgroundCoefficients) && !c.contains(.backgroundFromData) { backgroundFromData = false }
        // A settings file that gives the width centre keeps it (unless it also asks for the data's).
        if c.contains(.logVarianceCentre) && !c.contains(.peakWidthsFromData) { peakWidthsFromData = false }
        try get(.instrumentOffsets, &instrumentOffsets); try get(.zeroOffsetMax, &zeroOffsetMax)
        try get(.displacementMax, &displacementMax)
        try get(.perSampleBatch, &perSampleBatch)
    }

    /// What a setting's value must be, from its default's type (for error messages).
    static func expectedValue(of value: Any?) -> String {
        switch value {
        case is Int: return "a whole number"
        case is Double: return "a number"
        case is Bool: return "true or false"
        case is [Int]: return "a list of whole numbers, e.g. [1024, 1024, 512]"
        case is ModelKind: return "\"amortised\" or \"perSample\""
        case is ReconstructionMetric: return "\"symmetricKL\" or \"jensenShannon\""
        case is SmoothnessKind: return "\"l2OverDistance\" or \"l1\""
        case is PeakShape: return "\"auto\", \"gaussian\" or \"pseudoVoigt\""
        case is PerSampleBatch: return "\"library\" or \"walks\""
        default: return "a value of the right type"
        }
    }

    /// Reads a JSON config; every key optional, unknown keys rejected, result validated.
    public static func load(path: String) throws -> SolverOptions {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            throw InputError(
                file: path, expected: "a readable JSON config file",
                found: !exists ? "no such file" : isDirectory.boolValue ? "a folder" : "a file that cannot be read")
        }
        let dict = try JSONSettingsFile.object(data, path: path)
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        if let unknown = dict.keys.sorted().first(where: { !known.contains($0) && !$0.hasPrefix("_") }) {
            throw InputError(
                file: path, location: "key \(unknown)", expected: "one of: \(known.sorted().joined(separator: ", "))",
                found: "an unknown setting")
        }
        // Each key on its own, so that a value of the wrong type is reported with its key (the
        // decoder's own error has no key for some mismatches, e.g. 50.5 for a whole number).
        let defaults = Dictionary(
            Mirror(reflecting: SolverOptions()).children.compactMap { c in c.label.map { ($0, c.value) } },
            uniquingKeysWith: { a, _ in a })
        for key in dict.keys.sorted() where known.contains(key) {
            let single = try JSONSerialization.data(withJSONObject: [key: dict[key]!], options: [.fragmentsAllowed])
            do { _ = try JSONDecoder().decode(SolverOptions.self, from: single) } catch {
                throw InputError(
                    file: path, location: "key \(key)", expected: Self.expectedValue(of: defaults[key]),
                    found: JSONSettingsFile.describe(dict[key]!))
            }
        }
        let options: SolverOptions
        do { options = try JSONDecoder().decode(SolverOptions.self, from: data) } catch {
            throw InputError(file: path, expected: "valid settings", found: "\(error)")
        }
        do { try options.validate() } catch let e as ConfigurationError {
            throw InputError(file: path, expected: "valid settings", found: e.message)
        }
        return options
    }
}
