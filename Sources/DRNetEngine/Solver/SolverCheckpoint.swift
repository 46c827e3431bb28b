import Foundation

/// Where `DRNetSolver.solve()` stands: the stage, the walk position, the loss history and the
/// running loss means, the convergence check's previous figures, the step counters and the
/// refined mask. Together with the parameters, the optimiser state and the generator, it
/// determines the rest of the run.
public struct SolverRunState: Codable, Sendable, Equatable {
    public enum Stage: String, Codable, Sendable { case train, polish, fineTune, done }
    /// Sums of the loss terms since the last loss record.
    public struct Accumulator: Codable, Sendable, Equatable {
        public var n = 0
        public var total = 0.0, recon = 0.0, gibbs = 0.0, smooth = 0.0, viol = 0.0, gamma = 0.0
        public init() {}
    }
    public var stage: Stage = .train
    /// Minibatches drawn so far (the next walk is `walkIndex % pool size`).
    public var walkIndex = 0
    public var history: [LossRecord] = []
    public var acc = Accumulator()
    public var previousWindowMean: Double?
    public var previousSets: [[Int]]?
    /// Every convergence test so far (nil in checkpoints written before they were kept).
    public var convergenceChecks: [ConvergenceCheck]? = nil
    public var stoppedBy = StopReason.stepCap
    public var trainingSteps = 0
    public var polish = 0
    public var fine = 0
    /// Fine-tune round (0-based) and steps done in it.
    public var round = 0
    public var roundStep = 0
    /// The refine step's mask (N×P, 1 = kept) and alloying flags; empty before refine.
    public var refined: [UInt8] = []
    public var alloying: [Bool] = []
    /// Wall seconds of the run before this session (resumes add theirs).
    public var elapsedSeconds = 0.0
    /// Step at which this session started (ETA only).
    public var stepAtStart = 0
    /// Wall seconds spent in each stage so far (nil in checkpoints written before it existed).
    public var stageSeconds: StageSeconds? = nil
    public init() {}
}

/// A resumable snapshot of a solve, taken at a step boundary of `DRNetSolver.solve()`.
///
/// Holds everything that determines the future: model kind and parameters, Adam's moments,
/// step count and learning rate, the generator state, the candidate switches, the refined mask,
/// the solver step, and `SolverRunState` (stage, walk position, convergence history, loss
/// history). The problem itself (library, options, seed) is rebuilt by the caller; the
/// checkpoint stores the options, the seed and a fingerprint of the library to refuse a
/// mismatch, plus free-form `context` (e.g. the CLI's library path and flags).
///
/// Resumable: every stage that loops over steps (training, polish, fine-tune rounds), at any
/// step boundary. The refine steps between stages are not interrupted (they take seconds).
///
/// File layout (`write(to:)`), little-endian:
///
///     "DRNETCKP"            8 bytes magic
///     UInt32 version        (2; version 1 had no checksum and is still read)
///     UInt64 L              length of the metadata JSON
///     L bytes               `Metadata` as JSON
///     Float32 × n₁          parameters        (n₁ = metadata.parameterCount)
///     Float32 × n₁          Adam first moment
///     Float32 × n₁          Adam second moment
///     Float32 × n₂          fixed intensity pre-activations of per-sample latents (n₂ = metadata.fixedIntensityCount)
///     UInt32 CRC-32         of every byte before it (version 2)
///
/// Written through `AtomicFile` (flushed, then renamed over the previous checkpoint): a crash at
/// any moment leaves a complete checkpoint, the previous or the new one. A checksum mismatch — a
/// flipped bit, a damaged copy — is an `InputError`, never a silent resume from wrong numbers.
/// The parameters and moments live in the backend's parameter store (device memory on OpenCL):
/// `checkpoint()` copies them out and `restore(_:)` loads them back; those are the only two places
/// that touch them.
public struct SolverCheckpoint: Sendable {
    public static let magic = Array("DRNETCKP".utf8)
    public static let version: UInt32 = 2

    public struct Metadata: Codable, Sendable, Equatable {
        public var format = "drnet solver checkpoint"
        public var seed: UInt64
        public var options: SolverOptions
        public var library: LibraryFingerprint
        public var context: [String: String]
        public var step: Int
        public var modelKind: SolverOptions.ModelKind
        public var parameterCount: Int
        public var fixedIntensityCount: Int
        public var intensityWidth: Int
        public var adamStep: Int
        public var adamLearningRate: Float
        public var rngState: [UInt64]
        public var candidateSwitch: [Float]
        public var run: SolverRunState
        public var writtenAt: String
    }

    /// Identifies a library: sizes and an FNV-1a hash of the pattern and Q bits.
    public struct LibraryFingerprint: Codable, Sendable, Equatable {
        public var name: String
        public var samples: Int, grid: Int, phases: Int
        public var hash: String

        public init(_ lib: CompositionLibrary) {
            name = lib.name
            samples = lib.sampleCount; grid = lib.gridCount; phases = lib.phaseCount
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            func mix(_ v: UInt32) { for b in 0..<4 { h ^= UInt64((v >> (8 * UInt32(b))) & 0xff); h = h &* 0x100_0000_01b3 } }
            for x in lib.q { mix(x.bitPattern) }
            for x in lib.patterns { mix(x.bitPattern) }
            for p in lib.phases { for x in p.q { mix(x.bitPattern) }; for x in p.intensity { mix(x.bitPattern) } }
            hash = String(h, radix: 16)
        }

        /// The same sizes and hash of patterns, Q and sticks (the name is not compared).
        public func sameData(as other: LibraryFingerprint) -> Bool {
            samples == other.samples && grid == other.grid && phases == other.phases && hash == other.hash
        }
    }

    public var metadata: Metadata
    public var parameters: [Float]
    public var firstMoment: [Float]
    public var secondMoment: [Float]
    public var fixedIntensityPre: [Float]

    /// Writes the checkpoint atomically.
    public func write(to path: String) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let json = try enc.encode(metadata)
        var data = Data(Self.magic)
        withUnsafeBytes(of: Self.version.littleEndian) { data.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        for array in [parameters, firstMoment, secondMoment, fixedIntensityPre] {
            array.withUnsafeBufferPointer { buf in
                if UInt32(1).littleEndian == 1 {
                    data.append(
                        UnsafeBufferPointer(
                            start: UnsafeRawPointer(buf.baseAddress)?.assumingMemoryBound(to: UInt8.self),
                            count: buf.count * 4))
                } else {
                    for x in buf { withUnsafeBytes(of: x.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
                }
            }
        }
        let crc = CRC32.checksum(data)
        withUnsafeBytes(of: crc.littleEndian) { data.append(contentsOf: $0) }
        try AtomicFile.write(data, to: path)
    }

    /// Reads a checkpoint; `InputError` naming the file for anything malformed.
    public static func read(path: String) throws -> SolverCheckpoint {
        var bytes: [UInt8] = try InputFile.readBinary(path: path)
        func fail(_ expected: String, _ found: String, _ location: String = "") -> InputError {
            InputError(file: path, location: location, expected: expected, found: found)
        }
        guard bytes.count >= 20, Array(bytes[0..<8]) == magic else {
            throw fail("a drnet checkpoint (magic DRNETCKP)", "other content")
        }
        func u32(_ at: Int) -> UInt32 { (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << (8 * UInt32($1)) } }
        func u64(_ at: Int) -> UInt64 { (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) } }
        let version = u32(8)
        guard version == 1 || version == Self.version else {
            throw fail("checkpoint format version 1 or \(Self.version)", "version \(version)", "header")
        }
        if version >= 2 {
            guard bytes.count >= 24 else { throw fail("a checkpoint with its checksum", "a file of \(bytes.count) bytes", "checksum") }
            let stored = u32(bytes.count - 4)
            let computed = CRC32.checksum(bytes[0..<(bytes.count - 4)])
            guard stored == computed else {
                throw fail(
                    "the checksum the file was written with (CRC-32 \(String(stored, radix: 16)))",
                    "CRC-32 \(String(computed, radix: 16)): the file is damaged (a changed byte, or a truncated copy); "
                        + "resume from an intact copy or start the run again", "checksum")
            }
            bytes.removeLast(4)
        }
        let length = Int(u64(12))
        guard length > 0, 20 + length <= bytes.count else {
            throw fail("metadata of the stated length \(length)", "a file of \(bytes.count) bytes", "header")
        }
        var meta: Metadata
        let metadataBytes = Data(bytes[20..<(20 + length)])
        do {
            let dec = JSONDecoder()
            dec.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            meta = try dec.decode(Metadata.self, from: metadataBytes)
        } catch {
            throw fail("valid checkpoint metadata", "\(error)", "metadata")
        }
        // A checkpoint written before the fitted background, the peak shape, the data-derived
        // widths and background and whole-library per-sample steps existed holds a model without them: its
        // settings are those of C = 0, Gaussian peaks, the stored width centre and walk
        // minibatches, not of today's defaults.
        if let object = try? JSONSerialization.jsonObject(with: metadataBytes) as? [String: Any],
            let stored = object["options"] as? [String: Any]
        {
            if stored["backgroundCoefficients"] == nil { meta.options.backgroundCoefficients = 0 }
            if stored["perSampleBatch"] == nil { meta.options.perSampleBatch = .walks }
            // Before the data-derived background: the stored C is the model's.
            if stored["backgroundFromData"] == nil { meta.options.backgroundFromData = false }
            if stored["peakShape"] == nil {
                meta.options.peakShape = .gaussian
                meta.options.peakWidthsFromData = false
            }
        }
        let n1 = meta.parameterCount, n2 = meta.fixedIntensityCount
        let expectedBytes = 20 + length + 4 * (3 * n1 + n2)
        guard n1 >= 0, n2 >= 0, bytes.count == expectedBytes else {
            throw fail(
                "\(expectedBytes) bytes (3 × \(n1) parameters + \(n2) intensity values)", "\(bytes.count) bytes (truncated or damaged)",
                "arrays")
        }
        var offset = 20 + length
        func floats(_ count: Int) -> [Float] {
            let out = (0..<count).map { j -> Float in
                let at = offset + 4 * j
                return Float(
                    bitPattern: UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24)
            }
            offset += 4 * count
            return out
        }
        let params = floats(n1), m = floats(n1), v = floats(n1), fixed = floats(n2)
        return SolverCheckpoint(metadata: meta, parameters: params, firstMoment: m, secondMoment: v, fixedIntensityPre: fixed)
    }
}

extension DRNetSolver {
    /// A snapshot of everything that determines the rest of the run (read through
    /// `parameters` and `optimiser`: a device backend syncs them first). `context` is stored as is.
    public func checkpoint(context: [String: String] = [:]) -> SolverCheckpoint {
        let perSample = model as? PerSampleLatents
        let kind: SolverOptions.ModelKind = perSample == nil ? .amortised : .perSample
        let fixed = perSample?.fixedIntensityPre ?? []
        let stamp = ISO8601DateFormatter().string(from: Date())
        let meta = SolverCheckpoint.Metadata(
            seed: seed, options: options, library: .init(problem.library), context: checkpointContext.merging(context) { $1 },
            step: step, modelKind: kind, parameterCount: model.parameterCount, fixedIntensityCount: fixed.count,
            intensityWidth: perSample?.intensityWidth ?? 0, adamStep: optimiser.step, adamLearningRate: optimiser.learningRate,
            rngState: rng.state, candidateSwitch: candidateSwitch, run: run, writtenAt: stamp)
        // θ and the moments live in the backend's store (device memory on OpenCL): copied out here.
        let theta = parameters
        let moments = backend.optimiserMoments()
        return SolverCheckpoint(
            metadata: meta, parameters: theta, firstMoment: moments.first,
            secondMoment: moments.second, fixedIntensityPre: fixed)
    }

    /// Puts a freshly constructed solver (same problem, options and seed) in the state of the
    /// checkpoint; `solve()` then continues the run. Throws `ConfigurationError` when the
    /// checkpoint belongs to another library, seed or settings.
    public func restore(_ c: SolverCheckpoint) throws {
        let m = c.metadata
        guard m.seed == seed else { throw ConfigurationError("checkpoint: seed \(m.seed), but this run has seed \(seed)") }
        // The data must be the same; the folder's name may differ (a library moved or renamed).
        guard m.library.sameData(as: SolverCheckpoint.LibraryFingerprint(problem.library)) else {
            throw ConfigurationError(
                "checkpoint: made for library \(m.library.name) (\(m.library.samples)×\(m.library.grid), \(m.library.phases) candidates, hash \(m.library.hash)), not this one"
            )
        }
        let enc = JSONEncoder()
        enc.outputFormatting = .sortedKeys
        guard (try? enc.encode(m.options)) == (try? enc.encode(options)) else {
            throw ConfigurationError("checkpoint: made with other solver settings than this run's")
        }
        guard m.rngState.count == 4, m.candidateSwitch.count == problem.phaseCount,
            m.run.refined.isEmpty || m.run.refined.count == problem.sampleCount * problem.phaseCount,
            c.firstMoment.count == c.parameters.count, c.secondMoment.count == c.parameters.count
        else {
            throw ConfigurationError("checkpoint: inconsistent array sizes")
        }
        if m.modelKind == .perSample && !(model is PerSampleLatents) {
            let latents = PerSampleLatents(
                sampleCount: problem.sampleCount, phaseCount: problem.phaseCount, backgroundCount: options.backgroundCoefficients,
                mixing: options.pseudoVoigt, offsets: loss.decoder.wavenumber != nil)
            if m.intensityWidth > 0 {
                latents.fixedIntensityPre = c.fixedIntensityPre
                latents.intensityWidth = m.intensityWidth
            }
            model = latents
        }
        guard model.parameterCount == c.parameters.count else {
            throw ConfigurationError("checkpoint: \(c.parameters.count) parameters, the model has \(model.parameterCount)")
        }
        let adam = AdamOptimizer(
            count: c.parameters.count, learningRate: Double(m.adamLearningRate), beta1: options.adamBeta1,
            beta2: options.adamBeta2, epsilon: options.adamEpsilon)
        adam.learningRate = m.adamLearningRate
        adam.restore(step: m.adamStep, first: c.firstMoment, second: c.secondMoment)
        optimiser = adam
        // Into the backend's store (uploaded to the device on OpenCL).
        backend.loadParameters(c.parameters, optimiser: adam)
        rng.state = m.rngState
        candidateSwitch = m.candidateSwitch
        step = m.step
        run = m.run
        refinedMask = m.run.refined.isEmpty ? nil : m.run.refined.map { Float($0) }
    }
}
